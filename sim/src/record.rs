//! What a co-simulation run measured: one record per BitLinear call, with the cycles the
//! simulated array took (stalls included) and the operations it performed. Reports read
//! these; every figure in them is measured by Verilator cycle simulation.

use serde::{Deserialize, Serialize};

use golden::{LinearKind, MatmulSite};

/// The array a run used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArraySummary {
    pub rows: usize,
    pub lanes: usize,
    /// "2bit" or "base3"
    pub packing: String,
    /// {-1, +1} weights only (the original BitNet)
    pub binary: bool,
}

/// One BitLinear call executed on the simulated array.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatmulRecord {
    pub site: MatmulSite,
    /// Output rows (N) and input length (K) of the ternary matrix.
    pub rows: usize,
    pub cols: usize,
    /// int8 vectors in the call (tokens: 1 for decode, T for a prefill).
    pub vectors: usize,
    /// rows * cols * vectors
    pub macs: u64,
    /// Weight-activation pairs with a nonzero weight: the adds and subtracts performed;
    /// the rest are skips.
    pub nonzero_macs: u64,
    /// Clock cycles from the first input to the last result, stalls included.
    pub cycles: u64,
    /// Cycles in which the array waited for input or output.
    pub stall_cycles: u64,
    /// Weight bytes read from DRAM for this call (streaming runs; 0 otherwise).
    #[serde(default)]
    pub weight_bytes: u64,
    /// The call held each tile for several vectors (streaming prefill).
    #[serde(default)]
    pub prefill: bool,
}

/// The memory side of a streaming run (`tern_stream` with the DRAM model).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreamSummary {
    pub dram: crate::dram::DramConfig,
    /// The clock the DRAM model's bytes per cycle assume.
    pub clock_mhz: f64,
    /// Where the clock comes from: "measured: nextpnr-ecp5 ..." when it is a measured Fmax
    /// (`tern generate --fmax-from`), else a given clock.
    #[serde(default)]
    pub clock_source: String,
    pub port_bytes: usize,
    pub tile_bytes: usize,
    pub slots: usize,
    pub fifo_tiles: usize,
    /// Ternary weights of the model run (for the 1.6-bit roofline); 0 = unknown.
    #[serde(default)]
    pub ternary_params: u64,
}

/// All BitLinear calls of a run, in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub array: ArraySummary,
    /// How the model was named on the command line.
    pub model: String,
    /// Tokens run (prompt and generated).
    pub tokens: usize,
    pub matmuls: Vec<MatmulRecord>,
    /// e.g. "measured: Verilator 5.006 cycle simulation"
    pub source: String,
    /// Set when the run streamed weights from the DRAM model.
    #[serde(default)]
    pub stream: Option<StreamSummary>,
}

/// Totals over a set of calls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub calls: u64,
    pub macs: u64,
    pub nonzero_macs: u64,
    pub cycles: u64,
    pub stall_cycles: u64,
    pub weight_bytes: u64,
}

impl Totals {
    fn add(&mut self, m: &MatmulRecord) {
        self.calls += 1;
        self.macs += m.macs;
        self.nonzero_macs += m.nonzero_macs;
        self.cycles += m.cycles;
        self.stall_cycles += m.stall_cycles;
        self.weight_bytes += m.weight_bytes;
    }

    /// MACs per cycle over `rows * lanes` MAC units: how busy the array was.
    pub fn utilization(&self, array: &ArraySummary) -> f64 {
        self.macs as f64 / (self.cycles.max(1) as f64 * (array.rows * array.lanes) as f64)
    }
}

impl RunRecord {
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        self.matmuls.iter().for_each(|m| t.add(m));
        t
    }

    /// Totals per (layer, projection), summed over tokens, in model order.
    pub fn per_layer(&self) -> Vec<((usize, LinearKind), Totals)> {
        let mut map = std::collections::BTreeMap::new();
        for m in &self.matmuls {
            map.entry((m.site.layer, m.site.kind)).or_insert_with(Totals::default).add(m);
        }
        map.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(layer: usize, kind: LinearKind, pos: usize, cycles: u64) -> MatmulRecord {
        MatmulRecord { site: MatmulSite { layer, kind, pos }, rows: 4, cols: 8, vectors: 1, macs: 32, nonzero_macs: 20, cycles, stall_cycles: 1, weight_bytes: 0, prefill: false }
    }

    #[test]
    fn totals_and_per_layer_sums() {
        let run = RunRecord {
            array: ArraySummary { rows: 4, lanes: 8, packing: "2bit".into(), binary: false },
            model: "m".into(),
            tokens: 2,
            matmuls: vec![rec(0, LinearKind::Q, 0, 5), rec(1, LinearKind::Q, 0, 6), rec(0, LinearKind::Q, 1, 7)],
            source: "test".into(),
            stream: None,
        };
        let t = run.totals();
        assert_eq!((t.calls, t.macs, t.nonzero_macs, t.cycles, t.stall_cycles), (3, 96, 60, 18, 3));
        assert_eq!(t.utilization(&run.array), 96.0 / (18.0 * 32.0));
        let per = run.per_layer();
        assert_eq!(per.len(), 2);
        assert_eq!(per[0].0, (0, LinearKind::Q));
        assert_eq!(per[0].1.cycles, 12);
        let json = serde_json::to_string(&run).unwrap();
        assert_eq!(serde_json::from_str::<RunRecord>(&json).unwrap(), run);
    }
}
