//! The analytic cycle model of the array, and the harness that checks it against the cycles
//! a Verilator co-simulation counted ([`check_cycles`]).
//!
//! One BitLinear call multiplies an N x K ternary matrix by `v` int8 vectors. The array takes
//! one slice (`lanes` activations for `rows` output rows) per cycle; the N outputs are cut
//! into `ceil(N / rows)` tiles and each dot product into `ceil(K / lanes)` slices. Slices are
//! streamed back to back (tile by tile, vector by vector: the accumulators clear on the last
//! slice of a dot product, so the next one starts the following cycle), and the pipeline
//! drains once at the end of the call:
//!
//! ```text
//! cycles(N, K, v) = v * ceil(N / rows) * ceil(K / lanes) - 1 + latency,   latency = pipeline_depth + 2
//! ```
//!
//! For v = 1 this is `hdl::ArrayConfig::matvec_cycles` (input register, `pipeline_depth`
//! chain stages, accumulator; counted from the first accepted slice to the cycle the last
//! result is valid). The model has no stalls: it assumes the weight and activation streams
//! never run dry (the roofline in [`crate::roofline`] accounts for memory separately).

use golden::{LinearKind, ModelConfig};
use serde::{Deserialize, Serialize};
use sim::RunRecord;

use crate::array::{label, validate, ArrayConfig};
use crate::error::{ReportError, Result};

/// Pipeline latency of the last slice: input register, chain stages, accumulator.
pub fn latency(a: &ArrayConfig) -> u64 {
    a.pipeline_depth as u64 + 2
}

/// Cycles of one call: an N x K matrix times `vectors` vectors (0 if any size is 0).
pub fn call_cycles(a: &ArrayConfig, n: usize, k: usize, vectors: usize) -> u64 {
    if n == 0 || k == 0 || vectors == 0 {
        return 0;
    }
    let tiles = n.div_ceil(a.rows) as u64;
    let slices = k.div_ceil(a.lanes) as u64;
    vectors as u64 * tiles * slices - 1 + latency(a)
}

/// One projection of a layer as the array runs it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Projection {
    pub kind: LinearKind,
    /// Output rows N and input length K.
    pub n: usize,
    pub k: usize,
    /// Modeled cycles for one vector (decode).
    pub cycles: u64,
}

/// The seven ternary projections of one layer (every layer has the same shapes).
pub fn layer_projections(a: &ArrayConfig, config: &ModelConfig) -> Vec<Projection> {
    LinearKind::ALL
        .iter()
        .map(|&kind| {
            let (n, k) = config.linear_shape(kind);
            Projection { kind, n, k, cycles: call_cycles(a, n, k, 1) }
        })
        .collect()
}

/// Modeled cycles of one decode token (one vector through every projection of every layer).
pub fn decode_token_cycles(a: &ArrayConfig, config: &ModelConfig) -> u64 {
    layer_projections(a, config).iter().map(|p| p.cycles).sum::<u64>() * config.n_layers as u64
}

/// Modeled cycles of a prefill of `tokens` prompt tokens (one call of `tokens` vectors per projection).
pub fn prefill_cycles(a: &ArrayConfig, config: &ModelConfig, tokens: usize) -> u64 {
    let per_layer: u64 = LinearKind::ALL
        .iter()
        .map(|&kind| {
            let (n, k) = config.linear_shape(kind);
            call_cycles(a, n, k, tokens)
        })
        .sum();
    per_layer * config.n_layers as u64
}

/// The longest K of any projection: the array's `max_k` must be at least this.
pub fn largest_k(config: &ModelConfig) -> usize {
    LinearKind::ALL.iter().map(|&k| config.linear_shape(k).1).max().unwrap_or(0)
}

/// Measured against modeled cycles for one (layer, projection), summed over the run's calls.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CycleRow {
    pub layer: usize,
    pub kind: LinearKind,
    pub calls: u64,
    /// Cycles the co-simulation counted (stalls included).
    pub measured: u64,
    /// Of which the array waited for a stream.
    pub stall: u64,
    pub modeled: u64,
    /// (modeled - measured) / measured
    pub rel_err: f64,
}

/// The analytic cycle model against one co-simulation run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CycleCheck {
    pub rows: Vec<CycleRow>,
    /// Largest |rel_err| over the rows.
    pub max_abs_rel_err: f64,
    /// The run's own provenance (e.g. "measured: Verilator 5.006 cycle simulation").
    pub run_source: String,
}

impl CycleCheck {
    /// True when every (layer, projection) is within `tolerance` (0.01 = 1%).
    pub fn within(&self, tolerance: f64) -> bool {
        self.max_abs_rel_err <= tolerance
    }

    /// The rows outside `tolerance`, one line each, for a test's failure message.
    pub fn failures(&self, tolerance: f64) -> Vec<String> {
        self.rows
            .iter()
            .filter(|r| r.rel_err.abs() > tolerance)
            .map(|r| {
                format!(
                    "layer {} {}: measured {} cycles ({} stalled), modeled {} ({:+.2}%) over {} calls",
                    r.layer,
                    r.kind,
                    r.measured,
                    r.stall,
                    r.modeled,
                    100.0 * r.rel_err,
                    r.calls
                )
            })
            .collect()
    }
}

/// The test harness for level 5 of the verification ladder: model every call of `run` on
/// `shape` and compare per (layer, projection). `shape` must be the array the run used
/// (rows, lanes and packing are checked against the run's own summary; the pipeline depth
/// is not in the run record, so it is taken from `shape`).
pub fn check_cycles(shape: &ArrayConfig, run: &RunRecord) -> Result<CycleCheck> {
    validate(shape)?;
    let ra = &run.array;
    if (ra.rows, ra.lanes) != (shape.rows, shape.lanes) || ra.packing != shape.packing.name() || ra.binary != shape.binary {
        return Err(ReportError::BadInput(format!(
            "the run used a {}x{} {} array but the model was given {}: pass the run's own array",
            ra.rows,
            ra.lanes,
            ra.packing,
            label(shape)
        )));
    }
    if run.matmuls.is_empty() {
        return Err(ReportError::BadInput(format!("run `{}` has no matmul records: nothing to check", run.model)));
    }
    let mut map: std::collections::BTreeMap<(usize, LinearKind), CycleRow> = Default::default();
    for m in &run.matmuls {
        if m.cols > shape.max_k {
            return Err(ReportError::BadInput(format!(
                "{} has K = {} but the array's max_k is {}",
                m.site, m.cols, shape.max_k
            )));
        }
        let row = map.entry((m.site.layer, m.site.kind)).or_insert_with(|| CycleRow {
            layer: m.site.layer,
            kind: m.site.kind,
            calls: 0,
            measured: 0,
            stall: 0,
            modeled: 0,
            rel_err: 0.0,
        });
        row.calls += 1;
        row.measured += m.cycles;
        row.stall += m.stall_cycles;
        row.modeled += call_cycles(shape, m.rows, m.cols, m.vectors);
    }
    let mut rows: Vec<CycleRow> = map.into_values().collect();
    for r in &mut rows {
        r.rel_err = (r.modeled as f64 - r.measured as f64) / (r.measured.max(1) as f64);
    }
    let max_abs_rel_err = rows.iter().map(|r| r.rel_err.abs()).fold(0.0, f64::max);
    Ok(CycleCheck { rows, max_abs_rel_err, run_source: run.source.clone() })
}

/// Cycles per decode token that a run measured: the calls with one vector, summed, divided by
/// the number of distinct positions they ran at; per layer likewise. `None` if the run had no
/// one-vector calls.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeasuredDecode {
    pub tokens: usize,
    pub per_token: f64,
    /// (layer, cycles per token)
    pub per_layer: Vec<(usize, f64)>,
    pub stall_per_token: f64,
    pub nonzero_fraction: f64,
}

pub fn measured_decode(run: &RunRecord) -> Option<MeasuredDecode> {
    let decode: Vec<_> = run.matmuls.iter().filter(|m| m.vectors == 1).collect();
    let positions: std::collections::BTreeSet<usize> = decode.iter().map(|m| m.site.pos).collect();
    if positions.is_empty() {
        return None;
    }
    let t = positions.len() as f64;
    let mut per_layer: std::collections::BTreeMap<usize, u64> = Default::default();
    for m in &decode {
        *per_layer.entry(m.site.layer).or_default() += m.cycles;
    }
    let macs: u64 = decode.iter().map(|m| m.macs).sum();
    let nonzero: u64 = decode.iter().map(|m| m.nonzero_macs).sum();
    Some(MeasuredDecode {
        tokens: positions.len(),
        per_token: decode.iter().map(|m| m.cycles).sum::<u64>() as f64 / t,
        per_layer: per_layer.into_iter().map(|(l, c)| (l, c as f64 / t)).collect(),
        stall_per_token: decode.iter().map(|m| m.stall_cycles).sum::<u64>() as f64 / t,
        nonzero_fraction: nonzero as f64 / macs.max(1) as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::array::array;
    use golden::MatmulSite;
    use sim::{ArraySummary, MatmulRecord};

    #[test]
    fn matches_hdl_documented_examples() {
        // hdl config.rs: 16 x 64, depth 4: 64 x 128 -> 8 - 1 + 6; 65 x 129 -> 15 - 1 + 6
        let a = ArrayConfig::default();
        assert_eq!(call_cycles(&a, 64, 128, 1), 13);
        assert_eq!(call_cycles(&a, 65, 129, 1), 20);
        assert_eq!(call_cycles(&a, 64, 128, 3), 3 * 8 - 1 + 6);
        assert_eq!(call_cycles(&a, 0, 128, 1), 0);
    }

    #[test]
    fn tinystories_1m_decode() {
        // dim 128, hidden 256, kv 64, 8 layers; 16 x 64 depth 4 (latency 6):
        // q,o 128x128: 8*2-1+6 = 21; k,v 64x128: 4*2-1+6 = 13; gate,up 256x128: 16*2-1+6 = 37;
        // down 128x256: 8*4-1+6 = 37. Per layer 2*21 + 2*13 + 3*37 = 179.
        let c = golden::synthetic::shape("tinystories-1m").unwrap().config;
        let a = ArrayConfig::default();
        assert_eq!(decode_token_cycles(&a, &c), 179 * 8);
        assert_eq!(largest_k(&c), 256);
    }

    fn run_of(a: &ArrayConfig, extra: u64) -> RunRecord {
        let c = golden::synthetic::shape("tiny").unwrap().config;
        let mut matmuls = vec![];
        for pos in 0..3 {
            for layer in 0..c.n_layers {
                for p in layer_projections(a, &c) {
                    let vectors = if pos == 0 { 2 } else { 1 };
                    let macs = (p.n * p.k * vectors) as u64;
                    matmuls.push(MatmulRecord {
                        site: MatmulSite { layer, kind: p.kind, pos: if pos == 0 { 0 } else { pos + 1 } },
                        rows: p.n,
                        cols: p.k,
                        vectors,
                        macs,
                        nonzero_macs: macs * 2 / 3,
                        cycles: call_cycles(a, p.n, p.k, vectors) + extra,
                        stall_cycles: extra,
                    weight_bytes: 0,
                    prefill: false,
                });
                }
            }
        }
        RunRecord {
            array: ArraySummary { rows: a.rows, lanes: a.lanes, packing: "2bit".into(), binary: false },
            model: "tiny".into(),
            tokens: 4,
            matmuls,
            source: "hand-built from the analytic model (test)".into(),
            stream: None,
        }
    }

    #[test]
    fn harness_accepts_the_model_and_flags_stalls() {
        let a = array(4, 16, 256);
        let exact = check_cycles(&a, &run_of(&a, 0)).unwrap();
        assert!(exact.within(0.0), "{:?}", exact.failures(0.0));
        assert_eq!(exact.rows.len(), 14);
        let slow = check_cycles(&a, &run_of(&a, 3)).unwrap();
        assert!(!slow.within(0.01));
        assert!(slow.failures(0.01)[0].contains("stalled"), "{:?}", slow.failures(0.01));
        let wrong = array(8, 16, 256);
        assert!(check_cycles(&wrong, &run_of(&a, 0)).unwrap_err().to_string().contains("pass the run's own array"));
        let d = measured_decode(&run_of(&a, 0)).unwrap();
        assert_eq!(d.tokens, 2);
        let c = golden::synthetic::shape("tiny").unwrap().config;
        assert_eq!(d.per_token, decode_token_cycles(&a, &c) as f64);
        assert!((d.nonzero_fraction - 2.0 / 3.0).abs() < 1e-3);
    }
}
