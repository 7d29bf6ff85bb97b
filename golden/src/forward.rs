//! The forward pass, with a KV cache. One function serves decode (one token) and prefill
//! (several tokens at once: every BitLinear then gets one int8 vector per token, which is what
//! lets hardware reuse each weight tile). Both give the same numbers to the bit, because every
//! token's arithmetic is the same sequence of f32 operations either way.

use rayon::prelude::*;

use crate::backend::{group_outputs, BitLinearBackend, MatmulSite};
use crate::config::{ActQuant, Ffn, LinearKind, RopeStyle};
use crate::error::{GoldenError, Result};
use crate::int::mixed::{Hooks, IntOp, NormSite};
use crate::model::{Model, Norm};
use crate::quant::{dequantize, quantize};
use crate::ternary::TernaryMatrix;

/// A model plus the state of one sequence: its KV cache.
pub struct Transformer<'m> {
    pub model: &'m Model,
    /// `[layer][position][kv_dim]`, grown as positions are run (a header's seq_len is only
    /// an upper bound, never allocated up front)
    key_cache: Vec<Vec<f32>>,
    value_cache: Vec<Vec<f32>>,
    logits: Vec<f32>,
    /// One op of the int profile swapped in (`tern eval --per-op`); `None`: pure float.
    hooks: Option<Hooks<'m>>,
}

impl<'m> Transformer<'m> {
    pub fn new(model: &'m Model) -> Self {
        let c = &model.config;
        let layers = vec![Vec::new(); c.n_layers];
        Transformer { model, key_cache: layers.clone(), value_cache: layers, logits: vec![0.0; c.vocab_size], hooks: None }
    }

    /// The float pass with one op of the int profile (from `int`, converted from `model`).
    pub fn with_int_op(model: &'m Model, hooks: Hooks<'m>) -> Self {
        Transformer { hooks: Some(hooks), ..Transformer::new(model) }
    }

    /// Runs `tokens` at positions `pos .. pos + tokens.len()` and returns the logits of the
    /// last one. Earlier positions must have been run already (they are in the KV cache).
    pub fn forward(&mut self, backend: &mut dyn BitLinearBackend, tokens: &[u32], pos: usize) -> Result<&[f32]> {
        let model = self.model;
        let c = &model.config;
        let (dim, hidden, kv_dim, hs) = (c.dim, c.hidden_dim, c.kv_dim(), c.head_size());
        let kv_mul = c.n_heads / c.n_kv_heads;
        let t = tokens.len();
        if t == 0 || pos + t > c.seq_len {
            return Err(GoldenError::ContextFull { pos: pos + t.max(1) - 1, seq_len: c.seq_len });
        }

        // the token embeddings, one row a token
        let mut x = vec![0.0f32; t * dim];
        for (i, &tok) in tokens.iter().enumerate() {
            if tok as usize >= c.vocab_size {
                return Err(GoldenError::BadToken { token: tok, vocab: c.vocab_size });
            }
            let row = tok as usize * dim;
            x[i * dim..(i + 1) * dim].copy_from_slice(&model.embedding[row..row + dim]);
            if let Some(h) = Hooks::when(&mut self.hooks, IntOp::Embedding) {
                h.embedding(tok as usize, &mut x[i * dim..(i + 1) * dim]);
            }
        }

        let mut xb = vec![0.0f32; t * dim];
        let mut xb2 = vec![0.0f32; t * dim];
        let mut q = vec![0.0f32; t * dim];
        let mut k = vec![0.0f32; t * kv_dim];
        let mut v = vec![0.0f32; t * kv_dim];
        let mut hb = vec![0.0f32; t * hidden];
        let mut hb2 = vec![0.0f32; t * hidden];
        let mut att = vec![0.0f32; c.seq_len];
        let mut bl = BitLinear { backend, mode: c.act_quant, q: Vec::new(), acc: Vec::new() };

        for (l, layer) in model.layers.iter().enumerate() {
            let site = |kind| MatmulSite { layer: l, kind, pos };

            // attention: q, k, v of the normed input
            norm_rows(&layer.attn_norm, &x, &mut xb, dim, &mut self.hooks, NormSite::Attn(l));
            let kinds = [LinearKind::Q, LinearKind::K, LinearKind::V];
            bl.run_group(kinds.map(site), [&layer.wq, &layer.wk, &layer.wv], &xb, [&mut q, &mut k, &mut v])?;

            // rotate q and k by position, then write k and v into the cache
            let (key_cache, value_cache) = (&mut self.key_cache[l], &mut self.value_cache[l]);
            if key_cache.len() < (pos + t) * kv_dim {
                key_cache.resize((pos + t) * kv_dim, 0.0);
                value_cache.resize((pos + t) * kv_dim, 0.0);
            }
            for i in 0..t {
                let p = pos + i;
                let (qi, ki) = (&mut q[i * dim..(i + 1) * dim], &mut k[i * kv_dim..(i + 1) * kv_dim]);
                match Hooks::when(&mut self.hooks, IntOp::Rope) {
                    Some(h) => h.rope(p, qi, ki),
                    None => rope(c.rope_style, c.rope_theta, hs, p, qi, ki),
                }
                if let Some(h) = Hooks::when(&mut self.hooks, IntOp::KvCache) {
                    h.kv(ki);
                    h.kv(&mut v[i * kv_dim..(i + 1) * kv_dim]);
                }
                let ki = &k[i * kv_dim..(i + 1) * kv_dim];
                key_cache[p * kv_dim..(p + 1) * kv_dim].copy_from_slice(ki);
                value_cache[p * kv_dim..(p + 1) * kv_dim].copy_from_slice(&v[i * kv_dim..(i + 1) * kv_dim]);
            }

            // each head of each token attends over positions 0..=p
            for i in 0..t {
                let p = pos + i;
                for h in 0..c.n_heads {
                    let qh = &mut q[i * dim + h * hs..i * dim + (h + 1) * hs];
                    let mut hook = Hooks::when(&mut self.hooks, IntOp::Softmax);
                    if let Some(hk) = hook.as_deref_mut() {
                        hk.query(qh);
                    }
                    let kv_off = (h / kv_mul) * hs;
                    for (tp, a) in att[..=p].iter_mut().enumerate() {
                        let kt = &key_cache[tp * kv_dim + kv_off..][..hs];
                        let mut score = 0.0f32;
                        for j in 0..hs {
                            score += qh[j] * kt[j];
                        }
                        *a = score / (hs as f32).sqrt();
                    }
                    match hook {
                        Some(hk) => hk.softmax(&mut att[..=p]),
                        None => softmax(&mut att[..=p]),
                    }
                    let out = &mut xb[i * dim + h * hs..i * dim + (h + 1) * hs];
                    out.fill(0.0);
                    for (tp, &a) in att[..=p].iter().enumerate() {
                        let vt = &value_cache[tp * kv_dim + kv_off..][..hs];
                        for j in 0..hs {
                            out[j] += a * vt[j];
                        }
                    }
                }
            }

            // output projection and residual
            norm_rows(&layer.attn_sub_norm, &xb, &mut xb2, dim, &mut self.hooks, NormSite::AttnSub(l));
            bl.run(site(LinearKind::O), &layer.wo, &xb2, &mut xb)?;
            for (xi, &d) in x.iter_mut().zip(&xb) {
                *xi += d;
            }
            if let Some(h) = Hooks::when(&mut self.hooks, IntOp::Residual) {
                h.residual(&mut x);
            }

            // feed-forward: down(act(gate(x)) * up(x)) and residual
            norm_rows(&layer.ffn_norm, &x, &mut xb, dim, &mut self.hooks, NormSite::Ffn(l));
            let kinds = [LinearKind::Gate, LinearKind::Up];
            bl.run_group(kinds.map(site), [&layer.w1, &layer.w3], &xb, [&mut hb, &mut hb2])?;
            let hook = Hooks::when(&mut self.hooks, IntOp::Activation);
            for (g, &u) in hb.iter_mut().zip(&hb2) {
                let mut val = *g;
                match (&hook, c.ffn) {
                    (Some(hk), _) => val = hk.activation(val),
                    (None, Ffn::SwiGlu) => val *= 1.0f32 / (1.0f32 + (-val).exp()),
                    (None, Ffn::Relu2) => {
                        let r = val.max(0.0);
                        val = r * r;
                    }
                }
                *g = val * u;
            }
            norm_rows(&layer.ffn_sub_norm, &hb, &mut hb2, hidden, &mut self.hooks, NormSite::FfnSub(l));
            bl.run(site(LinearKind::Down), &layer.w2, &hb2, &mut xb)?;
            for (xi, &d) in x.iter_mut().zip(&xb) {
                *xi += d;
            }
            if let Some(h) = Hooks::when(&mut self.hooks, IntOp::Residual) {
                h.residual(&mut x);
            }
        }

        // final norm of the last token and the classifier
        let last = &x[(t - 1) * dim..];
        let mut xf = vec![0.0f32; dim];
        norm_rows(&model.final_norm, last, &mut xf, dim, &mut self.hooks, NormSite::Final);
        if let Some(h) = Hooks::when(&mut self.hooks, IntOp::Head) {
            h.head(&xf, &mut self.logits);
            return Ok(&self.logits);
        }
        let cls = model.classifier();
        self.logits.par_chunks_mut(256).enumerate().for_each(|(chunk, out)| {
            for (i, o) in out.iter_mut().enumerate() {
                let row = &cls[(chunk * 256 + i) * dim..][..dim];
                let mut val = 0.0f32;
                for j in 0..dim {
                    val += row[j] * xf[j];
                }
                *o = val;
            }
        });
        Ok(&self.logits)
    }
}

/// Quantize, ask the backend for exact accumulators, dequantize: one BitLinear, every token.
struct BitLinear<'b> {
    backend: &'b mut dyn BitLinearBackend,
    mode: ActQuant,
    q: Vec<i8>,
    acc: Vec<i32>,
}

impl BitLinear<'_> {
    fn run(&mut self, site: MatmulSite, w: &TernaryMatrix, input: &[f32], out: &mut [f32]) -> Result<()> {
        self.run_group([site], [w], input, [out])
    }

    /// BitLinears of one input (q, k, v; gate, up): the activations are quantized once (each
    /// would quantize them identically) and the backend gets them as one job.
    fn run_group<const G: usize>(&mut self, sites: [MatmulSite; G], ws: [&TernaryMatrix; G], input: &[f32], outs: [&mut [f32]; G]) -> Result<()> {
        let k = ws[0].cols();
        let t = input.len() / k;
        self.q.resize(t * k, 0);
        let mut scales = Vec::with_capacity(t);
        for (xi, qi) in input.chunks(k).zip(self.q.chunks_mut(k)) {
            scales.push(quantize(xi, qi, self.mode));
        }
        let mut accs = group_outputs(&mut self.acc, ws.iter().map(|w| w.rows()), t);
        self.backend.matmul_group(&sites, &ws, &self.q, &mut accs).map_err(GoldenError::Backend)?;
        for ((acc, w), out) in accs.iter().zip(&ws).zip(outs) {
            for ((a, y), &s) in acc.chunks(w.rows()).zip(out.chunks_mut(w.rows())).zip(&scales) {
                dequantize(a, s, w.scale, self.mode, y);
            }
        }
        Ok(())
    }
}

/// Applies `norm` to each row; with the `Norm` int op swapped in, the int profile's norm at
/// `site`.
fn norm_rows(norm: &Norm, x: &[f32], out: &mut [f32], len: usize, hooks: &mut Option<Hooks>, site: NormSite) {
    for (xi, oi) in x.chunks(len).zip(out.chunks_mut(len)) {
        match Hooks::when(hooks, IntOp::Norm) {
            Some(h) => h.norm(site, xi, oi),
            None => norm.apply(xi, oi),
        }
    }
}

/// Rotates `q` (all heads) and `k` (all kv heads) by position `p`.
fn rope(style: RopeStyle, theta: f32, hs: usize, p: usize, q: &mut [f32], k: &mut [f32]) {
    match style {
        RopeStyle::Interleaved => {
            // llama2.c: pairs (i, i+1) over the whole vector; the frequency depends on i % head_size
            for i in (0..q.len()).step_by(2) {
                let head_dim = i % hs;
                let freq = 1.0f32 / theta.powf(head_dim as f32 / hs as f32);
                let val = p as f32 * freq;
                let (fcr, fci) = (val.cos(), val.sin());
                let rotate = |vec: &mut [f32]| {
                    let (v0, v1) = (vec[i], vec[i + 1]);
                    vec[i] = v0 * fcr - v1 * fci;
                    vec[i + 1] = v0 * fci + v1 * fcr;
                };
                rotate(q);
                if i < k.len() {
                    rotate(k);
                }
            }
        }
        RopeStyle::NeoX => {
            // rotate_half: pairs (j, j + hs/2) inside each head
            let half = hs / 2;
            for j in 0..half {
                let inv_freq = 1.0f32 / theta.powf((2 * j) as f32 / hs as f32);
                let angle = p as f32 * inv_freq;
                let (cos, sin) = (angle.cos(), angle.sin());
                for vec in [&mut *q, &mut *k] {
                    for head in vec.chunks_mut(hs) {
                        let (a, b) = (head[j], head[j + half]);
                        head[j] = a * cos - b * sin;
                        head[j + half] = b * cos + a * sin;
                    }
                }
            }
        }
    }
}

pub fn softmax(x: &mut [f32]) {
    let max = x.iter().fold(x[0], |m, &v| if v > m { v } else { m });
    let mut sum = 0.0f32;
    for v in x.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in x.iter_mut() {
        *v /= sum;
    }
}
