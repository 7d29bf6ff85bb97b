//! The driver: tiles any `N x K` ternary matrix times one or more int8 vectors onto the
//! simulated `R x L` array and returns the exact accumulators and the cycles it took.
//!
//! Schedule (one batch, one FFI crossing per call): for every vector, for every tile of R
//! output rows, the `ceil(K / L)` slices of that tile are streamed back to back with
//! `act_valid` and `w_valid` high and `act_last` on the last slice; then the pipeline drains.
//! Results are sampled in the cycles `res_valid` is high, one per (vector, tile), in order.
//! Rows past N in the last tile and lanes past K in the last slice carry zero weights.
//!
//! Weights do not change during a run, so each matrix is packed into bus words once
//! (through `hdl::pack`, the one definition of the bus layout) and cached by address, shape
//! and contents.

use std::collections::HashMap;
use std::path::Path;

use golden::TernaryMatrix;
use hdl::pack::{pack_activations, pack_weights, unpack_results, weight_tiles};
use hdl::ArrayConfig;
use verilator_sys::{BatchOutput, BatchPlan, BatchSpec, BuildSpec, Design, Model};

use crate::error::SimError;

const INPUTS: [&str; 6] = ["reset", "act_data", "act_valid", "act_last", "w_data", "w_valid"];

/// Cycles of one call, as the simulation counted them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallCycles {
    /// From the first slice accepted to the cycle the last results were valid.
    pub cycles: u64,
    /// `cycles` minus what a stall-free stream takes (`hdl`'s formula).
    pub stall_cycles: u64,
}

/// A prepared call: its shape and how many cycles its stimulus runs.
#[derive(Clone, Copy, Debug)]
pub struct Call {
    pub n: usize,
    /// vectors
    pub m: usize,
    pub tiles: usize,
    /// slices streamed: vectors x tiles x slices per dot product
    pub beats: usize,
    /// cycles of stimulus, drain included
    pub cycles: usize,
}

/// A matrix packed into `w_data` words: `[tile][slice][words]`, with the golden packing it
/// was made from (a cache hit must match it byte for byte: an address can be reused by
/// another matrix once the first is freed).
struct PackedWeights {
    source: Vec<u8>,
    words: Vec<u64>,
    nonzero: u64,
}

/// The generated array, built by Verilator (cached) and loaded.
pub struct ArraySim {
    cfg: ArrayConfig,
    design: Design,
    model: Model,
    plan: BatchPlan,
    stim: Vec<u64>,
    out: BatchOutput,
    weights: HashMap<(usize, usize, usize), PackedWeights>,
}

/// Little-endian bytes as `words` little-endian u64 words (the last one zero-padded).
pub(crate) fn words_of(bytes: &[u8], words: usize) -> Vec<u64> {
    let mut w = vec![0u64; words];
    for (dst, chunk) in w.iter_mut().zip(bytes.chunks(8)) {
        let mut le = [0u8; 8];
        le[..chunk.len()].copy_from_slice(chunk);
        *dst = u64::from_le_bytes(le);
    }
    w
}

pub(crate) fn bytes_of(words: &[u64]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

impl ArraySim {
    /// Emits the Verilog of `cfg`, builds it with Verilator (or takes it from the cache),
    /// and resets it. With `vcd`, the build has tracing and every cycle goes to that file.
    pub fn new(cfg: &ArrayConfig, vcd: Option<&Path>) -> Result<ArraySim, SimError> {
        let verilog = hdl::emit_verilog(cfg)?;
        let spec = BuildSpec::from_verilog(hdl::verilog::TOP_MODULE, &verilog).with_trace(vcd.is_some());
        let design = Design::build(&spec)?;
        let mut model = match vcd {
            Some(p) => design.instantiate_with_vcd(p)?,
            None => design.instantiate()?,
        };
        let plan = design.batch_plan(&BatchSpec { clock: "clk", inputs: &INPUTS, outputs: &["res_data"], valid: Some("res_valid") })?;
        model.set_u64("reset", 1)?;
        model.tick("clk")?;
        model.set_u64("reset", 0)?;
        Ok(ArraySim { cfg: cfg.clone(), design, model, plan, stim: Vec::new(), out: BatchOutput::new(), weights: HashMap::new() })
    }

    pub fn config(&self) -> &ArrayConfig {
        &self.cfg
    }

    /// The Verilator build behind this simulation (cache entry, whether it was a cache hit).
    pub fn design(&self) -> &Design {
        &self.design
    }

    /// Exact `out = W x` for every vector in `x` (vector-major, as golden's backend trait).
    pub fn matmul(&mut self, w: &TernaryMatrix, x: &[i8], out: &mut [i32]) -> Result<CallCycles, SimError> {
        let call = self.prepare(w, x, out)?;
        self.model.run_batch_into(&self.plan, &self.stim, call.cycles as u64, &mut self.out)?;
        self.collect(&call, out)
    }

    /// Packs the stimulus of `W x` into [`stimulus`](Self::stimulus) without running it
    /// (`out` is only checked for its length).
    pub fn prepare(&mut self, w: &TernaryMatrix, x: &[i8], out: &[i32]) -> Result<Call, SimError> {
        let (n, k) = (w.rows(), w.cols());
        let m = golden::backend::check_shapes(w, x, out).map_err(|e| SimError::Shape(e.to_string()))?;
        if k > self.cfg.max_k {
            return Err(SimError::TooLong { k, max_k: self.cfg.max_k });
        }
        let (r, l) = (self.cfg.rows, self.cfg.lanes);
        let (tiles, slices) = (n.div_ceil(r), self.cfg.slices(k));
        self.pack_matrix(w)?;
        let packed = &self.weights[&Self::key(w)];

        let stride = self.plan.input_stride();
        let range = |name| self.plan.input_range(name);
        let (act, act_valid, act_last, w_data, w_valid) = (range("act_data")?, range("act_valid")?, range("act_last")?, range("w_data")?, range("w_valid")?);
        let w_words = w_data.len();
        let beats = m * tiles * slices;
        let cycles = beats + self.cfg.latency() + 1;
        self.stim.clear();
        self.stim.resize(cycles * stride, 0);
        for v in 0..m {
            let xv = &x[v * k..(v + 1) * k];
            for s in 0..slices {
                let cols = s * l..((s + 1) * l).min(k);
                let a = words_of(&pack_activations(&self.cfg, &xv[cols])?, act.len());
                for t in 0..tiles {
                    let c = ((v * tiles + t) * slices + s) * stride;
                    let rec = &mut self.stim[c..c + stride];
                    rec[act.clone()].copy_from_slice(&a);
                    rec[act_valid.start] = 1;
                    rec[w_valid.start] = 1;
                    rec[act_last.start] = (s + 1 == slices) as u64;
                    let at = (t * slices + s) * w_words;
                    rec[w_data.clone()].copy_from_slice(&packed.words[at..at + w_words]);
                }
            }
        }
        Ok(Call { n, m, tiles, beats, cycles })
    }

    /// The batch plan and the stimulus of the last [`prepare`](Self::prepare)d call.
    pub fn stimulus(&self) -> (&BatchPlan, &[u64]) {
        (&self.plan, &self.stim)
    }

    fn collect(&mut self, call: &Call, out: &mut [i32]) -> Result<CallCycles, SimError> {
        if self.model.get_u64("k_overflow")? != 0 {
            return Err(SimError::Protocol("the array raised k_overflow: a dot product had more slices than max_k allows".into()));
        }
        let Call { n, m, tiles, beats, .. } = *call;
        if self.out.len() != m * tiles {
            return Err(SimError::Protocol(format!("expected {} results from the array, got {}", m * tiles, self.out.len())));
        }
        let r = self.cfg.rows;
        for i in 0..self.out.len() {
            let (v, t) = (i / tiles, i % tiles);
            let res = unpack_results(&self.cfg, &bytes_of(self.out.record(i)));
            for (row, &val) in res.iter().enumerate().take(n - t * r) {
                out[v * n + t * r + row] = val as i32;
            }
        }
        // the first slice is accepted in cycle 0; the call spans through the cycle of the last result
        let measured = self.out.cycle(self.out.len() - 1) + 1;
        let ideal = beats as u64 - 1 + self.cfg.latency() as u64;
        Ok(CallCycles { cycles: measured, stall_cycles: measured.saturating_sub(ideal) })
    }

    /// Nonzero weights of a matrix already used in [`matmul`](Self::matmul).
    pub fn nonzero_weights(&self, w: &TernaryMatrix) -> Option<u64> {
        self.weights.get(&Self::key(w)).map(|p| p.nonzero)
    }

    fn key(w: &TernaryMatrix) -> (usize, usize, usize) {
        (w.packed().as_ptr() as usize, w.rows(), w.cols())
    }

    fn pack_matrix(&mut self, w: &TernaryMatrix) -> Result<(), SimError> {
        if self.weights.get(&Self::key(w)).is_some_and(|p| p.source == w.packed()) {
            return Ok(());
        }
        let all = w.to_weights();
        let w_words = self.plan.input_range("w_data")?.len();
        let words = weight_tiles(&self.cfg, &all, w.rows(), w.cols(), pack_weights)?.iter().flat_map(|t| words_of(t, w_words)).collect();
        let nonzero = all.iter().filter(|&&v| v != 0).count() as u64;
        self.weights.insert(Self::key(w), PackedWeights { source: w.packed().to_vec(), words, nonzero });
        Ok(())
    }
}

#[cfg(test)]
mod word_tests {
    use super::{bytes_of, words_of};

    #[test]
    fn bytes_and_words_roundtrip() {
        let bytes: Vec<u8> = (1..=11).collect();
        let w = words_of(&bytes, 2);
        assert_eq!(w, vec![0x0807_0605_0403_0201, 0x0b_0a09]);
        assert_eq!(&bytes_of(&w)[..11], &bytes[..]);
        assert_eq!(words_of(&bytes, 3)[2], 0, "extra words are zero");
    }
}
