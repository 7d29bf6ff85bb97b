//! Every kind of bad input is one clear error, never a panic or a silently wrong model.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use golden::checkpoint::{hf, llama2c};
use golden::{synthetic, Tokenizer};
use safetensors::{Dtype, SafeTensors};

fn real_1m() -> Vec<u8> {
    std::fs::read(common::bitllama2c().join("tinystories-1m.bin")).unwrap()
}

fn llama2c_err(bytes: &[u8]) -> String {
    llama2c::parse(bytes, "ckpt.bin").unwrap_err().to_string()
}

/// Offset of the first matrix (layer 0 wq) of the 1M export: header, final norm, embedding.
const FIRST_SCALE: usize = 256 + 4 * 128 + 4 * 512 * 128;

#[test]
fn truncated_llama2c_export() {
    let b = real_1m();
    let e = llama2c_err(&b[..b.len() - 10]);
    assert_eq!(e, "ckpt.bin is truncated: it needs 558048 bytes but has 558038; the file is incomplete, copy or export it again");
    let e = llama2c_err(&b[..100]);
    assert!(e.contains("needs 256 bytes but has 100"), "{e}");
}

#[test]
fn wrong_magic_and_version() {
    let mut b = real_1m();
    b[..4].copy_from_slice(b"GGUF");
    assert!(llama2c_err(&b).contains("does not start with the llama2.c BitNet magic 0x616b3432 (\"ak42\"), found 0x46554747"));
    let mut b = real_1m();
    b[4] = 2;
    assert!(llama2c_err(&b).contains("has format version 2, only version 1"));
}

#[test]
fn trailing_bytes_and_bad_header_sizes() {
    let mut b = real_1m();
    b.extend([0u8; 5]);
    assert!(llama2c_err(&b).contains("has 5 bytes past the end"));
    let mut b = real_1m();
    b[8..12].copy_from_slice(&(-5i32).to_le_bytes());
    assert!(llama2c_err(&b).contains("header field dim is -5; it must be positive"));
    let mut b = real_1m();
    b[20..24].copy_from_slice(&3i32.to_le_bytes()); // n_heads 3 does not divide dim 128
    assert!(llama2c_err(&b).contains("dim 128 is not a multiple of n_heads 3"));
}

#[test]
fn nan_and_zero_scales() {
    let mut b = real_1m();
    b[FIRST_SCALE..FIRST_SCALE + 4].copy_from_slice(&f32::NAN.to_le_bytes());
    assert_eq!(llama2c_err(&b), "weight scale of layer 0 wq is NaN, it must be finite and positive; the checkpoint is corrupt");
    b[FIRST_SCALE..FIRST_SCALE + 4].copy_from_slice(&0f32.to_le_bytes());
    assert!(llama2c_err(&b).contains("weight scale of layer 0 wq is 0,"));
}

#[test]
fn invalid_ternary_code() {
    let mut b = real_1m();
    b[FIRST_SCALE + 4 + 1] = 0b00_00_10_00; // row 0, column 6: code 10
    assert_eq!(llama2c_err(&b), "layer 0 wq holds the invalid ternary code 0b10 at row 0, column 6; the checkpoint is corrupt");
}

#[test]
fn nan_in_the_embedding() {
    let mut b = real_1m();
    let at = 256 + 4 * 128 + 4 * 77;
    b[at..at + 4].copy_from_slice(&f32::INFINITY.to_le_bytes());
    assert!(llama2c_err(&b).contains("tensor token embedding holds a non-finite value at index 77"));
}

#[test]
fn vocab_mismatch_with_the_tokenizer() {
    let tok = Tokenizer::synthetic(300);
    let e = tok.check_vocab(512).unwrap_err().to_string();
    assert_eq!(e, "the tokenizer has 300 tokens but the model's vocabulary has 512; pass the tokenizer that was trained with this model");
    let real = Tokenizer::load(&common::bitllama2c().join("tokenizer.bin")).unwrap();
    assert!(real.check_vocab(32000).is_err());
}

#[test]
fn missing_file() {
    let e = golden::load_model("/nonexistent/model.bin").unwrap_err().to_string();
    assert!(e.starts_with("cannot read /nonexistent/model.bin: No such file"), "{e}");
}

/// Saves a tiny HF model, then rewrites its tensors through `edit` (None drops a tensor).
fn edited_hf(name: &str, edit: impl Fn(&str, Dtype, Vec<usize>, Vec<u8>) -> Option<(Dtype, Vec<usize>, Vec<u8>)>) -> std::path::PathBuf {
    let dir = common::tmpdir(name);
    hf::save(&synthetic::model("tiny-hf", 2).unwrap(), &dir, hf::HfLayout::Packed).unwrap();
    let path = dir.join("model.safetensors");
    let bytes = std::fs::read(&path).unwrap();
    let st = SafeTensors::deserialize(&bytes).unwrap();
    let mut out = BTreeMap::new();
    for (n, t) in st.tensors() {
        if let Some(v) = edit(&n, t.dtype(), t.shape().to_vec(), t.data().to_vec()) {
            out.insert(n, v);
        }
    }
    let views: Vec<_> = out.iter().map(|(k, (d, s, b))| (k.clone(), safetensors::tensor::TensorView::new(*d, s.clone(), b).unwrap())).collect();
    std::fs::write(&path, safetensors::serialize(views, &None).unwrap()).unwrap();
    dir
}

fn hf_err(dir: &Path) -> String {
    golden::load_model(dir.to_str().unwrap()).unwrap_err().to_string()
}

#[test]
fn hf_unknown_dtype() {
    let dir = edited_hf("dtype", |n, d, s, b| Some(if n == "model.norm.weight" { (Dtype::I32, s, b) } else { (d, s, b) }));
    assert_eq!(
        hf_err(&dir),
        "tensor model.norm.weight has dtype I32, which this loader does not read (expected one of F32, F16, BF16 (and U8 for packed projections)); re-export the checkpoint with a supported dtype"
    );
}

#[test]
fn hf_shape_not_matching_config() {
    let dir = edited_hf("shape", |n, d, s, b| {
        Some(if n == "model.embed_tokens.weight" { (d, vec![511, 64], b[..511 * 64 * 4].to_vec()) } else { (d, s, b) })
    });
    assert_eq!(
        hf_err(&dir),
        "tensor model.embed_tokens.weight has shape [511, 64] but the model config needs [512, 64]; the checkpoint and its config.json disagree"
    );
}

#[test]
fn hf_missing_tensor() {
    let dir = edited_hf("missing", |n, d, s, b| (n != "model.layers.1.mlp.down_proj.weight").then_some((d, s, b)));
    assert_eq!(hf_err(&dir), "tensor model.layers.1.mlp.down_proj.weight is missing from the checkpoint; it is incomplete or of another architecture");
}

#[test]
fn hf_zero_and_nan_scale() {
    let dir = edited_hf("zscale", |n, d, s, b| {
        Some(if n == "model.layers.0.self_attn.k_proj.weight_scale" { (d, s, 0f32.to_le_bytes().to_vec()) } else { (d, s, b) })
    });
    assert!(hf_err(&dir).starts_with("weight scale of model.layers.0.self_attn.k_proj.weight_scale is 0,"));
    let dir = edited_hf("nscale", |n, d, s, b| {
        Some(if n == "model.layers.1.mlp.up_proj.weight_scale" { (d, s, f32::NAN.to_le_bytes().to_vec()) } else { (d, s, b) })
    });
    assert!(hf_err(&dir).starts_with("weight scale of model.layers.1.mlp.up_proj.weight_scale is NaN,"));
}

#[test]
fn hf_invalid_packed_code() {
    let dir = edited_hf("code", |n, d, s, mut b| {
        if n == "model.layers.0.self_attn.q_proj.weight" {
            b[3] = 0b11_01_01_01; // row block 0, column 3, sub-row 3: code 3
        }
        Some((d, s, b))
    });
    assert_eq!(hf_err(&dir), "model.layers.0.self_attn.q_proj.weight holds the invalid ternary code 0b11 at row 48, column 3; the checkpoint is corrupt");
}

#[test]
fn hf_bad_config_and_bad_file() {
    let dir = edited_hf("cfg", |_, d, s, b| Some((d, s, b)));
    let cfg = std::fs::read_to_string(dir.join("config.json")).unwrap().replace("\"hidden_size\"", "\"hidden_sz\"");
    std::fs::write(dir.join("config.json"), cfg).unwrap();
    let e = hf_err(&dir);
    assert!(e.starts_with(&format!("cannot parse {}: missing field `hidden_size`", dir.join("config.json").display())), "{e}");
    let dir = edited_hf("garbage", |_, d, s, b| Some((d, s, b)));
    std::fs::write(dir.join("model.safetensors"), b"this is not a safetensors file").unwrap();
    assert!(hf_err(&dir).contains("not a valid safetensors file"));
}
