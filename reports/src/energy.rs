//! Energy per decode token: operation counts times per-operation energy, SRAM and DRAM
//! traffic times per-access energy, for the ternary array and for an FP16 design of the
//! same shape (an FP16 multiply and an FP16 add per MAC, FP16 weights of 2 bytes).
//!
//! Counts for one decode token at context position P (projections summed over layers):
//!
//! ```text
//! MACs            = ternary_params                          (one vector through every projection)
//! adds            = MACs x nonzero_fraction                 INT8 add each (BitNet Table 2)
//! skipped zeros   = MACs x (1 - nonzero_fraction)           0 pJ: the lane's operand is forced to 0
//! acc updates     = sum over projections of N x ceil(K / lanes)   32-bit add each (Horowitz)
//! FP16 other      = vocab x dim (head) + 2 x layers x dim x P (attention scores and values)
//!                   FP16 multiply + FP16 add each, the same in both designs
//! SRAM bytes      = sum of ceil(N / rows) x K x act_bytes (activation slices, re-read per tile)
//!                   + N x out_bytes (results); ternary act 1 B, out 4 B; FP16 act 2 B, out 2 B
//!                   at the Horowitz energy of the smallest SRAM (8 KB, 32 KB, 1 MB) holding
//!                   the largest activation vector
//! DRAM bytes      = the traffic model of crate::roofline at DRAM 1300 pJ / 64 bit
//! ```
//!
//! The FP16 design has no separate accumulator update: its FP16 add is the accumulation.
//! At 7 nm the SRAM and DRAM energies are the 45 nm figures (no cited 7 nm access energies).

use golden::ModelConfig;
use serde::{Deserialize, Serialize};

use crate::array::ArrayConfig;
use crate::constants::{
    paper_arithmetic_ratio_7nm, Node, BITNET_TABLE2, DRAM_PJ_PER_64B, FP16_ADD_PJ, FP16_BYTES, FP16_MUL_PJ, HOROWITZ,
    INT32_ADD_PJ_45, INT32_ADD_PJ_7, INT8_ADD_PJ, SRAM_1MB_PJ_PER_64B, SRAM_32KB_PJ_PER_64B, SRAM_8KB_PJ_PER_64B,
};
use crate::figure::Figure;
use crate::roofline::Traffic;

/// The two designs compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Design {
    Ternary,
    Fp16,
}

impl Design {
    pub fn name(self) -> &'static str {
        match self {
            Design::Ternary => "ternary",
            Design::Fp16 => "FP16",
        }
    }
    fn act_bytes(self) -> f64 {
        match self {
            Design::Ternary => 1.0,
            Design::Fp16 => FP16_BYTES,
        }
    }
    fn out_bytes(self) -> f64 {
        match self {
            Design::Ternary => 4.0,
            Design::Fp16 => FP16_BYTES,
        }
    }
}

/// Operation and traffic counts of one decode token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpCounts {
    pub macs: f64,
    pub adds: f64,
    pub skipped_zeros: f64,
    pub accumulator_updates: f64,
    pub fp16_other_macs: f64,
    pub sram_bytes: f64,
    /// Bytes of the largest activation vector (sizes the SRAM whose energy is used).
    pub activation_buffer_bytes: f64,
    pub dram_bytes: f64,
}

/// Count one decode token's work for `design`. `nonzero_fraction` applies to the ternary design.
pub fn op_counts(design: Design, c: &ModelConfig, a: &ArrayConfig, nonzero_fraction: f64, context: usize, dram: &Traffic) -> OpCounts {
    let mut acc = 0.0;
    let mut sram = 0.0;
    for kind in golden::LinearKind::ALL {
        let (n, k) = c.linear_shape(kind);
        acc += (n * k.div_ceil(a.lanes)) as f64;
        sram += (n.div_ceil(a.rows) * k) as f64 * design.act_bytes() + n as f64 * design.out_bytes();
    }
    let layers = c.n_layers as f64;
    let macs = c.ternary_params() as f64;
    let (adds, skipped, acc) = match design {
        Design::Ternary => (macs * nonzero_fraction, macs * (1.0 - nonzero_fraction), acc * layers),
        Design::Fp16 => (0.0, 0.0, 0.0),
    };
    OpCounts {
        macs,
        adds,
        skipped_zeros: skipped,
        accumulator_updates: acc,
        fp16_other_macs: (c.vocab_size * c.dim) as f64 + 2.0 * layers * (c.dim * context) as f64,
        sram_bytes: sram * layers,
        activation_buffer_bytes: c.dim.max(c.hidden_dim) as f64 * design.act_bytes(),
        dram_bytes: dram.total(),
    }
}

/// Horowitz read energy of the smallest listed SRAM holding `bytes` (pJ per 64 bits).
pub fn sram_pj_per_64b(bytes: f64) -> (f64, &'static str) {
    if bytes <= 8.0 * 1024.0 {
        (SRAM_8KB_PJ_PER_64B, "8 KB SRAM")
    } else if bytes <= 32.0 * 1024.0 {
        (SRAM_32KB_PJ_PER_64B, "32 KB SRAM")
    } else {
        (SRAM_1MB_PJ_PER_64B, "1 MB SRAM")
    }
}

/// One line of an energy breakdown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnergyPart {
    pub name: String,
    /// How many operations or bytes.
    pub count: Figure,
    pub energy: Figure,
}

/// Energy of one decode token of one design at one node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnergyBreakdown {
    pub design: Design,
    pub node: Node,
    pub parts: Vec<EnergyPart>,
    /// Sum of the parts, J per token.
    pub total: Figure,
    /// The projections' arithmetic only (adds + accumulators, or FP16 MACs), J per token.
    pub matmul_arithmetic: Figure,
}

/// The energy model. `count_source` says where the counts come from (the nonzero fraction
/// may be measured by co-simulation; everything else is counted from the config).
pub fn energy(design: Design, node: Node, ops: &OpCounts, count_source: &str) -> EnergyBreakdown {
    let i = match node {
        Node::N45 => 0,
        Node::N7 => 1,
    };
    let n = node.name();
    let fp16_mac = FP16_MUL_PJ[i] + FP16_ADD_PJ[i];
    let acc_pj = [INT32_ADD_PJ_45, INT32_ADD_PJ_7][i];
    let (sram_pj, sram_name) = sram_pj_per_64b(ops.activation_buffer_bytes);
    let mut parts = vec![];
    let mut part = |name: &str, count: f64, unit: &str, pj_each: f64, src: String| {
        parts.push(EnergyPart {
            name: name.into(),
            count: Figure::modeled(count, unit, count_source),
            energy: Figure::modeled(count * pj_each * 1e-12, "J/token", src),
        });
    };
    match design {
        Design::Ternary => {
            part("ternary adds", ops.adds, "ops", INT8_ADD_PJ[i], format!("adds x INT8 add {} pJ at {n} ({BITNET_TABLE2})", INT8_ADD_PJ[i]));
            part("skipped zeros", ops.skipped_zeros, "ops", 0.0, "zero weights: operand forced to 0, modeled as 0 pJ".into());
            let acc_src = match node {
                Node::N45 => format!("32-bit add {acc_pj} pJ ({HOROWITZ})"),
                Node::N7 => format!("32-bit add {acc_pj:.4} pJ (Horowitz 45nm scaled by BitNet Table 2 INT8 7nm/45nm)"),
            };
            part("accumulator updates", ops.accumulator_updates, "ops", acc_pj, acc_src);
        }
        Design::Fp16 => {
            part("FP16 MACs (projections)", ops.macs, "MACs", fp16_mac, format!("FP16 mul {} + add {} pJ at {n} ({BITNET_TABLE2})", FP16_MUL_PJ[i], FP16_ADD_PJ[i]));
        }
    }
    part("FP16 head and attention", ops.fp16_other_macs, "MACs", fp16_mac, format!("FP16 mul + add {fp16_mac} pJ at {n} ({BITNET_TABLE2})"));
    part("SRAM", ops.sram_bytes, "bytes", sram_pj / 8.0, format!("{sram_name} read {sram_pj} pJ/64 bit ({HOROWITZ}, 45nm figure at both nodes)"));
    part("DRAM", ops.dram_bytes, "bytes", DRAM_PJ_PER_64B / 8.0, format!("DRAM {DRAM_PJ_PER_64B} pJ/64 bit, low end of 1300-2600 ({HOROWITZ})"));
    let total: f64 = parts.iter().map(|p| p.energy.value).sum();
    let arith = parts.iter().take(match design {
        Design::Ternary => 3,
        Design::Fp16 => 1,
    });
    let arith: f64 = arith.map(|p| p.energy.value).sum();
    EnergyBreakdown {
        design,
        node,
        total: Figure::modeled(total, "J/token", format!("sum of the {} design's parts at {n}", design.name())),
        matmul_arithmetic: Figure::modeled(arith, "J/token", "projection arithmetic parts of the breakdown"),
        parts,
    }
}

/// The paper's 71.4x from the cited table: (FP16 mul + FP16 add) / INT8 add at 7 nm.
pub fn paper_ratio_figure() -> Figure {
    Figure::modeled(
        paper_arithmetic_ratio_7nm(),
        "x",
        format!("(FP16 add {} + FP16 mul {}) / INT8 add {} pJ at 7nm ({BITNET_TABLE2})", FP16_ADD_PJ[1], FP16_MUL_PJ[1], INT8_ADD_PJ[1]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::array::array;
    use crate::roofline::{decode_traffic, Storage};

    #[test]
    fn tiny_counts_and_energy_by_hand() {
        let c = golden::synthetic::shape("tiny").unwrap().config;
        let a = array(16, 32, 128);
        let t = decode_traffic(&c, 2.0, 0, Storage::FLOAT);
        let ops = op_counts(Design::Ternary, &c, &a, 0.5, 0, &t);
        assert_eq!(ops.macs, 73728.0);
        assert_eq!(ops.adds, 36864.0);
        // per layer: q,o 64 x 2 slices; k,v 32 x 2; gate,up 128 x 2; down 64 x 4 -> 128+128+64+64+256+256+256
        assert_eq!(ops.accumulator_updates, 2.0 * 1152.0);
        let e = energy(Design::Ternary, Node::N45, &ops, "test");
        let adds = e.parts.iter().find(|p| p.name == "ternary adds").unwrap();
        assert!((adds.energy.value - 36864.0 * 0.03e-12).abs() < 1e-20);
        let dram = e.parts.iter().find(|p| p.name == "DRAM").unwrap();
        assert!((dram.energy.value - t.total() * 1300.0 / 8.0 * 1e-12).abs() < 1e-15);
        let f = energy(Design::Fp16, Node::N7, &op_counts(Design::Fp16, &c, &a, 0.5, 0, &decode_traffic(&c, 16.0, 0, Storage::FLOAT)), "test");
        assert!((f.matmul_arithmetic.value - 73728.0 * 0.5e-12).abs() < 1e-18);
        assert!(f.total.value > energy(Design::Ternary, Node::N7, &ops, "test").total.value);
    }
}
