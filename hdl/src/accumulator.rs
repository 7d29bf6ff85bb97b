//! Per-row accumulator: adds each slice sum, clears on the last slice and holds the result.
//!
//! The control comes from the shared [`crate::controller::Controller`] already decoded
//! (`en` = a slice sum is valid, `clr` = reset or last slice, `res_en` = last slice), so the
//! accumulator itself is one adder of `ACC` bits (one LUT per bit) and two [`Reg`]s.
//!
//! **Slots (weight reuse).** With `slots = D > 1` the accumulator is a ring of D registers
//! that rotates on every added slice: the adder reads the oldest slot (`ring` high) and writes
//! the newest, so D dot products that take their slices in turn (slice k of product 0, of
//! product 1, .., of product D-1, then slice k+1 ..) accumulate side by side. A weight tile
//! held for D cycles is then used by D token vectors: prefill reuses every weight D times.
//! With `ring` low the adder reads the newest slot, as with D = 1 (decode), and the older
//! slots hold still (a finished prefill leaves them all zero: each slot is cleared by its
//! last slice). The ring costs `(D - 1) * ACC` flip-flops, one LUT per row for the shift
//! enable, and the slot select, which shares the adder's LUT (`S = sum ^ (ring ? oldest :
//! newest)`); the shifting registers have no logic in front.

use crate::reg::Reg;
use rust_hdl::prelude::*;

#[derive(Clone, Debug, LogicBlock)]
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
    /// Add to the oldest slot of the ring instead of the newest (slots > 1 only).
    pub ring: Signal<In, Bit>,
    /// Clear the older slots (reset; slots > 1 only).
    pub ring_clr: Signal<In, Bit>,
    /// The last finished dot product.
    pub result: Signal<Out, Bits<ACC>>,
    total: Signal<Local, Bits<ACC>>,
    acc: Reg<Bits<ACC>>,
    res: Reg<Bits<ACC>>,
    /// The older slots, newest first (`slots - 1` registers).
    older: Vec<Reg<Bits<ACC>>>,
}

impl<const ACC: usize> Default for Accumulator<ACC> {
    fn default() -> Self {
        Self::new(1)
    }
}

impl<const ACC: usize> Accumulator<ACC> {
    /// An accumulator with `slots` running totals (1 = a plain accumulator).
    pub fn new(slots: usize) -> Self {
        Self {
            clock: Default::default(),
            sum: Default::default(),
            en: Default::default(),
            clr: Default::default(),
            res_en: Default::default(),
            ring: Default::default(),
            ring_clr: Default::default(),
            result: Default::default(),
            total: Default::default(),
            acc: Default::default(),
            res: Default::default(),
            older: (1..slots.max(1)).map(|_| Default::default()).collect(),
        }
    }
}

impl<const ACC: usize> Logic for Accumulator<ACC> {
    fn update(&mut self) {
        self.acc.clock.next = self.clock.val();
        self.res.clock.next = self.clock.val();
        let head = match self.older.last() {
            Some(oldest) if self.ring.val() => oldest.q.val(),
            _ => self.acc.q.val(),
        };
        self.total.next = head + self.sum.val();
        self.acc.d.next = self.total.val();
        self.acc.en.next = self.en.val();
        self.acc.clr.next = self.clr.val();
        self.res.d.next = self.total.val();
        self.res.en.next = self.res_en.val();
        self.res.clr.next = false;
        self.result.next = self.res.q.val();
        for i in 0..self.older.len() {
            let d = if i == 0 { self.acc.q.val() } else { self.older[i - 1].q.val() };
            let o = &mut self.older[i];
            o.clock.next = self.clock.val();
            o.d.next = d;
            o.en.next = self.en.val() & self.ring.val();
            o.clr.next = self.ring_clr.val();
        }
    }

    fn connect(&mut self) {
        self.acc.clock.connect();
        self.res.clock.connect();
        self.total.connect();
        for s in [&mut self.acc.d, &mut self.res.d] {
            s.connect();
        }
        for s in [&mut self.acc.en, &mut self.acc.clr, &mut self.res.en, &mut self.res.clr] {
            s.connect();
        }
        self.result.connect();
        for o in &mut self.older {
            o.clock.connect();
            o.d.connect();
            o.en.connect();
            o.clr.connect();
        }
    }

    fn hdl(&self) -> Verilog {
        let head = match self.older.len() {
            0 => "acc$q".to_string(),
            n => format!("(ring ? older${}$q : acc$q)", n - 1),
        };
        let mut v = format!(
            "always @(*) begin\n    acc$clock = clock;\n    res$clock = clock;\n    total = {head} + sum;\n    \
             acc$d = total;\n    acc$en = en;\n    acc$clr = clr;\n    res$d = total;\n    res$en = res_en;\n    \
             res$clr = 1'b0;\n    result = res$q;\n"
        );
        for i in 0..self.older.len() {
            let d = if i == 0 { "acc$q".to_string() } else { format!("older${}$q", i - 1) };
            v.push_str(&format!("    older${i}$clock = clock; older${i}$d = {d}; older${i}$en = en & ring; older${i}$clr = ring_clr;\n"));
        }
        v.push_str("end");
        if self.older.is_empty() {
            // one slot: the ring inputs are not used (Verilator ignores *unused* names)
            v.push_str("\nwire unused_ring = ring | ring_clr;");
        }
        Verilog::Custom(v)
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
