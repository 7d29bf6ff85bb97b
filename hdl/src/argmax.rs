//! Running argmax: the LM head's last stage. Takes one signed logit a cycle and keeps the
//! largest so far with its index, ties going to the lower index (the strict `>` of
//! `golden::int::ops::argmax`, and of float argmax).
//!
//! Interface (synchronous to `clock`, rising edge): `start` clears the unit (the next valid
//! logit is index 0); each cycle with `valid` high takes `logit` as the next index. `best` and
//! `index` hold the running result one edge after the logit arrived; `count` is how many
//! logits were taken. No multiplier, one `W`-bit comparator and two registers.

use crate::reg::Reg;
use rust_hdl::prelude::*;

#[derive(Clone, Debug, Default, LogicBlock)]
pub struct Argmax<const W: usize, const IW: usize> {
    pub clock: Signal<In, Clock>,
    pub start: Signal<In, Bit>,
    pub valid: Signal<In, Bit>,
    pub logit: Signal<In, Signed<W>>,
    pub best: Signal<Out, Signed<W>>,
    pub index: Signal<Out, Bits<IW>>,
    pub count: Signal<Out, Bits<IW>>,
    best_q: Reg<Signed<W>>,
    index_q: Reg<Bits<IW>>,
    count_q: Reg<Bits<IW>>,
    take: Signal<Local, Bit>,
}

impl<const W: usize, const IW: usize> Logic for Argmax<W, IW> {
    fn update(&mut self) {
        for r in [&mut self.index_q.clock, &mut self.count_q.clock] {
            r.next = self.clock.val();
        }
        self.best_q.clock.next = self.clock.val();
        // the first logit after start, or a strictly larger one
        self.take.next = self.valid.val() && (self.count_q.q.val() == 0 || self.logit.val() > self.best_q.q.val());
        self.best_q.d.next = self.logit.val();
        self.best_q.en.next = self.take.val();
        self.best_q.clr.next = self.start.val();
        self.index_q.d.next = self.count_q.q.val();
        self.index_q.en.next = self.take.val();
        self.index_q.clr.next = self.start.val();
        self.count_q.d.next = self.count_q.q.val() + 1;
        self.count_q.en.next = self.valid.val();
        self.count_q.clr.next = self.start.val();
        self.best.next = self.best_q.q.val();
        self.index.next = self.index_q.q.val();
        self.count.next = self.count_q.q.val();
    }

    fn connect(&mut self) {
        for s in [&mut self.best_q.clock, &mut self.index_q.clock, &mut self.count_q.clock] {
            s.connect();
        }
        self.best_q.d.connect();
        self.index_q.d.connect();
        self.count_q.d.connect();
        for s in [&mut self.best_q.en, &mut self.best_q.clr, &mut self.index_q.en, &mut self.index_q.clr, &mut self.count_q.en, &mut self.count_q.clr] {
            s.connect();
        }
        self.take.connect();
        self.best.connect();
        self.index.connect();
        self.count.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(
            "always @(*) begin\n    \
             take = valid & ((count_q$q == 0) | ($signed(logit) > $signed(best_q$q)));\n    \
             best_q$clock = clock; best_q$d = logit; best_q$en = take; best_q$clr = start;\n    \
             index_q$clock = clock; index_q$d = count_q$q; index_q$en = take; index_q$clr = start;\n    \
             count_q$clock = clock; count_q$d = count_q$q + 1; count_q$en = valid; count_q$clr = start;\n    \
             best = best_q$q; index = index_q$q; count = count_q$q;\nend"
                .into(),
        )
    }
}

/// Module name of [`argmax_verilog`].
pub const ARGMAX_MODULE: &str = "tern_argmax";

/// The Verilog of the smallest argmax unit, 8-bit logits and 4-bit indices (16 logits a
/// start), alone (for its proof).
pub fn argmax_verilog() -> Result<String, crate::HdlError> {
    let mut u = Argmax::<8, 4>::default();
    u.connect_all();
    check_all(&u).map_err(|e| crate::HdlError::Check(format!("{e:?}")))?;
    let mut defines = ModuleDefines::default();
    u.accept(ARGMAX_MODULE, &mut defines);
    Ok(defines.defines())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{prepare, tick};
    use proptest::prelude::*;

    /// Feeds `logits` (after a start) and returns (best, index, count) as the unit holds them.
    fn run(logits: &[i32]) -> (i64, u64, u64) {
        let mut u = Argmax::<32, 20>::default();
        prepare(&mut u);
        u.start.next = true;
        tick(&mut u, |u| &mut u.clock);
        u.start.next = false;
        for &l in logits {
            u.valid.next = true;
            u.logit.next = Signed::<32>::from(l as i64);
            tick(&mut u, |u| &mut u.clock);
        }
        u.valid.next = false;
        tick(&mut u, |u| &mut u.clock);
        let best: i64 = u.best.val().bigint().try_into().unwrap();
        (best, u.index.val().index() as u64, u.count.val().index() as u64)
    }

    #[test]
    fn ties_keep_the_lower_index_and_negatives_compare_signed() {
        assert_eq!(run(&[-5, 7, 3, 7, -9]), (7, 1, 5));
        assert_eq!(run(&[i32::MIN, i32::MIN]), (i32::MIN as i64, 0, 2));
        assert_eq!(run(&[-1, -2, i32::MAX, -3]), (i32::MAX as i64, 2, 4));
    }

    proptest! {
        #[test]
        fn matches_golden_argmax(x in prop::collection::vec(any::<i32>(), 1..64), small in any::<bool>()) {
            // small values make ties common
            let x: Vec<i32> = if small { x.iter().map(|v| v % 4).collect() } else { x };
            let (best, index, count) = run(&x);
            let want = golden::int::ops::argmax(&x);
            prop_assert_eq!(index as usize, want);
            prop_assert_eq!(best, x[want] as i64);
            prop_assert_eq!(count as usize, x.len());
        }
    }
}
