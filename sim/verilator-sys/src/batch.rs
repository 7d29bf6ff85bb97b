//! Batches: many clock cycles in one FFI call, driven by a packed stimulus buffer.
//!
//! Layout. A plan lists input ports and sampled ports. One stimulus *record* is the values
//! of the input ports for one cycle, in plan order, each as [`Port::words`] little-endian
//! u64 words (bit `i` of a port in bit `i % 64` of its word `i / 64`); records follow each
//! other with no gaps, so the stimulus of cycle `c` starts at word `c * input_stride()`.
//! Output records use the same layout for the sampled ports. Bits of a stimulus word at or
//! above its port's width are ignored (masked off in C++).
//!
//! One cycle = write the record's inputs, clock low + eval, clock high + eval, then sample.
//! Without a valid port every cycle yields an output record; with one, only cycles that end
//! with the valid port nonzero do, and [`BatchOutput::cycle`] says which cycle each was.

use crate::error::{Result, VerilatorError};
use crate::model::{Design, Model, TernBatch};
use crate::ports::Port;
use std::ops::Range;
use std::path::PathBuf;

/// Which ports a batch drives and samples.
#[derive(Clone, Copy, Debug)]
pub struct BatchSpec<'a> {
    /// The 1-bit clock input, toggled low then high every cycle.
    pub clock: &'a str,
    /// Input ports read from each stimulus record, in record order.
    pub inputs: &'a [&'a str],
    /// Ports copied into each output record, in record order (any direction).
    pub outputs: &'a [&'a str],
    /// When set, a cycle yields an output record only if this port is nonzero after it.
    pub valid: Option<&'a str>,
}

/// A resolved [`BatchSpec`]: port indices and record layouts. Made once, used for many
/// batches; only valid for the design it was made for.
#[derive(Clone, Debug)]
pub struct BatchPlan {
    design: PathBuf,
    pub(crate) clock: u32,
    pub(crate) inputs: Vec<u32>,
    pub(crate) outputs: Vec<u32>,
    pub(crate) valid: Option<u32>,
    input_ports: Vec<(Port, Range<usize>)>,
    output_ports: Vec<(Port, Range<usize>)>,
    input_stride: usize,
    output_stride: usize,
}

fn layout(ports: &[Port], indices: &[u32]) -> (Vec<(Port, Range<usize>)>, usize) {
    let mut offset = 0;
    let mut out = Vec::new();
    for &i in indices {
        let p = ports[i as usize].clone();
        let words = p.words();
        out.push((p, offset..offset + words));
        offset += words;
    }
    (out, offset)
}

impl Design {
    /// Resolves `spec` against this design's ports.
    pub fn batch_plan(&self, spec: &BatchSpec) -> Result<BatchPlan> {
        let clock = self.clock_index(spec.clock)? as u32;
        let mut inputs = Vec::new();
        for &name in spec.inputs {
            let i = self.port_index(name)? as u32;
            let p = &self.ports()[i as usize];
            if !p.direction.can_drive() {
                return Err(VerilatorError::WrongDirection {
                    top: self.top().into(),
                    port: name.into(),
                    actual: p.direction.to_string(),
                    wanted: "a batch input".into(),
                });
            }
            if i == clock {
                return Err(VerilatorError::BadPlan(format!(
                    "`{name}` is the clock; the batch drives it, leave it out of the inputs"
                )));
            }
            if inputs.contains(&i) {
                return Err(VerilatorError::BadPlan(format!(
                    "input `{name}` is listed twice"
                )));
            }
            inputs.push(i);
        }
        let outputs = spec
            .outputs
            .iter()
            .map(|n| self.port_index(n).map(|i| i as u32))
            .collect::<Result<Vec<_>>>()?;
        let valid = spec
            .valid
            .map(|n| self.port_index(n).map(|i| i as u32))
            .transpose()?;
        let (input_ports, input_stride) = layout(self.ports(), &inputs);
        let (output_ports, output_stride) = layout(self.ports(), &outputs);
        Ok(BatchPlan {
            design: self.cache_entry().to_path_buf(),
            clock,
            inputs,
            outputs,
            valid,
            input_ports,
            output_ports,
            input_stride,
            output_stride,
        })
    }
}

fn find(ports: &[(Port, Range<usize>)], name: &str, kind: &str) -> Result<Range<usize>> {
    ports
        .iter()
        .find(|(p, _)| p.name == name)
        .map(|(_, r)| r.clone())
        .ok_or_else(|| {
            VerilatorError::BadPlan(format!(
                "`{name}` is not one of the plan's {kind} ports ({})",
                ports
                    .iter()
                    .map(|(p, _)| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

impl BatchPlan {
    /// u64 words in one stimulus record.
    pub fn input_stride(&self) -> usize {
        self.input_stride
    }

    /// u64 words in one output record.
    pub fn output_stride(&self) -> usize {
        self.output_stride
    }

    /// The input ports with their word ranges inside a stimulus record.
    pub fn input_ports(&self) -> &[(Port, Range<usize>)] {
        &self.input_ports
    }

    /// The sampled ports with their word ranges inside an output record.
    pub fn output_ports(&self) -> &[(Port, Range<usize>)] {
        &self.output_ports
    }

    /// Where input `name` sits inside a stimulus record.
    pub fn input_range(&self, name: &str) -> Result<Range<usize>> {
        find(&self.input_ports, name, "input")
    }

    /// Where sampled port `name` sits inside an output record.
    pub fn output_range(&self, name: &str) -> Result<Range<usize>> {
        find(&self.output_ports, name, "output")
    }

    /// A zeroed stimulus buffer for `cycles` cycles.
    pub fn stimulus(&self, cycles: usize) -> Vec<u64> {
        vec![0; cycles * self.input_stride]
    }

    /// Writes `value` (as for [`Model::set`]) for input `port` of cycle `cycle` into `stim`.
    pub fn put(&self, stim: &mut [u64], cycle: usize, port: &str, value: &[u64]) -> Result<()> {
        let range = self.input_range(port)?;
        let (p, _) = self
            .input_ports
            .iter()
            .find(|(p, _)| p.name == port)
            .expect("range found");
        crate::model::check_fits(p, value)?;
        let base = cycle * self.input_stride;
        if base + self.input_stride > stim.len() {
            return Err(VerilatorError::StimulusLength {
                len: stim.len(),
                stride: self.input_stride,
            });
        }
        let slot = &mut stim[base + range.start..base + range.end];
        slot.fill(0);
        let n = value.len().min(slot.len());
        slot[..n].copy_from_slice(&value[..n]);
        Ok(())
    }
}

/// The output records of a batch.
#[derive(Clone, Debug, Default)]
pub struct BatchOutput {
    stride: usize,
    words: Vec<u64>,
    cycles: Vec<u64>,
    cycles_run: u64,
}

impl BatchOutput {
    /// An empty output, to reuse with [`Model::run_batch_into`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of output records.
    pub fn len(&self) -> usize {
        self.cycles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cycles.is_empty()
    }

    /// Output record `i` ([`BatchPlan::output_stride`] words).
    pub fn record(&self, i: usize) -> &[u64] {
        &self.words[i * self.stride..(i + 1) * self.stride]
    }

    /// The cycle (0-based within the batch) that produced record `i`.
    pub fn cycle(&self, i: usize) -> u64 {
        self.cycles[i]
    }

    /// All records, back to back.
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// The cycle of every record.
    pub fn cycles(&self) -> &[u64] {
        &self.cycles
    }

    /// Cycles the batch ran.
    pub fn cycles_run(&self) -> u64 {
        self.cycles_run
    }

    pub(crate) fn from_parts(
        stride: usize,
        words: Vec<u64>,
        cycles: Vec<u64>,
        cycles_run: u64,
    ) -> Self {
        BatchOutput {
            stride,
            words,
            cycles,
            cycles_run,
        }
    }
}

/// Records the first output buffer of a valid-gated batch holds before it grows.
const FIRST_GATED_RECORDS: u64 = 1024;

impl Model {
    /// Resolves `spec` against this model's ports (same as [`Design::batch_plan`]).
    pub fn batch_plan(&self, spec: &BatchSpec) -> Result<BatchPlan> {
        self.design().batch_plan(spec)
    }

    /// Runs `cycles` clock cycles in one FFI call (a few when a valid-gated output buffer
    /// has to grow). `stimulus` holds `cycles * plan.input_stride()` words.
    pub fn run_batch(
        &mut self,
        plan: &BatchPlan,
        stimulus: &[u64],
        cycles: u64,
    ) -> Result<BatchOutput> {
        let mut out = BatchOutput::new();
        self.run_batch_into(plan, stimulus, cycles, &mut out)?;
        Ok(out)
    }

    /// [`Model::run_batch`] into a reused output (its buffers keep their capacity).
    pub fn run_batch_into(
        &mut self,
        plan: &BatchPlan,
        stimulus: &[u64],
        cycles: u64,
        out: &mut BatchOutput,
    ) -> Result<()> {
        if plan.design != self.design().cache_entry() {
            return Err(VerilatorError::PlanMismatch {
                plan_design: plan.design.display().to_string(),
                model_design: self.design().cache_entry().display().to_string(),
            });
        }
        let stride = plan.input_stride as u64;
        if cycles.checked_mul(stride) != Some(stimulus.len() as u64) {
            return Err(VerilatorError::StimulusLength {
                len: stimulus.len(),
                stride: plan.input_stride,
            });
        }
        out.stride = plan.output_stride;
        out.words.clear();
        out.cycles.clear();
        out.cycles_run = 0;
        let batch_fn = self.design().api().batch;
        let mut room = if plan.valid.is_some() {
            cycles.min(FIRST_GATED_RECORDS)
        } else {
            cycles
        };
        let mut done = 0u64;
        while done < cycles {
            room = room.max(1);
            out.words.reserve(room as usize * plan.output_stride);
            out.cycles.reserve(room as usize);
            let records_before = out.cycles.len();
            let words_before = out.words.len();
            let mut b = TernBatch {
                ins: plan.inputs.as_ptr(),
                outs: plan.outputs.as_ptr(),
                // SAFETY (all three pointers): offsets stay within the buffers' lengths or
                // reserved capacities.
                stim: unsafe { stimulus.as_ptr().add((done * stride) as usize) },
                out: unsafe { out.words.as_mut_ptr().add(words_before) },
                out_cycles: unsafe { out.cycles.as_mut_ptr().add(records_before) },
                cycles: cycles - done,
                out_cap: room,
                first_cycle: done,
                records: 0,
                valid: plan.valid.map_or(-1, i64::from),
                n_in: plan.inputs.len() as u32,
                n_out: plan.outputs.len() as u32,
                clock: plan.clock,
                pad: 0,
            };
            // SAFETY: the plan's indices belong to this design (checked above); the stimulus
            // holds (cycles - done) records; `out` has room for `room` records.
            let ran = unsafe { batch_fn(self.raw(), &mut b) };
            // SAFETY: the shim wrote every word of the first `b.records` records.
            unsafe {
                out.words
                    .set_len(words_before + b.records as usize * plan.output_stride);
                out.cycles.set_len(records_before + b.records as usize);
            }
            done += ran;
            room *= 2;
        }
        out.cycles_run = done;
        Ok(())
    }
}
