//! The row reduction: the lanes of a row form one offset-binary carry chain, cut into
//! `pipeline_depth` systolic segments.
//!
//! Segment `s` holds lanes `ArrayConfig::segment_range(s)`; its first lane starts from the
//! registered sum of segment `s-1` (segment 0 starts from the constant `-128 * lanes`, which
//! cancels the `+128` every [`Lane`] adds). Segment `s` works on a slice `s` cycles after
//! segment 0, so its activations arrive already delayed by `s` cycles (the delay is shared by
//! all rows, in [`crate::array::TernCore`]) and its weights are delayed here by `s` registers.
//! The last segment register holds the row's slice sum modulo 2^ACC; the chain's output is its
//! low [`ArrayConfig::chain_bits`] bits sign-extended, which is exact because a slice sum of
//! L lanes is at most 128 * L in magnitude. Nothing then reads the bits above, so synthesis
//! removes them from every lane and segment register: each lane's carry chain is
//! `chain_bits` long (13 bits for 16 lanes), not the accumulator's width.
//!
//! Every lane is 8 LUTs and the segment cuts are flip-flops only, so the whole reduction is
//! 8 LUTs per lane: there is no adder tree to pay for (measured, see the crate docs).

use crate::config::ArrayConfig;
use crate::lane::Lane;
use crate::pack::sign_extend;
use crate::reg::Reg;
use crate::verilog::resize;
use rust_hdl::prelude::*;
use std::fmt::Write;

/// Where a lane's weight bits come from: the input (stage 0) or the last of its delay registers.
#[derive(Clone, Debug)]
enum WeightTap {
    Direct,
    Delayed(usize),
}

#[derive(Clone, Debug, LogicBlock)]
pub struct Chain<const ACC: usize, const ACC1: usize> {
    pub clock: Signal<In, Clock>,
    /// Lane activations, lane `j` already delayed by its segment index.
    pub x: Vec<Signal<In, Bits<8>>>,
    /// Lane weights (non-zero), stage-0 timing.
    pub nz: Vec<Signal<In, Bit>>,
    /// Lane weights (negative), stage-0 timing.
    pub neg: Vec<Signal<In, Bit>>,
    /// Registered slice sum of the row, two's complement modulo 2^ACC.
    pub sum: Signal<Out, Bits<ACC>>,
    lanes: Vec<Lane<ACC, ACC1>>,
    wdel: Vec<Reg<Bits<2>>>,
    seg: Vec<Reg<Bits<ACC>>>,
    start: Constant<Bits<ACC>>,
    _taps: Vec<WeightTap>,
    /// segment of each lane
    _stage: Vec<usize>,
    /// for each delay register: (lane, position in that lane's delay line)
    _wdel_of: Vec<(usize, usize)>,
    /// bits of the slice sum that are kept (the rest is their sign extension)
    _bits: usize,
}

impl<const ACC: usize, const ACC1: usize> Chain<ACC, ACC1> {
    pub fn new(cfg: &ArrayConfig) -> Self {
        let l = cfg.lanes;
        let stage: Vec<usize> = (0..l).map(|j| cfg.lane_stage(j)).collect();
        let mut taps = vec![];
        let mut wdel_of = vec![];
        for (j, &s) in stage.iter().enumerate() {
            if s == 0 {
                taps.push(WeightTap::Direct);
            } else {
                for k in 0..s {
                    wdel_of.push((j, k));
                }
                taps.push(WeightTap::Delayed(wdel_of.len() - 1));
            }
        }
        let start = (1u64 << ACC).wrapping_sub(128 * l as u64) & ((1u64 << ACC) - 1);
        Self {
            clock: Default::default(),
            x: (0..l).map(|_| Default::default()).collect(),
            nz: (0..l).map(|_| Default::default()).collect(),
            neg: (0..l).map(|_| Default::default()).collect(),
            sum: Default::default(),
            lanes: (0..l).map(|_| Lane::default()).collect(),
            wdel: (0..wdel_of.len()).map(|_| Reg::default()).collect(),
            seg: (0..cfg.pipeline_depth).map(|_| Reg::default()).collect(),
            start: Constant::new(start.into()),
            _taps: taps,
            _stage: stage,
            _wdel_of: wdel_of,
            _bits: cfg.chain_bits().min(ACC),
        }
    }

    /// Lane `j` starts a segment.
    fn starts_segment(&self, j: usize) -> bool {
        j == 0 || self._stage[j] != self._stage[j - 1]
    }

    /// Lane `j` ends a segment.
    fn ends_segment(&self, j: usize) -> bool {
        j + 1 == self.lanes.len() || self._stage[j] != self._stage[j + 1]
    }
}

impl<const ACC: usize, const ACC1: usize> Logic for Chain<ACC, ACC1> {
    fn update(&mut self) {
        for k in 0..self.wdel.len() {
            let (j, pos) = self._wdel_of[k];
            self.wdel[k].clock.next = self.clock.val();
            self.wdel[k].en.next = true;
            self.wdel[k].clr.next = false;
            self.wdel[k].d.next = if pos == 0 {
                Bits::<2>::default().replace_bit(0, self.nz[j].val()).replace_bit(1, self.neg[j].val())
            } else {
                self.wdel[k - 1].q.val()
            };
        }
        for j in 0..self.lanes.len() {
            let s = self._stage[j];
            self.lanes[j].pin.next = if !self.starts_segment(j) {
                self.lanes[j - 1].pout.val()
            } else if s == 0 {
                self.start.val()
            } else {
                self.seg[s - 1].q.val()
            };
            self.lanes[j].x.next = self.x[j].val();
            match self._taps[j] {
                WeightTap::Direct => {
                    self.lanes[j].nz.next = self.nz[j].val();
                    self.lanes[j].neg.next = self.neg[j].val();
                }
                WeightTap::Delayed(k) => {
                    self.lanes[j].nz.next = self.wdel[k].q.val().get_bit(0);
                    self.lanes[j].neg.next = self.wdel[k].q.val().get_bit(1);
                }
            }
            if self.ends_segment(j) {
                self.seg[s].clock.next = self.clock.val();
                self.seg[s].en.next = true;
                self.seg[s].clr.next = false;
                self.seg[s].d.next = self.lanes[j].pout.val();
            }
        }
        // the low `_bits` bits, sign-extended to ACC
        let low = sign_extend(self.seg[self.seg.len() - 1].q.val().to_u64(), self._bits);
        self.sum.next = (low as u64 & ((1u64 << ACC) - 1)).into();
    }

    fn connect(&mut self) {
        for r in &mut self.wdel {
            r.clock.connect();
            r.en.connect();
            r.clr.connect();
            r.d.connect();
        }
        for l in &mut self.lanes {
            l.pin.connect();
            l.x.connect();
            l.nz.connect();
            l.neg.connect();
        }
        for r in &mut self.seg {
            r.clock.connect();
            r.en.connect();
            r.clr.connect();
            r.d.connect();
        }
        self.sum.connect();
    }

    fn hdl(&self) -> Verilog {
        // the last segment register's bits above `_bits` are read by nothing: their copy is
        // declared with Verilator's unused-signal lint off
        let (last, b) = (self.seg.len() - 1, self._bits);
        let mut v = format!(
            "// verilator lint_off UNUSEDSIGNAL\nwire [{}:0] sum_wide = seg${last}$q;\n// verilator lint_on UNUSEDSIGNAL\n\
             wire [{1}:0] sum_low = sum_wide[{1}:0];\nalways @(*) begin\n",
            ACC - 1,
            b - 1
        );
        for (k, &(j, pos)) in self._wdel_of.iter().enumerate() {
            let d = if pos == 0 { format!("{{neg${j}, nz${j}}}") } else { format!("wdel${}$q", k - 1) };
            let _ = writeln!(v, "    wdel${k}$clock = clock; wdel${k}$en = 1'b1; wdel${k}$clr = 1'b0; wdel${k}$d = {d};");
        }
        for j in 0..self.lanes.len() {
            let s = self._stage[j];
            let pin = if !self.starts_segment(j) {
                format!("lanes${}$pout", j - 1)
            } else if s == 0 {
                "start".to_string()
            } else {
                format!("seg${}$q", s - 1)
            };
            let (nz, neg) = match self._taps[j] {
                WeightTap::Direct => (format!("nz${j}"), format!("neg${j}")),
                WeightTap::Delayed(k) => (format!("wdel${k}$q[0]"), format!("wdel${k}$q[1]")),
            };
            let _ = writeln!(v, "    lanes${j}$pin = {pin}; lanes${j}$x = x${j}; lanes${j}$nz = {nz}; lanes${j}$neg = {neg};");
            if self.ends_segment(j) {
                let _ = writeln!(v, "    seg${s}$clock = clock; seg${s}$en = 1'b1; seg${s}$clr = 1'b0; seg${s}$d = lanes${j}$pout;");
            }
        }
        let _ = writeln!(v, "    sum = {};\nend", resize("sum_low", b, ACC));
        Verilog::Custom(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{prepare, tick};
    use proptest::prelude::*;

    /// Drive a fresh slice every cycle with the activation skew the core applies, and check the
    /// sum that leaves the chain `depth` cycles later against the plain dot product.
    fn run(lanes: usize, depth: usize, slices: &[(Vec<i8>, Vec<i8>)]) {
        let cfg = ArrayConfig { lanes, pipeline_depth: depth, ..Default::default() };
        let mut c = Chain::<20, 21>::new(&cfg);
        prepare(&mut c);
        let mask = (1u64 << 20) - 1;
        for cycle in 0..slices.len() + depth {
            for j in 0..lanes {
                let s = cfg.lane_stage(j);
                // activation of lane j comes from the slice that entered s cycles ago
                let x = cycle.checked_sub(s).and_then(|n| slices.get(n)).map_or(0, |sl| sl.0[j]);
                c.x[j].next = (x as u8 as u64).into();
                let w = slices.get(cycle).map_or(0, |sl| sl.1[j]);
                c.nz[j].next = w != 0;
                c.neg[j].next = w < 0;
            }
            tick(&mut c, |c| &mut c.clock);
            // after this edge the sum of the slice that entered depth-1 cycles ago is out
            if let Some(n) = (cycle + 1).checked_sub(depth) {
                if let Some((x, w)) = slices.get(n) {
                    let want: i64 = x.iter().zip(w).map(|(&a, &b)| a as i64 * b as i64).sum();
                    assert_eq!(c.sum.val().to_u64(), (want as u64) & mask, "slice {n}");
                }
            }
        }
    }

    #[test]
    fn extreme_rows() {
        for (lanes, depth) in [(16, 4), (7, 3), (5, 1)] {
            let all = |x: i8, w: i8| (vec![x; lanes], vec![w; lanes]);
            run(lanes, depth, &[all(-128, 1), all(-128, -1), all(127, -1), all(0, 1), all(-1, -1), all(-128, 0)]);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn matches_dot_product(lanes in 1usize..20, depth_seed in 0usize..20,
                               seed in proptest::collection::vec((any::<i8>(), -1i8..=1), 20 * 6)) {
            let depth = 1 + depth_seed % lanes;
            let slices: Vec<_> = seed.chunks(20).map(|c| {
                (c[..lanes].iter().map(|p| p.0).collect(), c[..lanes].iter().map(|p| p.1).collect())
            }).collect();
            run(lanes, depth, &slices);
        }
    }
}
