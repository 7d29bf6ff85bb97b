//! Hugging Face BitNet checkpoints: a folder with `config.json` and `model.safetensors`
//! (or shards listed in `model.safetensors.index.json`).
//!
//! Two weight layouts, told apart per projection by dtype:
//! - packed (microsoft/bitnet-b1.58-2B-4T, "autobitlinear", offline): `U8 [out/4, in]`, four
//!   2-bit codes a byte packed along the OUTPUT dimension in strided blocks,
//!   `W[i*(out/4) + r, c] = ((P[r, c] >> 2i) & 3) - 1` (code 0 -> -1, 1 -> 0, 2 -> +1), and a
//!   `weight_scale` tensor per projection that dequantization multiplies by (DESIGN.md).
//! - full precision (1bitLLM/bitnet_b1_58): F32/F16/BF16 weights quantized on load with
//!   absmean, `gamma = max(mean|W|, 1e-5)` (mean summed in f64, rounded to f32),
//!   `W_q = clamp(round(W / gamma), -1, 1)`, weight scale `gamma`.
//!
//! Numerics of the family: RMSNorm with weights, sub-norms (`attn_sub_norm` / `ffn_sub_norm`,
//! or 1bitLLM's `inner_attn_ln` / `ffn_layernorm`) when the tensors are present, relu2 or
//! SwiGLU from `hidden_act`, NeoX RoPE with `rope_theta`, GQA, tied or untied head, and
//! [`ActQuant::Absmax`] with round half to even.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use safetensors::{Dtype, SafeTensors};
use serde::{Deserialize, Serialize};

use crate::config::{ActQuant, Family, Ffn, LinearKind, ModelConfig, NormKind, RopeStyle, Rounding};
use crate::error::{GoldenError, Result};
use crate::model::{Layer, Model, Norm};
use crate::ternary::TernaryMatrix;

/// The fields of config.json this loader reads (and the writer writes).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HfConfig {
    #[serde(default)]
    pub architectures: Vec<String>,
    #[serde(default = "default_model_type")]
    pub model_type: String,
    pub hidden_size: usize,
    pub intermediate_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    #[serde(default)]
    pub num_key_value_heads: Option<usize>,
    pub vocab_size: usize,
    #[serde(default = "default_positions")]
    pub max_position_embeddings: usize,
    #[serde(default = "default_eps")]
    pub rms_norm_eps: f32,
    #[serde(default = "default_theta")]
    pub rope_theta: f32,
    #[serde(default = "default_act")]
    pub hidden_act: String,
    #[serde(default)]
    pub tie_word_embeddings: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantization_config: Option<serde_json::Value>,
}

fn default_model_type() -> String {
    "bitnet".into()
}
fn default_positions() -> usize {
    2048
}
fn default_eps() -> f32 {
    1e-6
}
fn default_theta() -> f32 {
    10000.0
}
fn default_act() -> String {
    "silu".into()
}

/// How the writer stores the ternary projections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HfLayout {
    /// 2B4T: U8 codes packed along the output dimension, plus `weight_scale`.
    Packed,
    /// 1bitLLM: F32 weights that absmean quantization maps back to the same codes and scale.
    FullPrecision,
}

fn proj_name(l: usize, kind: LinearKind) -> String {
    let p = match kind {
        LinearKind::Q => "self_attn.q_proj",
        LinearKind::K => "self_attn.k_proj",
        LinearKind::V => "self_attn.v_proj",
        LinearKind::O => "self_attn.o_proj",
        LinearKind::Gate => "mlp.gate_proj",
        LinearKind::Down => "mlp.down_proj",
        LinearKind::Up => "mlp.up_proj",
    };
    format!("model.layers.{l}.{p}")
}

const ATTN_SUB: [&str; 2] = ["self_attn.attn_sub_norm", "self_attn.inner_attn_ln"];
const FFN_SUB: [&str; 2] = ["mlp.ffn_sub_norm", "mlp.ffn_layernorm"];

/// The files of one checkpoint, memory-mapped.
struct Shards {
    maps: Vec<(PathBuf, memmap2::Mmap)>,
}

impl Shards {
    fn open(dir: &Path) -> Result<Shards> {
        let index = dir.join("model.safetensors.index.json");
        let files: Vec<PathBuf> = if index.exists() {
            let text = std::fs::read_to_string(&index).map_err(|e| GoldenError::io(&index, e))?;
            let v: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| GoldenError::BadJson { what: index.display().to_string(), detail: e.to_string() })?;
            let map = v.get("weight_map").and_then(|m| m.as_object()).ok_or_else(|| GoldenError::BadJson {
                what: index.display().to_string(),
                detail: "no weight_map object".into(),
            })?;
            let mut names: Vec<&str> = map.values().filter_map(|f| f.as_str()).collect();
            names.sort();
            names.dedup();
            names.into_iter().map(|f| dir.join(f)).collect()
        } else {
            vec![dir.join("model.safetensors")]
        };
        let mut maps = Vec::new();
        for f in files {
            let file = std::fs::File::open(&f).map_err(|e| GoldenError::io(&f, e))?;
            // SAFETY: the map is read-only and lives as long as the loader; a checkpoint being
            // rewritten while it loads is outside what any loader can defend against.
            let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| GoldenError::io(&f, e))?;
            maps.push((f, map));
        }
        Ok(Shards { maps })
    }

    fn parse(&self) -> Result<Vec<SafeTensors<'_>>> {
        self.maps
            .iter()
            .map(|(p, m)| {
                SafeTensors::deserialize(m).map_err(|e| GoldenError::BadJson {
                    what: p.display().to_string(),
                    detail: format!("not a valid safetensors file ({e})"),
                })
            })
            .collect()
    }
}

/// Finds tensors by name across shards and converts them.
struct Tensors<'a> {
    files: Vec<SafeTensors<'a>>,
}

impl<'a> Tensors<'a> {
    fn view(&self, name: &str) -> Option<safetensors::tensor::TensorView<'a>> {
        self.files.iter().find_map(|f| f.tensor(name).ok())
    }

    fn has(&self, name: &str) -> bool {
        self.view(name).is_some()
    }

    /// A float tensor of the given shape, as f32.
    fn floats(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>> {
        let t = self.view(name).ok_or_else(|| GoldenError::MissingTensor(name.into()))?;
        if t.shape() != shape {
            return Err(GoldenError::ShapeMismatch { tensor: name.into(), expected: shape.to_vec(), got: t.shape().to_vec() });
        }
        let v = to_f32(name, t.dtype(), t.data())?;
        if let Some(index) = v.iter().position(|x| !x.is_finite()) {
            return Err(GoldenError::NonFinite { tensor: name.into(), index });
        }
        Ok(v)
    }

    /// One projection as a ternary matrix, from either layout.
    fn ternary(&self, name: &str, rows: usize, cols: usize) -> Result<TernaryMatrix> {
        let wname = format!("{name}.weight");
        let t = self.view(&wname).ok_or_else(|| GoldenError::MissingTensor(wname.clone()))?;
        if t.dtype() == Dtype::U8 {
            if !rows.is_multiple_of(4) || t.shape() != [rows / 4, cols] {
                return Err(GoldenError::ShapeMismatch { tensor: wname, expected: vec![rows / 4, cols], got: t.shape().to_vec() });
            }
            let sname = format!("{name}.weight_scale");
            let st = self.view(&sname).ok_or_else(|| GoldenError::MissingTensor(sname.clone()))?;
            let scale = to_f32(&sname, st.dtype(), st.data())?;
            let scale = match scale[..] {
                [s] => s,
                _ => return Err(GoldenError::ShapeMismatch { tensor: sname, expected: vec![1], got: st.shape().to_vec() }),
            };
            if !(scale.is_finite() && scale > 0.0) {
                return Err(GoldenError::BadScale { tensor: sname, value: scale });
            }
            unpack_2b4t(t.data(), rows, cols, scale, &wname)
        } else {
            let w = self.floats(&wname, &[rows, cols])?;
            Ok(absmean_quantize(&w, rows, cols))
        }
    }
}

fn to_f32(name: &str, dtype: Dtype, data: &[u8]) -> Result<Vec<f32>> {
    Ok(match dtype {
        Dtype::F32 => data.chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect(),
        Dtype::F16 => data.chunks_exact(2).map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32()).collect(),
        Dtype::BF16 => data.chunks_exact(2).map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32()).collect(),
        other => {
            return Err(GoldenError::UnknownDtype {
                tensor: name.into(),
                dtype: format!("{other:?}"),
                expected: "F32, F16, BF16 (and U8 for packed projections)".into(),
            })
        }
    })
}

/// The 2B4T unpacking formula of DESIGN.md.
pub fn unpack_2b4t(packed: &[u8], rows: usize, cols: usize, scale: f32, tensor: &str) -> Result<TernaryMatrix> {
    let block = rows / 4;
    let mut m = TernaryMatrix::zeros(rows, cols, scale);
    for r in 0..block {
        for c in 0..cols {
            let p = packed[r * cols + c];
            for i in 0..4 {
                let code = (p >> (2 * i)) & 3;
                let row = i * block + r;
                if code == 3 {
                    return Err(GoldenError::BadCode { tensor: tensor.into(), row, col: c, code });
                }
                m.set(row, c, code as i8 - 1);
            }
        }
    }
    Ok(m)
}

/// The inverse of [`unpack_2b4t`]; rows must be a multiple of 4.
pub fn pack_2b4t(w: &TernaryMatrix) -> Vec<u8> {
    let (rows, cols) = (w.rows(), w.cols());
    let block = rows / 4;
    let mut out = vec![0u8; block * cols];
    for r in 0..block {
        for c in 0..cols {
            out[r * cols + c] = (0..4).map(|i| ((w.get(i * block + r, c) + 1) as u8) << (2 * i)).fold(0, |a, b| a | b);
        }
    }
    out
}

/// 1bitLLM's absmean quantization of a full-precision weight.
pub fn absmean_quantize(w: &[f32], rows: usize, cols: usize) -> TernaryMatrix {
    let mean = (w.iter().map(|v| v.abs() as f64).sum::<f64>() / w.len() as f64) as f32;
    let gamma = mean.max(1e-5);
    let mut m = TernaryMatrix::zeros(rows, cols, gamma);
    for r in 0..rows {
        for c in 0..cols {
            let q = (w[r * cols + c] / gamma).round_ties_even().clamp(-1.0, 1.0);
            m.set(r, c, q as i8);
        }
    }
    m
}

/// Full-precision weights `code * g` whose absmean quantization gives back exactly the
/// matrix's codes and scale: `g` is searched among the f32 values next to `scale * n / nnz`.
fn dequantize_for_absmean(w: &TernaryMatrix) -> Vec<f32> {
    let n = (w.rows() * w.cols()) as f64;
    let nnz = n - w.zero_count() as f64;
    let mut g = w.scale;
    if nnz > 0.0 {
        let target = w.scale;
        let gamma_of = |g: f32| (g as f64 * nnz / n) as f32;
        g = (target as f64 * n / nnz) as f32;
        for _ in 0..64 {
            let got = gamma_of(g);
            if got == target {
                break;
            }
            g = if got < target { g.next_up() } else { g.next_down() };
        }
    }
    w.to_weights().into_iter().map(|c| c as f32 * g).collect()
}

pub fn read_config(dir: &Path) -> Result<HfConfig> {
    let path = dir.join("config.json");
    let text = std::fs::read_to_string(&path).map_err(|e| GoldenError::io(&path, e))?;
    serde_json::from_str(&text).map_err(|e| GoldenError::BadJson { what: path.display().to_string(), detail: e.to_string() })
}

/// Loads a checkpoint folder (or the folder of a given `.safetensors` file).
pub fn load(path: &Path) -> Result<Model> {
    let dir = if path.is_dir() { path } else { path.parent().unwrap_or(Path::new(".")) };
    let hc = read_config(dir)?;
    let shards = Shards::open(dir)?;
    let tensors = Tensors { files: shards.parse()? };

    let sub_name = |l: usize, names: &[&str; 2]| names.iter().map(|n| format!("model.layers.{l}.{n}.weight")).find(|n| tensors.has(n));
    let ffn = match hc.hidden_act.as_str() {
        "relu2" => Ffn::Relu2,
        "silu" | "swish" => Ffn::SwiGlu,
        other => return Err(GoldenError::BadConfig(format!("hidden_act '{other}' is not supported; BitNet uses relu2 or silu"))),
    };
    let config = ModelConfig {
        family: Family::HfBitnet,
        dim: hc.hidden_size,
        hidden_dim: hc.intermediate_size,
        n_layers: hc.num_hidden_layers,
        n_heads: hc.num_attention_heads,
        n_kv_heads: hc.num_key_value_heads.unwrap_or(hc.num_attention_heads),
        vocab_size: hc.vocab_size,
        seq_len: hc.max_position_embeddings,
        norm: NormKind::Rms,
        sub_norms: sub_name(0, &ATTN_SUB).is_some(),
        norm_eps: hc.rms_norm_eps,
        ffn,
        rope_style: RopeStyle::NeoX,
        rope_theta: hc.rope_theta,
        tied_head: hc.tie_word_embeddings,
        act_quant: ActQuant::Absmax { rounding: Rounding::HalfEven },
    };
    config.validate()?;
    let (d, h, v) = (config.dim, config.hidden_dim, config.vocab_size);
    let rms = |name: &str, len: usize| -> Result<Norm> { Ok(Norm::Rms { weight: tensors.floats(name, &[len])?, eps: config.norm_eps }) };
    let sub_norm = |l: usize, names: &[&str; 2], len: usize| -> Result<Norm> {
        if !config.sub_norms {
            return Ok(Norm::Identity);
        }
        match sub_name(l, names) {
            Some(n) => rms(&n, len),
            None => Err(GoldenError::MissingTensor(format!("model.layers.{l}.{}.weight", names[0]))),
        }
    };

    let mut layers = Vec::with_capacity(config.n_layers);
    for l in 0..config.n_layers {
        let mut mats = Vec::with_capacity(7);
        for kind in LinearKind::ALL {
            let (rows, cols) = config.linear_shape(kind);
            mats.push(tensors.ternary(&proj_name(l, kind), rows, cols)?);
        }
        let norms = [
            rms(&format!("model.layers.{l}.input_layernorm.weight"), d)?,
            sub_norm(l, &ATTN_SUB, d)?,
            rms(&format!("model.layers.{l}.post_attention_layernorm.weight"), d)?,
            sub_norm(l, &FFN_SUB, h)?,
        ];
        layers.push(Layer::new(mats.try_into().expect("seven projections"), norms));
    }
    let embedding = tensors.floats("model.embed_tokens.weight", &[v, d])?;
    let head = if config.tied_head { None } else { Some(tensors.floats("lm_head.weight", &[v, d])?) };
    let model = Model { final_norm: rms("model.norm.weight", d)?, config, embedding, layers, head };
    model.check()?;
    Ok(model)
}

/// Writes `config.json` and `model.safetensors` into `dir` (created if missing).
pub fn save(model: &Model, dir: &Path, layout: HfLayout) -> Result<()> {
    let c = &model.config;
    let unwritable = |detail: String| GoldenError::Unwritable { what: format!("Hugging Face checkpoint {}", dir.display()), detail };
    if c.family != Family::HfBitnet || c.rope_style != RopeStyle::NeoX || c.norm != NormKind::Rms {
        return Err(unwritable(
            "only Hugging Face-architecture models (RMSNorm, NeoX RoPE, absmax quantization) fit this format; save llama2.c-architecture models as a llama2.c export".into(),
        ));
    }
    let hc = HfConfig {
        architectures: vec!["BitNetForCausalLM".into()],
        model_type: "bitnet".into(),
        hidden_size: c.dim,
        intermediate_size: c.hidden_dim,
        num_hidden_layers: c.n_layers,
        num_attention_heads: c.n_heads,
        num_key_value_heads: Some(c.n_kv_heads),
        vocab_size: c.vocab_size,
        max_position_embeddings: c.seq_len,
        rms_norm_eps: c.norm_eps,
        rope_theta: c.rope_theta,
        hidden_act: match c.ffn {
            Ffn::Relu2 => "relu2".into(),
            Ffn::SwiGlu => "silu".into(),
        },
        tie_word_embeddings: c.tied_head,
        quantization_config: (layout == HfLayout::Packed).then(|| {
            serde_json::json!({"quant_method": "bitnet", "linear_class": "autobitlinear", "quantization_mode": "offline"})
        }),
    };

    // every tensor as (dtype, shape, bytes)
    let mut out: BTreeMap<String, (Dtype, Vec<usize>, Vec<u8>)> = BTreeMap::new();
    let f32s = |v: &[f32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    let norm_weight = |n: &Norm| match n {
        Norm::Rms { weight, .. } => Some(weight.clone()),
        _ => None,
    };
    out.insert("model.embed_tokens.weight".into(), (Dtype::F32, vec![c.vocab_size, c.dim], f32s(&model.embedding)));
    if let Some(h) = &model.head {
        out.insert("lm_head.weight".into(), (Dtype::F32, vec![c.vocab_size, c.dim], f32s(h)));
    }
    let final_w = norm_weight(&model.final_norm).ok_or_else(|| unwritable("the final norm has no weight".into()))?;
    out.insert("model.norm.weight".into(), (Dtype::F32, vec![c.dim], f32s(&final_w)));
    for (l, layer) in model.layers.iter().enumerate() {
        for kind in LinearKind::ALL {
            let w = layer.linear(kind);
            let name = proj_name(l, kind);
            match layout {
                HfLayout::Packed => {
                    if w.rows() % 4 != 0 {
                        return Err(unwritable(format!("{name} has {} rows; the packed layout needs a multiple of 4", w.rows())));
                    }
                    out.insert(format!("{name}.weight"), (Dtype::U8, vec![w.rows() / 4, w.cols()], pack_2b4t(w)));
                    out.insert(format!("{name}.weight_scale"), (Dtype::F32, vec![1], f32s(&[w.scale])));
                }
                HfLayout::FullPrecision => {
                    out.insert(format!("{name}.weight"), (Dtype::F32, vec![w.rows(), w.cols()], f32s(&dequantize_for_absmean(w))));
                }
            }
        }
        let norms = [
            ("input_layernorm", &layer.attn_norm, c.dim),
            (ATTN_SUB[0], &layer.attn_sub_norm, c.dim),
            ("post_attention_layernorm", &layer.ffn_norm, c.dim),
            (FFN_SUB[0], &layer.ffn_sub_norm, c.hidden_dim),
        ];
        for (n, norm, len) in norms {
            if let Some(wt) = norm_weight(norm) {
                out.insert(format!("model.layers.{l}.{n}.weight"), (Dtype::F32, vec![len], f32s(&wt)));
            }
        }
    }

    std::fs::create_dir_all(dir).map_err(|e| GoldenError::write(dir, e))?;
    let views = out
        .iter()
        .map(|(k, (dt, shape, data))| Ok((k.clone(), safetensors::tensor::TensorView::new(*dt, shape.clone(), data).map_err(|e| unwritable(e.to_string()))?)))
        .collect::<Result<Vec<_>>>()?;
    let bytes = safetensors::serialize(views, &None).map_err(|e| unwritable(e.to_string()))?;
    let st = dir.join("model.safetensors");
    std::fs::write(&st, bytes).map_err(|e| GoldenError::write(&st, e))?;
    let cj = dir.join("config.json");
    let json = serde_json::to_string_pretty(&hc).expect("config serializes");
    std::fs::write(&cj, json).map_err(|e| GoldenError::write(&cj, e))
}
