//! The `int` numerics profile: the arithmetic of a 1-bit LLM chip, integer from the token id
//! to the next token id. Its ops are the specification the chip's RTL units match bit for bit;
//! the spec page is `docs/numerics.md` (formats, widths, rounding, tables, error bounds).
//!
//! - [`IntModel::from_model`] converts a loaded float model once: int8 embedding and head
//!   tables with per-row scales, weight scales and norm weights as fixed point, the RoPE,
//!   sigmoid and exp2 tables, and the residual format, calibrated on the model's own greedy
//!   continuation from BOS (never on an evaluation text);
//! - [`IntTransformer::forward`] runs tokens through it with an int8 KV cache (`--kv-bits 8`
//!   or 4) and returns i32 logits (Q16). Every BitLinear goes through the same
//!   [`BitLinearBackend`](crate::BitLinearBackend) seam as the float profile, so the simulated
//!   hardware serves both. No f32/f64 operation runs in `forward` (`ops` and `forward` deny
//!   `clippy::float_arithmetic`); a value that does not fit its format saturates and is
//!   counted in [`IntStats`], never wrapped.

mod convert;
mod forward;
pub mod mixed;
pub mod ops;

pub use forward::IntTransformer;
pub use ops::{Fixed, IntNorm};

use serde::{Deserialize, Serialize};

use crate::config::{LinearKind, ModelConfig, Rounding};
use crate::ternary::TernaryMatrix;

/// Which arithmetic the forward pass runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Numerics {
    /// Each checkpoint's own reference arithmetic (f32 between the BitLinears), bit-exact with
    /// its reference program.
    #[default]
    Float,
    /// Integer only: the chip's arithmetic ([`IntModel`]).
    Int,
}

impl std::fmt::Display for Numerics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Numerics::Float => "float",
            Numerics::Int => "int",
        })
    }
}

/// Bits of each K and V element in the cache (one scale per position and KV head beside them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KvBits {
    Eight,
    Four,
}

impl KvBits {
    pub fn from_bits(bits: u32) -> Option<KvBits> {
        match bits {
            8 => Some(KvBits::Eight),
            4 => Some(KvBits::Four),
            _ => None,
        }
    }

    pub fn bits(self) -> u32 {
        match self {
            KvBits::Eight => 8,
            KvBits::Four => 4,
        }
    }

    /// The largest code: values are quantized symmetrically to `[-qmax, qmax]`.
    pub fn qmax(self) -> i64 {
        match self {
            KvBits::Eight => 127,
            KvBits::Four => 7,
        }
    }
}

/// KV-cache bytes one token adds to one layer: K and V codes plus one 32-bit scale per KV head
/// each (int), or K and V in FP16 (the float profile's cache as a chip would hold it).
pub fn kv_bytes_per_token_layer(c: &ModelConfig, numerics: Numerics, kv_bits: KvBits) -> u64 {
    match numerics {
        Numerics::Float => 2 * 2 * c.kv_dim() as u64,
        Numerics::Int => 2 * (c.kv_dim() as u64 * kv_bits.bits() as u64).div_ceil(8) + 2 * 4 * c.n_kv_heads as u64,
    }
}

/// An int8 table with one scale per row (embedding, LM head): row `r` is `q[r] * scale[r]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Int8Table {
    pub cols: usize,
    pub q: Vec<i8>,
    pub scale: Vec<Fixed>,
}

impl Int8Table {
    pub fn row(&self, r: usize) -> &[i8] {
        &self.q[r * self.cols..(r + 1) * self.cols]
    }
}

/// One layer: its ternary matrices (in [`LinearKind::ALL`] order) with fixed-point weight
/// scales, and its four norms.
#[derive(Clone, Debug, PartialEq)]
pub struct IntLayer {
    pub w: [TernaryMatrix; 7],
    pub w_scale: [Fixed; 7],
    pub attn_norm: IntNorm,
    pub attn_sub_norm: IntNorm,
    pub ffn_norm: IntNorm,
    pub ffn_sub_norm: IntNorm,
}

impl IntLayer {
    pub fn linear(&self, kind: LinearKind) -> (&TernaryMatrix, Fixed) {
        let i = LinearKind::ALL.iter().position(|&k| k == kind).unwrap_or(0);
        (&self.w[i], self.w_scale[i])
    }
}

/// A model converted to the integer profile. Owns everything the token path reads; the
/// float model it came from can be dropped (or overwritten) afterwards.
#[derive(Clone, Debug, PartialEq)]
pub struct IntModel {
    /// The shape (its float fields, epsilon and RoPE theta, are not read after conversion).
    pub config: ModelConfig,
    pub kv_bits: KvBits,
    /// Fraction bits of the residual stream (i32), calibrated at load.
    pub residual_frac: i32,
    /// Tie rule of every int8 quantizer (the checkpoint's).
    pub rounding: Rounding,
    pub embedding: Int8Table,
    /// Untied classifier; `None`: the embedding table is the head.
    pub head: Option<Int8Table>,
    pub layers: Vec<IntLayer>,
    pub final_norm: IntNorm,
    pub rope: ops::RopeTable,
    /// `sigmoid(-8 + i/16)`, Q24, i = 0..=256.
    pub sigmoid: ops::Table257,
    /// `2^(-i/256)`, Q24, i = 0..=256.
    pub exp2: ops::Table257,
    /// Scores to the log2 domain: `log2(e) / (127 * qmax_kv * sqrt(head_size))`, in units of
    /// Q20 x Q20 absmaxes, to Q16.
    pub score_k: Fixed,
    /// AV sums back to Q20: `1 / (qmax_kv * 2^16)`.
    pub av_k: Fixed,
}

impl IntModel {
    /// The classifier table, `[vocab x dim]`.
    pub fn classifier(&self) -> &Int8Table {
        self.head.as_ref().unwrap_or(&self.embedding)
    }
}

/// What one sequence's integer forward passes saw: saturations per format (each a value that
/// did not fit and was clamped) and the largest residual magnitude.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntStats {
    pub residual_saturations: u64,
    pub activation_saturations: u64,
    pub logit_saturations: u64,
    /// max |x| of the residual stream, in its own fixed point.
    pub max_residual: u64,
}

impl IntStats {
    pub fn saturations(&self) -> u64 {
        self.residual_saturations + self.activation_saturations + self.logit_saturations
    }
}

/// i32 Q16 logits as f32, for the host's sampler and for perplexity (the chip's own argmax
/// needs no conversion).
pub fn dequantize_logits(logits: &[i32], out: &mut Vec<f32>) {
    convert::dequantize_logits(logits, out)
}
