//! One design point: its complete configuration, and the work that turns it into a
//! [`SweepPoint`]: Yosys, nextpnr for the Fmax, the rate at that clock, co-simulation if asked.

use fpga::{Flow, PnrOptions, SynthOptions, Target};
use golden::{Model, ModelConfig, Transformer};
use hdl::{ArrayConfig, Top};
use reports::sweep::{sweep_points, sweep_points_at, SweepPoint, SweepSetup};
use reports::Figure;
use serde::{Deserialize, Serialize};

use crate::error::{Result, SweepError};

/// Everything one point's result depends on (with the model's content and the tools' versions,
/// which the plan adds to its cache key).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// The model as given: a shape name, `synthetic:NAME[:SEED]` or a checkpoint path.
    pub model: String,
    pub array: ArrayConfig,
    /// Synthesized (the streaming top, `tern_stream`) for this target; `None`: the structural
    /// xc7 LUT model, no tools.
    pub target: Option<Target>,
    /// Place and route on ice40/ecp5: its options (`freq_mhz` the constraint); the measured
    /// Fmax is the point's clock.
    pub pnr: Option<PnrOptions>,
    /// A DRAM preset (ddr4, lpddr5, hbm2e) or GB/s.
    pub bandwidth: String,
    /// The clock when no place and route measures one, MHz.
    pub clock_mhz: f64,
    /// Decode position the traffic (KV cache) is taken at.
    pub context: usize,
    /// Take the cycles of a decode token from a Verilator co-simulation of `tern_stream` with
    /// the DRAM model at this bandwidth and clock, instead of the analytic cycle model.
    pub cosim: bool,
}

impl Point {
    /// "2x16 ice40 ddr4", for progress lines and failures.
    pub fn label(&self) -> String {
        let target = self.target.map_or("model".to_string(), |t| t.to_string());
        format!("{}x{} {target} {}", self.array.rows, self.array.lanes, self.bandwidth)
    }

    /// Refuse what cannot run, before anything runs.
    pub fn validate(&self, config: &ModelConfig, runnable: bool) -> Result<()> {
        self.array.validate()?;
        reports::bandwidth(&self.bandwidth)?;
        let bad = |m: String| Err(SweepError::BadInput(format!("point {}: {m}", self.label())));
        if !(self.clock_mhz.is_finite() && self.clock_mhz > 0.0) {
            return bad(format!("clock {} MHz is not a positive frequency", self.clock_mhz));
        }
        if self.context >= config.seq_len {
            return bad(format!("context {} is past the model's {} positions", self.context, config.seq_len));
        }
        let max_k = reports::cycles::largest_k(config);
        if self.array.max_k < max_k {
            return bad(format!("the array serves K up to {}, the model needs {max_k}", self.array.max_k));
        }
        match (self.target, &self.pnr) {
            (None, Some(_)) => return bad("place and route needs a target".into()),
            (Some(t), Some(o)) => {
                if !t.has_place_and_route() {
                    return bad(format!("{t} has no place and route"));
                }
                o.check(t)?;
            }
            _ => {}
        }
        if self.cosim {
            if !runnable {
                return bad(format!("co-simulation needs a model with weights; {} is shape-only (use synthetic:{} or a checkpoint)", self.model, self.model));
            }
            sim::DramConfig::preset(&self.bandwidth).map_err(|_| {
                SweepError::BadInput(format!("point {}: co-simulation needs a DRAM preset (ddr4, lpddr5, hbm2e), not {}", self.label(), self.bandwidth))
            })?;
            if self.array.binary {
                return bad("co-simulation streams ternary weights; binary arrays have no streaming top".into());
            }
        }
        Ok(())
    }
}

/// The model a point runs on: its configuration, weights when it has them, and the fraction of
/// nonzero weights (for the energy model).
pub struct ModelInput<'a> {
    pub config: &'a ModelConfig,
    pub weights: Option<&'a Model>,
    pub nonzero_fraction: f64,
}

/// Do the point's work with `flow` (tools and fpga cache) and return its row.
pub fn evaluate(p: &Point, m: &ModelInput, flow: &Flow) -> Result<SweepPoint> {
    let bw = reports::bandwidth(&p.bandwidth)?;
    let given = Figure::modeled(p.clock_mhz, "MHz", format!("given clock (tern sweep --clock-mhz {})", p.clock_mhz));
    let (size, resources, clock) = match p.target {
        None => (reports::luts::xc7_luts(&p.array).figure(), None, given),
        Some(t) => {
            let top = Top::Stream;
            let verilog = top.emit(&p.array)?;
            let opts = p.pnr.as_ref().map_or_else(SynthOptions::default, |o| o.synth.clone());
            let rec = flow.synthesize(&verilog, top.module(), t, &opts)?;
            let size = match &rec.asic {
                Some(a) => Figure::from_record(a.nand2_eq, "NAND2 eq", &format!("{}; {}", rec.source, a.source)),
                None => Figure::from_record(rec.resources.luts as f64, &format!("LUTs ({t})"), &rec.source),
            };
            let clock = match &p.pnr {
                None => given,
                Some(o) => {
                    let ports: Vec<fpga::WrapPort> = top.ports(&p.array).into_iter().map(Into::into).collect();
                    let pnr = flow.place_and_route_wrapped(&verilog, top.module(), &ports, t, o)?;
                    let Some(fmax) = pnr.fmax_mhz else {
                        return Err(SweepError::BadInput(format!("point {}: nextpnr found no register-to-register path, so no Fmax", p.label())));
                    };
                    Figure::measured(fmax, "MHz", format!("Fmax of {} on {}, {}", top.module(), pnr.device, pnr.source))
                }
            };
            (size, Some(rec.resources), clock)
        }
    };
    let setup = SweepSetup { config: m.config.clone(), clock_mhz: clock.clone(), context: p.context, nonzero_fraction: m.nonzero_fraction };
    let bws = std::slice::from_ref(&bw);
    let mut row = if p.cosim {
        let model = m.weights.ok_or_else(|| SweepError::BadInput(format!("point {}: co-simulation needs weights", p.label())))?;
        let cycles = cosim_decode_cycles(model, &p.array, &p.bandwidth, clock.value)?;
        sweep_points_at(&setup, &p.array, &size, &cycles, bws).remove(0)
    } else {
        sweep_points(&setup, &p.array, &size, bws).remove(0)
    };
    row.target = p.target.map_or("xc7", |t| t.name()).to_string();
    row.resources = resources;
    Ok(row)
}

/// The BitLinear cycles of one decode token (position 1, after BOS) on `tern_stream` behind the
/// DRAM model, measured by Verilator.
fn cosim_decode_cycles(model: &Model, array: &ArrayConfig, dram: &str, clock_mhz: f64) -> Result<Figure> {
    let dram = sim::DramConfig::preset(dram)?;
    let mut hw = sim::StreamBackend::new(sim::StreamSim::new(array, &dram, clock_mhz, None)?);
    let mut t = Transformer::new(model);
    let mut token = 1u32;
    for pos in 0..2 {
        let logits = t.forward(&mut hw, &[token], pos)?;
        token = golden::sampler::argmax(logits) as u32;
    }
    let record = hw.run_record("sweep point", 2);
    let cycles: u64 = record.matmuls.iter().filter(|m| m.site.pos == 1).map(|m| m.cycles).sum();
    Ok(Figure::measured(
        cycles as f64,
        "cycles/token",
        format!("{}: the BitLinears of decode position 1 on tern_stream, {} at {clock_mhz} MHz", record.source, dram.name),
    ))
}
