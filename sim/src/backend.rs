//! The hardware backend of golden's BitLinear trait: every call runs on the simulated array
//! and is recorded (cycles, MACs, skips) for the reports.

use golden::error::BackendError;
use golden::{BitLinearBackend, MatmulSite, TernaryMatrix};

use crate::driver::ArraySim;
use crate::record::{ArraySummary, MatmulRecord, RunRecord};

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
        let c = self.sim.config();
        RunRecord {
            array: ArraySummary {
                rows: c.rows,
                lanes: c.lanes,
                packing: serde_json::to_value(c.packing).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default(),
                binary: c.binary,
            },
            model: model.to_string(),
            tokens,
            matmuls: self.records.clone(),
            source: format!("measured: {} cycle simulation", self.sim.design().verilator().version_line.trim()),
        }
    }
}

impl BitLinearBackend for VerilatorBackend {
    fn name(&self) -> &str {
        "verilator"
    }

    fn matmul(&mut self, site: &MatmulSite, w: &TernaryMatrix, x: &[i8], out: &mut [i32]) -> Result<(), BackendError> {
        let cycles = self.sim.matmul(w, x, out)?;
        let vectors = (x.len() / w.cols()) as u64;
        let nonzero = self.sim.nonzero_weights(w).unwrap_or(0);
        self.records.push(MatmulRecord {
            site: *site,
            rows: w.rows(),
            cols: w.cols(),
            vectors: vectors as usize,
            macs: (w.rows() * w.cols()) as u64 * vectors,
            nonzero_macs: nonzero * vectors,
            cycles: cycles.cycles,
            stall_cycles: cycles.stall_cycles,
        });
        Ok(())
    }
}
