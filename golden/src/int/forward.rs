//! The integer forward pass with its int8 (or int4) KV cache: the float pass of
//! `crate::forward` op for op, each op replaced by its integer form from [`super::ops`].
#![deny(clippy::float_arithmetic)]

use rayon::prelude::*;

use super::ops::{self, norm_quantize, Fixed, IntNorm, NormScratch, ACT_FRAC, HIDDEN_FRAC, LOGIT_FRAC};
use super::{IntModel, IntStats};
use crate::backend::{group_outputs, BitLinearBackend, MatmulSite};
use crate::config::{Ffn, LinearKind, Rounding, RopeStyle};
use crate::error::{GoldenError, Result};
use crate::ternary::TernaryMatrix;

/// An integer model plus the state of one sequence: its quantized KV cache.
pub struct IntTransformer<'m> {
    pub model: &'m IntModel,
    /// `[layer][position * kv_dim]` codes, and `[layer][position * n_kv_heads]` absmaxes (Q20)
    k_cache: Vec<Vec<i8>>,
    k_scale: Vec<Vec<u64>>,
    v_cache: Vec<Vec<i8>>,
    v_scale: Vec<Vec<u64>>,
    logits: Vec<i32>,
    pub stats: IntStats,
}

impl<'m> IntTransformer<'m> {
    pub fn new(model: &'m IntModel) -> Self {
        let layers = vec![Vec::new(); model.config.n_layers];
        IntTransformer {
            model,
            k_cache: layers.clone(),
            v_cache: layers,
            k_scale: vec![Vec::new(); model.config.n_layers],
            v_scale: vec![Vec::new(); model.config.n_layers],
            logits: vec![0; model.config.vocab_size],
            stats: IntStats::default(),
        }
    }

    /// Runs `tokens` at positions `pos .. pos + tokens.len()` and returns the i32 logits (Q16)
    /// of the last one. Earlier positions must have been run already.
    pub fn forward(&mut self, backend: &mut dyn BitLinearBackend, tokens: &[u32], pos: usize) -> Result<&[i32]> {
        let m = self.model;
        let c = &m.config;
        let (dim, hidden, kv_dim, hs) = (c.dim, c.hidden_dim, c.kv_dim(), c.head_size());
        let (n_kv, kv_mul) = (c.n_kv_heads, c.n_heads / c.n_kv_heads);
        let rf = m.residual_frac;
        let t = tokens.len();
        if t == 0 || pos + t > c.seq_len {
            return Err(GoldenError::ContextFull { pos: pos + t.max(1) - 1, seq_len: c.seq_len });
        }
        let stats = &mut self.stats;

        // the token embeddings: int8 rows times their scale, into the residual format
        let mut x = vec![0i64; t * dim];
        for (i, &tok) in tokens.iter().enumerate() {
            if tok as usize >= c.vocab_size {
                return Err(GoldenError::BadToken { token: tok, vocab: c.vocab_size });
            }
            let scale = m.embedding.scale[tok as usize];
            for (xj, &e) in x[i * dim..(i + 1) * dim].iter_mut().zip(m.embedding.row(tok as usize)) {
                *xj = ops::sat32(scale.apply(e as i64, rf), &mut stats.residual_saturations);
            }
        }
        track_max(&x, stats);

        let mut q = vec![0i64; t * dim];
        let mut k = vec![0i64; t * kv_dim];
        let mut v = vec![0i64; t * kv_dim];
        let mut att_out = vec![0i64; t * dim];
        let mut delta = vec![0i64; t * dim];
        let mut g = vec![0i64; t * hidden];
        let mut u = vec![0i64; t * hidden];
        let mut h = vec![0i64; t * hidden];
        let attn = ops::Attention { exp2: &m.exp2, score_k: m.score_k, av_k: m.av_k, rounding: m.rounding };
        let mut scratch = ops::AttentionScratch::default();
        let mut bl = IntBitLinear { backend, rounding: m.rounding, q: Vec::new(), acc: Vec::new(), scales: Vec::new(), scratch: NormScratch::default() };

        for (l, layer) in m.layers.iter().enumerate() {
            let site = |kind| MatmulSite { layer: l, kind, pos };
            let lin = |kind| layer.linear(kind);

            // attention: q, k, v of the normed input (Q20)
            let [wq, wk, wv] = [LinearKind::Q, LinearKind::K, LinearKind::V].map(lin);
            let sites = [LinearKind::Q, LinearKind::K, LinearKind::V].map(site);
            bl.run_group(sites, [wq, wk, wv], &layer.attn_norm, &x, rf, [&mut q, &mut k, &mut v], ACT_FRAC, stats)?;

            // rotate q and k by position, then quantize k and v into the cache, one scale per KV head
            let (kc, ks, vc, vs) = (&mut self.k_cache[l], &mut self.k_scale[l], &mut self.v_cache[l], &mut self.v_scale[l]);
            kc.resize((pos + t) * kv_dim, 0);
            vc.resize((pos + t) * kv_dim, 0);
            ks.resize((pos + t) * n_kv, 0);
            vs.resize((pos + t) * n_kv, 0);
            let qkv = m.kv_bits.qmax();
            for i in 0..t {
                let pi = pos + i;
                rope(m, pi, &mut q[i * dim..(i + 1) * dim], &mut k[i * kv_dim..(i + 1) * kv_dim], &mut stats.activation_saturations);
                for kh in 0..n_kv {
                    let src = i * kv_dim + kh * hs..i * kv_dim + (kh + 1) * hs;
                    let dst = pi * kv_dim + kh * hs..pi * kv_dim + (kh + 1) * hs;
                    ks[pi * n_kv + kh] = ops::quantize_absmax(&k[src.clone()], qkv, m.rounding, &mut kc[dst.clone()]);
                    vs[pi * n_kv + kh] = ops::quantize_absmax(&v[src], qkv, m.rounding, &mut vc[dst]);
                }
            }

            // each head of each token attends over positions 0..=p
            for i in 0..t {
                let pi = pos + i;
                for head in 0..c.n_heads {
                    let kh = head / kv_mul;
                    let keys = ops::KvHead { codes: kc, scales: ks, kv_dim, n_kv, head: kh };
                    let values = ops::KvHead { codes: vc, scales: vs, kv_dim, n_kv, head: kh };
                    let qh = &q[i * dim + head * hs..i * dim + (head + 1) * hs];
                    let out = &mut att_out[i * dim + head * hs..][..hs];
                    ops::attend_head(&attn, qh, &keys, &values, pi + 1, out, &mut scratch, &mut stats.activation_saturations);
                }
            }

            // output projection and residual
            let (wo, so) = lin(LinearKind::O);
            bl.run_group([site(LinearKind::O)], [(wo, so)], &layer.attn_sub_norm, &att_out, ACT_FRAC, [&mut delta], rf, stats)?;
            add_residual(&mut x, &delta, stats);

            // feed-forward: down(act(gate) * up) and residual; h = act * up is Q40
            let sites = [LinearKind::Gate, LinearKind::Up].map(site);
            let ws = [LinearKind::Gate, LinearKind::Up].map(lin);
            bl.run_group(sites, ws, &layer.ffn_norm, &x, rf, [&mut g, &mut u], ACT_FRAC, stats)?;
            for ((hj, &gj), &uj) in h.iter_mut().zip(&g).zip(&u) {
                let a = match c.ffn {
                    Ffn::SwiGlu => ops::silu(&m.sigmoid, gj),
                    Ffn::Relu2 => ops::relu2(gj, &mut stats.activation_saturations),
                };
                *hj = a * uj;
            }
            let (w2, s2) = lin(LinearKind::Down);
            bl.run_group([site(LinearKind::Down)], [(w2, s2)], &layer.ffn_sub_norm, &h, HIDDEN_FRAC, [&mut delta], rf, stats)?;
            add_residual(&mut x, &delta, stats);
        }

        // final norm of the last token, quantized to int8, against the int8 head table
        let mut xq = vec![0i8; dim];
        let tok_scale = norm_quantize(&x[(t - 1) * dim..], rf, &m.final_norm, m.rounding, &mut xq, &mut NormScratch::default());
        let cls = m.classifier();
        let sat: u64 = self
            .logits
            .par_chunks_mut(256)
            .enumerate()
            .map(|(chunk, out)| {
                let mut sat = 0;
                for (i, o) in out.iter_mut().enumerate() {
                    let r = chunk * 256 + i;
                    let dot: i64 = cls.row(r).iter().zip(&xq).map(|(&a, &b)| a as i64 * b as i64).sum();
                    *o = ops::sat32(tok_scale.times(cls.scale[r]).apply(dot, LOGIT_FRAC), &mut sat) as i32;
                }
                sat
            })
            .sum();
        self.stats.logit_saturations += sat;
        Ok(&self.logits)
    }
}

fn track_max(x: &[i64], stats: &mut IntStats) {
    let mx = x.iter().map(|v| v.unsigned_abs()).max().unwrap_or(0);
    stats.max_residual = stats.max_residual.max(mx);
}

fn add_residual(x: &mut [i64], delta: &[i64], stats: &mut IntStats) {
    for (xi, &d) in x.iter_mut().zip(delta) {
        *xi = ops::sat32((*xi + d) as i128, &mut stats.residual_saturations);
    }
    track_max(x, stats);
}

/// Rotates `q` (all heads) and `k` (all KV heads) of position `p` with the table.
fn rope(m: &IntModel, p: usize, q: &mut [i64], k: &mut [i64], sat: &mut u64) {
    let hs = m.config.head_size();
    let half = hs / 2;
    let rotate = |vec: &mut [i64], a: usize, b: usize, i: usize, sat: &mut u64| {
        let (ra, rb) = m.rope.rotate(p, i, vec[a], vec[b], sat);
        vec[a] = ra;
        vec[b] = rb;
    };
    for vec in [q, k] {
        for head in 0..vec.len() / hs {
            let v = &mut vec[head * hs..(head + 1) * hs];
            for i in 0..half {
                match m.config.rope_style {
                    // llama2.c: pairs (2i, 2i+1), frequency index i
                    RopeStyle::Interleaved => rotate(v, 2 * i, 2 * i + 1, i, sat),
                    // rotate_half: pairs (i, i + hs/2)
                    RopeStyle::NeoX => rotate(v, i, i + half, i, sat),
                }
            }
        }
    }
}

/// Norm and quantize per token, ask the backend for exact accumulators, dequantize with the
/// token scale times each matrix's weight scale.
struct IntBitLinear<'b> {
    backend: &'b mut dyn BitLinearBackend,
    rounding: Rounding,
    q: Vec<i8>,
    acc: Vec<i32>,
    scales: Vec<Fixed>,
    scratch: NormScratch,
}

impl IntBitLinear<'_> {
    #[allow(clippy::too_many_arguments)] // one BitLinear group: its sites, matrices, norm, input and outputs
    fn run_group<const G: usize>(
        &mut self,
        sites: [MatmulSite; G],
        ws: [(&TernaryMatrix, Fixed); G],
        norm: &IntNorm,
        input: &[i64],
        in_frac: i32,
        outs: [&mut [i64]; G],
        out_frac: i32,
        stats: &mut IntStats,
    ) -> Result<()> {
        let k = ws[0].0.cols();
        let t = input.len() / k;
        self.q.resize(t * k, 0);
        self.scales.clear();
        for (xi, qi) in input.chunks(k).zip(self.q.chunks_mut(k)) {
            self.scales.push(norm_quantize(xi, in_frac, norm, self.rounding, qi, &mut self.scratch));
        }
        let mut accs = group_outputs(&mut self.acc, ws.iter().map(|(w, _)| w.rows()), t);
        let mats = ws.map(|(w, _)| w);
        self.backend.matmul_group(&sites, &mats, &self.q, &mut accs).map_err(GoldenError::Backend)?;
        for ((acc, (w, ws)), out) in accs.iter().zip(&ws).zip(outs) {
            for ((a, y), &ts) in acc.chunks(w.rows()).zip(out.chunks_mut(w.rows())).zip(&self.scales) {
                ops::dequantize(a, ts.times(*ws), out_frac, y, &mut stats.activation_saturations);
            }
        }
        Ok(())
    }
}
