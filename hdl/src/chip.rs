//! The chip's configuration record: the ternary array and the units beside it (vector unit,
//! attention unit, LM head), the largest model shape the chip serves and its on-chip vector
//! RAM. Like [`ArrayConfig`] it is validated ([`ChipConfig::validate`]) and a model that does
//! not fit is refused with the reason ([`ChipConfig::check_model`]); by default it is derived
//! from the model it runs ([`ChipConfig::for_model`]).

use golden::ModelConfig;
use serde::{Deserialize, Serialize};

use crate::config::ArrayConfig;
use crate::error::HdlError;

/// Vector-unit lanes, attention and head MACs per cycle when none are given.
pub const DEFAULT_VECTOR_LANES: usize = 16;
pub const DEFAULT_ATTENTION_MACS: usize = 16;
pub const DEFAULT_HEAD_MACS: usize = 64;
/// Widest unit this generator builds (lanes or MACs per cycle).
pub const MAX_UNIT_WIDTH: usize = 1024;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChipConfig {
    pub array: ArrayConfig,
    /// Elements per cycle of the vector unit (norms, quantize, dequantize, residual, RoPE,
    /// activations).
    pub vector_lanes: usize,
    /// int8 multiply-accumulates per cycle of the attention unit (q.k and AV).
    pub attention_macs: usize,
    /// int8 multiply-accumulates per cycle of the LM head.
    pub head_macs: usize,
    /// Bits per K and V element in the cache (8 or 4, `golden::KvBits`).
    pub kv_bits: u32,
    pub max_dim: usize,
    pub max_hidden: usize,
    pub max_head_size: usize,
    pub max_heads: usize,
    pub max_kv_heads: usize,
    pub max_seq_len: usize,
    pub max_vocab: usize,
    pub max_layers: usize,
    /// On-chip vector RAM in 32-bit words: the residual, the normed input, q, k, v, the
    /// attention output (`max_dim` each) and gate, up (`max_hidden` each).
    pub vector_ram_words: usize,
}

impl ChipConfig {
    /// The chip for `model` on `array`, with the default unit widths and an 8-bit KV cache.
    pub fn for_model(model: &ModelConfig, array: ArrayConfig) -> ChipConfig {
        ChipConfig {
            array,
            vector_lanes: DEFAULT_VECTOR_LANES,
            attention_macs: DEFAULT_ATTENTION_MACS,
            head_macs: DEFAULT_HEAD_MACS,
            kv_bits: 8,
            max_dim: model.dim,
            max_hidden: model.hidden_dim,
            max_head_size: model.head_size(),
            max_heads: model.n_heads,
            max_kv_heads: model.n_kv_heads,
            max_seq_len: model.seq_len,
            max_vocab: model.vocab_size,
            max_layers: model.n_layers,
            vector_ram_words: Self::vector_ram_for(model.dim, model.hidden_dim),
        }
    }

    /// Words of vector RAM the forward pass needs: six `dim` vectors and two `hidden` ones.
    pub fn vector_ram_for(dim: usize, hidden: usize) -> usize {
        6 * dim + 2 * hidden
    }

    /// Refuses a chip the generator cannot build.
    pub fn validate(&self) -> Result<(), HdlError> {
        self.array.validate()?;
        for (field, value) in [
            ("vector_lanes", self.vector_lanes),
            ("attention_macs", self.attention_macs),
            ("head_macs", self.head_macs),
        ] {
            if !(1..=MAX_UNIT_WIDTH).contains(&value) {
                return Err(HdlError::OutOfRange { field, value, min: 1, max: MAX_UNIT_WIDTH });
            }
        }
        if self.kv_bits != 8 && self.kv_bits != 4 {
            return Err(HdlError::Chip(format!("kv_bits = {} is not a KV-cache width; use 8 or 4", self.kv_bits)));
        }
        for (field, v) in [
            ("max_dim", self.max_dim),
            ("max_hidden", self.max_hidden),
            ("max_head_size", self.max_head_size),
            ("max_heads", self.max_heads),
            ("max_kv_heads", self.max_kv_heads),
            ("max_seq_len", self.max_seq_len),
            ("max_vocab", self.max_vocab),
            ("max_layers", self.max_layers),
        ] {
            if v == 0 {
                return Err(HdlError::ZeroSize { field });
            }
        }
        let k = self.max_dim.max(self.max_hidden);
        if self.array.max_k < k {
            return Err(HdlError::Chip(format!(
                "the array's max_k = {} is shorter than the longest BitLinear input the chip serves ({k}); build the array with max_k >= {k}",
                self.array.max_k
            )));
        }
        let need = Self::vector_ram_for(self.max_dim, self.max_hidden);
        if self.vector_ram_words < need {
            return Err(HdlError::Chip(format!(
                "vector_ram_words = {} cannot hold the vectors of dim {} and hidden {}: give at least {need}",
                self.vector_ram_words, self.max_dim, self.max_hidden
            )));
        }
        Ok(())
    }

    /// Refuses a model larger than the chip in any dimension, naming it.
    pub fn check_model(&self, m: &ModelConfig) -> Result<(), HdlError> {
        for (what, model, chip) in [
            ("dim", m.dim, self.max_dim),
            ("hidden_dim", m.hidden_dim, self.max_hidden),
            ("head size", m.head_size(), self.max_head_size),
            ("heads", m.n_heads, self.max_heads),
            ("KV heads", m.n_kv_heads, self.max_kv_heads),
            ("seq_len", m.seq_len, self.max_seq_len),
            ("vocabulary", m.vocab_size, self.max_vocab),
            ("layers", m.n_layers, self.max_layers),
        ] {
            if model > chip {
                return Err(HdlError::Chip(format!(
                    "the model's {what} {model} is above the chip's {chip}; build the chip for this model (ChipConfig::for_model)"
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(name: &str) -> ModelConfig {
        golden::synthetic::shape(name).unwrap().config
    }

    fn array_for(m: &ModelConfig) -> ArrayConfig {
        let mut a = ArrayConfig { max_k: m.dim.max(m.hidden_dim), ..ArrayConfig::default() };
        a.accumulator_bits = a.min_accumulator_bits();
        a
    }

    #[test]
    fn a_chip_for_a_model_serves_it_and_refuses_larger_ones() {
        let (tiny, hf) = (shape("tiny"), shape("2b4t"));
        let chip = ChipConfig::for_model(&tiny, array_for(&tiny));
        chip.validate().unwrap();
        chip.check_model(&tiny).unwrap();
        assert_eq!((chip.max_head_size, chip.max_kv_heads, chip.vector_ram_words), (16, 2, 6 * 64 + 2 * 128));
        let err = chip.check_model(&hf).unwrap_err().to_string();
        assert_eq!(err, "chip: the model's dim 2560 is above the chip's 64; build the chip for this model (ChipConfig::for_model)");
        let big = ChipConfig::for_model(&hf, array_for(&hf));
        big.validate().unwrap();
        big.check_model(&tiny).unwrap();
    }

    #[test]
    fn invalid_chips_are_refused_with_the_reason() {
        let tiny = shape("tiny");
        let ok = ChipConfig::for_model(&tiny, array_for(&tiny));
        let bad = |c: ChipConfig| c.validate().unwrap_err().to_string();
        assert_eq!(bad(ChipConfig { vector_lanes: 0, ..ok.clone() }), "vector_lanes = 0 is outside 1..=1024");
        assert_eq!(bad(ChipConfig { kv_bits: 5, ..ok.clone() }), "chip: kv_bits = 5 is not a KV-cache width; use 8 or 4");
        assert_eq!(bad(ChipConfig { max_seq_len: 0, ..ok.clone() }), "max_seq_len must be at least 1 (got 0)");
        assert!(bad(ChipConfig { vector_ram_words: 10, ..ok.clone() }).contains("give at least 640"));
        let short = ArrayConfig { max_k: 64, ..ok.array.clone() };
        assert!(bad(ChipConfig { array: short, ..ok.clone() }).contains("build the array with max_k >= 128"));
        let roundtrip: ChipConfig = serde_json::from_str(&serde_json::to_string(&ok).unwrap()).unwrap();
        assert_eq!(roundtrip, ok);
    }
}
