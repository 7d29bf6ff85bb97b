//! The llama2.c BitNet export of bitllama2.c (see shared/models/bitllama2c/README.md).
//!
//! Little-endian. A 256-byte header (u32 magic "ak42", i32 version 1, seven i32 sizes, u8
//! shared_classifier = 1, zero padding), the f32 final norm weight `[dim]`, the f32 embedding
//! `[vocab x dim]`, then the ternary matrices grouped by kind (wq, wk, wv, wo, w1, w2, w3),
//! each kind for all layers: an f32 scale, then the row-major 2-bit codes, four a byte, the
//! first weight in bits 7:6; codes 00 = 0, 01 = +1, 11 = -1 (10 never occurs).
//! Numerics: [`ActQuant::Llama2c`], a parameter-free norm before every BitLinear, SwiGLU,
//! interleaved RoPE with theta 10000, final RMSNorm with eps 1e-5, tied classifier.

use std::path::Path;

use crate::config::{ActQuant, Family, Ffn, LinearKind, ModelConfig, NormKind, RopeStyle};
use crate::error::{GoldenError, Result};
use crate::model::{default_norms, Layer, Model, Norm};
use crate::ternary::TernaryMatrix;

pub const MAGIC: u32 = 0x616b_3432;
const HEADER: usize = 256;

/// The architecture every llama2.c BitNet export has, with the header's sizes.
pub fn llama2c_config(sizes: [usize; 7]) -> ModelConfig {
    let [dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len] = sizes;
    ModelConfig {
        family: Family::Llama2c,
        dim,
        hidden_dim,
        n_layers,
        n_heads,
        n_kv_heads,
        vocab_size,
        seq_len,
        norm: NormKind::ParamFree,
        sub_norms: true,
        norm_eps: 1e-5,
        ffn: Ffn::SwiGlu,
        rope_style: RopeStyle::Interleaved,
        rope_theta: 10000.0,
        tied_head: true,
        act_quant: ActQuant::Llama2c,
    }
}

/// Bytes of one matrix in the file: its scale and its codes.
fn matrix_bytes(rows: usize, cols: usize) -> u64 {
    4 + (rows as u64 * cols as u64).div_ceil(4)
}

/// The exact file size a config implies.
pub fn file_size(c: &ModelConfig) -> u64 {
    let floats = c.dim as u64 + c.vocab_size as u64 * c.dim as u64;
    let mats: u64 = LinearKind::ALL
        .iter()
        .map(|&k| {
            let (r, col) = c.linear_shape(k);
            matrix_bytes(r, col)
        })
        .sum();
    HEADER as u64 + 4 * floats + c.n_layers as u64 * mats
}

pub fn load(path: &Path) -> Result<Model> {
    let bytes = std::fs::read(path).map_err(|e| GoldenError::io(path, e))?;
    parse(&bytes, &path.display().to_string())
}

/// Parses a whole export held in memory; `what` names it in messages.
pub fn parse(bytes: &[u8], what: &str) -> Result<Model> {
    let truncated = |expected: u64| GoldenError::Truncated { what: what.to_string(), expected, got: bytes.len() as u64 };
    if bytes.len() < 8 {
        return Err(truncated(HEADER as u64));
    }
    let magic = u32::from_le_bytes(bytes[0..4].try_into().unwrap());
    if magic != MAGIC {
        return Err(GoldenError::BadMagic { what: what.to_string(), found: magic });
    }
    if bytes.len() < HEADER {
        return Err(truncated(HEADER as u64));
    }
    let i32_at = |o: usize| i32::from_le_bytes(bytes[o..o + 4].try_into().unwrap());
    let version = i32_at(4);
    if version != 1 {
        return Err(GoldenError::UnsupportedVersion { what: what.to_string(), found: version });
    }
    let names = ["dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len"];
    let mut sizes = [0usize; 7];
    for (i, s) in sizes.iter_mut().enumerate() {
        let v = i32_at(8 + 4 * i);
        if v <= 0 {
            return Err(GoldenError::BadConfig(format!("{what}: header field {} is {v}; it must be positive", names[i])));
        }
        *s = v as usize;
    }
    if bytes[36] != 1 {
        return Err(GoldenError::BadConfig(format!(
            "{what}: shared_classifier is {}; only exports whose classifier is the embedding (1) are supported",
            bytes[36]
        )));
    }
    let config = llama2c_config(sizes);
    config.validate().map_err(|e| GoldenError::BadConfig(format!("{what}: {e}")))?;
    let expected = file_size(&config);
    if (bytes.len() as u64) < expected {
        return Err(truncated(expected));
    }
    if bytes.len() as u64 > expected {
        return Err(GoldenError::TrailingBytes { what: what.to_string(), extra: bytes.len() as u64 - expected });
    }

    let mut at = HEADER;
    let mut floats = |n: usize, tensor: &str| -> Result<Vec<f32>> {
        let v: Vec<f32> = bytes[at..at + 4 * n].chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect();
        at += 4 * n;
        if let Some(index) = v.iter().position(|x| !x.is_finite()) {
            return Err(GoldenError::NonFinite { tensor: tensor.to_string(), index });
        }
        Ok(v)
    };
    let final_weight = floats(config.dim, "final norm weight")?;
    let embedding = floats(config.vocab_size * config.dim, "token embedding")?;

    // matrices come kind by kind, each kind for all layers
    let mut by_kind: Vec<Vec<TernaryMatrix>> = Vec::new();
    for kind in LinearKind::ALL {
        let (rows, cols) = config.linear_shape(kind);
        let mut mats = Vec::with_capacity(config.n_layers);
        for l in 0..config.n_layers {
            let tensor = format!("layer {l} {kind}");
            let scale = f32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
            if !(scale.is_finite() && scale > 0.0) {
                return Err(GoldenError::BadScale { tensor, value: scale });
            }
            let n = (rows * cols).div_ceil(4);
            mats.push(decode_codes(&bytes[at + 4..at + 4 + n], rows, cols, scale, &tensor)?);
            at += 4 + n;
        }
        by_kind.push(mats);
    }
    let mut kinds: Vec<_> = by_kind.into_iter().map(|v| v.into_iter()).collect();
    let layers = (0..config.n_layers)
        .map(|_| {
            let m: [TernaryMatrix; 7] = std::array::from_fn(|i| kinds[i].next().unwrap());
            Layer::new(m, default_norms(&config))
        })
        .collect();
    let model = Model {
        final_norm: Norm::Rms { weight: final_weight, eps: config.norm_eps },
        config,
        embedding,
        layers,
        head: None,
    };
    model.check()?;
    Ok(model)
}

/// Row-major codes, first weight of a byte in its top bits.
fn decode_codes(codes: &[u8], rows: usize, cols: usize, scale: f32, tensor: &str) -> Result<TernaryMatrix> {
    let mut m = TernaryMatrix::zeros(rows, cols, scale);
    for r in 0..rows {
        for c in 0..cols {
            let i = r * cols + c;
            let code = (codes[i / 4] >> (6 - 2 * (i % 4))) & 3;
            let w = match code {
                0 => 0,
                1 => 1,
                3 => -1,
                _ => return Err(GoldenError::BadCode { tensor: tensor.to_string(), row: r, col: c, code }),
            };
            m.set(r, c, w);
        }
    }
    Ok(m)
}

/// Serializes a model in this format. Only models of the llama2.c architecture fit it.
pub fn to_bytes(model: &Model) -> Result<Vec<u8>> {
    let c = &model.config;
    let fits = c.norm == NormKind::ParamFree
        && c.ffn == Ffn::SwiGlu
        && c.rope_style == RopeStyle::Interleaved
        && c.tied_head
        && c.act_quant == ActQuant::Llama2c;
    let final_weight = match &model.final_norm {
        Norm::Rms { weight, .. } if fits => weight,
        _ => {
            return Err(GoldenError::Unwritable {
                what: "llama2.c export".into(),
                detail: "the format holds only llama2.c-architecture models (parameter-free norms, SwiGLU, interleaved RoPE, tied classifier); write a Hugging Face checkpoint instead".into(),
            })
        }
    };
    let mut out = Vec::with_capacity(file_size(c) as usize);
    out.extend(MAGIC.to_le_bytes());
    out.extend(1i32.to_le_bytes());
    for v in [c.dim, c.hidden_dim, c.n_layers, c.n_heads, c.n_kv_heads, c.vocab_size, c.seq_len] {
        out.extend((v as i32).to_le_bytes());
    }
    out.push(1);
    out.resize(HEADER, 0);
    for v in final_weight.iter().chain(&model.embedding) {
        out.extend(v.to_le_bytes());
    }
    for kind in LinearKind::ALL {
        for layer in &model.layers {
            let w = layer.linear(kind);
            out.extend(w.scale.to_le_bytes());
            let (rows, cols) = (w.rows(), w.cols());
            let mut codes = vec![0u8; (rows * cols).div_ceil(4)];
            for r in 0..rows {
                for col in 0..cols {
                    let i = r * cols + col;
                    let code = match w.get(r, col) {
                        1 => 1u8,
                        -1 => 3,
                        _ => 0,
                    };
                    codes[i / 4] |= code << (6 - 2 * (i % 4));
                }
            }
            out.extend(codes);
        }
    }
    Ok(out)
}

pub fn save(model: &Model, path: &Path) -> Result<()> {
    let bytes = to_bytes(model)?;
    std::fs::write(path, bytes).map_err(|e| GoldenError::write(path, e))
}
