//! Load-time conversion of a float model into the integer profile (the only place where the
//! profile touches floats), and the host-side dequantization of logits.

use super::ops::{self, Fixed, IntNorm, RopeTable, Table257};
use super::{Int8Table, IntLayer, IntModel, IntTransformer, KvBits};
use crate::backend::SoftwareBackend;
use crate::config::{ActQuant, LinearKind, Rounding};
use crate::error::{GoldenError, Result};
use crate::model::{Model, Norm};

/// Residual fraction bits of the calibration run (range +-2^19), and the headroom kept above
/// the largest residual it sees (4 bits: 16x).
const CALIBRATION_FRAC: i32 = 12;
const RESIDUAL_HEADROOM_BITS: i32 = 4;
/// Tokens of the calibration run: BOS and the model's own greedy continuation.
const CALIBRATION_TOKENS: usize = 8;

/// A positive finite `x` as a [`Fixed`] (0 for 0).
pub fn fixed(x: f64) -> Fixed {
    assert!(x.is_finite() && x >= 0.0, "fixed-point constant {x} must be finite and not negative");
    if x == 0.0 {
        return Fixed::ZERO;
    }
    let e = x.log2().floor() as i32 - 30;
    let m = (x * 2f64.powi(-e)).round();
    // the log2 floor can be off by one at powers of two: from_u64 renormalizes
    Fixed::from_u64(m as u64, e)
}

/// The value of a [`Fixed`], for the host side (tests, the per-op hooks).
pub fn fixed_value(f: Fixed) -> f64 {
    f.mant as f64 * 2f64.powi(f.exp)
}

fn int8_table(rows: usize, cols: usize, data: &[f32]) -> Int8Table {
    let mut q = vec![0i8; rows * cols];
    let mut scale = vec![Fixed::ZERO; rows];
    for r in 0..rows {
        let row = &data[r * cols..(r + 1) * cols];
        let m = row.iter().fold(0.0f64, |m, &v| m.max((v as f64).abs()));
        if m > 0.0 {
            scale[r] = fixed(m / 127.0);
            for (qi, &v) in q[r * cols..(r + 1) * cols].iter_mut().zip(row) {
                *qi = (v as f64 * 127.0 / m).round_ties_even().clamp(-127.0, 127.0) as i8;
            }
        }
    }
    Int8Table { cols, q, scale }
}

pub(super) fn int_norm(norm: &Norm, n: usize) -> IntNorm {
    let sqrt_n = (n as f64).sqrt();
    match norm {
        Norm::Identity => IntNorm::Identity,
        // x / (n rms(x)): RMSNorm with weight 1/n and no epsilon
        Norm::ParamFree => IntNorm::Rms { weight: None, k: fixed(sqrt_n / n as f64 / 127.0), n_eps: Fixed::ZERO },
        Norm::Rms { weight, eps } => {
            let n_eps = fixed(n as f64 * *eps as f64);
            let wm = weight.iter().fold(0.0f64, |m, &w| m.max((w as f64).abs()));
            if weight.iter().all(|&w| w == 1.0) || wm == 0.0 {
                let k = if wm == 0.0 { Fixed::ZERO } else { fixed(sqrt_n / 127.0) };
                return IntNorm::Rms { weight: None, k, n_eps };
            }
            // mantissas below 2^15: the largest weight lands in [2^14, 2^15)
            let e_c = 14 - wm.log2().floor() as i32;
            let c = weight.iter().map(|&w| ((w as f64) * 2f64.powi(e_c)).round().clamp(-32767.0, 32767.0) as i32).collect();
            IntNorm::Rms { weight: Some(c), k: fixed(sqrt_n * 2f64.powi(-e_c) / 127.0), n_eps }
        }
    }
}

pub(super) fn table257(f: impl Fn(f64) -> f64) -> Table257 {
    Table257((0..=256).map(|i| (f(i as f64) * 2f64.powi(ops::TABLE_FRAC)).round() as u32).collect())
}

/// `sigmoid(-8 + i/16)`, i = 0..=256, Q24.
pub fn sigmoid_table() -> Table257 {
    table257(|i| 1.0 / (1.0 + (8.0 - i / 16.0).exp()))
}

/// `2^(-i/256)`, i = 0..=256, Q24.
pub fn exp2_table() -> Table257 {
    table257(|i| 2f64.powf(-i / 256.0))
}

impl IntModel {
    /// Converts `model` (float parameters become integer tables and constants) and calibrates
    /// the residual format on the model's own greedy continuation from BOS.
    pub fn from_model(model: &Model, kv_bits: KvBits) -> Result<IntModel> {
        let c = &model.config;
        for (name, t) in [("embedding", &model.embedding[..]), ("head", model.head.as_deref().unwrap_or(&[]))] {
            if let Some(index) = t.iter().position(|v| !v.is_finite()) {
                return Err(GoldenError::NonFinite { tensor: name.into(), index });
            }
        }
        let rounding = match c.act_quant {
            ActQuant::Llama2c => Rounding::HalfAwayFromZero,
            ActQuant::Absmax { rounding } => rounding,
        };
        let hs = c.head_size();
        let half = hs / 2;
        let mut cos = Vec::with_capacity(c.seq_len * half);
        let mut sin = Vec::with_capacity(c.seq_len * half);
        for p in 0..c.seq_len {
            for i in 0..half {
                let angle = p as f64 * (c.rope_theta as f64).powf(-((2 * i) as f64) / hs as f64);
                let q30 = 2f64.powi(ops::ROPE_FRAC);
                cos.push((angle.cos() * q30).round() as i32);
                sin.push((angle.sin() * q30).round() as i32);
            }
        }
        let layers = model
            .layers
            .iter()
            .map(|l| IntLayer {
                w: LinearKind::ALL.map(|k| l.linear(k).clone()),
                w_scale: LinearKind::ALL.map(|k| fixed(l.linear(k).scale as f64)),
                attn_norm: int_norm(&l.attn_norm, c.dim),
                attn_sub_norm: int_norm(&l.attn_sub_norm, c.dim),
                ffn_norm: int_norm(&l.ffn_norm, c.dim),
                ffn_sub_norm: int_norm(&l.ffn_sub_norm, c.hidden_dim),
            })
            .collect();
        let qkv = kv_bits.qmax() as f64;
        let mut m = IntModel {
            config: c.clone(),
            kv_bits,
            residual_frac: CALIBRATION_FRAC,
            rounding,
            embedding: int8_table(c.vocab_size, c.dim, &model.embedding),
            head: model.head.as_ref().map(|h| int8_table(c.vocab_size, c.dim, h)),
            layers,
            final_norm: int_norm(&model.final_norm, c.dim),
            rope: RopeTable { half, cos, sin },
            sigmoid: sigmoid_table(),
            exp2: exp2_table(),
            score_k: fixed(std::f64::consts::LOG2_E / (127.0 * qkv * (hs as f64).sqrt()) * 2f64.powi(ops::SCORE_FRAC - 2 * ops::ACT_FRAC)),
            av_k: fixed(1.0 / qkv * 2f64.powi(-ops::PROB_FRAC)),
        };
        m.residual_frac = m.calibrate_residual()?;
        Ok(m)
    }

    /// Runs BOS and the greedy continuation at [`CALIBRATION_FRAC`] and picks the most fraction
    /// bits that keep [`RESIDUAL_HEADROOM_BITS`] of headroom above the largest residual seen.
    fn calibrate_residual(&self) -> Result<i32> {
        let mut t = IntTransformer::new(self);
        let mut token = crate::tokenizer::BOS;
        for pos in 0..CALIBRATION_TOKENS.min(self.config.seq_len) {
            token = ops::argmax(t.forward(&mut SoftwareBackend, &[token], pos)?) as u32;
        }
        let bits = ops::bit_len(t.stats.max_residual) as i32;
        Ok((CALIBRATION_FRAC + 31 - RESIDUAL_HEADROOM_BITS - bits).clamp(8, 28))
    }
}

pub fn dequantize_logits(logits: &[i32], out: &mut Vec<f32>) {
    let unit = 2f32.powi(-ops::LOGIT_FRAC);
    out.clear();
    out.extend(logits.iter().map(|&l| l as f32 * unit));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_of_f64_is_within_2_pow_minus_30() {
        for x in [1.0, 0.5, 3.0, 1e-9, 12345.678, 1.0 / 127.0, 2f64.powi(-40)] {
            let f = fixed(x);
            let back = fixed_value(f);
            assert!((back / x - 1.0).abs() < 2f64.powi(-30), "{x} -> {f:?}");
            assert!(f.mant >= 1 << 30 && f.mant < 1 << 31);
        }
    }

    #[test]
    fn int8_table_rows_hit_127_and_keep_zero_rows() {
        let t = int8_table(2, 3, &[0.5, -1.0, 0.25, 0.0, 0.0, 0.0]);
        assert_eq!(t.row(0), &[64, -127, 32]);
        assert_eq!(t.row(1), &[0, 0, 0]);
        assert!(t.scale[1].is_zero());
    }
}
