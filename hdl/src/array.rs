//! The array top in rust-hdl ([`TernCore`]): controller, shared activation registers and
//! delays, and the rows. Ports are per lane / per row vectors; [`crate::verilog`] wraps the
//! emitted core in the packed-bus module `tern_array` described in the crate docs.

use crate::config::ArrayConfig;
use crate::controller::Controller;
use crate::reg::Reg;
use crate::row::{Row, WeightFormat};
use rust_hdl::prelude::*;
use std::fmt::Write;

#[derive(Clone, Debug, LogicBlock)]
pub struct TernCore<const ACC: usize, const ACC1: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// Activation slice, one int8 per lane.
    pub act: Vec<Signal<In, Bits<8>>>,
    pub act_valid: Signal<In, Bit>,
    /// This slice is the last of the dot product.
    pub act_last: Signal<In, Bit>,
    pub act_ready: Signal<Out, Bit>,
    /// Weights, row-major: `w2[r * lanes + j]` (ternary 2-bit codes).
    pub w2: Vec<Signal<In, Bits<2>>>,
    /// Weights, row-major: `w1[r * lanes + j]` (binary, 1 = -1).
    pub w1: Vec<Signal<In, Bit>>,
    /// Weights, row-major: `w3[r * bytes + b]` (base 3).
    pub w3: Vec<Signal<In, Bits<8>>>,
    pub w_valid: Signal<In, Bit>,
    pub w_ready: Signal<Out, Bit>,
    /// Accumulate into the oldest slot (slots > 1: weight reuse over D interleaved products).
    pub ring: Signal<In, Bit>,
    /// One dot product per row.
    pub res: Vec<Signal<Out, Bits<ACC>>>,
    pub res_valid: Signal<Out, Bit>,
    pub k_overflow: Signal<Out, Bit>,
    ctrl: Controller,
    /// Activation input registers, one copy per row group: `xin[g * lanes + j]`.
    xin: Vec<Reg<Bits<8>>>,
    /// Their delay lines, one copy per row group: `xdel[g * _xdel_of.len() + k]`.
    xdel: Vec<Reg<Bits<8>>>,
    rows: Vec<Row<ACC, ACC1>>,
    /// for each lane: index of the last register of its delay line (None = stage 0)
    _xtap: Vec<Option<usize>>,
    /// for each delay register of one copy: (lane, position)
    _xdel_of: Vec<(usize, usize)>,
    /// for each row: its row group
    _group: Vec<usize>,
}

impl<const ACC: usize, const ACC1: usize> TernCore<ACC, ACC1> {
    /// Build the core for a validated configuration with `accumulator_bits == ACC`.
    pub fn new(cfg: &ArrayConfig) -> Self {
        let (r, l) = (cfg.rows, cfg.lanes);
        let mut xdel_of = vec![];
        let mut xtap = vec![];
        for j in 0..l {
            let s = cfg.lane_stage(j);
            for k in 0..s {
                xdel_of.push((j, k));
            }
            xtap.push(if s == 0 { None } else { Some(xdel_of.len() - 1) });
        }
        let format = WeightFormat::of(cfg);
        let count = |f: WeightFormat, per_row: usize| if format == f { r * per_row } else { 0 };
        let groups = cfg.row_groups();
        // one copy needs no keep; more are replicas synthesis must not merge back
        let reg = || if groups > 1 { Reg::kept() } else { Reg::default() };
        Self {
            clock: Default::default(),
            reset: Default::default(),
            act: (0..l).map(|_| Default::default()).collect(),
            act_valid: Default::default(),
            act_last: Default::default(),
            act_ready: Default::default(),
            w2: (0..count(WeightFormat::TwoBit, l)).map(|_| Default::default()).collect(),
            w1: (0..count(WeightFormat::Binary, l)).map(|_| Default::default()).collect(),
            w3: (0..count(WeightFormat::Base3, cfg.base3_bytes_per_row())).map(|_| Default::default()).collect(),
            w_valid: Default::default(),
            w_ready: Default::default(),
            ring: Default::default(),
            res: (0..r).map(|_| Default::default()).collect(),
            res_valid: Default::default(),
            k_overflow: Default::default(),
            ctrl: Controller::new(cfg.pipeline_depth, cfg.max_slices(), cfg.slots, r),
            xin: (0..groups * l).map(|_| reg()).collect(),
            xdel: (0..groups * xdel_of.len()).map(|_| reg()).collect(),
            rows: (0..r).map(|_| Row::new(cfg)).collect(),
            _xtap: xtap,
            _xdel_of: xdel_of,
            _group: (0..r).map(|row| cfg.row_group(row)).collect(),
        }
    }

    fn row_weights<T: Synth>(v: &[Signal<In, T>], rows: usize, r: usize) -> &[Signal<In, T>] {
        let per = v.len() / rows.max(1);
        &v[r * per..(r + 1) * per]
    }

    /// The register row group `g` feeds lane `j` from: `(false, i)` is `xin[i]`, `(true, i)`
    /// is `xdel[i]`.
    fn x_source(&self, g: usize, j: usize) -> (bool, usize) {
        match self._xtap[j] {
            None => (false, g * self._xtap.len() + j),
            Some(k) => (true, g * self._xdel_of.len() + k),
        }
    }
}

impl<const ACC: usize, const ACC1: usize> Logic for TernCore<ACC, ACC1> {
    fn update(&mut self) {
        let c = &mut self.ctrl;
        c.clock.next = self.clock.val();
        c.reset.next = self.reset.val();
        c.act_valid.next = self.act_valid.val();
        c.act_last.next = self.act_last.val();
        c.w_valid.next = self.w_valid.val();
        c.ring.next = self.ring.val();
        self.act_ready.next = c.act_ready.val();
        self.w_ready.next = c.w_ready.val();
        self.res_valid.next = c.res_valid.val();
        self.k_overflow.next = c.k_overflow.val();
        let (l, nd) = (self.act.len(), self._xdel_of.len());
        for i in 0..self.xin.len() {
            self.xin[i].clock.next = self.clock.val();
            self.xin[i].en.next = true;
            self.xin[i].clr.next = false;
            self.xin[i].d.next = self.act[i % l].val();
        }
        for i in 0..self.xdel.len() {
            let (g, k) = (i / nd, i % nd);
            let (j, pos) = self._xdel_of[k];
            self.xdel[i].clock.next = self.clock.val();
            self.xdel[i].en.next = true;
            self.xdel[i].clr.next = false;
            self.xdel[i].d.next = if pos == 0 { self.xin[g * l + j].q.val() } else { self.xdel[i - 1].q.val() };
        }
        let nrows = self.rows.len();
        for r in 0..nrows {
            let g = self._group[r];
            let x: Vec<Bits<8>> = (0..l)
                .map(|j| match self.x_source(g, j) {
                    (false, i) => self.xin[i].q.val(),
                    (true, i) => self.xdel[i].q.val(),
                })
                .collect();
            let row = &mut self.rows[r];
            row.clock.next = self.clock.val();
            row.acc_en.next = self.ctrl.acc_en[r].val();
            row.acc_clr.next = self.ctrl.acc_clr[r].val();
            row.res_en.next = self.ctrl.res_en[r].val();
            row.ring.next = self.ring.val();
            row.ring_clr.next = self.reset.val();
            for (dst, v) in row.x.iter_mut().zip(x) {
                dst.next = v;
            }
            for (dst, src) in row.w2.iter_mut().zip(Self::row_weights(&self.w2, nrows, r)) {
                dst.next = src.val();
            }
            for (dst, src) in row.w1.iter_mut().zip(Self::row_weights(&self.w1, nrows, r)) {
                dst.next = src.val();
            }
            for (dst, src) in row.w3.iter_mut().zip(Self::row_weights(&self.w3, nrows, r)) {
                dst.next = src.val();
            }
            self.res[r].next = row.result.val();
        }
    }

    fn connect(&mut self) {
        let c = &mut self.ctrl;
        for s in [&mut c.reset, &mut c.act_valid, &mut c.act_last, &mut c.w_valid, &mut c.ring] {
            s.connect();
        }
        c.clock.connect();
        for s in [&mut self.act_ready, &mut self.w_ready, &mut self.res_valid, &mut self.k_overflow] {
            s.connect();
        }
        for reg in self.xin.iter_mut().chain(self.xdel.iter_mut()) {
            reg.clock.connect();
            reg.en.connect();
            reg.clr.connect();
            reg.d.connect();
        }
        for row in &mut self.rows {
            row.clock.connect();
            for s in [&mut row.acc_en, &mut row.acc_clr, &mut row.res_en, &mut row.ring, &mut row.ring_clr] {
                s.connect();
            }
            row.x.iter_mut().for_each(|s| s.connect());
            row.w2.iter_mut().for_each(|s| s.connect());
            row.w1.iter_mut().for_each(|s| s.connect());
            row.w3.iter_mut().for_each(|s| s.connect());
        }
        self.res.iter_mut().for_each(|s| s.connect());
    }

    fn hdl(&self) -> Verilog {
        let mut v = String::from("always @(*) begin\n");
        v.push_str(
            "    ctrl$clock = clock;\n    ctrl$reset = reset;\n    ctrl$act_valid = act_valid;\n    \
             ctrl$act_last = act_last;\n    ctrl$w_valid = w_valid;\n    ctrl$ring = ring;\n    act_ready = ctrl$act_ready;\n    \
             w_ready = ctrl$w_ready;\n    res_valid = ctrl$res_valid;\n    k_overflow = ctrl$k_overflow;\n",
        );
        let (l, nd) = (self.act.len(), self._xdel_of.len());
        for i in 0..self.xin.len() {
            let _ = writeln!(v, "    xin${i}$clock = clock; xin${i}$en = 1'b1; xin${i}$clr = 1'b0; xin${i}$d = act${};", i % l);
        }
        for i in 0..self.xdel.len() {
            let (g, k) = (i / nd, i % nd);
            let (j, pos) = self._xdel_of[k];
            let d = if pos == 0 { format!("xin${}$q", g * l + j) } else { format!("xdel${}$q", i - 1) };
            let _ = writeln!(v, "    xdel${i}$clock = clock; xdel${i}$en = 1'b1; xdel${i}$clr = 1'b0; xdel${i}$d = {d};");
        }
        let nrows = self.rows.len();
        for (r, row) in self.rows.iter().enumerate() {
            let g = self._group[r];
            let _ = writeln!(
                v,
                "    rows${r}$clock = clock; rows${r}$acc_en = ctrl$acc_en${r}; \
                 rows${r}$acc_clr = ctrl$acc_clr${r}; rows${r}$res_en = ctrl$res_en${r}; res${r} = rows${r}$result; \
                 rows${r}$ring = ring; rows${r}$ring_clr = reset;"
            );
            for j in 0..row.x.len() {
                let src = match self.x_source(g, j) {
                    (false, i) => format!("xin${i}$q"),
                    (true, i) => format!("xdel${i}$q"),
                };
                let _ = writeln!(v, "    rows${r}$x${j} = {src};");
            }
            for (name, n) in [("w2", row.w2.len()), ("w1", row.w1.len()), ("w3", row.w3.len())] {
                let per = match name {
                    "w2" => self.w2.len(),
                    "w1" => self.w1.len(),
                    _ => self.w3.len(),
                } / nrows.max(1);
                for i in 0..n {
                    let _ = writeln!(v, "    rows${r}${name}${i} = {name}${};", r * per + i);
                }
            }
        }
        v.push_str("end");
        Verilog::Custom(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Packing;
    use crate::pack::{matvec_beats, reference_matvec};
    use crate::sim::{prepare, tick};
    use proptest::prelude::*;

    const ACC: usize = 20;

    use crate::pack::get_bits as bits;

    /// Drive the core the way the `tern_array` wrapper does (bus field k -> port k), with
    /// `gaps[i]` idle or half-valid cycles before beat i, and return every result with the
    /// number of cycles between the accept of its last slice and `res_valid`.
    fn run(cfg: &ArrayConfig, w: &[i8], n: usize, k: usize, x: &[i8], gaps: &[u8]) -> Vec<(Vec<i64>, usize)> {
        let beats = matvec_beats(cfg, w, n, k, x).unwrap();
        let mut c = TernCore::<ACC, { ACC + 1 }>::new(cfg);
        prepare(&mut c);
        c.reset.next = true;
        tick(&mut c, |c| &mut c.clock);
        c.reset.next = false;
        let mut out = vec![];
        let mut since_last: Vec<usize> = vec![];
        let drive_idle = |c: &mut TernCore<ACC, { ACC + 1 }>, g: u8| {
            c.act_valid.next = g == 1;
            c.w_valid.next = g == 2;
        };
        let observe = |c: &mut TernCore<ACC, { ACC + 1 }>, since_last: &mut Vec<usize>, out: &mut Vec<(Vec<i64>, usize)>| {
            tick(c, |c| &mut c.clock);
            since_last.iter_mut().for_each(|t| *t += 1);
            if c.res_valid.val() {
                let res = c.res.iter().map(|s| ((s.val().to_u64() << (64 - ACC)) as i64) >> (64 - ACC)).collect();
                out.push((res, since_last.remove(0)));
            }
        };
        for (i, b) in beats.iter().enumerate() {
            for g in 0..gaps.get(i).copied().unwrap_or(0) {
                drive_idle(&mut c, g % 3);
                observe(&mut c, &mut since_last, &mut out);
            }
            for j in 0..cfg.lanes {
                let a = cfg.activation_bits;
                let raw = bits(&b.act, a * j, a);
                let sext = ((raw << (64 - a)) as i64 >> (64 - a)) as u8;
                c.act[j].next = (sext as u64).into();
            }
            for (kk, p) in c.w2.iter_mut().enumerate() {
                p.next = bits(&b.weights, 2 * kk, 2).into();
            }
            for (kk, p) in c.w1.iter_mut().enumerate() {
                p.next = bits(&b.weights, kk, 1) == 1;
            }
            for (kk, p) in c.w3.iter_mut().enumerate() {
                p.next = bits(&b.weights, 8 * kk, 8).into();
            }
            c.act_valid.next = true;
            c.w_valid.next = true;
            c.act_last.next = b.last;
            crate::sim::settle(&mut c);
            assert!(c.act_ready.val() && c.w_ready.val());
            if b.last {
                since_last.push(0);
            }
            observe(&mut c, &mut since_last, &mut out);
            c.act_valid.next = false;
            c.w_valid.next = false;
        }
        for _ in 0..cfg.latency() + 2 {
            observe(&mut c, &mut since_last, &mut out);
        }
        assert!(!c.k_overflow.val());
        out
    }

    fn check(cfg: &ArrayConfig, w: &[i8], n: usize, k: usize, x: &[i8], gaps: &[u8]) {
        let got = run(cfg, w, n, k, x, gaps);
        let want = reference_matvec(w, n, k, x);
        let tiles = n.div_ceil(cfg.rows);
        assert_eq!(got.len(), tiles, "one result per row tile");
        for (t, (res, latency)) in got.iter().enumerate() {
            assert_eq!(*latency, cfg.latency(), "res_valid latency, tile {t}");
            assert_eq!(res.len(), cfg.rows, "one result per row, tile {t}");
            for (r, &got_r) in res.iter().enumerate() {
                let row = t * cfg.rows + r;
                assert_eq!(got_r, want.get(row).copied().unwrap_or(0), "tile {t} row {r} ({cfg:?})");
            }
        }
    }

    fn cfg(rows: usize, lanes: usize, packing: Packing, binary: bool, depth: usize) -> ArrayConfig {
        ArrayConfig { rows, lanes, packing, binary, pipeline_depth: depth, accumulator_bits: ACC, max_k: 2000, ..Default::default() }
    }

    #[test]
    fn extreme_rows_4x16() {
        for packing in [Packing::TwoBit, Packing::Base3] {
            let c = cfg(4, 16, packing, false, 4);
            let k = 37; // not a multiple of 16
            let x: Vec<i8> = (0..k).map(|i| if i % 2 == 0 { -128 } else { 127 }).collect();
            // rows: all +1, all -1, all 0, alternating, then a second tile of -1 and +1
            let mut w = vec![];
            for row in 0..6 {
                for c in 0..k {
                    w.push(match row {
                        0 | 5 => 1,
                        1 | 4 => -1,
                        2 => 0,
                        _ => [1, -1, 0][c % 3],
                    });
                }
            }
            check(&c, &w, 6, k, &x, &[0, 2, 0, 1, 0, 3]);
            let all_min = vec![-128i8; k];
            check(&c, &w, 6, k, &all_min, &[]);
        }
    }

    #[test]
    fn binary_weights() {
        let c = cfg(3, 8, Packing::TwoBit, true, 2);
        let k = 20;
        let x: Vec<i8> = (0..k).map(|i| (i as i8).wrapping_mul(37)).collect();
        let w: Vec<i8> = (0..3 * k).map(|i| if i % 3 == 0 { -1 } else { 1 }).collect();
        check(&c, &w, 3, k, &x, &[1]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]
        #[test]
        fn random_matvecs(rows in 1usize..5, lanes in 1usize..12, depth_seed in 0usize..12, base3 in any::<bool>(),
                          group_rows in 1usize..4, n in 1usize..9, k in 1usize..40, seed in any::<u64>(),
                          gaps in proptest::collection::vec(0u8..3, 0..8)) {
            let c = ArrayConfig { group_rows, ..cfg(rows, lanes, if base3 { Packing::Base3 } else { Packing::TwoBit }, false, 1 + depth_seed % lanes) };
            let mut s = seed;
            let mut next = || { s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); (s >> 33) as u32 };
            let x: Vec<i8> = (0..k).map(|_| match next() % 5 { 0 => -128, 1 => 127, _ => next() as i8 }).collect();
            let w: Vec<i8> = (0..n * k).map(|_| (next() % 3) as i8 - 1).collect();
            check(&c, &w, n, k, &x, &gaps);
        }
    }
}
