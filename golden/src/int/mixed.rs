//! One integer op at a time inside the float pass: what each op of the int profile costs alone
//! (`tern eval --per-op`). Each hook converts its f32 input into the op's fixed-point format,
//! runs the int profile's own op on the int model's tables, and converts the result back.

use serde::{Deserialize, Serialize};

use super::ops::{self, IntNorm, NormScratch, ACT_FRAC, SCORE_FRAC};
use super::convert::fixed_value;
use super::IntModel;

/// The ops of the int profile, as the float pass can swap them in one by one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntOp {
    /// int8 embedding rows with per-row scales
    Embedding,
    /// integer RMS / parameter-free norms fused with the int8 activation quantizer
    Norm,
    /// the Q30 sin/cos table
    Rope,
    /// K and V stored as int8 (or int4) codes with one scale per position and KV head
    KvCache,
    /// int8 q, int32 scores in the log2 domain, table exp2, Q16 probabilities, integer AV
    Softmax,
    /// SiLU from the sigmoid table, or ReLU^2, in Q20
    Activation,
    /// the residual stream in its calibrated fixed point
    Residual,
    /// int8 head rows and int8 final vector, i32 logits
    Head,
}

impl IntOp {
    pub const ALL: [IntOp; 8] =
        [IntOp::Embedding, IntOp::Norm, IntOp::Rope, IntOp::KvCache, IntOp::Softmax, IntOp::Activation, IntOp::Residual, IntOp::Head];

    pub fn name(self) -> &'static str {
        match self {
            IntOp::Embedding => "embedding (int8 rows)",
            IntOp::Norm => "norms + int8 quantizer",
            IntOp::Rope => "RoPE (Q30 table)",
            IntOp::KvCache => "KV cache (int codes)",
            IntOp::Softmax => "scores + softmax (exp2 table)",
            IntOp::Activation => "SiLU / ReLU^2 (table)",
            IntOp::Residual => "residual (fixed point)",
            IntOp::Head => "LM head (int8)",
        }
    }
}

fn to_fixed(x: f32, frac: i32) -> i64 {
    (x as f64 * 2f64.powi(frac)).round().clamp(ops::I32_MIN as f64, ops::I32_MAX as f64) as i64
}

fn from_fixed(v: i64, frac: i32) -> f32 {
    (v as f64 * 2f64.powi(-frac)) as f32
}

/// Which norm of the model: one of a layer's four, or the final one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NormSite {
    Attn(usize),
    AttnSub(usize),
    Ffn(usize),
    FfnSub(usize),
    Final,
}

/// The float pass's hooks: the int model whose tables they use and the op they swap in.
pub struct Hooks<'m> {
    pub int: &'m IntModel,
    pub op: IntOp,
    scratch: NormScratch,
    q: Vec<i8>,
    v: Vec<i64>,
}

impl<'m> Hooks<'m> {
    pub fn new(int: &'m IntModel, op: IntOp) -> Self {
        Hooks { int, op, scratch: NormScratch::default(), q: Vec::new(), v: Vec::new() }
    }

    /// The hooks if they swap in `op`.
    pub fn when<'h>(hooks: &'h mut Option<Hooks<'m>>, op: IntOp) -> Option<&'h mut Hooks<'m>> {
        hooks.as_mut().filter(|h| h.op == op)
    }

    pub fn embedding(&self, token: usize, out: &mut [f32]) {
        let scale = fixed_value(self.int.embedding.scale[token]);
        for (o, &e) in out.iter_mut().zip(self.int.embedding.row(token)) {
            *o = (e as f64 * scale) as f32;
        }
    }

    /// The norm at `site` in the int profile, dequantized: `q_j * T`.
    pub fn norm(&mut self, site: NormSite, x: &[f32], out: &mut [f32]) {
        let l = |l: usize| &self.int.layers[l];
        let norm: &IntNorm = match site {
            NormSite::Attn(i) => &l(i).attn_norm,
            NormSite::AttnSub(i) => &l(i).attn_sub_norm,
            NormSite::Ffn(i) => &l(i).ffn_norm,
            NormSite::FfnSub(i) => &l(i).ffn_sub_norm,
            NormSite::Final => &self.int.final_norm,
        };
        // 24 fraction bits in an i64: any |x| below 2^39
        let frac = 24;
        self.v.clear();
        self.v.extend(x.iter().map(|&xi| (xi as f64 * 2f64.powi(frac)).round() as i64));
        self.q.resize(x.len(), 0);
        let t = fixed_value(ops::norm_quantize(&self.v, frac, norm, self.int.rounding, &mut self.q, &mut self.scratch));
        for (o, &q) in out.iter_mut().zip(&self.q) {
            *o = (q as f64 * t) as f32;
        }
    }

    /// RoPE of q and k (Q20 both ways) at position `p`.
    pub fn rope(&self, p: usize, q: &mut [f32], k: &mut [f32]) {
        let hs = self.int.config.head_size();
        let half = hs / 2;
        let mut sat = 0;
        for vec in [q, k] {
            for head in vec.chunks_mut(hs) {
                for i in 0..half {
                    let (a, b) = match self.int.config.rope_style {
                        crate::config::RopeStyle::Interleaved => (2 * i, 2 * i + 1),
                        crate::config::RopeStyle::NeoX => (i, i + half),
                    };
                    let (ra, rb) = self.int.rope.rotate(p, i, to_fixed(head[a], ACT_FRAC), to_fixed(head[b], ACT_FRAC), &mut sat);
                    head[a] = from_fixed(ra, ACT_FRAC);
                    head[b] = from_fixed(rb, ACT_FRAC);
                }
            }
        }
    }

    /// One vector of the KV cache through its int codes and back.
    pub fn kv(&mut self, x: &mut [f32]) {
        let hs = self.int.config.head_size();
        for head in x.chunks_mut(hs) {
            self.through_codes(head, self.int.kv_bits.qmax());
        }
    }

    /// `x` (Q20) quantized absmax to `[-qmax, qmax]` as the int profile does, and back.
    fn through_codes(&mut self, x: &mut [f32], qmax: i64) {
        self.v.clear();
        self.v.extend(x.iter().map(|&h| to_fixed(h, ACT_FRAC)));
        self.q.resize(x.len(), 0);
        let m = ops::quantize_absmax(&self.v, qmax, self.int.rounding, &mut self.q) as f64;
        for (h, &c) in x.iter_mut().zip(&self.q) {
            *h = (c as f64 * m / qmax as f64 * 2f64.powi(-ACT_FRAC)) as f32;
        }
    }

    /// Attention weights of one head: the scores (already divided by sqrt(hs)) in the log2
    /// domain at Q16, the integer softmax, back to f32 probabilities. The query is int8 too.
    pub fn softmax(&self, scores: &mut [f32]) {
        let z: Vec<i64> = scores.iter().map(|&s| to_fixed((s as f64 * std::f64::consts::LOG2_E) as f32, SCORE_FRAC)).collect();
        let mut p = vec![0u64; z.len()];
        ops::softmax(&self.int.exp2, &z, &mut p);
        for (s, &pi) in scores.iter_mut().zip(&p) {
            *s = from_fixed(pi as i64, ops::PROB_FRAC);
        }
    }

    /// The int8 query of one head (the int profile quantizes q per head before the scores).
    pub fn query(&mut self, q: &mut [f32]) {
        self.through_codes(q, 127);
    }

    pub fn activation(&self, g: f32) -> f32 {
        let gi = to_fixed(g, ACT_FRAC);
        let a = match self.int.config.ffn {
            crate::config::Ffn::SwiGlu => ops::silu(&self.int.sigmoid, gi),
            crate::config::Ffn::Relu2 => ops::relu2(gi, &mut 0),
        };
        from_fixed(a, ACT_FRAC)
    }

    pub fn residual(&self, x: &mut [f32]) {
        for xi in x {
            *xi = from_fixed(to_fixed(*xi, self.int.residual_frac), self.int.residual_frac);
        }
    }

    /// The int8 head against the int8-quantized final vector `xf` (already normed), logits f32.
    pub fn head(&mut self, xf: &[f32], logits: &mut [f32]) {
        // absmax int8 of the normed vector, as the final norm's quantizer does
        let frac = 24;
        self.v.clear();
        self.v.extend(xf.iter().map(|&x| (x as f64 * 2f64.powi(frac)).round() as i64));
        self.q.resize(xf.len(), 0);
        let m = ops::quantize_absmax(&self.v, 127, self.int.rounding, &mut self.q) as f64 / 127.0 * 2f64.powi(-frac);
        let cls = self.int.classifier();
        for (r, l) in logits.iter_mut().enumerate() {
            let dot: i64 = cls.row(r).iter().zip(&self.q).map(|(&a, &b)| a as i64 * b as i64).sum();
            *l = (dot as f64 * m * fixed_value(cls.scale[r])) as f32;
        }
    }
}
