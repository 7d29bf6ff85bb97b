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
    /// One dot product per row.
    pub res: Vec<Signal<Out, Bits<ACC>>>,
    pub res_valid: Signal<Out, Bit>,
    pub k_overflow: Signal<Out, Bit>,
    ctrl: Controller,
    xin: Vec<Reg<Bits<8>>>,
    xdel: Vec<Reg<Bits<8>>>,
    rows: Vec<Row<ACC, ACC1>>,
    /// for each lane: index of the last register of its delay line (None = stage 0)
    _xtap: Vec<Option<usize>>,
    /// for each delay register: (lane, position)
    _xdel_of: Vec<(usize, usize)>,
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
            res: (0..r).map(|_| Default::default()).collect(),
            res_valid: Default::default(),
            k_overflow: Default::default(),
            ctrl: Controller::new(cfg.pipeline_depth, cfg.max_slices()),
            xin: (0..l).map(|_| Default::default()).collect(),
            xdel: (0..xdel_of.len()).map(|_| Default::default()).collect(),
            rows: (0..r).map(|_| Row::new(cfg)).collect(),
            _xtap: xtap,
            _xdel_of: xdel_of,
        }
    }

    fn row_weights<'a, T: Synth>(v: &'a [Signal<In, T>], rows: usize, r: usize) -> &'a [Signal<In, T>] {
        let per = v.len() / rows.max(1);
        &v[r * per..(r + 1) * per]
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
        self.act_ready.next = c.act_ready.val();
        self.w_ready.next = c.w_ready.val();
        self.res_valid.next = c.res_valid.val();
        self.k_overflow.next = c.k_overflow.val();
        let fire = c.fire.val();
        for j in 0..self.xin.len() {
            self.xin[j].clock.next = self.clock.val();
            self.xin[j].en.next = fire;
            self.xin[j].clr.next = false;
            self.xin[j].d.next = self.act[j].val();
        }
        for k in 0..self.xdel.len() {
            let (j, pos) = self._xdel_of[k];
            self.xdel[k].clock.next = self.clock.val();
            self.xdel[k].en.next = true;
            self.xdel[k].clr.next = false;
            self.xdel[k].d.next = if pos == 0 { self.xin[j].q.val() } else { self.xdel[k - 1].q.val() };
        }
        let nrows = self.rows.len();
        for r in 0..nrows {
            let row = &mut self.rows[r];
            row.clock.next = self.clock.val();
            row.wen.next = fire;
            row.acc_en.next = self.ctrl.acc_en.val();
            row.acc_clr.next = self.ctrl.acc_clr.val();
            row.res_en.next = self.ctrl.res_en.val();
            for j in 0..row.x.len() {
                row.x[j].next = match self._xtap[j] {
                    None => self.xin[j].q.val(),
                    Some(k) => self.xdel[k].q.val(),
                };
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
        for s in [&mut c.reset, &mut c.act_valid, &mut c.act_last, &mut c.w_valid] {
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
            for s in [&mut row.wen, &mut row.acc_en, &mut row.acc_clr, &mut row.res_en] {
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
             ctrl$act_last = act_last;\n    ctrl$w_valid = w_valid;\n    act_ready = ctrl$act_ready;\n    \
             w_ready = ctrl$w_ready;\n    res_valid = ctrl$res_valid;\n    k_overflow = ctrl$k_overflow;\n",
        );
        for j in 0..self.xin.len() {
            let _ = writeln!(v, "    xin${j}$clock = clock; xin${j}$en = ctrl$fire; xin${j}$clr = 1'b0; xin${j}$d = act${j};");
        }
        for (k, &(j, pos)) in self._xdel_of.iter().enumerate() {
            let d = if pos == 0 { format!("xin${j}$q") } else { format!("xdel${}$q", k - 1) };
            let _ = writeln!(v, "    xdel${k}$clock = clock; xdel${k}$en = 1'b1; xdel${k}$clr = 1'b0; xdel${k}$d = {d};");
        }
        let nrows = self.rows.len();
        for (r, row) in self.rows.iter().enumerate() {
            let _ = writeln!(
                v,
                "    rows${r}$clock = clock; rows${r}$wen = ctrl$fire; rows${r}$acc_en = ctrl$acc_en; \
                 rows${r}$acc_clr = ctrl$acc_clr; rows${r}$res_en = ctrl$res_en; res${r} = rows${r}$result;"
            );
            for j in 0..row.x.len() {
                let src = match self._xtap[j] {
                    None => format!("xin${j}$q"),
                    Some(k) => format!("xdel${k}$q"),
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
