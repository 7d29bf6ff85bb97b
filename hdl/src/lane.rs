//! The chain lane: adds one ternary product `w * x` to a running partial sum, no multiplier.
//!
//! The product enters as an offset-binary byte `t' = ((x AND nz) XOR neg) XOR 0x80`, which is
//! `w*x + 128 - neg` in 0..=255, and `neg` goes in as the carry-in, so the lane computes
//!
//! ```text
//! pout = pin + w*x + 128          (mod 2^W)
//! ```
//!
//! Because `t'` is unsigned, bits 8 and up of the adder only ripple the carry: they need no LUT.
//! The `+128` of every lane is removed once per slice by the chain (its start value is
//! `-128 * lanes`). The sum is written as `{pin, neg} - {1..1, ~t', 1}`, whose bit 0 turns `neg`
//! into the carry-in and keeps `pin` as the adder's first operand: Yosys then maps each of the
//! 8 low bits to one LUT4 `(pin_j, x_j, nz, neg)` feeding a CARRY4 (measured: 8 LUT4 per lane).
//!
//! `W1` must be `W + 1` (stable Rust has no `W + 1` in types).

use rust_hdl::prelude::*;

#[derive(Clone, Debug, LogicBlock)]
pub struct Lane<const W: usize, const W1: usize> {
    /// Partial sum from the previous lane (or the chain's start value).
    pub pin: Signal<In, Bits<W>>,
    /// Activation, two's complement int8.
    pub x: Signal<In, Bits<8>>,
    /// Weight is non-zero.
    pub nz: Signal<In, Bit>,
    /// Weight is negative (with `nz = 0` the product is 0 whatever `neg` is).
    pub neg: Signal<In, Bit>,
    /// `pin + w*x + 128` modulo 2^W.
    pub pout: Signal<Out, Bits<W>>,
    xz: Signal<Local, Bits<8>>,
    u: Signal<Local, Bits<8>>,
    a: Signal<Local, Bits<W1>>,
    b: Signal<Local, Bits<W1>>,
    r: Signal<Local, Bits<W1>>,
    high_ones: Constant<Bits<W1>>,
}

impl<const W: usize, const W1: usize> Default for Lane<W, W1> {
    fn default() -> Self {
        assert_eq!(W1, W + 1, "Lane<W, W1> needs W1 = W + 1");
        assert!(W >= 9, "a lane needs at least 9 bits");
        // bits 9..W of the subtrahend: the sign extension of ~t' (all ones)
        let mask: Bits<W1> = Bits::<W1>::mask();
        let low: Bits<W1> = Bits::<W1>::from(0x1ff);
        Self {
            pin: Default::default(),
            x: Default::default(),
            nz: Default::default(),
            neg: Default::default(),
            pout: Default::default(),
            xz: Default::default(),
            u: Default::default(),
            a: Default::default(),
            b: Default::default(),
            r: Default::default(),
            high_ones: Constant::new(mask & !low),
        }
    }
}

impl<const W: usize, const W1: usize> Logic for Lane<W, W1> {
    #[hdl_gen]
    fn update(&mut self) {
        self.xz.next = 0.into();
        if self.nz.val() {
            self.xz.next = self.x.val();
        }
        // u = ~t' = xz ^ (neg ? 0x80 : 0x7f)
        self.u.next = self.xz.val() ^ 0x7f;
        if self.neg.val() {
            self.u.next = self.xz.val() ^ 0x80;
        }
        self.a.next = bit_cast::<W1, W>(self.pin.val()) << 1;
        if self.neg.val() {
            self.a.next = (bit_cast::<W1, W>(self.pin.val()) << 1) | 1;
        }
        self.b.next = self.high_ones.val() | (bit_cast::<W1, 8>(self.u.val()) << 1) | 1;
        self.r.next = self.a.val() - self.b.val();
        self.pout.next = bit_cast::<W, W1>(self.r.val() >> 1);
    }
}

/// Plain-integer model of one lane: `pin + w*x + 128` modulo 2^bits.
pub fn lane_model(pin: u64, x: i8, w: i8, bits: usize) -> u64 {
    let v = pin as i64 + w as i64 * x as i64 + 128;
    (v as u64) & ((1u64 << bits) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{prepare, settle};
    use proptest::prelude::*;

    fn drive(l: &mut Lane<16, 17>, pin: u64, x: i8, w: i8) -> u64 {
        l.pin.next = pin.into();
        l.x.next = (x as u8 as u64).into();
        l.nz.next = w != 0;
        l.neg.next = w < 0;
        settle(l);
        l.pout.val().to_u64()
    }

    #[test]
    fn extremes() {
        let mut l = Lane::<16, 17>::default();
        prepare(&mut l);
        for x in [-128i8, -127, -1, 0, 1, 127] {
            for w in [-1i8, 0, 1] {
                for pin in [0u64, 1, 0x7fff, 0x8000, 0xffff] {
                    assert_eq!(drive(&mut l, pin, x, w), lane_model(pin, x, w, 16), "{pin} {x} {w}");
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn matches_model(cases in proptest::collection::vec((0u64..1 << 16, any::<i8>(), -1i8..=1), 32)) {
            let mut l = Lane::<16, 17>::default();
            prepare(&mut l);
            for (pin, x, w) in cases {
                prop_assert_eq!(drive(&mut l, pin, x, w), lane_model(pin, x, w, 16));
            }
        }
    }
}
