//! Choosing the next token: greedy at temperature 0, otherwise softmax at a temperature with
//! optional top-p (nucleus) truncation. Seeded xorshift, as llama2.c's sampler, so a seed
//! gives the same tokens on every run and machine.

use crate::forward::softmax;

#[derive(Clone, Debug)]
pub struct Sampler {
    pub temperature: f32,
    pub topp: f32,
    state: u64,
}

impl Sampler {
    pub fn new(temperature: f32, topp: f32, seed: u64) -> Sampler {
        // xorshift never leaves the all-zero state
        let state = if seed == 0 { 0x2545_F491_4F6C_DD1D } else { seed };
        Sampler { temperature, topp, state }
    }

    fn random_u32(&mut self) -> u32 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        (self.state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32
    }

    /// Uniform in [0, 1).
    fn random_f32(&mut self) -> f32 {
        (self.random_u32() >> 8) as f32 / 16_777_216.0
    }

    /// The next token; `logits` is used as scratch.
    pub fn sample(&mut self, logits: &mut [f32]) -> u32 {
        if self.temperature == 0.0 {
            return argmax(logits) as u32;
        }
        for l in logits.iter_mut() {
            *l /= self.temperature;
        }
        softmax(logits);
        let coin = self.random_f32();
        if self.topp <= 0.0 || self.topp >= 1.0 {
            sample_mult(logits, coin) as u32
        } else {
            sample_topp(logits, self.topp, coin) as u32
        }
    }
}

/// The first index of the largest value (f32 logits, and the int profile's i32 logits).
pub fn argmax<T: PartialOrd + Copy>(x: &[T]) -> usize {
    let mut best = 0;
    for (i, &v) in x.iter().enumerate().skip(1) {
        if v > x[best] {
            best = i;
        }
    }
    best
}

fn sample_mult(probs: &[f32], coin: f32) -> usize {
    let mut cdf = 0.0f32;
    for (i, &p) in probs.iter().enumerate() {
        cdf += p;
        if coin < cdf {
            return i;
        }
    }
    probs.len() - 1
}

/// Samples from the smallest set of most likely tokens whose probability exceeds `topp`.
fn sample_topp(probs: &[f32], topp: f32, coin: f32) -> usize {
    // tokens below (1 - topp) / (n - 1) can never be in the set
    let cutoff = (1.0 - topp) / (probs.len().max(2) - 1) as f32;
    let mut cand: Vec<(f32, usize)> = probs.iter().copied().enumerate().filter(|&(_, p)| p >= cutoff).map(|(i, p)| (p, i)).collect();
    cand.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut cumulative = 0.0f32;
    let mut last = cand.len() - 1;
    for (i, &(p, _)) in cand.iter().enumerate() {
        cumulative += p;
        if cumulative > topp {
            last = i;
            break;
        }
    }
    let r = coin * cumulative;
    let mut cdf = 0.0f32;
    for &(p, idx) in &cand[..=last] {
        cdf += p;
        if r < cdf {
            return idx;
        }
    }
    cand[last].1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_takes_first_maximum() {
        let mut s = Sampler::new(0.0, 0.9, 1);
        assert_eq!(s.sample(&mut [0.1, 3.0, -1.0, 3.0]), 1);
    }

    #[test]
    fn seeded_sampling_is_reproducible_and_follows_probabilities() {
        let logits = [0.0f32, 2.0, 1.0, -3.0];
        let draw = |seed| {
            let mut s = Sampler::new(1.0, 0.0, seed);
            (0..2000).map(|_| s.sample(&mut logits.clone())).collect::<Vec<_>>()
        };
        assert_eq!(draw(42), draw(42));
        assert_ne!(draw(42), draw(43));
        let counts = draw(42).iter().fold([0usize; 4], |mut c, &t| {
            c[t as usize] += 1;
            c
        });
        // softmax([0,2,1,-3]) = [0.087, 0.644, 0.237, 0.004]
        assert!((1150..1430).contains(&counts[1]), "{counts:?}");
        assert!(counts[1] > counts[2] && counts[2] > counts[0] && counts[0] > counts[3], "{counts:?}");
    }

    #[test]
    fn top_p_never_draws_outside_the_nucleus() {
        let logits = [5.0f32, 4.0, 0.0, -2.0, -2.0];
        let mut s = Sampler::new(1.0, 0.5, 3);
        for _ in 0..500 {
            // softmax gives 0.72 to token 0 alone, which exceeds 0.5
            assert_eq!(s.sample(&mut logits.clone()), 0);
        }
    }
}
