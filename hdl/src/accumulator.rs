//! Per-row accumulator: adds each slice sum, clears on the last slice and holds the result.
//!
//! The control comes from the shared [`crate::controller::Controller`] already decoded
//! (`en` = a slice sum is valid, `clr` = reset or last slice, `res_en` = last slice), so the
//! accumulator itself is one adder of `ACC` bits (one LUT per bit) and two [`Reg`]s.

use crate::reg::Reg;
use rust_hdl::prelude::*;

#[derive(Clone, Debug, Default, LogicBlock)]
pub struct Accumulator<const ACC: usize> {
    pub clock: Signal<In, Clock>,
    /// The row's slice sum, two's complement modulo 2^ACC.
    pub sum: Signal<In, Bits<ACC>>,
    /// Add `sum` at this edge.
    pub en: Signal<In, Bit>,
    /// Clear the running total at this edge (wins over `en`).
    pub clr: Signal<In, Bit>,
    /// Store `acc + sum` as the result at this edge (the last slice of a dot product).
    pub res_en: Signal<In, Bit>,
    /// The last finished dot product.
    pub result: Signal<Out, Bits<ACC>>,
    total: Signal<Local, Bits<ACC>>,
    acc: Reg<Bits<ACC>>,
    res: Reg<Bits<ACC>>,
}

impl<const ACC: usize> Logic for Accumulator<ACC> {
    #[hdl_gen]
    fn update(&mut self) {
        self.acc.clock.next = self.clock.val();
        self.res.clock.next = self.clock.val();
        self.total.next = self.acc.q.val() + self.sum.val();
        self.acc.d.next = self.total.val();
        self.acc.en.next = self.en.val();
        self.acc.clr.next = self.clr.val();
        self.res.d.next = self.total.val();
        self.res.en.next = self.res_en.val();
        self.res.clr.next = false;
        self.result.next = self.res.q.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{prepare, tick};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        /// Random slice sums, random bubbles and dot-product lengths, against an i64 reference.
        #[test]
        fn accumulates_exactly(steps in proptest::collection::vec((-(1i64 << 14)..(1i64 << 14), any::<bool>(), 0u8..4), 1..60)) {
            let mut a = Accumulator::<20>::default();
            prepare(&mut a);
            // clear first, as reset does
            a.clr.next = true;
            tick(&mut a, |a| &mut a.clock);
            let mut acc = 0i64;
            for (sum, valid, last_roll) in steps {
                let last = valid && last_roll == 0;
                a.sum.next = ((sum as u64) & 0xfffff).into();
                a.en.next = valid;
                a.clr.next = last;
                a.res_en.next = last;
                tick(&mut a, |a| &mut a.clock);
                if valid {
                    acc += sum;
                }
                if last {
                    let got = a.result.val().to_u64();
                    prop_assert_eq!(got, (acc as u64) & 0xfffff);
                    acc = 0;
                }
            }
        }
    }
}
