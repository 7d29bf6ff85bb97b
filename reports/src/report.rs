//! [`ReportInputs`] -> [`build`] -> [`Report`]: every section of the report, each number a
//! [`Figure`] tagged measured, modeled or cited.

use fpga::{PnrRecord, SynthRecord, Target};
use golden::{LinearKind, ModelConfig};
use serde::{Deserialize, Serialize};
use sim::RunRecord;

use crate::area::{logic_part, sram_parts, AreaPart};
use crate::array::{bits_per_weight, label, macs_per_cycle, validate, ArrayConfig};
use crate::constants::{self, Constant, Node};
use crate::cycles::{self, check_cycles, decode_token_cycles, layer_projections, measured_decode, prefill_cycles};
use crate::energy::{energy, op_counts, paper_ratio_figure, Design, EnergyBreakdown};
use crate::error::{ReportError, Result};
use crate::figure::Figure;
use crate::luts::{xc7_luts, LutModel};
use crate::roofline::{decode_traffic, prefill_traffic, presets, roofline, Bandwidth, Roofline, Storage, Traffic};
use crate::scaling::{scaling, ScalingRow, ScalingSetup};

/// Clock used when no Fmax was measured and none was given.
pub const DEFAULT_CLOCK_MHZ: f64 = 100.0;
/// Decode context position when none is given (capped at seq_len - 1).
pub const DEFAULT_CONTEXT: usize = 512;
/// Prompt length of the prefill figures when none is given (capped at seq_len).
pub const DEFAULT_PROMPT: usize = 128;
/// Nonzero-weight fraction when neither a run nor the weights say: uniform ternary codes
/// (golden's synthetic weights draw -1, 0, +1 with equal odds).
pub const DEFAULT_NONZERO_FRACTION: f64 = 2.0 / 3.0;

/// What a report is built from. Only `model_name`, `config` and `array` are required; every
/// other input adds measured figures (a co-simulation run, synthesis and place-and-route
/// records) or overrides a default.
#[derive(Clone, Debug)]
pub struct ReportInputs {
    pub model_name: String,
    pub config: ModelConfig,
    pub array: ArrayConfig,
    /// A Verilator co-simulation of this model on this array (measured cycles and zero skips).
    pub run: Option<RunRecord>,
    /// Synthesis records of this array (any targets; `asic` gives the logic area).
    pub synth: Vec<SynthRecord>,
    /// Synthesis of the int8 x int8 multiply-accumulate baseline of the same shape
    /// (`hdl::baseline`), per target: the measured cost of multipliers.
    pub baseline_synth: Vec<SynthRecord>,
    /// Place and route of this array (measured Fmax).
    pub pnr: Option<PnrRecord>,
    /// Clock to assume; overrides a measured Fmax.
    pub clock_mhz: Option<f64>,
    /// DRAM interfaces to evaluate (default: the three presets).
    pub bandwidths: Vec<Bandwidth>,
    /// Decode context position (default [`DEFAULT_CONTEXT`]).
    pub context: Option<usize>,
    /// Prefill prompt length (default [`DEFAULT_PROMPT`]).
    pub prompt_tokens: Option<usize>,
    /// Nonzero-weight fraction counted from the weights (used when there is no run).
    pub nonzero_fraction: Option<Figure>,
    /// Other arrays synthesized for the LUT model check: (array, xc7 record).
    pub lut_sweep: Vec<(ArrayConfig, SynthRecord)>,
    /// Co-simulations of `tern_stream` with the DRAM model (achieved vs roofline).
    pub stream_runs: Vec<RunRecord>,
    /// How the ternary design stores its head, embedding and KV cache (the numerics profile).
    pub storage: Storage,
}

impl ReportInputs {
    /// Inputs with only the model and the array; everything else default.
    pub fn new(model_name: &str, config: ModelConfig, array: ArrayConfig) -> ReportInputs {
        ReportInputs {
            model_name: model_name.into(),
            config,
            array,
            run: None,
            synth: vec![],
            baseline_synth: vec![],
            pnr: None,
            clock_mhz: None,
            bandwidths: presets(),
            context: None,
            prompt_tokens: None,
            nonzero_fraction: None,
            lut_sweep: vec![],
            stream_runs: vec![],
            storage: Storage::FLOAT,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelSummary {
    pub name: String,
    pub config: ModelConfig,
    pub ternary_params: Figure,
    pub float_params: Figure,
}

/// Cycles of one projection of a layer (the same in every layer).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectionCycles {
    pub kind: LinearKind,
    pub n: usize,
    pub k: usize,
    pub cycles: Figure,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerCycles {
    pub layer: usize,
    pub cycles: Figure,
}

/// Level 5 of the verification ladder: the model against co-simulation, per (layer, projection).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CycleCheckRow {
    pub layer: usize,
    pub kind: LinearKind,
    pub calls: u64,
    pub measured: Figure,
    pub modeled: Figure,
    pub error_percent: Figure,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CycleSection {
    pub projections: Vec<ProjectionCycles>,
    pub decode_per_layer: Vec<LayerCycles>,
    /// Measured when a run is given, modeled otherwise.
    pub decode_per_token: Figure,
    pub modeled_decode_per_token: Figure,
    pub prompt_tokens: usize,
    pub prefill_cycles: Figure,
    /// MACs per cycle over rows x lanes for a decode token.
    pub utilization: Figure,
    pub check: Vec<CycleCheckRow>,
    pub check_max_error_percent: Option<Figure>,
}

/// One traffic component.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrafficPart {
    pub name: String,
    pub bytes: Figure,
}

/// The rate of one design at one bandwidth.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RateRow {
    pub design: Design,
    pub roofline: Roofline,
}

/// KV-cache size of one storage choice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KvCacheRow {
    pub storage: String,
    pub bytes_per_token_per_layer: Figure,
    pub bytes_per_token: Figure,
    /// The whole cache at the decode context position.
    pub bytes_at_context: Figure,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LatencySection {
    pub clock_mhz: Figure,
    pub fmax_mhz: Option<Figure>,
    pub context: usize,
    /// What the ternary design's traffic assumes for the head, embedding and KV cache.
    pub storage: String,
    /// KV-cache bytes under each numerics (float FP16, int 8-bit, int 4-bit).
    pub kv_cache: Vec<KvCacheRow>,
    pub decode_traffic: Vec<TrafficPart>,
    pub decode_bytes_per_token: Figure,
    pub fp16_decode_bytes_per_token: Figure,
    pub prefill_bytes: Figure,
    /// Decode, per bandwidth: the ternary design then the FP16 design.
    pub decode: Vec<RateRow>,
    /// Prefill of `prompt_tokens`, per bandwidth (ternary design).
    pub prefill: Vec<Roofline>,
}

/// One synthesis record, summarized.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SynthSummary {
    pub target: String,
    pub flatten: bool,
    pub luts: Figure,
    pub ffs: Figure,
    pub carry_cells: Figure,
    pub brams: Figure,
    pub dsps: Figure,
    pub luts_per_mac: Figure,
    pub multipliers: bool,
}

/// The LUT model against Yosys for one array.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LutPoint {
    pub array: ArrayConfig,
    pub macs: usize,
    pub modeled: Figure,
    pub measured: Option<Figure>,
    pub error_percent: Option<Figure>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceSection {
    pub model: LutModel,
    pub modeled_luts: Figure,
    pub modeled_luts_per_mac: Figure,
    pub synth: Vec<SynthSummary>,
    pub lut_points: Vec<LutPoint>,
    /// Published LUTs per ternary MAC to compare with.
    pub published_luts_per_mac: Vec<(String, Figure)>,
    /// This array against the int8 MAC baseline of the same shape, per target synthesized.
    pub baseline: Vec<BaselineRow>,
}

/// The ternary array and the int8 x int8 MAC baseline of the same shape on one target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BaselineRow {
    pub target: String,
    pub ternary: SynthSummary,
    pub baseline: SynthSummary,
    /// baseline LUTs / ternary LUTs
    pub lut_ratio: Figure,
    /// baseline NAND2 equivalents / ternary NAND2 equivalents (asic only)
    pub area_ratio: Option<Figure>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeRatio {
    pub node: Node,
    pub matmul_arithmetic: Figure,
    pub whole_token: Figure,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnergySection {
    pub context: usize,
    pub nonzero_fraction: Figure,
    /// (FP16 mul + FP16 add) / INT8 add at 7 nm from the table: 71.43.
    pub paper_arithmetic_ratio_7nm: Figure,
    pub breakdowns: Vec<EnergyBreakdown>,
    /// FP16 / ternary, per node.
    pub ratios: Vec<NodeRatio>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AreaSection {
    pub parts: Vec<AreaPart>,
    pub total_um2_45nm: Figure,
    pub total_um2_7nm: Figure,
    /// False when no ASIC synthesis record was given (the logic is then missing from the totals).
    pub has_logic: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScalingSection {
    pub bandwidth: String,
    pub clock_mhz: Figure,
    pub context: usize,
    pub rows: Vec<ScalingRow>,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub title: String,
    pub model: ModelSummary,
    pub array: ArrayConfig,
    pub cycles: CycleSection,
    pub latency: LatencySection,
    pub resources: ResourceSection,
    pub energy: EnergySection,
    pub area: AreaSection,
    pub scaling: ScalingSection,
    /// Measured achieved vs roofline of streaming runs.
    pub stream: Vec<crate::stream::StreamRow>,
    /// LUTs vs decode tokens/s of a grid of arrays, per bandwidth.
    pub sweep: Vec<crate::sweep::SweepPoint>,
    pub constants: Vec<Constant>,
    pub notes: Vec<String>,
}

/// The clock: a given one, else the measured Fmax, else [`DEFAULT_CLOCK_MHZ`]; and the Fmax.
fn clock(inputs: &ReportInputs) -> Result<(Figure, Option<Figure>)> {
    let fmax = inputs.pnr.as_ref().and_then(|p| {
        p.fmax_mhz.map(|f| Figure::from_record(f, "MHz", &format!("{} on {} (Fmax)", p.source, p.device)))
    });
    let clock = match (inputs.clock_mhz, &fmax) {
        (Some(c), _) if !(c.is_finite() && c > 0.0) => {
            return Err(ReportError::BadInput(format!("clock {c} MHz: give a positive frequency")));
        }
        (Some(c), _) => Figure::modeled(c, "MHz", "given clock"),
        (None, Some(f)) => f.clone(),
        (None, None) => Figure::modeled(DEFAULT_CLOCK_MHZ, "MHz", "assumed clock: no Fmax measured and none given"),
    };
    Ok((clock, fmax))
}

fn nonzero_fraction(inputs: &ReportInputs, measured: Option<&cycles::MeasuredDecode>) -> Figure {
    if let (Some(m), Some(run)) = (measured, &inputs.run) {
        return Figure::from_record(m.nonzero_fraction, "", &format!("{} (nonzero MACs / MACs of the decode calls)", run.source));
    }
    if let Some(f) = &inputs.nonzero_fraction {
        return f.clone();
    }
    Figure::modeled(DEFAULT_NONZERO_FRACTION, "", "assumed: uniform ternary weights (a third zeros)")
}

fn cycle_section(inputs: &ReportInputs, measured: Option<&cycles::MeasuredDecode>, prompt: usize) -> Result<CycleSection> {
    let (a, c) = (&inputs.array, &inputs.config);
    let model_src = "analytic cycle model: v x ceil(N/rows) x ceil(K/lanes) - 1 + depth + 2 (reports::cycles)";
    let projections = layer_projections(a, c)
        .into_iter()
        .map(|p| ProjectionCycles { kind: p.kind, n: p.n, k: p.k, cycles: Figure::modeled(p.cycles as f64, "cycles", model_src) })
        .collect::<Vec<_>>();
    let modeled_token = decode_token_cycles(a, c) as f64;
    let modeled_layer = modeled_token / c.n_layers as f64;
    let run_src = |r: &RunRecord| format!("{} (mean over decode tokens)", r.source);
    let (decode_per_layer, decode_per_token) = match (measured, &inputs.run) {
        (Some(m), Some(run)) => (
            m.per_layer.iter().map(|&(layer, cy)| LayerCycles { layer, cycles: Figure::from_record(cy, "cycles/token", &run_src(run)) }).collect(),
            Figure::from_record(m.per_token, "cycles/token", &run_src(run)),
        ),
        _ => (
            (0..c.n_layers).map(|layer| LayerCycles { layer, cycles: Figure::modeled(modeled_layer, "cycles/token", model_src) }).collect(),
            Figure::modeled(modeled_token, "cycles/token", model_src),
        ),
    };
    let mut check = vec![];
    let mut check_max = None;
    if let Some(run) = &inputs.run {
        let cc = check_cycles(a, run)?;
        for r in &cc.rows {
            check.push(CycleCheckRow {
                layer: r.layer,
                kind: r.kind,
                calls: r.calls,
                measured: Figure::from_record(r.measured as f64, "cycles", &run.source),
                modeled: Figure::modeled(r.modeled as f64, "cycles", model_src),
                error_percent: Figure::modeled(100.0 * r.rel_err, "%", "(modeled - measured) / measured"),
            });
        }
        check_max = Some(Figure::modeled(100.0 * cc.max_abs_rel_err, "%", "largest |error| over (layer, projection)"));
    }
    let macs = c.ternary_params() as f64;
    let utilization = decode_per_token.derived(
        macs / (decode_per_token.value * macs_per_cycle(a) as f64),
        "",
        &Figure::modeled(macs, "MACs", "ternary params"),
        "MACs / (cycles x rows x lanes)",
    );
    Ok(CycleSection {
        projections,
        decode_per_layer,
        decode_per_token,
        modeled_decode_per_token: Figure::modeled(modeled_token, "cycles/token", model_src),
        prompt_tokens: prompt,
        prefill_cycles: Figure::modeled(prefill_cycles(a, c, prompt) as f64, "cycles", model_src),
        utilization,
        check,
        check_max_error_percent: check_max,
    })
}

fn traffic_parts(t: &Traffic) -> Vec<TrafficPart> {
    t.parts()
        .iter()
        .map(|(name, b)| TrafficPart { name: name.to_string(), bytes: Figure::modeled(*b, "bytes", "traffic model (reports::roofline)") })
        .collect()
}

fn synth_summary(rec: &SynthRecord, macs: usize) -> SynthSummary {
    let r = &rec.resources;
    let m = |v: u64, unit: &str| Figure::from_record(v as f64, unit, &rec.source);
    SynthSummary {
        target: rec.target.to_string(),
        flatten: rec.flatten,
        luts: m(r.luts, "LUTs"),
        ffs: m(r.ffs, "FFs"),
        carry_cells: m(r.carry_cells, "cells"),
        brams: m(r.brams, "BRAMs"),
        dsps: m(r.dsps, "DSPs"),
        luts_per_mac: Figure::from_record(r.luts as f64 / macs as f64, "LUTs/MAC", &rec.source),
        multipliers: rec.has_multipliers(),
    }
}

/// The LUT model against one xc7 record of `array`.
pub fn lut_point(array: &ArrayConfig, rec: Option<&SynthRecord>) -> LutPoint {
    let modeled = xc7_luts(array).figure();
    let measured = rec.filter(|r| r.target == Target::Xc7).map(|r| Figure::from_record(r.resources.luts as f64, "LUTs (xc7)", &r.source));
    let error_percent = measured.as_ref().map(|m| {
        Figure::modeled(100.0 * (modeled.value - m.value) / m.value.max(1.0), "%", "(modeled - measured) / measured")
    });
    LutPoint { array: array.clone(), macs: macs_per_cycle(array), modeled, measured, error_percent }
}

fn resource_section(inputs: &ReportInputs) -> ResourceSection {
    let a = &inputs.array;
    let model = xc7_luts(a);
    let macs = macs_per_cycle(a);
    let mut lut_points: Vec<LutPoint> = inputs.lut_sweep.iter().map(|(s, r)| lut_point(s, Some(r))).collect();
    let own = inputs.synth.iter().find(|r| r.target == Target::Xc7);
    if own.is_some() || lut_points.is_empty() {
        lut_points.insert(0, lut_point(a, own));
    }
    let cite = |v: f64, s: &str| Figure::cited(v, "LUTs/MAC", s);
    ResourceSection {
        modeled_luts: model.figure(),
        modeled_luts_per_mac: Figure::modeled(model.total as f64 / macs as f64, "LUTs/MAC", "structural LUT model / (rows x lanes)"),
        model,
        synth: inputs.synth.iter().map(|r| synth_summary(r, macs)).collect(),
        lut_points,
        published_luts_per_mac: vec![
            ("ternfpga (Arty A7, Vivado), pipelined ternary MAC lane".into(), cite(18.6, "ternfpga, as quoted in DESIGN.md")),
            ("FINN MVAU LUT formula, 2-bit x 8-bit MAC".into(), cite(55.0, "FINN generic MVAU LUT estimate, as quoted in DESIGN.md")),
        ],
        baseline: inputs
            .baseline_synth
            .iter()
            .filter_map(|b| {
                let t = inputs.synth.iter().find(|t| t.target == b.target)?;
                let src = format!("{} (baseline) / {} (ternary)", b.source, t.source);
                let ratio = |x: f64, y: f64| Figure::from_record(x / y.max(1.0), "x", &src);
                let area_ratio = match (&b.asic, &t.asic) {
                    (Some(ba), Some(ta)) => Some(Figure::modeled(ba.nand2_eq / ta.nand2_eq.max(1.0), "x", format!("NAND2 equivalents of measured gate counts: {src}"))),
                    _ => None,
                };
                Some(BaselineRow {
                    target: b.target.to_string(),
                    ternary: synth_summary(t, macs),
                    baseline: synth_summary(b, macs),
                    lut_ratio: ratio(b.resources.luts as f64, t.resources.luts as f64),
                    area_ratio,
                })
            })
            .collect(),
    }
}

fn energy_section(inputs: &ReportInputs, nz: &Figure, context: usize) -> EnergySection {
    let (a, c) = (&inputs.array, &inputs.config);
    let count_src = format!("counted from the {} config; nonzero fraction {} ({})", inputs.model_name, crate::figure::format_value(nz.value), nz.kind);
    let mut breakdowns = vec![];
    for design in [Design::Ternary, Design::Fp16] {
        let bits = match design {
            Design::Ternary => bits_per_weight(a),
            Design::Fp16 => 16.0,
        };
        let storage = match design {
            Design::Ternary => inputs.storage,
            Design::Fp16 => Storage::FLOAT,
        };
        let ops = op_counts(design, c, a, nz.value, context, &decode_traffic(c, bits, context, storage));
        for node in Node::ALL {
            breakdowns.push(energy(design, node, &ops, &count_src));
        }
    }
    let find = |d: Design, n: Node| breakdowns.iter().find(|b| b.design == d && b.node == n).expect("all four built");
    let ratios = Node::ALL
        .iter()
        .map(|&node| {
            let (t, f) = (find(Design::Ternary, node), find(Design::Fp16, node));
            NodeRatio {
                node,
                matmul_arithmetic: Figure::modeled(
                    f.matmul_arithmetic.value / t.matmul_arithmetic.value,
                    "x",
                    format!("FP16 / ternary projection arithmetic at {} (adds, skipped zeros and accumulator updates)", node.name()),
                ),
                whole_token: Figure::modeled(f.total.value / t.total.value, "x", format!("FP16 / ternary J per token at {}, memory traffic included", node.name())),
            }
        })
        .collect();
    EnergySection { context, nonzero_fraction: nz.clone(), paper_arithmetic_ratio_7nm: paper_ratio_figure(), breakdowns, ratios }
}

fn area_section(inputs: &ReportInputs) -> AreaSection {
    let logic = inputs.synth.iter().find_map(logic_part);
    let has_logic = logic.is_some();
    let mut parts: Vec<AreaPart> = logic.into_iter().collect();
    parts.extend(sram_parts(&inputs.config, &inputs.array));
    let sum = |f: fn(&AreaPart) -> f64| parts.iter().map(f).sum::<f64>();
    let what = if has_logic { "logic (ASIC synthesis) + SRAM bitcells" } else { "SRAM bitcells only: no asic synthesis record given" };
    AreaSection {
        total_um2_45nm: Figure::modeled(sum(|p| p.um2_45nm.value), "um^2", what),
        total_um2_7nm: Figure::modeled(sum(|p| p.um2_7nm.value), "um^2", what),
        parts,
        has_logic,
    }
}

/// LUTs (the xc7 structural model) vs decode tokens/s for rows x lanes around the report's
/// array, at every bandwidth of the report, at the report's clock.
fn report_sweep(inputs: &ReportInputs, clock_mhz: Figure, nz: &Figure) -> Vec<crate::sweep::SweepPoint> {
    let c = &inputs.config;
    let setup = crate::sweep::SweepSetup { config: c.clone(), clock_mhz, context: DEFAULT_CONTEXT.min(c.seq_len.saturating_sub(1)), nonzero_fraction: nz.value };
    let mut points = vec![];
    for a in crate::sweep::grid(&[4, 8, 16, 32, 64], &[16, 32, 64, 128], inputs.array.max_k, inputs.array.packing) {
        let luts = crate::luts::xc7_luts(&a).figure();
        points.extend(crate::sweep::sweep_points(&setup, &a, &luts, &inputs.bandwidths));
    }
    crate::sweep::mark_pareto(&mut points);
    points
}

/// Build the report. Fails on inputs the models cannot use (an invalid array, an array whose
/// `max_k` is shorter than the model's longest K, a run of another array, a bad clock).
fn kv_cache_rows(c: &ModelConfig, context: usize) -> Vec<KvCacheRow> {
    let src = "golden::int::kv_bytes_per_token_layer: K and V codes, plus a 32-bit scale per position and KV head under int";
    [Storage::FLOAT, Storage::int(golden::KvBits::Eight), Storage::int(golden::KvBits::Four)]
        .iter()
        .map(|s| {
            let per_layer = s.kv_bytes_per_token_layer(c);
            let per_token = per_layer * c.n_layers as f64;
            KvCacheRow {
                storage: s.name(),
                bytes_per_token_per_layer: Figure::modeled(per_layer, "bytes", src),
                bytes_per_token: Figure::modeled(per_token, "bytes", src),
                bytes_at_context: Figure::modeled(per_token * context as f64, "bytes", src),
            }
        })
        .collect()
}

pub fn build(inputs: &ReportInputs) -> Result<Report> {
    let (a, c) = (&inputs.array, &inputs.config);
    validate(a)?;
    if cycles::largest_k(c) > a.max_k {
        return Err(ReportError::BadInput(format!(
            "{} has K up to {} but the array's max_k is {}: size the array for the model",
            inputs.model_name,
            cycles::largest_k(c),
            a.max_k
        )));
    }
    if inputs.bandwidths.is_empty() {
        return Err(ReportError::BadInput("no DRAM bandwidth given: name at least one preset".into()));
    }
    let (clock_mhz, fmax_mhz) = clock(inputs)?;
    let context = inputs.context.unwrap_or(DEFAULT_CONTEXT).min(c.seq_len.saturating_sub(1));
    let prompt = inputs.prompt_tokens.unwrap_or(DEFAULT_PROMPT).clamp(1, c.seq_len);
    let measured = inputs.run.as_ref().and_then(measured_decode);
    let nz = nonzero_fraction(inputs, measured.as_ref());
    let cycles = cycle_section(inputs, measured.as_ref(), prompt)?;

    let t_decode = decode_traffic(c, bits_per_weight(a), context, inputs.storage);
    let f_decode = decode_traffic(c, 16.0, context, Storage::FLOAT);
    let t_prefill = prefill_traffic(c, bits_per_weight(a), prompt, inputs.storage);
    let mut decode = vec![];
    let mut prefill = vec![];
    for bw in &inputs.bandwidths {
        decode.push(RateRow { design: Design::Ternary, roofline: roofline(1.0, &cycles.decode_per_token, &clock_mhz, t_decode.total(), bw) });
        decode.push(RateRow { design: Design::Fp16, roofline: roofline(1.0, &cycles.decode_per_token, &clock_mhz, f_decode.total(), bw) });
        prefill.push(roofline(prompt as f64, &cycles.prefill_cycles, &clock_mhz, t_prefill.total(), bw));
    }
    let traffic_src = "traffic model (reports::roofline)";
    let latency = LatencySection {
        clock_mhz: clock_mhz.clone(),
        fmax_mhz,
        context,
        storage: inputs.storage.name(),
        kv_cache: kv_cache_rows(c, context),
        decode_traffic: traffic_parts(&t_decode),
        decode_bytes_per_token: Figure::modeled(t_decode.total(), "bytes/token", traffic_src),
        fp16_decode_bytes_per_token: Figure::modeled(f_decode.total(), "bytes/token", traffic_src),
        prefill_bytes: Figure::modeled(t_prefill.total(), "bytes", traffic_src),
        decode,
        prefill,
    };
    let sweep = report_sweep(inputs, clock_mhz.clone(), &nz);
    let scaling_bw = inputs.bandwidths[0].clone();
    let setup = ScalingSetup { array: a.clone(), clock_mhz: clock_mhz.clone(), bandwidth: scaling_bw.clone(), context: DEFAULT_CONTEXT, nonzero_fraction: nz.value };
    let scaling = ScalingSection { bandwidth: scaling_bw.name, clock_mhz, context: DEFAULT_CONTEXT, rows: scaling(&setup)? };
    let params = |v: u64, what: &str| Figure::modeled(v as f64, "params", format!("{what}, counted from the model config"));
    let mut notes = vec![
        "Every figure is tagged: measured (Verilator, Yosys, nextpnr runs on this design), modeled (formulas and the constants table) or cited (published figures).".to_string(),
        "Roofline: achieved tokens/s = min(compute-bound, memory-bound); weights stream from DRAM into the array, no other overlap or stall is modeled. The head, attention and norms run beside the array: their bytes count, their cycles do not.".into(),
        format!("Head, embedding and KV-cache traffic of the ternary design: {}.", inputs.storage.name()),
        "The FP16 design is the same rows x lanes array with FP16 multiply-add lanes and 2-byte weights, at the same clock and bandwidth.".into(),
    ];
    if inputs.run.is_none() {
        notes.push("No co-simulation run: cycles are modeled. Run with the Verilator backend to measure them.".into());
    }
    Ok(Report {
        title: format!("tern report: {} on a {} array", inputs.model_name, label(a)),
        model: ModelSummary {
            name: inputs.model_name.clone(),
            config: c.clone(),
            ternary_params: params(c.ternary_params(), "ternary weights"),
            float_params: params(c.float_params(), "high-precision embedding/head/norm weights"),
        },
        array: a.clone(),
        cycles,
        latency,
        resources: resource_section(inputs),
        energy: energy_section(inputs, &nz, context),
        area: area_section(inputs),
        scaling,
        stream: inputs.stream_runs.iter().map(|r| crate::stream::stream_row(r, c.ternary_params())).collect::<Result<_>>()?,
        sweep,
        constants: constants::table(),
        notes,
    })
}

/// Every figure in a report's JSON, with its path, for checks and listings.
pub fn figures(value: &serde_json::Value) -> Vec<(String, Figure)> {
    fn walk(v: &serde_json::Value, path: &str, out: &mut Vec<(String, Figure)>) {
        match v {
            serde_json::Value::Object(m) => {
                if m.contains_key("value") && m.contains_key("kind") {
                    if let Ok(f) = serde_json::from_value::<Figure>(v.clone()) {
                        out.push((path.to_string(), f));
                        return;
                    }
                }
                for (k, x) in m {
                    walk(x, &format!("{path}.{k}"), out);
                }
            }
            serde_json::Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, &format!("{path}[{i}]"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = vec![];
    walk(value, "", &mut out);
    out
}
