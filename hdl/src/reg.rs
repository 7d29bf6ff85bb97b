//! Register with clock enable and synchronous clear: the one clocked primitive of the array.
//!
//! `clr` wins over `en`, which is the priority of a Xilinx FDRE (sync reset over clock enable),
//! so Yosys maps it to one flip-flop per bit with no logic in front: the accumulator's
//! "clear on last slice" and its "add only on valid" cost no LUTs.

use rust_hdl::prelude::*;

/// `q <= clr ? 0 : en ? d : q` on every rising edge of `clock`.
#[derive(Clone, Debug, Default, LogicBlock)]
pub struct Reg<T: Synth> {
    pub clock: Signal<In, Clock>,
    pub d: Signal<In, T>,
    pub en: Signal<In, Bit>,
    pub clr: Signal<In, Bit>,
    pub q: Signal<Out, T>,
    /// Synthesis keeps this register even where an identical one exists (a replica that
    /// splits a fanout): `(* keep *)` on its process.
    _keep: bool,
}

impl<T: Synth> Reg<T> {
    /// A register synthesis must not merge with its identical twins.
    pub fn kept() -> Self {
        Self { _keep: true, ..Default::default() }
    }
}

impl<T: Synth> Logic for Reg<T> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            if self.clr.val() {
                self.q.next = T::default();
            } else if self.en.val() {
                self.q.next = self.d.val();
            }
        }
    }
    fn connect(&mut self) {
        self.q.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "{}always @(posedge clock) begin\n    if (clr) q <= {}'d0;\n    else if (en) q <= d;\nend",
            if self._keep { "(* keep *) " } else { "" },
            T::BITS
        ))
    }
    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "reg".into(),
            clock: "clock".into(),
            inputs: vec!["d".into(), "en".into(), "clr".into()],
            outputs: vec!["q".into()],
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{prepare, tick};

    #[test]
    fn clear_wins_over_enable_and_enable_holds() {
        let mut r = Reg::<Bits<12>>::default();
        prepare(&mut r);
        let steps: [(u64, bool, bool, u64); 5] = [
            // d, en, clr, expected q after the edge
            (0x5a5, true, false, 0x5a5),
            (0x123, false, false, 0x5a5),
            (0x0ff, true, true, 0),
            (0xfff, true, false, 0xfff),
            (0x001, false, true, 0),
        ];
        for (d, en, clr, want) in steps {
            r.d.next = d.into();
            r.en.next = en;
            r.clr.next = clr;
            tick(&mut r, |r| &mut r.clock);
            assert_eq!(r.q.val(), Bits::<12>::from(want));
        }
    }
}
