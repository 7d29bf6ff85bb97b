//! The shared controller: joins the two input streams, tracks valid/last through the pipeline,
//! drives the accumulators and flags dot products longer than `max_k`.
//!
//! A slice is accepted ("fires") in a cycle where `act_valid && w_valid && !reset`; the input
//! registers capture it at the end of that cycle. They load on every cycle (no enable, so no
//! fanout of the fire to thousands of flip-flops): what they take in an idle cycle flows down
//! the pipeline with `valid` low and never reaches an accumulator. `act_ready = w_valid && !reset` and
//! `w_ready = act_valid && !reset`: the array never back-pressures on its own (there is no
//! ready on the results), it only waits for the two streams to line up.

use crate::reg::Reg;
use rust_hdl::prelude::*;

#[derive(Clone, Debug, LogicBlock)]
pub struct Controller {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub act_valid: Signal<In, Bit>,
    pub act_last: Signal<In, Bit>,
    pub w_valid: Signal<In, Bit>,
    /// Slot ring on: D dot products interleave, so one of them spans up to D x max slices
    /// between two results.
    pub ring: Signal<In, Bit>,
    pub act_ready: Signal<Out, Bit>,
    pub w_ready: Signal<Out, Bit>,
    /// A slice sum reaches the accumulators this cycle (one copy per row).
    pub acc_en: Vec<Signal<Out, Bit>>,
    /// Accumulators clear at this edge (reset, or the last slice is being added), per row.
    pub acc_clr: Vec<Signal<Out, Bit>>,
    /// Results load at this edge, per row.
    pub res_en: Vec<Signal<Out, Bit>>,
    /// The result bus holds a new set of dot products (one cycle).
    pub res_valid: Signal<Out, Bit>,
    /// Sticky: a dot product had more than ceil(max_k / lanes) slices (cleared by reset).
    pub k_overflow: Signal<Out, Bit>,
    valid: Vec<Reg<Bit>>,
    last: Vec<Reg<Bit>>,
    /// The last stage of `valid` / `last` once more per row: each copy drives only its
    /// row's accumulator, so no control net crosses the array.
    gvalid: Vec<Reg<Bit>>,
    glast: Vec<Reg<Bit>>,
    rvalid: Reg<Bit>,
    count: Reg<Bits<32>>,
    overflow: Reg<Bit>,
    max_slices: Constant<Bits<32>>,
    max_ring_slices: Constant<Bits<32>>,
    limit: Signal<Local, Bits<32>>,
    fire_w: Signal<Local, Bit>,
    done: Signal<Local, Bit>,
    _stages: usize,
    _copies: usize,
}

impl Controller {
    /// `stages` = pipeline registers between the input registers and the accumulators.
    /// `slots` = accumulator slots per row (the ring length). `copies` = copies of the
    /// accumulator controls (one per row).
    pub fn new(stages: usize, max_slices: usize, slots: usize, copies: usize) -> Self {
        let outs = || (0..copies).map(|_| Default::default()).collect();
        Self {
            clock: Default::default(),
            reset: Default::default(),
            act_valid: Default::default(),
            act_last: Default::default(),
            w_valid: Default::default(),
            ring: Default::default(),
            act_ready: Default::default(),
            w_ready: Default::default(),
            acc_en: outs(),
            acc_clr: outs(),
            res_en: outs(),
            res_valid: Default::default(),
            k_overflow: Default::default(),
            valid: (0..=stages).map(|_| Reg::default()).collect(),
            last: (0..=stages).map(|_| Reg::default()).collect(),
            gvalid: (0..copies).map(|_| Reg::kept()).collect(),
            glast: (0..copies).map(|_| Reg::kept()).collect(),
            rvalid: Default::default(),
            count: Default::default(),
            overflow: Default::default(),
            max_slices: Constant::new((max_slices as u64).into()),
            max_ring_slices: Constant::new(((max_slices * slots) as u64).into()),
            limit: Default::default(),
            fire_w: Default::default(),
            done: Default::default(),
            _stages: stages,
            _copies: copies,
        }
    }
}

impl Logic for Controller {
    #[hdl_gen]
    fn update(&mut self) {
        self.act_ready.next = self.w_valid.val() & !self.reset.val();
        self.w_ready.next = self.act_valid.val() & !self.reset.val();
        self.fire_w.next = self.act_valid.val() & self.w_valid.val() & !self.reset.val();
        // valid/last travel with the data: stage 0 is the input register
        self.valid[0].clock.next = self.clock.val();
        self.valid[0].d.next = self.fire_w.val();
        self.valid[0].en.next = true;
        self.valid[0].clr.next = self.reset.val();
        self.last[0].clock.next = self.clock.val();
        self.last[0].d.next = self.act_last.val();
        self.last[0].en.next = true;
        self.last[0].clr.next = false;
        for i in 1..(self._stages + 1) {
            self.valid[i].clock.next = self.clock.val();
            self.valid[i].d.next = self.valid[i - 1].q.val();
            self.valid[i].en.next = true;
            self.valid[i].clr.next = self.reset.val();
            self.last[i].clock.next = self.clock.val();
            self.last[i].d.next = self.last[i - 1].q.val();
            self.last[i].en.next = true;
            self.last[i].clr.next = false;
        }
        // (one-pass loops: rust-hdl only evaluates loop variables inside indices)
        for s in self._stages..(self._stages + 1) {
            self.done.next = self.valid[s].q.val() & self.last[s].q.val();
        }
        // the last stage again per row, from the stage before it: same timing
        for s in (self._stages - 1)..self._stages {
            for g in 0..self._copies {
                self.gvalid[g].clock.next = self.clock.val();
                self.gvalid[g].d.next = self.valid[s].q.val();
                self.gvalid[g].en.next = true;
                self.gvalid[g].clr.next = self.reset.val();
                self.glast[g].clock.next = self.clock.val();
                self.glast[g].d.next = self.last[s].q.val();
                self.glast[g].en.next = true;
                self.glast[g].clr.next = false;
            }
        }
        for g in 0..self._copies {
            self.acc_en[g].next = self.gvalid[g].q.val();
            self.acc_clr[g].next = self.reset.val() | (self.gvalid[g].q.val() & self.glast[g].q.val());
            self.res_en[g].next = self.gvalid[g].q.val() & self.glast[g].q.val();
        }
        self.rvalid.clock.next = self.clock.val();
        self.rvalid.d.next = self.done.val();
        self.rvalid.en.next = true;
        self.rvalid.clr.next = self.reset.val();
        self.res_valid.next = self.rvalid.q.val();
        // slices accepted so far in the current dot product (in ring mode: since the last
        // result, all D interleaved products together); more than the limit is an error
        if self.ring.val() {
            self.limit.next = self.max_ring_slices.val();
        } else {
            self.limit.next = self.max_slices.val();
        }
        self.count.clock.next = self.clock.val();
        self.count.d.next = self.count.q.val() + 1;
        self.count.en.next = self.fire_w.val();
        self.count.clr.next = self.reset.val() | (self.fire_w.val() & self.act_last.val());
        self.overflow.clock.next = self.clock.val();
        self.overflow.d.next = true;
        self.overflow.en.next = self.fire_w.val() & (self.count.q.val() >= self.limit.val());
        self.overflow.clr.next = self.reset.val();
        self.k_overflow.next = self.overflow.q.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{prepare, tick};

    fn step(c: &mut Controller, reset: bool, av: bool, wv: bool, last: bool) {
        c.reset.next = reset;
        c.act_valid.next = av;
        c.w_valid.next = wv;
        c.act_last.next = last;
        tick(c, |c| &mut c.clock);
    }

    #[test]
    fn join_latency_and_overflow() {
        let stages = 3;
        let mut c = Controller::new(stages, 2, 1, 2);
        prepare(&mut c);
        step(&mut c, true, false, false, false);
        assert!(!c.res_valid.val() && !c.k_overflow.val());
        // join: ready follows the other stream's valid
        c.reset.next = false;
        c.act_valid.next = true;
        c.w_valid.next = false;
        crate::sim::settle(&mut c);
        assert!(!c.act_ready.val() && c.w_ready.val());
        // a 2-slice dot product, last slice accepted in cycle t = 1
        step(&mut c, false, true, true, false);
        step(&mut c, false, true, true, true);
        // acc_en / res_en rise `stages` cycles after the input register, res_valid one later
        let mut seen = vec![];
        for _ in 0..8 {
            // both copies agree
            assert_eq!((c.acc_en[0].val(), c.res_en[0].val()), (c.acc_en[1].val(), c.res_en[1].val()));
            seen.push((c.acc_en[0].val(), c.res_en[0].val(), c.res_valid.val()));
            step(&mut c, false, false, false, false);
        }
        // after the accepting edge of the last slice (t=1): stage s holds it after s edges
        let res_valid_at = seen.iter().position(|s| s.2).unwrap();
        let res_en_at = seen.iter().position(|s| s.1).unwrap();
        assert_eq!(res_en_at + 1, res_valid_at);
        // res_valid is high in cycle t + stages + 2 where t is the accept cycle of the last slice
        assert_eq!(res_valid_at, stages + 1);
        assert_eq!(seen.iter().filter(|s| s.2).count(), 1);
        assert!(!c.k_overflow.val());
        // three slices with max 2: overflow
        step(&mut c, false, true, true, false);
        step(&mut c, false, true, true, false);
        assert!(!c.k_overflow.val());
        step(&mut c, false, true, true, true);
        assert!(c.k_overflow.val());
        step(&mut c, true, false, false, false);
        assert!(!c.k_overflow.val());
    }
}
