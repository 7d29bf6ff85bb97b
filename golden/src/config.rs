//! Model configuration: one serde record that covers both BitNet b1.58 families.
//!
//! - the llama2.c BitNet export (bitllama2.c): a parameter-free norm before every BitLinear,
//!   SwiGLU, interleaved RoPE with theta 10000, activation quantization with `s = max/127`
//!   and round half away from zero;
//! - the Hugging Face BitNet family (2B4T, 1bitLLM): RMSNorm with weights, sub-norms before
//!   o_proj and down_proj, relu2 or SwiGLU, NeoX rotate_half RoPE with a configurable theta,
//!   GQA, tied or untied head, activation quantization `s = 127/max(max,1e-5)`, round half
//!   to even.

use serde::{Deserialize, Serialize};

use crate::error::{GoldenError, Result};

/// The norm that sits before a BitLinear (or before the classifier).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NormKind {
    /// bitllama2.c: `x / (n * rms(x))`, no weight, no epsilon.
    ParamFree,
    /// RMSNorm with a learned weight and epsilon.
    Rms,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ffn {
    /// `silu(gate) * up`
    SwiGlu,
    /// `relu(gate)^2 * up`
    Relu2,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RopeStyle {
    /// llama2.c: rotate pairs (i, i+1).
    Interleaved,
    /// Hugging Face / GPT-NeoX rotate_half: rotate pairs (i, i + head_size/2).
    NeoX,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    HalfAwayFromZero,
    HalfEven,
}

/// How a BitLinear input is quantized to int8 (per token, absmax) and dequantized.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActQuant {
    /// bitllama2.c: `s = f32(max/127)` (in f64), `inv = f32(1/s)`, `q = round_half_away(x*inv)`,
    /// `y = f32(acc) * (weight_scale * s)`.
    Llama2c,
    /// DESIGN.md canonical: `s = 127 / max(max, 1e-5)`, `q = clamp(round(x*s), -128, 127)`,
    /// `y = f32(acc) / s * weight_scale`.
    Absmax { rounding: Rounding },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// The llama2.c BitNet export (bitllama2.c).
    Llama2c,
    /// Hugging Face BitNet (microsoft/bitnet-b1.58-2B-4T, 1bitLLM/bitnet_b1_58).
    HfBitnet,
}

/// Which projection of a layer a ternary matrix is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinearKind {
    Q,
    K,
    V,
    O,
    /// w1 / gate_proj
    Gate,
    /// w2 / down_proj
    Down,
    /// w3 / up_proj
    Up,
}

impl LinearKind {
    /// In the order the llama2.c export stores them (wq, wk, wv, wo, w1, w2, w3).
    pub const ALL: [LinearKind; 7] = [
        LinearKind::Q,
        LinearKind::K,
        LinearKind::V,
        LinearKind::O,
        LinearKind::Gate,
        LinearKind::Down,
        LinearKind::Up,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LinearKind::Q => "wq",
            LinearKind::K => "wk",
            LinearKind::V => "wv",
            LinearKind::O => "wo",
            LinearKind::Gate => "w1",
            LinearKind::Down => "w2",
            LinearKind::Up => "w3",
        }
    }
}

impl std::fmt::Display for LinearKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    pub family: Family,
    pub dim: usize,
    pub hidden_dim: usize,
    pub n_layers: usize,
    pub n_heads: usize,
    pub n_kv_heads: usize,
    pub vocab_size: usize,
    pub seq_len: usize,
    /// The norm before the qkv projections and before the FFN.
    pub norm: NormKind,
    /// Whether a norm also sits before o_proj and down_proj (always for ParamFree models).
    pub sub_norms: bool,
    /// Epsilon of every Rms norm (and of the final norm).
    pub norm_eps: f32,
    pub ffn: Ffn,
    pub rope_style: RopeStyle,
    pub rope_theta: f32,
    pub tied_head: bool,
    pub act_quant: ActQuant,
}

impl ModelConfig {
    pub fn head_size(&self) -> usize {
        self.dim / self.n_heads
    }

    pub fn kv_dim(&self) -> usize {
        self.dim * self.n_kv_heads / self.n_heads
    }

    /// `(rows, cols)` = `(out, in)` of a projection.
    pub fn linear_shape(&self, kind: LinearKind) -> (usize, usize) {
        let (d, h, kv) = (self.dim, self.hidden_dim, self.kv_dim());
        match kind {
            LinearKind::Q | LinearKind::O => (d, d),
            LinearKind::K | LinearKind::V => (kv, d),
            LinearKind::Gate | LinearKind::Up => (h, d),
            LinearKind::Down => (d, h),
        }
    }

    /// Ternary weights in one layer.
    pub fn ternary_params_per_layer(&self) -> u64 {
        LinearKind::ALL
            .iter()
            .map(|&k| {
                let (r, c) = self.linear_shape(k);
                (r * c) as u64
            })
            .sum()
    }

    pub fn ternary_params(&self) -> u64 {
        self.ternary_params_per_layer() * self.n_layers as u64
    }

    /// High-precision parameters: embedding, head (if untied) and norm weights.
    pub fn float_params(&self) -> u64 {
        let emb = (self.vocab_size * self.dim) as u64;
        let head = if self.tied_head { 0 } else { emb };
        let norms = match self.norm {
            NormKind::ParamFree => self.dim as u64,
            NormKind::Rms => {
                let per_layer = 2 * self.dim + if self.sub_norms { self.dim + self.hidden_dim } else { 0 };
                (per_layer * self.n_layers + self.dim) as u64
            }
        };
        emb + head + norms
    }

    /// Refuses shapes the forward pass cannot run.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(GoldenError::BadConfig(m));
        for (name, v) in [
            ("dim", self.dim),
            ("hidden_dim", self.hidden_dim),
            ("n_layers", self.n_layers),
            ("n_heads", self.n_heads),
            ("n_kv_heads", self.n_kv_heads),
            ("vocab_size", self.vocab_size),
            ("seq_len", self.seq_len),
        ] {
            if v == 0 {
                return bad(format!("{name} is 0; every size must be positive"));
            }
        }
        if self.dim > 1 << 20 || self.hidden_dim > 1 << 22 || self.vocab_size > 1 << 24 || self.seq_len > 1 << 22 || self.n_layers > 4096 {
            return bad(format!(
                "sizes dim={} hidden_dim={} vocab={} seq_len={} layers={} are beyond any BitNet model; the header is corrupt",
                self.dim, self.hidden_dim, self.vocab_size, self.seq_len, self.n_layers
            ));
        }
        if !self.dim.is_multiple_of(self.n_heads) {
            return bad(format!("dim {} is not a multiple of n_heads {}", self.dim, self.n_heads));
        }
        if !self.n_heads.is_multiple_of(self.n_kv_heads) {
            return bad(format!("n_heads {} is not a multiple of n_kv_heads {}", self.n_heads, self.n_kv_heads));
        }
        if !self.head_size().is_multiple_of(2) {
            return bad(format!("head size {} is odd; RoPE needs pairs", self.head_size()));
        }
        if !(self.rope_theta.is_finite() && self.rope_theta > 1.0) {
            return bad(format!("rope_theta {} must be finite and above 1", self.rope_theta));
        }
        if !(self.norm_eps.is_finite() && self.norm_eps >= 0.0) {
            return bad(format!("norm epsilon {} must be finite and not negative", self.norm_eps));
        }
        Ok(())
    }
}
