//! Synthetic models: named shapes with deterministic random weights, so the tool runs on a
//! fresh clone and at any size without downloading a checkpoint.
//!
//! Ternary codes are drawn uniformly from {-1, 0, +1} (a third zeros, about what trained
//! BitNet models show: 36% in the shared TinyStories checkpoints); weight scales and the
//! embedding's size follow what each family's norm needs for the layers to matter next to
//! the embedding (for the llama2.c family, the shared 1M checkpoint's: embedding rms 0.035,
//! scales 0.05 to 5 at width 128); every matrix row has its own random stream
//! derived from (seed, layer, projection, row), so the weights do not depend on thread count.

use rayon::prelude::*;

use crate::checkpoint::llama2c::llama2c_config;
use crate::config::{ActQuant, Family, Ffn, LinearKind, ModelConfig, NormKind, RopeStyle, Rounding};
use crate::error::{GoldenError, Result};
use crate::model::{default_norms, Layer, Model, Norm};
use crate::ternary::TernaryMatrix;

/// A named shape: its config and whether weights can be allocated for it.
pub struct Shape {
    pub name: &'static str,
    pub about: &'static str,
    /// false: config and per-layer matrix sizes only, for estimates.
    pub runnable: bool,
    pub config: ModelConfig,
}

/// A Hugging Face BitNet-family config (1bitLLM-like with SwiGLU, 2B4T-like with relu2).
#[allow(clippy::too_many_arguments)] // one row of the preset table, argument per column
fn hf(dim: usize, hidden: usize, layers: usize, heads: usize, kv: usize, vocab: usize, seq: usize, ffn: Ffn, theta: f32) -> ModelConfig {
    ModelConfig {
        family: Family::HfBitnet,
        dim,
        hidden_dim: hidden,
        n_layers: layers,
        n_heads: heads,
        n_kv_heads: kv,
        vocab_size: vocab,
        seq_len: seq,
        norm: NormKind::Rms,
        sub_norms: true,
        norm_eps: 1e-5,
        ffn,
        rope_style: RopeStyle::NeoX,
        rope_theta: theta,
        tied_head: true,
        act_quant: ActQuant::Absmax { rounding: Rounding::HalfEven },
    }
}

/// Every named shape. Sizes of 700m, 1.3b and 3b are the BitNet b1.58 paper's (arXiv
/// 2402.17764, Table 1 models); 2b4t is microsoft/bitnet-b1.58-2B-4T; 7b, 13b, 70b are
/// LLaMA-2's shapes with BitNet's ternary projections.
pub fn shapes() -> Vec<Shape> {
    let s = |name, about, runnable, config| Shape { name, about, runnable, config };
    vec![
        s("tiny", "llama2.c architecture, loads in milliseconds", true, llama2c_config([64, 128, 2, 4, 2, 512, 256])),
        s("tiny-hf", "Hugging Face architecture (relu2, sub-norms, GQA), loads in milliseconds", true, hf(64, 160, 2, 4, 2, 512, 256, Ffn::Relu2, 500000.0)),
        s("tinystories-1m", "the shape of the shared 1M TinyStories checkpoint", true, llama2c_config([128, 256, 8, 8, 4, 512, 512])),
        s("700m", "BitNet b1.58 700M", true, hf(1536, 4096, 24, 24, 24, 32000, 2048, Ffn::SwiGlu, 10000.0)),
        s("1.3b", "BitNet b1.58 1.3B", true, hf(2048, 5460, 24, 32, 32, 32000, 2048, Ffn::SwiGlu, 10000.0)),
        s("3b", "BitNet b1.58 3B", true, hf(3200, 8640, 26, 32, 32, 32000, 2048, Ffn::SwiGlu, 10000.0)),
        s("2b4t", "microsoft/bitnet-b1.58-2B-4T", true, hf(2560, 6912, 30, 20, 5, 128256, 4096, Ffn::Relu2, 500000.0)),
        s("7b", "LLaMA-2 7B shape, shape-only", false, hf(4096, 11008, 32, 32, 32, 32000, 4096, Ffn::SwiGlu, 10000.0)),
        s("13b", "LLaMA-2 13B shape, shape-only", false, hf(5120, 13824, 40, 40, 40, 32000, 4096, Ffn::SwiGlu, 10000.0)),
        s("70b", "LLaMA-2 70B shape (GQA 64/8), shape-only", false, hf(8192, 28672, 80, 64, 8, 32000, 4096, Ffn::SwiGlu, 10000.0)),
    ]
}

pub fn shape(name: &str) -> Result<Shape> {
    let all = shapes();
    let known = all.iter().map(|s| s.name).collect::<Vec<_>>().join(", ");
    all.into_iter().find(|s| s.name == name).ok_or(GoldenError::UnknownShape { name: name.into(), known })
}

/// SplitMix64: small, fast, and good enough for synthetic weights.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// A stream for one place in the model.
    pub fn at(seed: u64, parts: &[u64]) -> Rng {
        let mut r = Rng(seed);
        for &p in parts {
            r.0 ^= p.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            r.next_u64();
        }
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    pub fn uniform(&mut self) -> f32 {
        ((self.next_u64() >> 40) as f32 / (1u64 << 23) as f32) - 1.0
    }
}

/// The 81 bytes whose four 2-bit codes are all in {0, 1, 2}: every ternary quadruple.
fn ternary_bytes() -> [u8; 81] {
    std::array::from_fn(|i| {
        let (a, b, c, d) = (i % 3, i / 3 % 3, i / 9 % 3, i / 27);
        (a | b << 2 | c << 4 | d << 6) as u8
    })
}

/// A random ternary matrix, a third of its weights zero, its scale within 20% of `scale`.
pub fn random_matrix(rows: usize, cols: usize, scale: f32, seed: u64, place: &[u64]) -> TernaryMatrix {
    let stride = cols.div_ceil(4);
    let quads = ternary_bytes();
    let mut data = vec![0u8; rows * stride];
    data.par_chunks_mut(stride).enumerate().for_each(|(r, row)| {
        let mut parts = place.to_vec();
        parts.push(r as u64);
        let mut rng = Rng::at(seed, &parts);
        for chunk in row.chunks_mut(4) {
            let bits = rng.next_u64();
            for (j, b) in chunk.iter_mut().enumerate() {
                let u = (bits >> (16 * j)) & 0xFFFF;
                *b = quads[((u * 81) >> 16) as usize];
            }
        }
    });
    let mut rng = Rng::at(seed, &[place, &[u64::MAX]].concat());
    let scale = scale * (1.0 + 0.2 * rng.uniform());
    TernaryMatrix::from_packed(rows, cols, data, scale)
}

/// A model of a named shape with weights drawn from `seed`.
pub fn model(name: &str, seed: u64) -> Result<Model> {
    let s = shape(name)?;
    if !s.runnable {
        return Err(GoldenError::ShapeOnly(name.into()));
    }
    Ok(model_of(s.config, seed))
}

/// A model of any config with weights drawn from `seed`.
pub fn model_of(config: ModelConfig, seed: u64) -> Model {
    // the parameter-free norm scales inputs by 1/n, RMSNorm to unit size
    let (emb_amp, scale_of) = match config.norm {
        NormKind::ParamFree => (0.05, (|k: usize| 2.0 * (k as f32 / 128.0).sqrt()) as fn(usize) -> f32),
        NormKind::Rms => (0.5, (|k: usize| 1.0 / (k as f32).sqrt()) as fn(usize) -> f32),
    };
    let layers = (0..config.n_layers)
        .map(|l| {
            let m: [TernaryMatrix; 7] = std::array::from_fn(|i| {
                let kind = LinearKind::ALL[i];
                let (rows, cols) = config.linear_shape(kind);
                random_matrix(rows, cols, scale_of(cols), seed, &[l as u64, i as u64])
            });
            Layer::new(m, default_norms(&config))
        })
        .collect();
    let n = config.vocab_size * config.dim;
    let mut embedding = vec![0.0f32; n];
    embedding.par_chunks_mut(config.dim).enumerate().for_each(|(t, row)| {
        let mut rng = Rng::at(seed, &[u64::MAX - 1, t as u64]);
        for v in row {
            *v = emb_amp * rng.uniform();
        }
    });
    Model {
        final_norm: Norm::Rms { weight: vec![1.0; config.dim], eps: config.norm_eps },
        config,
        embedding,
        layers,
        head: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_weights_are_deterministic_and_a_third_zero() {
        let a = model("tiny", 7).unwrap();
        let b = model("tiny", 7).unwrap();
        let c = model("tiny", 8).unwrap();
        assert_eq!(a, b);
        assert_ne!(a.layers[0].wq, c.layers[0].wq);
        let z = a.ternary_zero_fraction();
        assert!((0.32..0.35).contains(&z), "zero share {z}");
        a.check().unwrap();
    }

    #[test]
    fn shape_only_and_unknown_shapes_are_errors() {
        let e = model("70b", 1).unwrap_err().to_string();
        assert!(e.contains("'70b' is shape-only"), "{e}");
        let e = model("5b", 1).unwrap_err().to_string();
        assert!(e.contains("unknown synthetic model shape '5b'") && e.contains("2b4t"), "{e}");
    }

    #[test]
    fn every_shape_is_valid_with_the_expected_size() {
        for s in shapes() {
            s.config.validate().unwrap();
        }
        // 2B4T: 30 layers of (4 attention + 3 FFN) projections, about 2.08 billion ternary weights
        let p = shape("2b4t").unwrap().config.ternary_params();
        assert_eq!(p, 30 * (2560 * 2560 * 2 + 2 * 640 * 2560 + 3 * 2560 * 6912));
        let p70 = shape("70b").unwrap().config.ternary_params();
        assert!((6.4e10..6.9e10).contains(&(p70 as f64)), "{p70}");
    }
}
