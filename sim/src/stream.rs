//! The streaming driver: `tern_stream` (the array behind a memory port, [`hdl::stream`])
//! under Verilator, its weights coming from a [`Dram`] model cycle by cycle, its activations
//! from the host.
//!
//! **Decode** (one vector, or any call when `slots = 1`): for every vector, for every tile of R
//! rows, the `ceil(K / L)` slices; every weight tile is read from DRAM once per vector.
//! **Prefill** (several vectors and `slots = D > 1`): vectors go in groups of D (the last
//! group padded with zero vectors); for every group, tile and slice the tile is read once and
//! held while the D vectors' slices pass (`prefill` pin high), so DRAM traffic falls by D.
//!
//! **Prefetch.** A model runs the same sequence of BitLinear calls for every token, so the
//! weight stream is known ahead: the driver learns which call follows which on the first pass
//! and queues the next call's weights in the DRAM model while the current call drains, as a
//! command processor with a static schedule would. When a call is not the one predicted, the
//! prefetched bytes are dropped (and the array is reset if some had entered its FIFO); those
//! cycles count.
//!
//! Cycles are counted from the first cycle of a call to the cycle its last result is valid;
//! time spent on the host between calls (attention, norms) is not simulated, which can only
//! make the measured bandwidth lower than a real system's.

use std::collections::{HashMap, VecDeque};
use std::path::Path;

use golden::TernaryMatrix;
use hdl::pack::{pack_activations, pack_stream_tile, unpack_results, weight_tiles};
use hdl::ArrayConfig;
use serde::{Deserialize, Serialize};
use verilator_sys::{BuildSpec, Design, Model};

use crate::dram::{Dram, DramConfig};
use crate::driver::{bytes_of, words_of};
use crate::error::SimError;

/// What one call on the streaming array measured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StreamCycles {
    /// From the call's first cycle to the cycle its last result was valid.
    pub cycles: u64,
    /// Slices the array accepted (each is R x L MAC slots).
    pub fires: u64,
    /// Weight bytes this call's stream carried (tiles x tile bytes x times read).
    pub weight_bytes: u64,
    /// `cycles` minus what the call takes with weights always there: one slice per cycle
    /// plus the activation buffer and the pipeline (memory-bound and flush cycles).
    pub stall_cycles: u64,
    /// Cycles a DRAM beat waited because the tile FIFO was full.
    pub backpressure_cycles: u64,
    /// Whether the call ran in prefill mode (tiles held for D vectors).
    pub prefill: bool,
    /// Cycles lost to a wrong prefetch (the reset and the refill are in `cycles` too).
    pub flushes: u64,
}

/// A matrix as its memory stream: tiles in the order of use, `tile_bytes` each.
struct PackedStream {
    source: Vec<u8>,
    bytes: Vec<u8>,
    nonzero: u64,
}

type Key = (usize, usize, usize);

/// The weights queued in the DRAM model ahead of the array: which call, how many bytes.
#[derive(Clone, Debug, PartialEq)]
struct Queued {
    key: Vec<Key>,
    repeats: usize,
    bytes: usize,
}

/// The streaming top under Verilator with a DRAM model.
pub struct StreamSim {
    cfg: ArrayConfig,
    design: Design,
    model: Model,
    dram: Dram,
    clock_mhz: f64,
    streams: HashMap<Key, PackedStream>,
    /// job that followed each job last time (keys, vectors) -> keys
    next_of: HashMap<(Vec<Key>, usize), Vec<Key>>,
    last_call: Option<(Vec<Key>, usize)>,
    /// calls whose bytes are in the DRAM stream and not yet consumed, oldest first
    queued: VecDeque<Queued>,
    m_ready: bool,
    act_ready: bool,
}

/// Bytes as bus words (the whole slice).
fn words(bytes: &[u8]) -> Vec<u64> {
    words_of(bytes, bytes.len().div_ceil(8))
}

impl StreamSim {
    /// Emits `tern_stream` for `cfg`, builds it with Verilator (cached), resets it, and puts
    /// the DRAM `dram` at `clock_mhz` behind its memory port.
    pub fn new(cfg: &ArrayConfig, dram: &DramConfig, clock_mhz: f64, vcd: Option<&Path>) -> Result<StreamSim, SimError> {
        let verilog = hdl::emit_stream_verilog(cfg)?;
        let spec = BuildSpec::from_verilog(hdl::stream::TOP_MODULE, &verilog).with_trace(vcd.is_some());
        let design = Design::build(&spec)?;
        let model = match vcd {
            Some(p) => design.instantiate_with_vcd(p)?,
            None => design.instantiate()?,
        };
        let dram = Dram::new(dram, clock_mhz, cfg.port_width())?;
        let mut sim = StreamSim {
            cfg: cfg.clone(),
            design,
            model,
            dram,
            clock_mhz,
            streams: HashMap::new(),
            next_of: HashMap::new(),
            last_call: None,
            queued: VecDeque::new(),
            m_ready: false,
            act_ready: false,
        };
        sim.reset()?;
        Ok(sim)
    }

    pub fn config(&self) -> &ArrayConfig {
        &self.cfg
    }

    pub fn design(&self) -> &Design {
        &self.design
    }

    pub fn dram(&self) -> &Dram {
        &self.dram
    }

    pub fn clock_mhz(&self) -> f64 {
        self.clock_mhz
    }

    fn reset(&mut self) -> Result<(), SimError> {
        let m = &mut self.model;
        m.set_u64("reset", 1)?;
        m.set_u64("m_valid", 0)?;
        m.set_u64("act_valid", 0)?;
        m.tick("clk")?;
        m.set_u64("reset", 0)?;
        m.eval();
        self.m_ready = m.get_u64("m_ready")? != 0;
        self.act_ready = m.get_u64("act_ready")? != 0;
        Ok(())
    }

    fn key(w: &TernaryMatrix) -> Key {
        (w.packed().as_ptr() as usize, w.rows(), w.cols())
    }

    /// Nonzero weights of a matrix already streamed.
    pub fn nonzero_weights(&self, w: &TernaryMatrix) -> Option<u64> {
        self.streams.get(&Self::key(w)).map(|p| p.nonzero)
    }

    fn pack(&mut self, w: &TernaryMatrix) -> Result<(), SimError> {
        let key = Self::key(w);
        if self.streams.get(&key).is_some_and(|p| p.source == w.packed()) {
            return Ok(());
        }
        let all = w.to_weights();
        let bytes = weight_tiles(&self.cfg, &all, w.rows(), w.cols(), pack_stream_tile)?.concat();
        let nonzero = all.iter().filter(|&&v| v != 0).count() as u64;
        // a stale entry at a reused address is dropped from the predictions too
        self.next_of.retain(|(from, _), to| !from.contains(&key) && !to.contains(&key));
        self.streams.insert(key, PackedStream { source: w.packed().to_vec(), bytes, nonzero });
        Ok(())
    }

    /// Cycles of `fires` slices with the weights always there: one slice per cycle, the
    /// registers between the fire and the array, then the array's pipeline.
    pub fn ideal_cycles(&self, fires: u64) -> u64 {
        fires + (hdl::stream::FIRE_TO_ARRAY_REGS + self.cfg.latency()) as u64
    }

    /// Bytes of one pass over a matrix already streamed.
    pub fn stream_bytes(&self, w: &TernaryMatrix) -> Option<u64> {
        self.streams.get(&Self::key(w)).map(|p| p.bytes.len() as u64)
    }

    /// How often a call of `vectors` vectors reads its matrix.
    pub fn reads_per_call(&self, vectors: usize) -> usize {
        if self.prefill(vectors) {
            vectors.div_ceil(self.cfg.slots)
        } else {
            vectors
        }
    }

    fn prefill(&self, vectors: usize) -> bool {
        vectors > 1 && self.cfg.slots > 1
    }

    /// Queues a job's weights in the DRAM stream: per repeat (group of vectors), every
    /// matrix's tiles in turn.
    fn enqueue(&mut self, key: Vec<Key>, repeats: usize) {
        let mut bytes = 0;
        for _ in 0..repeats {
            for k in &key {
                let s = &self.streams[k].bytes;
                self.dram.extend(s);
                bytes += s.len();
            }
        }
        self.queued.push_back(Queued { key, repeats, bytes });
    }

    /// Exact `out = W x` for every vector in `x` (vector-major), streamed through the DRAM model.
    pub fn matmul(&mut self, w: &TernaryMatrix, x: &[i8], out: &mut [i32]) -> Result<StreamCycles, SimError> {
        self.matmul_group(&[w], x, &mut [out])
    }

    /// Several matrices of the same K applied to the same vectors as one job (q, k and v;
    /// gate and up): their tiles stream back to back and the pipeline drains once.
    pub fn matmul_group(&mut self, ws: &[&TernaryMatrix], x: &[i8], outs: &mut [&mut [i32]]) -> Result<StreamCycles, SimError> {
        let k = ws.first().map(|w| w.cols()).ok_or_else(|| SimError::Shape("a job needs at least one matrix".into()))?;
        if ws.len() != outs.len() {
            return Err(SimError::Shape(format!("{} matrices but {} outputs", ws.len(), outs.len())));
        }
        let mut m = 0;
        for (w, out) in ws.iter().zip(outs.iter()) {
            if w.cols() != k {
                return Err(SimError::Shape(format!("the matrices of one job share K: {} vs {k}", w.cols())));
            }
            m = golden::backend::check_shapes(w, x, out).map_err(|e| SimError::Shape(e.to_string()))?;
        }
        if k > self.cfg.max_k {
            return Err(SimError::TooLong { k, max_k: self.cfg.max_k });
        }
        for w in ws {
            self.pack(w)?;
        }
        let key: Vec<Key> = ws.iter().map(|w| Self::key(w)).collect();
        let repeats = self.reads_per_call(m);
        let prefill = self.prefill(m);
        let mut result = StreamCycles { prefill, ..Default::default() };

        // is the DRAM stream already carrying this job's weights?
        let per_repeat: usize = key.iter().map(|k| self.streams[k].bytes.len()).sum();
        let expected = Queued { key: key.clone(), repeats, bytes: per_repeat * repeats };
        if self.queued.front() != Some(&expected) {
            let pending = self.dram.pending();
            let queued: usize = self.queued.iter().map(|q| q.bytes).sum();
            // bytes of a wrong prefetch that already went into the array's FIFO
            if queued > pending {
                self.reset()?;
                result.flushes += 1;
                result.cycles += 1;
            }
            self.dram.discard_pending();
            self.queued.clear();
            self.enqueue(key.clone(), repeats);
        }
        // learn the schedule and queue the predicted next job behind this one
        if let Some(prev) = self.last_call.take() {
            self.next_of.insert(prev, key.clone());
        }
        self.last_call = Some((key.clone(), m));
        if let Some(next) = self.next_of.get(&(key.clone(), m)).cloned() {
            if self.queued.len() == 1 {
                self.enqueue(next, repeats);
            }
        }
        result.weight_bytes = expected.bytes as u64;

        // activation slices in the order the array takes them, and the results' order
        let (r, l) = (self.cfg.rows, self.cfg.lanes);
        let slices = self.cfg.slices(k);
        let d = if prefill { self.cfg.slots } else { 1 };
        let groups = m.div_ceil(d);
        let zero = vec![0i8; k];
        let vec_of = |v: usize| if v < m { &x[v * k..(v + 1) * k] } else { &zero[..] };
        let packed: Vec<Vec<Vec<u64>>> = (0..groups * d)
            .map(|v| (0..slices).map(|s| Ok(words(&pack_activations(&self.cfg, &vec_of(v)[s * l..((s + 1) * l).min(k)])?))).collect::<Result<_, SimError>>())
            .collect::<Result<_, _>>()?;
        let mut acts: Vec<(&[u64], bool)> = vec![];
        // (vector, matrix, tile) of each result, in order
        let mut order: Vec<(usize, usize, usize)> = vec![];
        for g in 0..groups {
            for (mi, w) in ws.iter().enumerate() {
                for t in 0..w.rows().div_ceil(r) {
                    // slice-major over the group's d vectors: slice s of each, then slice s + 1
                    #[allow(clippy::needless_range_loop)]
                    for s in 0..slices {
                        for i in 0..d {
                            acts.push((&packed[g * d + i][s], s + 1 == slices));
                        }
                    }
                    for i in 0..d {
                        order.push((g * d + i, mi, t));
                    }
                }
            }
        }

        self.model.set_u64("prefill", prefill as u64)?;
        let mut next_act = 0;
        let mut results = 0;
        let mut cycle = 0u64;
        let mut offered_beat: Option<usize> = None;
        let backpressure_before = self.dram.backpressure_cycles;
        let limit = 64 + 4 * (acts.len() as u64 + (expected.bytes as f64 / self.dram.bytes_per_cycle()) as u64 + self.dram.latency_cycles() * 8 + self.cfg.latency() as u64 * 4);
        while results < order.len() {
            // this cycle's inputs
            let beat_at = match self.dram.offer() {
                Some(beat) => {
                    let at = self.dram.delivered();
                    if offered_beat != Some(at) {
                        self.model.set("m_data", &words(beat))?;
                        offered_beat = Some(at);
                    }
                    Some(at)
                }
                None => None,
            };
            self.model.set_u64("m_valid", beat_at.is_some() as u64)?;
            let act_valid = next_act < acts.len();
            if act_valid {
                self.model.set("act_data", acts[next_act].0)?;
                self.model.set_u64("act_last", acts[next_act].1 as u64)?;
            }
            self.model.set_u64("act_valid", act_valid as u64)?;
            let m_taken = beat_at.is_some() && self.m_ready;
            let a_taken = act_valid && self.act_ready;
            self.model.tick("clk")?;
            self.dram.step(self.m_ready, m_taken);
            if m_taken {
                offered_beat = None;
            }
            if a_taken {
                next_act += 1;
            }
            self.m_ready = self.model.get_u64("m_ready")? != 0;
            self.act_ready = self.model.get_u64("act_ready")? != 0;
            cycle += 1;
            if self.model.get_u64("res_valid")? != 0 {
                let (v, mi, t) = order[results];
                let n = ws[mi].rows();
                let out = &mut outs[mi];
                let res = unpack_results(&self.cfg, &bytes_of(&self.model.get("res_data")?));
                if v < m {
                    for (row, &val) in res.iter().enumerate().take(n - t * r) {
                        out[v * n + t * r + row] = val as i32;
                    }
                }
                results += 1;
            }
            if cycle > limit {
                return Err(SimError::Protocol(format!(
                    "a job of {} matrices x {m} vectors (K = {k}) did not finish in {limit} cycles ({results} of {} results, {next_act} of {} slices taken)",
                    ws.len(),
                    order.len(),
                    acts.len()
                )));
            }
        }
        if self.model.get_u64("k_overflow")? != 0 {
            return Err(SimError::Protocol("the array raised k_overflow: a dot product had more slices than max_k allows".into()));
        }
        // this call's stream is consumed once all of its tiles were popped; anything the
        // DRAM delivered beyond it belongs to the prefetched call
        self.queued.pop_front();
        result.cycles += cycle;
        result.fires = acts.len() as u64;
        result.stall_cycles = result.cycles.saturating_sub(self.ideal_cycles(result.fires));
        result.backpressure_cycles = self.dram.backpressure_cycles - backpressure_before;
        Ok(result)
    }
}
