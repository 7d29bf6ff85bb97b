//! Model weights: the ternary projections of every layer, the norms, the embedding and head.

use crate::config::{LinearKind, ModelConfig, NormKind};
use crate::error::{GoldenError, Result};
use crate::ternary::TernaryMatrix;

/// A norm as the forward pass applies it.
#[derive(Clone, Debug, PartialEq)]
pub enum Norm {
    /// No norm at this place (a Hugging Face model without sub-norms).
    Identity,
    /// bitllama2.c's `x / (n * rms(x))`: squares summed in f32 in index order, divided by n,
    /// `1/sqrt`, divided by n again, then each element multiplied by that factor.
    ParamFree,
    /// `weight * (x / sqrt(mean(x^2) + eps))`, computed as llama2.c's rmsnorm does.
    Rms { weight: Vec<f32>, eps: f32 },
}

impl Norm {
    /// Writes the normalized `x` into `out` (same length).
    pub fn apply(&self, x: &[f32], out: &mut [f32]) {
        let n = x.len();
        match self {
            Norm::Identity => out.copy_from_slice(x),
            Norm::ParamFree => {
                let mut ss = 0.0f32;
                for &v in x {
                    ss += v * v;
                }
                ss /= n as f32;
                let mut scale = 1.0f32 / ss.sqrt();
                scale /= n as f32;
                for (o, &v) in out.iter_mut().zip(x) {
                    *o = v * scale;
                }
            }
            Norm::Rms { weight, eps } => {
                let mut ss = 0.0f32;
                for &v in x {
                    ss += v * v;
                }
                ss /= n as f32;
                ss += eps;
                let ss = 1.0f32 / ss.sqrt();
                for ((o, &v), &w) in out.iter_mut().zip(x).zip(weight) {
                    *o = w * (ss * v);
                }
            }
        }
    }

    /// A norm of the config's kind; Rms starts with unit weights.
    pub fn of_kind(kind: NormKind, len: usize, eps: f32) -> Norm {
        match kind {
            NormKind::ParamFree => Norm::ParamFree,
            NormKind::Rms => Norm::Rms { weight: vec![1.0; len], eps },
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    pub wq: TernaryMatrix,
    pub wk: TernaryMatrix,
    pub wv: TernaryMatrix,
    pub wo: TernaryMatrix,
    /// w1 / gate_proj
    pub w1: TernaryMatrix,
    /// w2 / down_proj
    pub w2: TernaryMatrix,
    /// w3 / up_proj
    pub w3: TernaryMatrix,
    /// before q, k, v
    pub attn_norm: Norm,
    /// before o
    pub attn_sub_norm: Norm,
    /// before gate and up
    pub ffn_norm: Norm,
    /// before down
    pub ffn_sub_norm: Norm,
}

impl Layer {
    pub fn linear(&self, kind: LinearKind) -> &TernaryMatrix {
        match kind {
            LinearKind::Q => &self.wq,
            LinearKind::K => &self.wk,
            LinearKind::V => &self.wv,
            LinearKind::O => &self.wo,
            LinearKind::Gate => &self.w1,
            LinearKind::Down => &self.w2,
            LinearKind::Up => &self.w3,
        }
    }

    /// Builds a layer from its seven matrices, in [`LinearKind::ALL`] order, and its norms.
    pub fn new(m: [TernaryMatrix; 7], norms: [Norm; 4]) -> Layer {
        let [wq, wk, wv, wo, w1, w2, w3] = m;
        let [attn_norm, attn_sub_norm, ffn_norm, ffn_sub_norm] = norms;
        Layer { wq, wk, wv, wo, w1, w2, w3, attn_norm, attn_sub_norm, ffn_norm, ffn_sub_norm }
    }
}

/// The norms a layer of this config has when the checkpoint stores no weights for them.
pub fn default_norms(cfg: &ModelConfig) -> [Norm; 4] {
    let main = Norm::of_kind(cfg.norm, cfg.dim, cfg.norm_eps);
    let sub = |len| if cfg.sub_norms { Norm::of_kind(cfg.norm, len, cfg.norm_eps) } else { Norm::Identity };
    [main.clone(), sub(cfg.dim), main, sub(cfg.hidden_dim)]
}

#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub config: ModelConfig,
    /// `[vocab_size x dim]`, row per token.
    pub embedding: Vec<f32>,
    pub layers: Vec<Layer>,
    /// The norm before the classifier (always Rms with weights).
    pub final_norm: Norm,
    /// Untied classifier `[vocab_size x dim]`; `None` means the embedding is the classifier.
    pub head: Option<Vec<f32>>,
}

impl Model {
    /// The classifier matrix, `[vocab_size x dim]`.
    pub fn classifier(&self) -> &[f32] {
        self.head.as_deref().unwrap_or(&self.embedding)
    }

    /// Checks that every tensor has the size its config says; loaders call it last.
    pub fn check(&self) -> Result<()> {
        let c = &self.config;
        c.validate()?;
        let mismatch = |tensor: String, expected: Vec<usize>, got: Vec<usize>| {
            Err(GoldenError::ShapeMismatch { tensor, expected, got })
        };
        if self.embedding.len() != c.vocab_size * c.dim {
            return mismatch("embedding".into(), vec![c.vocab_size, c.dim], vec![self.embedding.len()]);
        }
        if let Some(h) = &self.head {
            if h.len() != c.vocab_size * c.dim {
                return mismatch("head".into(), vec![c.vocab_size, c.dim], vec![h.len()]);
            }
        }
        if self.layers.len() != c.n_layers {
            return mismatch("layers".into(), vec![c.n_layers], vec![self.layers.len()]);
        }
        for (l, layer) in self.layers.iter().enumerate() {
            for kind in LinearKind::ALL {
                let w = layer.linear(kind);
                let (r, k) = c.linear_shape(kind);
                if (w.rows(), w.cols()) != (r, k) {
                    return mismatch(format!("layer {l} {kind}"), vec![r, k], vec![w.rows(), w.cols()]);
                }
                if !(w.scale.is_finite() && w.scale > 0.0) {
                    return Err(GoldenError::BadScale { tensor: format!("layer {l} {kind}"), value: w.scale });
                }
            }
        }
        Ok(())
    }

    /// The share of ternary weights that are zero.
    pub fn ternary_zero_fraction(&self) -> f64 {
        let (mut zeros, mut all) = (0u64, 0u64);
        for layer in &self.layers {
            for kind in LinearKind::ALL {
                let w = layer.linear(kind);
                zeros += w.zero_count();
                all += (w.rows() * w.cols()) as u64;
            }
        }
        zeros as f64 / all.max(1) as f64
    }
}
