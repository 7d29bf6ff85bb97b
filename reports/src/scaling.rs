//! Scaling: the ternary design against an FP16 design of the same array shape, clock and DRAM
//! bandwidth, for the paper's model sizes (700M, 1.3B, 3B) and LLaMA-2 shapes (7B, 13B, 70B),
//! beside the BitNet b1.58 paper's Table 1 ratios.
//!
//! ```text
//! memory   = ternary_params x bits/8 + float_params x 2        (FP16 design: all params x 2)
//! latency  = 1 / achieved tokens/s of the decode roofline at the context position
//! energy   = J/token of crate::energy at 7nm
//! ```
//!
//! The paper's numbers are GPU measurements of whole systems (FasterTransformer kernels,
//! activations and KV cache in memory); the model here is an accelerator's ideal roofline, so
//! its ratios are expected to be larger: they bound what the weight format alone can give.

use golden::ModelConfig;
use serde::{Deserialize, Serialize};

use crate::array::{bits_per_weight, ArrayConfig};
use crate::constants::{paper_table1, Node, PaperRow, B158_PAPER, FP16_BYTES};
use crate::cycles::decode_token_cycles;
use crate::energy::{energy, op_counts, Design};
use crate::error::{ReportError, Result};
use crate::figure::Figure;
use crate::roofline::{decode_traffic, roofline, Bandwidth, Bound, Storage};

/// The shapes of the scaling study.
pub const SCALING_SHAPES: [&str; 6] = ["700m", "1.3b", "3b", "7b", "13b", "70b"];

/// One design at one model size.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DesignPoint {
    pub memory_gb: Figure,
    pub ms_per_token: Figure,
    pub bound: Bound,
    pub j_per_token_7nm: Figure,
}

/// One model size: both designs, our ratios, and the paper's where it has them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScalingRow {
    pub shape: String,
    pub params: Figure,
    pub ternary: DesignPoint,
    pub fp16: DesignPoint,
    pub memory_ratio: Figure,
    pub latency_ratio: Figure,
    pub energy_ratio: Figure,
    pub paper_memory_ratio: Option<Figure>,
    pub paper_latency_ratio: Option<Figure>,
    /// The paper's absolute figures (700M, 1.3B, 3B only).
    pub paper_figures: Option<PaperFigures>,
}

/// The paper's Table 1 row as figures: memory GB and latency ms of LLaMA (FP16) and BitNet b1.58.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaperFigures {
    pub llama_memory_gb: Figure,
    pub llama_latency_ms: Figure,
    pub bitnet_memory_gb: Figure,
    pub bitnet_latency_ms: Figure,
}

fn paper_figures(p: &PaperRow) -> Option<PaperFigures> {
    let src = format!("{B158_PAPER} Table 1 (GPU measurement by the paper's authors)");
    let f = |v: Option<f64>, unit: &str| v.map(|v| Figure::cited(v, unit, src.clone()));
    Some(PaperFigures {
        llama_memory_gb: f(p.llama_memory_gb, "GB")?,
        llama_latency_ms: f(p.llama_latency_ms, "ms")?,
        bitnet_memory_gb: f(p.bitnet_memory_gb, "GB")?,
        bitnet_latency_ms: f(p.bitnet_latency_ms, "ms")?,
    })
}

/// Model memory in bytes when ternary weights take `weight_bits` bits.
pub fn model_bytes(c: &ModelConfig, weight_bits: f64) -> f64 {
    c.ternary_params() as f64 * weight_bits / 8.0 + c.float_params() as f64 * FP16_BYTES
}

/// Everything the scaling study shares: array, clock, bandwidth, context, nonzero fraction.
#[derive(Clone, Debug)]
pub struct ScalingSetup {
    pub array: ArrayConfig,
    pub clock_mhz: Figure,
    pub bandwidth: Bandwidth,
    pub context: usize,
    pub nonzero_fraction: f64,
}

fn point(s: &ScalingSetup, c: &ModelConfig, design: Design) -> DesignPoint {
    let bits = match design {
        Design::Ternary => bits_per_weight(&s.array),
        Design::Fp16 => 16.0,
    };
    let cycles = Figure::modeled(decode_token_cycles(&s.array, c) as f64, "cycles", "analytic cycle model (reports::cycles)");
    let traffic = decode_traffic(c, bits, s.context, Storage::FLOAT);
    let r = roofline(1.0, &cycles, &s.clock_mhz, traffic.total(), &s.bandwidth);
    let ops = op_counts(design, c, &s.array, s.nonzero_fraction, s.context, &traffic);
    let e = energy(design, Node::N7, &ops, "counted from the model config");
    DesignPoint {
        memory_gb: Figure::modeled(model_bytes(c, bits) / 1e9, "GB", format!("{} weights ({bits} bits) + FP16 embedding/head/norms", design.name())),
        ms_per_token: r.ms_per_token,
        bound: r.bound,
        j_per_token_7nm: e.total,
    }
}

fn ratio(a: &Figure, b: &Figure, what: &str) -> Figure {
    Figure::modeled(a.value / b.value, "x", format!("FP16 / ternary {what}, both modeled"))
}

/// The study for one shape name (any of golden's shapes).
pub fn scaling_row(s: &ScalingSetup, name: &str) -> Result<ScalingRow> {
    let shape = golden::synthetic::shape(name).map_err(|e| ReportError::BadInput(e.to_string()))?;
    let c = &shape.config;
    let t = point(s, c, Design::Ternary);
    let f = point(s, c, Design::Fp16);
    let paper = paper_table1().into_iter().find(|p| p.shape == name);
    let src = |what: &str| format!("{B158_PAPER} Table 1 ({what}, GPU measurement by the paper's authors)");
    Ok(ScalingRow {
        shape: name.into(),
        params: Figure::modeled((c.ternary_params() + c.float_params()) as f64, "params", "counted from golden's shape config"),
        memory_ratio: ratio(&f.memory_gb, &t.memory_gb, "memory"),
        latency_ratio: ratio(&f.ms_per_token, &t.ms_per_token, "latency"),
        energy_ratio: ratio(&f.j_per_token_7nm, &t.j_per_token_7nm, "energy at 7nm"),
        paper_memory_ratio: paper.as_ref().map(|p| Figure::cited(p.memory_ratio, "x", src("LLaMA / BitNet b1.58 memory"))),
        paper_latency_ratio: paper.as_ref().map(|p| Figure::cited(p.latency_ratio, "x", src("LLaMA / BitNet b1.58 latency"))),
        ternary: t,
        fp16: f,
        paper_figures: paper.as_ref().and_then(paper_figures),
    })
}

/// The study over [`SCALING_SHAPES`].
pub fn scaling(s: &ScalingSetup) -> Result<Vec<ScalingRow>> {
    SCALING_SHAPES.iter().map(|n| scaling_row(s, n)).collect()
}
