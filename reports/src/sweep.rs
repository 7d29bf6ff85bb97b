//! Array sweeps: one point per (array shape, target, bandwidth) with its size (LUTs, or NAND2
//! equivalents on asic), clock, decode tokens/s and J/token, and the Pareto front (smaller,
//! more tokens/s, less energy) per target and bandwidth.

use golden::ModelConfig;
use serde::{Deserialize, Serialize};

use crate::array::{array, bits_per_weight, ArrayConfig};
use crate::constants::Node;
use crate::cycles::decode_token_cycles;
use crate::energy::{energy, op_counts, Design};
use crate::figure::Figure;
use crate::roofline::{decode_traffic, roofline, Bandwidth, Bound, Storage};

/// One array on one target at one bandwidth.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    pub array: ArrayConfig,
    /// xc7, ice40, ecp5 or asic: what `luts` counts.
    pub target: String,
    pub bandwidth: String,
    /// The size: LUTs (NAND2 equivalents on asic), measured by Yosys when the sweep synthesized
    /// the design, else the structural xc7 model.
    pub luts: Figure,
    /// Measured resources of the synthesized design (none for the structural model).
    pub resources: Option<fpga::Resources>,
    /// The clock the rate is taken at: the measured Fmax after place and route, else given.
    pub clock_mhz: Figure,
    pub cycles_per_token: Figure,
    pub tokens_per_s: Figure,
    pub bound: Bound,
    /// Whole-token energy at 7 nm.
    pub j_per_token: Figure,
    /// Not dominated by another point of the same bandwidth.
    pub pareto: bool,
}

/// The model, clock and work every point shares.
#[derive(Clone, Debug)]
pub struct SweepSetup {
    pub config: ModelConfig,
    pub clock_mhz: Figure,
    pub context: usize,
    pub nonzero_fraction: f64,
}

/// Evaluate `array` (with its LUT figure) at every bandwidth, at the analytic cycle model.
pub fn sweep_points(s: &SweepSetup, array: &ArrayConfig, luts: &Figure, bandwidths: &[Bandwidth]) -> Vec<SweepPoint> {
    let cycles = Figure::modeled(decode_token_cycles(array, &s.config) as f64, "cycles/token", "analytic cycle model (reports::cycles)");
    sweep_points_at(s, array, luts, &cycles, bandwidths)
}

/// Evaluate `array` at every bandwidth with `cycles` per decode token (modeled or measured).
pub fn sweep_points_at(s: &SweepSetup, array: &ArrayConfig, luts: &Figure, cycles: &Figure, bandwidths: &[Bandwidth]) -> Vec<SweepPoint> {
    let c = &s.config;
    let traffic = decode_traffic(c, bits_per_weight(array), s.context, Storage::FLOAT);
    let ops = op_counts(Design::Ternary, c, array, s.nonzero_fraction, s.context, &traffic);
    let e = energy(Design::Ternary, Node::N7, &ops, "counted from the model config");
    bandwidths
        .iter()
        .map(|bw| {
            let r = roofline(1.0, cycles, &s.clock_mhz, traffic.total(), bw);
            SweepPoint {
                array: array.clone(),
                target: "xc7".into(),
                bandwidth: bw.name.clone(),
                luts: luts.clone(),
                resources: None,
                clock_mhz: s.clock_mhz.clone(),
                cycles_per_token: cycles.clone(),
                tokens_per_s: r.achieved_tokens_per_s,
                bound: r.bound,
                j_per_token: e.total.clone(),
                pareto: false,
            }
        })
        .collect()
}

/// `a` dominates `b` (same target and bandwidth): no worse in size, tokens/s and J/token, better in at least one.
fn dominates(a: &SweepPoint, b: &SweepPoint) -> bool {
    let (la, lb) = (a.luts.value, b.luts.value);
    let (ta, tb) = (a.tokens_per_s.value, b.tokens_per_s.value);
    let (ea, eb) = (a.j_per_token.value, b.j_per_token.value);
    la <= lb && ta >= tb && ea <= eb && (la < lb || ta > tb || ea < eb)
}

/// Set `pareto` on every point no other point of its target and bandwidth dominates.
pub fn mark_pareto(points: &mut [SweepPoint]) {
    let flags: Vec<bool> = points
        .iter()
        .map(|p| !points.iter().any(|q| q.target == p.target && q.bandwidth == p.bandwidth && dominates(q, p)))
        .collect();
    for (p, f) in points.iter_mut().zip(flags) {
        p.pareto = f;
    }
}

/// Every rows x lanes combination, sized for K up to `max_k`, with `packing`.
pub fn grid(rows: &[usize], lanes: &[usize], max_k: usize, packing: crate::array::Packing) -> Vec<ArrayConfig> {
    let mut out = vec![];
    for &r in rows {
        for &l in lanes {
            out.push(ArrayConfig { packing, ..array(r, l, max_k) });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::luts::xc7_luts;
    use crate::roofline::presets;

    #[test]
    fn pareto_front_of_a_small_grid() {
        let config = golden::synthetic::shape("tinystories-1m").unwrap().config;
        let s = SweepSetup { config, clock_mhz: Figure::modeled(100.0, "MHz", "test"), context: 64, nonzero_fraction: 2.0 / 3.0 };
        let mut pts = vec![];
        for a in grid(&[1, 4, 16], &[8, 32], 256, crate::array::Packing::TwoBit) {
            pts.extend(sweep_points(&s, &a, &xc7_luts(&a).figure(), &presets()));
        }
        assert_eq!(pts.len(), 18);
        mark_pareto(&mut pts);
        // the smallest array is always on the front (nothing has fewer LUTs)
        assert!(pts.iter().filter(|p| p.array.rows == 1 && p.array.lanes == 8).all(|p| p.pareto));
        // every point off the front is dominated by one on it
        for p in pts.iter().filter(|p| !p.pareto) {
            assert!(pts.iter().any(|q| q.pareto && q.bandwidth == p.bandwidth && dominates(q, p)));
        }
        // a faster memory never lowers the rate
        let by = |bw: &str| pts.iter().filter(|p| p.bandwidth == bw).map(|p| p.tokens_per_s.value).collect::<Vec<_>>();
        assert!(by("ddr4").iter().zip(by("hbm2e")).all(|(d, h)| *d <= h));
    }
}
