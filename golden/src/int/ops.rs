//! The integer ops of the `int` numerics profile, one function each, with the widths the
//! hardware needs. The formulas, rounding and error bounds are in `docs/numerics.md`; the
//! tests below assert each bound. No float arithmetic runs here.
#![deny(clippy::float_arithmetic)]

use crate::config::Rounding;

/// Fraction bits of the activation format A (q, k, v, gate, up, attention output): i32 Q20.
pub const ACT_FRAC: i32 = 20;
/// Fraction bits of the FFN hidden value h = act(gate) * up: the exact product of two A values, Q40.
pub const HIDDEN_FRAC: i32 = 2 * ACT_FRAC;
/// Fraction bits of the logits: i32 Q16.
pub const LOGIT_FRAC: i32 = 16;
/// Fraction bits of the log2-domain attention scores z: i32 Q16.
pub const SCORE_FRAC: i32 = 16;
/// Fraction bits of the softmax probabilities: Q16 (17 bits unsigned, 1.0 = 65536).
pub const PROB_FRAC: i32 = 16;
/// Fraction bits of the RoPE table entries: i32 Q30.
pub const ROPE_FRAC: i32 = 30;
/// Fraction bits of the sigmoid and exp2 table entries: u32 Q24.
pub const TABLE_FRAC: i32 = 24;
/// Mantissa bits kept of a vector before its sum of squares and its int8 quantization.
pub const NORM_MANT_BITS: u32 = 20;
/// The sigmoid table spans [-8, 8) in 256 steps of 1/16 (257 entries, the last at +8).
pub const SIGMOID_RANGE_LOG2: i32 = 3;
pub const TABLE_STEPS_LOG2: i32 = 8;

/// Largest and smallest i32, as i64 (saturation bounds of the 32-bit formats).
pub const I32_MAX: i64 = i32::MAX as i64;
pub const I32_MIN: i64 = i32::MIN as i64;

/// A positive scale `mant * 2^exp`, with `mant` in `[2^30, 2^31)` (or 0 for the zero scale):
/// every per-token and per-tensor scale of the profile. Two scales multiply as 31 x 31 bits
/// (62-bit product, renormalized with round half up); applying a scale to an integer is one
/// multiply and one rounding shift.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Fixed {
    pub mant: u32,
    pub exp: i32,
}

impl Fixed {
    pub const ZERO: Fixed = Fixed { mant: 0, exp: 0 };

    /// `v * 2^exp` normalized (rounding half up when `v` has more than 31 bits).
    pub fn from_u64(v: u64, exp: i32) -> Fixed {
        if v == 0 {
            return Fixed::ZERO;
        }
        let bits = 64 - v.leading_zeros() as i32;
        let shift = bits - 31;
        if shift > 0 {
            let m = rshift_round(v as i128, shift as u32) as u64;
            // rounding can carry into bit 31
            if m >> 31 != 0 {
                Fixed { mant: (m >> 1) as u32, exp: exp + shift + 1 }
            } else {
                Fixed { mant: m as u32, exp: exp + shift }
            }
        } else {
            Fixed { mant: (v << -shift) as u32, exp: exp + shift }
        }
    }

    pub fn is_zero(self) -> bool {
        self.mant == 0
    }

    /// `self * other`: a 31 x 31-bit product, renormalized.
    pub fn times(self, other: Fixed) -> Fixed {
        Fixed::from_u64(self.mant as u64 * other.mant as u64, self.exp + other.exp)
    }

    /// `round(v * self * 2^frac)`, half up: the product `v * mant` is exact (|v| < 2^64 gives
    /// at most 95 bits), then one rounding shift.
    pub fn apply(self, v: i64, frac: i32) -> i128 {
        let p = v as i128 * self.mant as i128;
        let s = -(self.exp + frac);
        if s > 0 {
            rshift_round(p, s as u32)
        } else if s > -64 {
            // |p| < 2^63 here for the profile's uses: a shift below 64 stays inside i128
            p << -s
        } else {
            // only reachable for absurd scales; saturate rather than wrap
            if p > 0 { i128::MAX } else if p < 0 { i128::MIN } else { 0 }
        }
    }
}

/// `round(v / 2^s)` with ties rounded up (toward +inf): add half, shift right arithmetically.
pub fn rshift_round(v: i128, s: u32) -> i128 {
    if s == 0 {
        v
    } else if s >= 127 {
        0
    } else {
        (v + (1i128 << (s - 1))) >> s
    }
}

/// `round(v / 2^s)` with the checkpoint's tie rule (the quantizers' rounding).
pub fn rshift_rule(v: i128, s: u32, rule: Rounding) -> i128 {
    if s == 0 {
        return v;
    }
    let floor = v >> s;
    let rem = v - (floor << s);
    let half = 1i128 << (s - 1);
    let up = match rule {
        // ties go away from zero: up for positive v, down (floor) for negative v
        Rounding::HalfAwayFromZero => rem > half || (rem == half && v >= 0),
        Rounding::HalfEven => rem > half || (rem == half && floor & 1 == 1),
    };
    floor + up as i128
}

/// Clamps to i32 and counts one saturation when the value did not fit.
pub fn sat32(v: i128, saturations: &mut u64) -> i64 {
    if v > I32_MAX as i128 {
        *saturations += 1;
        I32_MAX
    } else if v < I32_MIN as i128 {
        *saturations += 1;
        I32_MIN
    } else {
        v as i64
    }
}

/// Bits needed for `v` (0 for 0).
pub fn bit_len(v: u64) -> u32 {
    64 - v.leading_zeros()
}

/// `floor(sqrt(a))`, bit by bit (32 iterations of a digit recurrence).
pub fn isqrt(a: u64) -> u64 {
    let mut rem = a;
    let mut root = 0u64;
    let mut bit = 1u64 << 62;
    while bit > rem {
        bit >>= 2;
    }
    while bit != 0 {
        if rem >= root + bit {
            rem -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    root
}

/// `1 / sqrt(a)` for `a > 0` as a [`Fixed`]: shift `a` by an even amount into
/// `[2^60, 2^62)` (truncating), take the integer square root `s` (31 bits), then
/// `floor(2^61 / s)`. Relative error below 2^-29.
pub fn rsqrt(a: u128) -> Fixed {
    debug_assert!(a > 0);
    let bits = 128 - a.leading_zeros() as i32;
    let mut shift = 61 - bits;
    if shift & 1 != 0 {
        shift += 1;
    }
    let an = if shift >= 0 { a << shift } else { a >> -shift } as u64;
    let s = isqrt(an);
    Fixed::from_u64((1u64 << 61) / s, shift / 2 - 61)
}

/// Absmax quantization of `u` to `[-qmax, qmax]` with a fixed-point reciprocal:
/// `M = max |u|`, `b = bitlen(M)`, `inv = floor(qmax * 2^(b + 24) / M)` (32 bits, at least
/// 25 significant), `q = round_rule(u * inv / 2^(b + 24))`. Needs `|u| < 2^40` (a 40 x 32-bit
/// product). Returns `M` (0 when `u` is all zero, and then `q` is all zero).
pub fn quantize_absmax(u: &[i64], qmax: i64, rule: Rounding, q: &mut [i8]) -> u64 {
    debug_assert_eq!(u.len(), q.len());
    let m = u.iter().map(|v| v.unsigned_abs()).max().unwrap_or(0);
    if m == 0 {
        q.fill(0);
        return 0;
    }
    debug_assert!(m < 1 << 40);
    let s = bit_len(m) + RECIP_BITS;
    let inv = ((qmax as u128) << s) / m as u128;
    for (qi, &v) in q.iter_mut().zip(u) {
        *qi = rshift_rule(v as i128 * inv as i128, s, rule).clamp(-qmax as i128, qmax as i128) as i8;
    }
    m
}

/// Fraction bits of the quantizers' reciprocal beyond the absmax's own bits.
pub const RECIP_BITS: u32 = 24;

/// A norm as the integer profile applies it, in front of a BitLinear or the head.
#[derive(Clone, Debug, PartialEq)]
pub enum IntNorm {
    /// No norm: quantize the vector as it is.
    Identity,
    /// `y = c_j 2^-e_c * sqrt(n) * x / sqrt(sum x^2 + n eps)`: unit weights have no `c`.
    Rms {
        /// Weight mantissas (|c| < 2^15), `None` for unit weights.
        weight: Option<Vec<i32>>,
        /// `sqrt(n) * 2^-e_c / 127` times the norm's own constant (1/n for the parameter-free
        /// norm, which is RMSNorm with weight 1/n and no epsilon).
        k: Fixed,
        /// `n * eps`, or zero.
        n_eps: Fixed,
    },
}

/// The scratch of [`norm_quantize`]: one vector of mantissas.
#[derive(Default)]
pub struct NormScratch {
    u: Vec<i64>,
}

/// A norm fused with the int8 quantization of its output (what every BitLinear input and the
/// head's input go through). `v` is the input in fixed point with `frac` fraction bits.
///
/// 1. `sh = max(0, bitlen(max|v|) - 20)`, `s_j = round(v_j / 2^sh)` (20-bit mantissas);
/// 2. `a = sum s_j^2 + round(n eps 2^(2 frac - 2 sh))` (u64);
/// 3. `r = rsqrt(a)` ([`rsqrt`]);
/// 4. `u_j = s_j c_j`, `q = quantize_absmax(u, 127)`;
/// 5. returns the token scale `T = M r k`: the norm's output is `q_j * T`.
///
/// For [`IntNorm::Identity`], `u = s` and `T = M 2^(sh - frac) / 127`.
pub fn norm_quantize(v: &[i64], frac: i32, norm: &IntNorm, rule: Rounding, q: &mut [i8], scratch: &mut NormScratch) -> Fixed {
    let mx = v.iter().map(|x| x.unsigned_abs()).max().unwrap_or(0);
    if mx == 0 {
        q.fill(0);
        return Fixed::ZERO;
    }
    let sh = bit_len(mx).saturating_sub(NORM_MANT_BITS);
    let u = &mut scratch.u;
    u.clear();
    u.extend(v.iter().map(|&x| rshift_round(x as i128, sh) as i64));
    match norm {
        IntNorm::Identity => {
            let m = quantize_absmax(u, 127, rule, q);
            Fixed::from_u64(m, sh as i32 - frac).times(RECIP_127)
        }
        IntNorm::Rms { weight, k, n_eps } => {
            // 20-bit mantissas: each square below 2^40, the sum below 2^64 for n < 2^24
            let ss: u64 = u.iter().map(|&s| (s * s) as u64).sum();
            // n eps in the squares' units: up to 2^(2 frac) n eps, so u128
            let eps = n_eps.apply(1, 2 * frac - 2 * sh as i32).max(0) as u128;
            let r = rsqrt(ss as u128 + eps);
            if let Some(c) = weight {
                for (uj, &cj) in u.iter_mut().zip(c) {
                    *uj *= cj as i64;
                }
            }
            let m = quantize_absmax(u, 127, rule, q);
            Fixed::from_u64(m, 0).times(r).times(*k)
        }
    }
}

/// 1/127 as a [`Fixed`]: `round(2^37 / 127) * 2^-37`, relative error below 2^-31.
pub const RECIP_127: Fixed = Fixed { mant: ((1u64 << 38) / 127).div_ceil(2) as u32, exp: -37 };

/// Dequantizes accumulators with the token scale `d` (token scale x weight scale) into the
/// fixed-point format with `frac` fraction bits: `y_n = sat32(round(acc_n * d * 2^frac))`.
pub fn dequantize(acc: &[i32], d: Fixed, frac: i32, out: &mut [i64], saturations: &mut u64) {
    for (o, &a) in out.iter_mut().zip(acc) {
        *o = sat32(d.apply(a as i64, frac), saturations);
    }
}

/// The RoPE table: `cos` and `sin` of `p * freq_i` for every position `p < seq_len` and
/// frequency `i < head_size / 2`, i32 Q30, `[p][i]`.
#[derive(Clone, Debug, PartialEq)]
pub struct RopeTable {
    pub half: usize,
    pub cos: Vec<i32>,
    pub sin: Vec<i32>,
}

impl RopeTable {
    /// Rotates the pair `(a, b)` by the angle of position `p`, frequency `i`:
    /// `(a cos - b sin, a sin + b cos)`, each a 32 x 32-bit sum of two products, rounded to Q20.
    pub fn rotate(&self, p: usize, i: usize, a: i64, b: i64, saturations: &mut u64) -> (i64, i64) {
        let (c, s) = (self.cos[p * self.half + i] as i128, self.sin[p * self.half + i] as i128);
        let (a, b) = (a as i128, b as i128);
        let ra = rshift_round(a * c - b * s, ROPE_FRAC as u32);
        let rb = rshift_round(a * s + b * c, ROPE_FRAC as u32);
        (sat32(ra, saturations), sat32(rb, saturations))
    }
}

/// A 257-entry table over 256 equal steps, linearly interpolated (sigmoid, exp2).
#[derive(Clone, Debug, PartialEq)]
pub struct Table257(pub Vec<u32>);

impl Table257 {
    /// Interpolates at `idx + frac / 2^frac_bits` (`idx < 256`).
    pub fn lerp(&self, idx: usize, frac: i64, frac_bits: u32) -> i64 {
        let (a, b) = (self.0[idx] as i64, self.0[idx + 1] as i64);
        a + rshift_round(((b - a) * frac) as i128, frac_bits) as i64
    }
}

/// `sigmoid(x)` of a Q20 input, Q24: the table spans [-8, 8] in steps of 1/16; outside it,
/// the end entries.
pub fn sigmoid(table: &Table257, x: i64) -> i64 {
    let t = x + (8 << ACT_FRAC);
    if t <= 0 {
        return table.0[0] as i64;
    }
    if t >= 16 << ACT_FRAC {
        return table.0[256] as i64;
    }
    // 16 << 20 = 2^24 spread over 256 steps: 16 fraction bits per step
    let step_bits = (ACT_FRAC + SIGMOID_RANGE_LOG2 + 1 - TABLE_STEPS_LOG2) as u32;
    table.lerp((t >> step_bits) as usize, t & ((1 << step_bits) - 1), step_bits)
}

/// SiLU of a Q20 gate: `round(g * sigmoid(g) / 2^24)`, Q20.
pub fn silu(table: &Table257, g: i64) -> i64 {
    rshift_round(g as i128 * sigmoid(table, g) as i128, TABLE_FRAC as u32) as i64
}

/// ReLU^2 of a Q20 gate, Q20 (saturated to i32).
pub fn relu2(g: i64, saturations: &mut u64) -> i64 {
    let r = g.max(0) as i128;
    sat32(rshift_round(r * r, ACT_FRAC as u32), saturations)
}

/// `2^(-d / 2^16)` for a Q16 distance `d >= 0`, Q24: the fraction from the 257-entry table
/// of `2^(-i/256)` with 8-bit linear interpolation, then a right shift by the integer part.
pub fn exp2_neg(table: &Table257, d: i64) -> u64 {
    debug_assert!(d >= 0);
    let int = d >> SCORE_FRAC;
    if int >= 40 {
        return 0;
    }
    let frac = d & ((1 << SCORE_FRAC) - 1);
    let lo_bits = (SCORE_FRAC - TABLE_STEPS_LOG2) as u32;
    let e = table.lerp((frac >> lo_bits) as usize, frac & ((1 << lo_bits) - 1), lo_bits);
    rshift_round(e as i128, int as u32) as u64
}

/// Integer softmax over log2-domain scores `z` (Q16): `e_t = exp2_neg(max z - z_t)` (Q24),
/// `S = sum e_t` (u64), `recip = floor(2^60 / S)`, `p_t = round(e_t recip / 2^44)`, Q16.
pub fn softmax(table: &Table257, z: &[i64], p: &mut [u64]) {
    let m = z.iter().copied().max().unwrap_or(0);
    let mut sum = 0u64;
    for (pi, &zi) in p.iter_mut().zip(z) {
        *pi = exp2_neg(table, m - zi);
        sum += *pi;
    }
    // the max position contributes 2^24, so sum >= 2^24 and recip <= 2^36
    let recip = (1u64 << 60) / sum;
    for pi in p.iter_mut() {
        *pi = rshift_round(*pi as i128 * recip as i128, 44) as u64;
    }
}

/// One KV head of one layer's cache: `codes[t * kv_dim + head * hs ..][..hs]` is position
/// `t`'s vector and `scales[t * n_kv + head]` its absmax (Q20 units).
pub struct KvHead<'a> {
    pub codes: &'a [i8],
    pub scales: &'a [u64],
    pub kv_dim: usize,
    pub n_kv: usize,
    pub head: usize,
}

impl KvHead<'_> {
    fn vector(&self, t: usize, hs: usize) -> &[i8] {
        &self.codes[t * self.kv_dim + self.head * hs..][..hs]
    }

    fn scale(&self, t: usize) -> u64 {
        self.scales[t * self.n_kv + self.head]
    }
}

/// The constants of attention (from the model, at load).
pub struct Attention<'a> {
    pub exp2: &'a Table257,
    /// `log2(e) / (127 qmax_kv sqrt(hs))` in units of two Q20 absmaxes, to Q16.
    pub score_k: Fixed,
    /// `1 / (qmax_kv 2^16)`: AV sums (Q16 probabilities x Q20 absmaxes x codes) to Q20.
    pub av_k: Fixed,
    pub rounding: Rounding,
}

#[derive(Default)]
pub struct AttentionScratch {
    q8: Vec<i8>,
    z: Vec<i64>,
    p: Vec<u64>,
    acc: Vec<i64>,
}

/// One head of one token over `positions` cached positions:
/// 1. `q8 = quantize_absmax(q, 127)` with absmax `M_q` (Q20 units);
/// 2. per position t: `s_t = q8 . k8_t` (int32), `z_t = round(s_t * (M_q score_k) * M_k[t])`
///    (Q16, log2 domain: the `1/sqrt(hs)` and `log2 e` are in `score_k`);
/// 3. `p = softmax(z)` ([`softmax`], Q16);
/// 4. `a_j = sum_t (p_t M_v[t]) v8_t[j]` (i64), `out_j = round(a_j av_k)` (Q20).
#[allow(clippy::too_many_arguments)] // one head: its constants, query, keys, values, length, output
pub fn attend_head(c: &Attention, q: &[i64], keys: &KvHead, values: &KvHead, positions: usize, out: &mut [i64], s: &mut AttentionScratch, sat: &mut u64) {
    let hs = q.len();
    s.q8.resize(hs, 0);
    s.z.resize(positions, 0);
    s.p.resize(positions, 0);
    let mq = quantize_absmax(q, 127, c.rounding, &mut s.q8);
    let cq = Fixed::from_u64(mq, 0).times(c.score_k);
    for (t, zt) in s.z.iter_mut().enumerate() {
        let dot: i64 = s.q8.iter().zip(keys.vector(t, hs)).map(|(&a, &b)| a as i64 * b as i64).sum();
        *zt = sat32(cq.times(Fixed::from_u64(keys.scale(t), 0)).apply(dot, 0), sat);
    }
    softmax(c.exp2, &s.z, &mut s.p);
    s.acc.clear();
    s.acc.resize(hs, 0);
    for (t, &pt) in s.p.iter().enumerate() {
        // p <= 2^16 and M_v < 2^32: the weight fits 48 bits, the sums 56 (sum p = 1)
        let w = (pt * values.scale(t)) as i64;
        for (a, &vj) in s.acc.iter_mut().zip(values.vector(t, hs)) {
            *a += w * vj as i64;
        }
    }
    for (o, &a) in out.iter_mut().zip(&s.acc) {
        *o = sat32(c.av_k.apply(a, 0), sat);
    }
}

/// The first index of the largest logit (ties go to the lower index, as float argmax does).
pub use crate::sampler::argmax;

#[cfg(test)]
#[allow(clippy::float_arithmetic)] // the tests compare against f64
mod tests {
    use super::*;
    use crate::int::convert::{exp2_table, fixed, sigmoid_table};
    use proptest::prelude::*;

    const Q20: f64 = (1 << ACT_FRAC) as f64;

    fn sigmoid_f64(x: f64) -> f64 {
        1.0 / (1.0 + (-x).exp())
    }

    #[test]
    fn sigmoid_table_error_below_5e_5_over_every_input() {
        // every Q20 input step of 1/1024 across the table, and beyond its ends
        let t = sigmoid_table();
        let mut worst = 0.0f64;
        for i in -(10 << 10)..=(10 << 10) {
            let x = (i as i64) << 10;
            let got = sigmoid(&t, x) as f64 * 2f64.powi(-TABLE_FRAC);
            let want = sigmoid_f64(x as f64 / Q20);
            let bound = if (x as f64 / Q20).abs() <= 8.0 { 5e-5 } else { sigmoid_f64(-8.0) + 5e-5 };
            assert!((got - want).abs() <= bound, "sigmoid({}) = {got}, want {want}", x as f64 / Q20);
            worst = worst.max((got - want).abs());
        }
        assert!(worst > 1e-6, "the test exercises the interpolation ({worst})");
    }

    #[test]
    fn relu2_is_exact_to_half_a_step_and_saturates_counted() {
        let mut sat = 0;
        assert_eq!(relu2(-5 << 20, &mut sat), 0);
        assert_eq!(relu2(3 << 20, &mut sat), 9 << 20);
        assert_eq!(relu2(1 << 10, &mut sat), 1); // 2^-20 squared rounds half up to one step
        assert_eq!(sat, 0);
        assert_eq!(relu2(50 << 20, &mut sat), I32_MAX);
        assert_eq!(sat, 1);
    }

    #[test]
    fn saturation_clamps_and_counts() {
        let mut sat = 0;
        assert_eq!(sat32(1 << 40, &mut sat), I32_MAX);
        assert_eq!(sat32(-(1 << 40), &mut sat), I32_MIN);
        assert_eq!(sat32(-5, &mut sat), -5);
        assert_eq!(sat, 2);
    }

    use crate::int::convert::fixed_value as value;

    #[test]
    fn fixed_normalizes_and_multiplies() {
        let a = Fixed::from_u64(3, 0);
        assert_eq!((a.mant, a.exp), (3 << 29, -29));
        assert_eq!(value(a.times(Fixed::from_u64(5, -1))), 7.5);
        // rounding that carries into bit 31 renormalizes
        let b = Fixed::from_u64(u64::MAX, 0);
        assert_eq!((b.mant, b.exp), (1 << 30, 34));
        assert_eq!(Fixed::from_u64(10, 0).apply(-3, 0), -30);
        assert_eq!(Fixed::from_u64(1, -1).apply(3, 0), 2); // 1.5 rounds half up
        assert_eq!(Fixed::from_u64(1, -1).apply(-3, 0), -1); // -1.5 rounds half up
        assert!(Fixed::ZERO.times(a).is_zero());
    }

    #[test]
    fn rounding_rules_at_ties() {
        // 5/2 = 2.5, -5/2 = -2.5, 7/2 = 3.5
        assert_eq!(rshift_rule(5, 1, Rounding::HalfAwayFromZero), 3);
        assert_eq!(rshift_rule(-5, 1, Rounding::HalfAwayFromZero), -3);
        assert_eq!(rshift_rule(5, 1, Rounding::HalfEven), 2);
        assert_eq!(rshift_rule(-5, 1, Rounding::HalfEven), -2);
        assert_eq!(rshift_rule(7, 1, Rounding::HalfEven), 4);
        assert_eq!(rshift_rule(-7, 2, Rounding::HalfEven), -2);
        assert_eq!(rshift_round(-3, 1), -1);
    }

    #[test]
    fn isqrt_is_exact_at_the_edges() {
        for a in [0u64, 1, 2, 3, 4, 15, 16, 17, (1 << 62) - 1, 1 << 62, u64::MAX] {
            let r = isqrt(a);
            assert!(r as u128 * r as u128 <= a as u128 && (r as u128 + 1) * (r as u128 + 1) > a as u128, "isqrt({a}) = {r}");
        }
    }

    #[test]
    fn recip_127_is_within_its_bound() {
        assert!((value(RECIP_127) * 127.0 - 1.0).abs() < 2f64.powi(-31));
    }

    proptest! {
        #[test]
        fn rsqrt_relative_error_below_2_pow_minus_29(a in 1u128..) {
            let got = value(rsqrt(a));
            let want = 1.0 / (a as f64).sqrt();
            prop_assert!((got / want - 1.0).abs() < 2f64.powi(-29), "rsqrt({a}) = {got}, want {want}");
        }

        #[test]
        fn isqrt_is_floor_sqrt(a in any::<u64>()) {
            let r = isqrt(a) as u128;
            prop_assert!(r * r <= a as u128 && (r + 1) * (r + 1) > a as u128);
        }

        #[test]
        fn quantize_error_is_half_a_step(u in prop::collection::vec(-(1i64 << 39)..(1i64 << 39), 1..64)) {
            let mut q = vec![0i8; u.len()];
            let m = quantize_absmax(&u, 127, Rounding::HalfEven, &mut q);
            if m > 0 {
                for (&v, &qi) in u.iter().zip(&q) {
                    let exact = v as f64 * 127.0 / m as f64;
                    // half a step, plus what the floor of the reciprocal costs (qmax 2^-24)
                    prop_assert!((qi as f64 - exact).abs() <= 0.5 + 127.0 * 2f64.powi(-24), "{v} -> {qi}, exact {exact}");
                }
                prop_assert!(q.iter().any(|&x| x.unsigned_abs() == 127));
            }
        }

        #[test]
        fn rms_norm_scale_within_2_pow_minus_18(v in prop::collection::vec(-(1i64 << 31)..(1i64 << 31), 2..200), frac in 16i32..28) {
            // unit weights, eps 1e-5: T * q_j reproduces x_j / rms(x) within the int8 step
            let n = v.len();
            let k = Fixed::from_u64(((n as f64).sqrt() / 127.0 * 2f64.powi(40)).round() as u64, -40);
            let n_eps = Fixed::from_u64((n as f64 * 1e-5 * 2f64.powi(40)).round() as u64, -40);
            let norm = IntNorm::Rms { weight: None, k, n_eps };
            let mut q = vec![0i8; n];
            let t = norm_quantize(&v, frac, &norm, Rounding::HalfEven, &mut q, &mut NormScratch::default());
            let x: Vec<f64> = v.iter().map(|&a| a as f64 * 2f64.powi(-frac)).collect();
            let ms = x.iter().map(|a| a * a).sum::<f64>() / n as f64 + 1e-5;
            if ms > 1e-5 * 1.001 {
                let tv = value(t);
                let ymax = x.iter().map(|a| a.abs()).fold(0.0, f64::max) / ms.sqrt();
                // the token scale is ymax / 127 up to the 20-bit mantissas (2^-18 relative)
                prop_assert!((tv * 127.0 / ymax - 1.0).abs() < 2f64.powi(-18), "T {tv} vs {}", ymax / 127.0);
                for (&xi, &qi) in x.iter().zip(&q) {
                    prop_assert!((qi as f64 * tv - xi / ms.sqrt()).abs() <= 0.5 * tv * (1.0 + 1e-4) + ymax * 2f64.powi(-18));
                }
            }
        }

        #[test]
        fn fixed_apply_is_the_rounded_product(v in -(1i64 << 40)..(1i64 << 40), x in 1e-12f64..1e6, frac in 0i32..30) {
            let f = fixed(x);
            let exact = v as f64 * f.mant as f64 * 2f64.powi(f.exp + frac);
            let got = f.apply(v, frac) as f64;
            prop_assert!((got - exact).abs() <= 0.5 + exact.abs() * 1e-15, "{got} vs {exact}");
            // and the constant itself is within 2^-30 of x
            prop_assert!((f.mant as f64 * 2f64.powi(f.exp) / x - 1.0).abs() < 2f64.powi(-30));
        }

        #[test]
        fn fixed_times_relative_error_below_2_pow_minus_30(a in 1u64.., b in 1u64..) {
            let (fa, fb) = (Fixed::from_u64(a, -7), Fixed::from_u64(b, 3));
            let got = value(fa.times(fb));
            let want = value(fa) * value(fb);
            prop_assert!((got / want - 1.0).abs() < 2f64.powi(-30));
        }

        #[test]
        fn rope_rotation_error_below_one_step(a in -(1i64 << 28)..(1i64 << 28), b in -(1i64 << 28)..(1i64 << 28), angle in -100.0f64..100.0) {
            let q30 = 2f64.powi(ROPE_FRAC);
            let table = RopeTable { half: 1, cos: vec![(angle.cos() * q30).round() as i32], sin: vec![(angle.sin() * q30).round() as i32] };
            let mut sat = 0;
            let (ra, rb) = table.rotate(0, 0, a, b, &mut sat);
            let (fa, fb) = (a as f64 * angle.cos() - b as f64 * angle.sin(), a as f64 * angle.sin() + b as f64 * angle.cos());
            // half a step of rounding, plus the table's 2^-31 on each of the two products
            let bound = 0.5 + (a.abs() + b.abs()) as f64 * 2f64.powi(-31);
            prop_assert!((ra as f64 - fa).abs() <= bound && (rb as f64 - fb).abs() <= bound, "({ra}, {rb}) vs ({fa}, {fb})");
            prop_assert_eq!(sat, 0);
        }

        #[test]
        fn silu_error_below_5e_5_of_the_input(g in -(8i64 << 20)..(8i64 << 20)) {
            let t = sigmoid_table();
            let x = g as f64 / Q20;
            let got = silu(&t, g) as f64 / Q20;
            let want = x * sigmoid_f64(x);
            prop_assert!((got - want).abs() <= x.abs() * 5e-5 + 1.0 / Q20, "silu({x}) = {got}, want {want}");
        }

        #[test]
        fn dequantize_is_the_rounded_scaled_accumulator(acc in prop::collection::vec(-(1i32 << 24)..(1i32 << 24), 1..32), x in 1e-9f64..1e-3) {
            let d = fixed(x);
            let mut out = vec![0i64; acc.len()];
            let mut sat = 0;
            dequantize(&acc, d, ACT_FRAC, &mut out, &mut sat);
            for (&a, &o) in acc.iter().zip(&out) {
                let exact = a as f64 * value(d) * Q20;
                if exact.abs() < I32_MAX as f64 {
                    prop_assert!((o as f64 - exact).abs() <= 0.5 + exact.abs() * 1e-15);
                }
            }
        }

        #[test]
        fn softmax_probabilities_within_2_pow_minus_15(z in prop::collection::vec(-(30i64 << 16)..(30i64 << 16), 1..200)) {
            let t = exp2_table();
            let mut p = vec![0u64; z.len()];
            softmax(&t, &z, &mut p);
            let m = z.iter().copied().max().unwrap() as f64;
            let e: Vec<f64> = z.iter().map(|&zi| 2f64.powf((zi as f64 - m) / 65536.0)).collect();
            let sum: f64 = e.iter().sum();
            for (&pi, &ei) in p.iter().zip(&e) {
                let got = pi as f64 / 65536.0;
                prop_assert!((got - ei / sum).abs() <= 2f64.powi(-15), "{got} vs {}", ei / sum);
            }
        }

        #[test]
        fn attention_matches_f64_attention_on_the_cached_codes(
            seed in any::<u64>(), positions in 1usize..48, q_scale in 1i64..(1 << 24), kv_scale in 1u64..(1 << 24)
        ) {
            // random q (Q20) and codes; f64 attention over the same int8 q, k, v values
            let hs = 16;
            let mut r = crate::synthetic::Rng::new(seed);
            let q: Vec<i64> = (0..hs).map(|_| (r.uniform() as f64 * q_scale as f64) as i64).collect();
            let codes = |r: &mut crate::synthetic::Rng| -> Vec<i8> { (0..positions * hs).map(|_| (r.uniform() * 127.0) as i8).collect() };
            let (kc, vc) = (codes(&mut r), codes(&mut r));
            let scales = |r: &mut crate::synthetic::Rng| -> Vec<u64> { (0..positions).map(|_| 1 + (r.uniform().abs() as f64 * kv_scale as f64) as u64).collect() };
            let (ks, vs) = (scales(&mut r), scales(&mut r));
            let keys = KvHead { codes: &kc, scales: &ks, kv_dim: hs, n_kv: 1, head: 0 };
            let values = KvHead { codes: &vc, scales: &vs, kv_dim: hs, n_kv: 1, head: 0 };
            let exp2 = exp2_table();
            let c = Attention {
                exp2: &exp2,
                score_k: fixed(std::f64::consts::LOG2_E / (127.0 * 127.0 * (hs as f64).sqrt()) * 2f64.powi(SCORE_FRAC - 2 * ACT_FRAC)),
                av_k: fixed(1.0 / 127.0 * 2f64.powi(-PROB_FRAC)),
                rounding: Rounding::HalfEven,
            };
            let mut out = vec![0i64; hs];
            let mut sat = 0;
            attend_head(&c, &q, &keys, &values, positions, &mut out, &mut AttentionScratch::default(), &mut sat);
            prop_assert_eq!(sat, 0);

            let mut q8 = vec![0i8; hs];
            let mq = quantize_absmax(&q, 127, Rounding::HalfEven, &mut q8) as f64;
            let deq = |code: i8, m: u64| code as f64 * m as f64 / 127.0 / Q20;
            let scores: Vec<f64> = (0..positions)
                .map(|t| (0..hs).map(|j| q8[j] as f64 * mq / 127.0 / Q20 * deq(kc[t * hs + j], ks[t])).sum::<f64>() / (hs as f64).sqrt())
                .collect();
            let mx = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = scores.iter().map(|s| (s - mx).exp()).collect();
            let sum: f64 = e.iter().sum();
            let vmax = (0..positions).map(|t| vs[t] as f64 / Q20).fold(0.0, f64::max);
            // probabilities within 2^-15 + 2^-17 each (softmax, plus the Q16 score rounding)
            let bound = (2f64.powi(-14) + positions as f64 * 2f64.powi(-16)) * vmax + 1.0 / Q20;
            for j in 0..hs {
                let want: f64 = (0..positions).map(|t| e[t] / sum * deq(vc[t * hs + j], vs[t])).sum();
                let got = out[j] as f64 / Q20;
                prop_assert!((got - want).abs() <= bound, "out[{j}] = {got}, want {want} (bound {bound})");
            }
        }

        #[test]
        fn exp2_relative_error_below_2_pow_minus_16(d in 0i64..(40 << 16)) {
            let t = exp2_table();
            let got = exp2_neg(&t, d) as f64 * 2f64.powi(-24);
            let want = 2f64.powf(-(d as f64) / 65536.0);
            // interpolation and table rounding: 2^-16 relative, plus half an output unit after the shift
            prop_assert!((got - want).abs() <= want * 2f64.powi(-16) + 2f64.powi(-25), "d {d}: {got} vs {want}");
        }
    }
}
