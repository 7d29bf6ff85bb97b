//! Per-token activation quantization to int8 and dequantization of the accumulators.
//! Each [`ActQuant`] mode reproduces its checkpoint family to the bit (see `config.rs`).

use crate::config::{ActQuant, Rounding};

/// Quantizes one activation vector into `q` and returns the mode's scale `s`
/// (Llama2c: `max/127`; Absmax: `127/max`), which [`dequantize`] needs.
pub fn quantize(x: &[f32], q: &mut [i8], mode: ActQuant) -> f32 {
    debug_assert_eq!(x.len(), q.len());
    let max = x.iter().fold(0.0f32, |m, v| if v.abs() > m { v.abs() } else { m });
    match mode {
        ActQuant::Llama2c => {
            // bitllama2.c: `max / 127.0` and `1.0 / s` are double divisions rounded to float,
            // `x * inv` is a float product, and `round` is half away from zero.
            let s = (max as f64 / 127.0) as f32;
            if s == 0.0 {
                // all-zero input: the C code would compute 0 * inf; the only sane answer is 0
                q.fill(0);
                return s;
            }
            let inv = (1.0 / s as f64) as f32;
            for (qi, &xi) in q.iter_mut().zip(x) {
                *qi = (xi * inv).round() as i8;
            }
            s
        }
        ActQuant::Absmax { rounding } => {
            let s = 127.0 / max.max(1e-5);
            for (qi, &xi) in q.iter_mut().zip(x) {
                let v = xi * s;
                let r = match rounding {
                    Rounding::HalfAwayFromZero => v.round(),
                    Rounding::HalfEven => v.round_ties_even(),
                };
                *qi = r.clamp(-128.0, 127.0) as i8;
            }
            s
        }
    }
}

/// `y = acc` scaled back to floats, as the checkpoint family defines it.
pub fn dequantize(acc: &[i32], s: f32, weight_scale: f32, mode: ActQuant, y: &mut [f32]) {
    debug_assert_eq!(acc.len(), y.len());
    match mode {
        ActQuant::Llama2c => {
            let k = weight_scale * s;
            for (yi, &a) in y.iter_mut().zip(acc) {
                *yi = a as f32 * k;
            }
        }
        ActQuant::Absmax { .. } => {
            for (yi, &a) in y.iter_mut().zip(acc) {
                *yi = a as f32 / s * weight_scale;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn llama2c_rounds_half_away_and_hits_127() {
        let x = [0.5f32, -1.27, 1.27, 0.0];
        let mut q = [0i8; 4];
        let s = quantize(&x, &mut q, ActQuant::Llama2c);
        assert_eq!(s, (1.27f64 as f32 as f64 / 127.0) as f32);
        assert_eq!(q, [50, -127, 127, 0]);
    }

    #[test]
    fn absmax_half_even_and_clamp() {
        // max 127 -> s = 1: 2.5 rounds to 2 (even), -3.5 to -4, 127 stays.
        let x = [2.5f32, -3.5, 127.0, 0.4];
        let mut q = [0i8; 4];
        let s = quantize(&x, &mut q, ActQuant::Absmax { rounding: Rounding::HalfEven });
        assert_eq!(s, 1.0);
        assert_eq!(q, [2, -4, 127, 0]);
        let s = quantize(&x, &mut q, ActQuant::Absmax { rounding: Rounding::HalfAwayFromZero });
        assert_eq!(s, 1.0);
        assert_eq!(q, [3, -4, 127, 0]);
    }

    #[test]
    fn all_zero_input_quantizes_to_zero() {
        let mut q = [9i8; 3];
        quantize(&[0.0; 3], &mut q, ActQuant::Llama2c);
        assert_eq!(q, [0, 0, 0]);
        quantize(&[0.0; 3], &mut q, ActQuant::Absmax { rounding: Rounding::HalfEven });
        assert_eq!(q, [0, 0, 0]);
    }

    #[test]
    fn dequantize_follows_each_family() {
        let mut y = [0f32; 2];
        dequantize(&[3, -254], 0.5, 0.25, ActQuant::Llama2c, &mut y);
        assert_eq!(y, [3.0 * 0.125, -254.0 * 0.125]);
        dequantize(&[3, -254], 2.0, 0.25, ActQuant::Absmax { rounding: Rounding::HalfEven }, &mut y);
        assert_eq!(y, [0.375, -31.75]);
    }
}
