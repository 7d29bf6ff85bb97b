//! One row of the array: weight input registers, weight decoding, the carry chain and the
//! accumulator. Rows share activations and control; each row has its own weights and result.

use crate::accumulator::Accumulator;
use crate::chain::Chain;
use crate::config::{ArrayConfig, Packing};
use crate::decoder::{Base3Decoder, TRITS_PER_BYTE};
use crate::reg::Reg;
use rust_hdl::prelude::*;
use std::fmt::Write;

/// How the row's weight stream is coded (from [`ArrayConfig`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeightFormat {
    /// 2-bit code per weight (bit 0 non-zero, bit 1 negative).
    TwoBit,
    /// 1 bit per weight: 1 = -1, 0 = +1.
    Binary,
    /// 5 weights per byte, base 3.
    Base3,
}

impl WeightFormat {
    pub fn of(cfg: &ArrayConfig) -> Self {
        match (cfg.binary, cfg.packing) {
            (true, _) => WeightFormat::Binary,
            (false, Packing::TwoBit) => WeightFormat::TwoBit,
            (false, Packing::Base3) => WeightFormat::Base3,
        }
    }
}

#[derive(Clone, Debug, LogicBlock)]
pub struct Row<const ACC: usize, const ACC1: usize> {
    pub clock: Signal<In, Clock>,
    /// Lane activations, lane `j` delayed by its segment index.
    pub x: Vec<Signal<In, Bits<8>>>,
    /// Ternary 2-bit weights, one per lane (empty in other formats).
    pub w2: Vec<Signal<In, Bits<2>>>,
    /// Binary weights, one per lane (empty in other formats).
    pub w1: Vec<Signal<In, Bit>>,
    /// Base-3 bytes, ceil(lanes / 5) (empty in other formats).
    pub w3: Vec<Signal<In, Bits<8>>>,
    pub acc_en: Signal<In, Bit>,
    pub acc_clr: Signal<In, Bit>,
    pub res_en: Signal<In, Bit>,
    /// Accumulate into the oldest slot (weight reuse, `slots > 1`).
    pub ring: Signal<In, Bit>,
    /// Clear every accumulator slot (reset).
    pub ring_clr: Signal<In, Bit>,
    pub result: Signal<Out, Bits<ACC>>,
    win2: Vec<Reg<Bits<2>>>,
    win1: Vec<Reg<Bit>>,
    win3: Vec<Reg<Bits<8>>>,
    dec: Vec<Base3Decoder>,
    chain: Chain<ACC, ACC1>,
    acc: Accumulator<ACC>,
    _format: WeightFormat,
}

impl<const ACC: usize, const ACC1: usize> Row<ACC, ACC1> {
    pub fn new(cfg: &ArrayConfig) -> Self {
        let format = WeightFormat::of(cfg);
        let l = cfg.lanes;
        let n = |on: bool, k: usize| if on { k } else { 0 };
        let (n2, n1, n3) = (
            n(format == WeightFormat::TwoBit, l),
            n(format == WeightFormat::Binary, l),
            n(format == WeightFormat::Base3, cfg.base3_bytes_per_row()),
        );
        Self {
            clock: Default::default(),
            x: (0..l).map(|_| Default::default()).collect(),
            w2: (0..n2).map(|_| Default::default()).collect(),
            w1: (0..n1).map(|_| Default::default()).collect(),
            w3: (0..n3).map(|_| Default::default()).collect(),
            acc_en: Default::default(),
            acc_clr: Default::default(),
            res_en: Default::default(),
            ring: Default::default(),
            ring_clr: Default::default(),
            result: Default::default(),
            win2: (0..n2).map(|_| Default::default()).collect(),
            win1: (0..n1).map(|_| Default::default()).collect(),
            win3: (0..n3).map(|_| Default::default()).collect(),
            dec: (0..n3).map(|b| Base3Decoder::new(l - b * TRITS_PER_BYTE)).collect(),
            chain: Chain::new(cfg),
            acc: Accumulator::new(cfg.slots),
            _format: format,
        }
    }
}

impl<const ACC: usize, const ACC1: usize> Logic for Row<ACC, ACC1> {
    fn update(&mut self) {
        macro_rules! load {
            ($regs:ident, $ins:ident) => {
                for (r, i) in self.$regs.iter_mut().zip(&self.$ins) {
                    r.clock.next = self.clock.val();
                    r.en.next = true;
                    r.clr.next = false;
                    r.d.next = i.val();
                }
            };
        }
        load!(win2, w2);
        load!(win1, w1);
        load!(win3, w3);
        for (d, r) in self.dec.iter_mut().zip(&self.win3) {
            d.code.next = r.q.val();
        }
        for j in 0..self.x.len() {
            self.chain.x[j].next = self.x[j].val();
            let (nz, neg) = match self._format {
                WeightFormat::TwoBit => (self.win2[j].q.val().get_bit(0), self.win2[j].q.val().get_bit(1)),
                WeightFormat::Binary => (true, self.win1[j].q.val()),
                WeightFormat::Base3 => {
                    let d = &self.dec[j / TRITS_PER_BYTE];
                    let i = j % TRITS_PER_BYTE;
                    (d.nz[i].val(), d.neg[i].val())
                }
            };
            self.chain.nz[j].next = nz;
            self.chain.neg[j].next = neg;
        }
        self.chain.clock.next = self.clock.val();
        self.acc.clock.next = self.clock.val();
        self.acc.sum.next = self.chain.sum.val();
        self.acc.en.next = self.acc_en.val();
        self.acc.clr.next = self.acc_clr.val();
        self.acc.res_en.next = self.res_en.val();
        self.acc.ring.next = self.ring.val();
        self.acc.ring_clr.next = self.ring_clr.val();
        self.result.next = self.acc.result.val();
    }

    fn connect(&mut self) {
        for r in &mut self.win2 {
            r.clock.connect();
            r.en.connect();
            r.clr.connect();
            r.d.connect();
        }
        for r in &mut self.win1 {
            r.clock.connect();
            r.en.connect();
            r.clr.connect();
            r.d.connect();
        }
        for r in &mut self.win3 {
            r.clock.connect();
            r.en.connect();
            r.clr.connect();
            r.d.connect();
        }
        for d in &mut self.dec {
            d.code.connect();
        }
        for j in 0..self.x.len() {
            self.chain.x[j].connect();
            self.chain.nz[j].connect();
            self.chain.neg[j].connect();
        }
        self.chain.clock.connect();
        self.acc.clock.connect();
        self.acc.sum.connect();
        self.acc.en.connect();
        self.acc.clr.connect();
        self.acc.res_en.connect();
        self.acc.ring.connect();
        self.acc.ring_clr.connect();
        self.result.connect();
    }

    fn hdl(&self) -> Verilog {
        let mut v = String::from("always @(*) begin\n");
        for (regs, ins, n) in [("win2", "w2", self.win2.len()), ("win1", "w1", self.win1.len()), ("win3", "w3", self.win3.len())] {
            for k in 0..n {
                let _ = writeln!(v, "    {regs}${k}$clock = clock; {regs}${k}$en = 1'b1; {regs}${k}$clr = 1'b0; {regs}${k}$d = {ins}${k};");
            }
        }
        for k in 0..self.dec.len() {
            let _ = writeln!(v, "    dec${k}$code = win3${k}$q;");
        }
        for j in 0..self.x.len() {
            let (nz, neg) = match self._format {
                WeightFormat::TwoBit => (format!("win2${j}$q[0]"), format!("win2${j}$q[1]")),
                WeightFormat::Binary => ("1'b1".to_string(), format!("win1${j}$q")),
                WeightFormat::Base3 => {
                    let (b, i) = (j / TRITS_PER_BYTE, j % TRITS_PER_BYTE);
                    (format!("dec${b}$nz${i}"), format!("dec${b}$neg${i}"))
                }
            };
            let _ = writeln!(v, "    chain$x${j} = x${j}; chain$nz${j} = {nz}; chain$neg${j} = {neg};");
        }
        v.push_str(
            "    chain$clock = clock;\n    acc$clock = clock;\n    acc$sum = chain$sum;\n    acc$en = acc_en;\n    \
             acc$clr = acc_clr;\n    acc$res_en = res_en;\n    acc$ring = ring;\n    acc$ring_clr = ring_clr;\n    \
             result = acc$result;\nend",
        );
        Verilog::Custom(v)
    }
}
