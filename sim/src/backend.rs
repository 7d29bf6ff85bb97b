//! The hardware backend of golden's BitLinear trait: every call runs on the simulated array
//! and is recorded (cycles, MACs, skips) for the reports.

use golden::error::BackendError;
use golden::{BitLinearBackend, MatmulSite, TernaryMatrix};

use crate::driver::ArraySim;
use crate::record::{ArraySummary, MatmulRecord, RunRecord, StreamSummary};
use crate::stream::StreamSim;

pub struct VerilatorBackend {
    pub sim: ArraySim,
    pub records: Vec<MatmulRecord>,
}

impl VerilatorBackend {
    pub fn new(sim: ArraySim) -> Self {
        VerilatorBackend { sim, records: Vec::new() }
    }

    /// The run so far as a record for the reports.
    pub fn run_record(&self, model: &str, tokens: usize) -> RunRecord {
        run_record(self.sim.config(), self.sim.design(), &self.records, model, tokens, None)
    }
}

fn run_record(c: &hdl::ArrayConfig, design: &verilator_sys::Design, records: &[MatmulRecord], model: &str, tokens: usize, stream: Option<StreamSummary>) -> RunRecord {
    RunRecord {
        array: ArraySummary { rows: c.rows, lanes: c.lanes, packing: c.packing.name().to_string(), binary: c.binary },
        model: model.to_string(),
        tokens,
        matmuls: records.to_vec(),
        source: format!("measured: {} cycle simulation", design.verilator().version_line.trim()),
        stream,
    }
}

/// The shape and operations of one call (`nonzero` weights of `w`, if known), no cycles yet.
fn call_record(site: &MatmulSite, w: &TernaryMatrix, x: &[i8], nonzero: Option<u64>) -> MatmulRecord {
    let vectors = (x.len() / w.cols()) as u64;
    MatmulRecord {
        site: *site,
        rows: w.rows(),
        cols: w.cols(),
        vectors: vectors as usize,
        macs: (w.rows() * w.cols()) as u64 * vectors,
        nonzero_macs: nonzero.unwrap_or(0) * vectors,
        cycles: 0,
        stall_cycles: 0,
        weight_bytes: 0,
        prefill: false,
    }
}

/// golden's BitLinear trait on `tern_stream`: weights from the DRAM model, every call
/// recorded with its weight bytes.
pub struct StreamBackend {
    pub sim: StreamSim,
    pub records: Vec<MatmulRecord>,
}

impl StreamBackend {
    pub fn new(sim: StreamSim) -> Self {
        StreamBackend { sim, records: Vec::new() }
    }

    pub fn run_record(&self, model: &str, tokens: usize) -> RunRecord {
        let c = self.sim.config();
        let stream = StreamSummary {
            dram: self.sim.dram().config().clone(),
            clock_mhz: self.sim.clock_mhz(),
            clock_source: String::new(),
            port_bytes: c.port_width(),
            tile_bytes: c.tile_bytes(),
            slots: c.slots,
            fifo_tiles: c.fifo_tiles,
            ternary_params: 0,
        };
        run_record(c, self.sim.design(), &self.records, model, tokens, Some(stream))
    }
}

impl BitLinearBackend for StreamBackend {
    fn name(&self) -> &str {
        "stream"
    }

    fn matmul(&mut self, site: &MatmulSite, w: &TernaryMatrix, x: &[i8], out: &mut [i32]) -> Result<(), BackendError> {
        self.matmul_group(std::slice::from_ref(site), &[w], x, &mut [out])
    }

    /// One job on the array; each matrix gets a record, the job's cycles shared out in
    /// proportion to its tiles (the first takes the rounding).
    fn matmul_group(&mut self, sites: &[MatmulSite], ws: &[&TernaryMatrix], x: &[i8], outs: &mut [&mut [i32]]) -> Result<(), BackendError> {
        let c = self.sim.matmul_group(ws, x, outs)?;
        let rows = self.sim.config().rows;
        let tiles: Vec<u64> = ws.iter().map(|w| w.rows().div_ceil(rows) as u64).collect();
        let all: u64 = tiles.iter().sum::<u64>().max(1);
        let share = |v: u64, i: usize| {
            let base: u64 = tiles.iter().map(|&t| v * t / all).sum();
            v * tiles[i] / all + if i == 0 { v - base } else { 0 }
        };
        for (i, (site, w)) in sites.iter().zip(ws).enumerate() {
            let call = call_record(site, w, x, self.sim.nonzero_weights(w));
            let bytes = self.sim.stream_bytes(w).unwrap_or(0) * self.sim.reads_per_call(call.vectors) as u64;
            self.records.push(MatmulRecord {
                cycles: share(c.cycles, i),
                stall_cycles: share(c.stall_cycles, i),
                weight_bytes: bytes,
                prefill: c.prefill,
                ..call
            });
        }
        Ok(())
    }
}

impl BitLinearBackend for VerilatorBackend {
    fn name(&self) -> &str {
        "verilator"
    }

    fn matmul(&mut self, site: &MatmulSite, w: &TernaryMatrix, x: &[i8], out: &mut [i32]) -> Result<(), BackendError> {
        let cycles = self.sim.matmul(w, x, out)?;
        let call = call_record(site, w, x, self.sim.nonzero_weights(w));
        self.records.push(MatmulRecord { cycles: cycles.cycles, stall_cycles: cycles.stall_cycles, ..call });
        Ok(())
    }
}
