//! `tern report`: latency, energy, area and scaling of a model on an array, written as
//! report.json, report.md, a self-contained report.html and SVG plots. Thin: hdl emits the
//! Verilog, fpga synthesizes it, sim co-simulates, reports models and writes.

use std::path::PathBuf;

use anyhow::Context;
use fpga::{Flow, FpgaError, PnrOptions, PnrRecord, SynthOptions, SynthRecord, Target};
use golden::checkpoint::ModelSource;
use golden::{Model, ModelConfig, Transformer};
use hdl::ArrayConfig;
use reports::{Figure, ReportInputs};
use sim::RunRecord;

use super::array::ArrayArgs;
use super::errors::{positive, writable_dir, Given};

#[derive(clap::Args, Debug, Clone)]
pub struct ReportArgs {
    /// A shape name (tinystories-1m, 2b4t, 70b, ... see `tern shapes`), `synthetic:NAME[:SEED]`,
    /// a llama2.c export or a Hugging Face BitNet folder. Shape-only sizes (7b, 13b, 70b) are
    /// modeled without weights.
    #[arg(long, default_value = "tinystories-1m")]
    pub model: String,
    #[command(flatten)]
    pub array: ArrayArgs,
    /// Synthesize the array for these targets (repeat or comma-separate: xc7, ice40, ecp5, asic);
    /// ice40/ecp5 are also placed and routed for a measured Fmax. None: analytic figures only.
    #[arg(long = "target", value_delimiter = ',')]
    pub targets: Vec<Target>,
    /// Folder for the report files.
    #[arg(long, default_value = "report")]
    pub out: PathBuf,
    /// Clock in MHz (default: the measured Fmax, else 100 MHz, marked as assumed).
    #[arg(long)]
    pub clock_mhz: Option<f64>,
    /// DRAM bandwidths: ddr4 (19.2 GB/s), lpddr5 (51.2), hbm2e (460.8) or a number of GB/s.
    #[arg(long, value_delimiter = ',', default_value = "ddr4,lpddr5,hbm2e")]
    pub bandwidth: Vec<String>,
    /// Decode context position: the earlier positions whose K and V a token reads (default 512,
    /// or the model's seq_len - 1 when shorter; at most seq_len - 1).
    #[arg(long)]
    pub context: Option<usize>,
    /// Prompt length of the prefill figures (default 128).
    #[arg(long)]
    pub prompt_tokens: Option<usize>,
    /// A co-simulation record written by `tern generate --backend verilator --record FILE`.
    #[arg(long, conflicts_with = "cosim_tokens")]
    pub record: Option<PathBuf>,
    /// Streaming runs (`tern generate --backend stream --record FILE`) to show as achieved vs
    /// roofline; repeat for several.
    #[arg(long)]
    pub stream_record: Vec<PathBuf>,
    /// Run this many tokens of the model on the Verilator-simulated array and use the
    /// measured cycles (runnable models only).
    #[arg(long)]
    pub cosim_tokens: Option<usize>,
    /// Also synthesize these arrays for xc7 to check the LUT model (e.g. 4x16,8x32).
    #[arg(long, value_delimiter = ',')]
    pub lut_sweep: Vec<String>,
    /// Numerics of the chip: int stores the head, embedding (int8) and KV cache (--kv-bits)
    /// as the int profile does, and the traffic and roofline count those bytes
    #[command(flatten)]
    pub numerics: super::generate::NumericsArgs,
}

/// A model as the report needs it: its config, and its weights when it has some.
pub struct ResolvedModel {
    pub name: String,
    pub config: ModelConfig,
    pub weights: Option<Model>,
}

impl ResolvedModel {
    /// The nonzero-weight fraction counted in the weights, if loaded.
    pub fn nonzero_fraction(&self) -> Option<Figure> {
        self.weights.as_ref().map(|m| {
            Figure::modeled(1.0 - m.ternary_zero_fraction(), "", format!("counted in the ternary weights of {}", self.name))
        })
    }
}

/// A shape name is modeled from its config alone; anything else is loaded.
pub fn resolve_model(spec: &str) -> anyhow::Result<ResolvedModel> {
    if let Ok(shape) = golden::synthetic::shape(spec) {
        return Ok(ResolvedModel { name: spec.into(), config: shape.config, weights: None });
    }
    let source = ModelSource::parse(spec)?;
    if let ModelSource::Path(p) = &source {
        if !p.exists() {
            let known: Vec<&str> = golden::synthetic::shapes().iter().map(|s| s.name).collect();
            anyhow::bail!("--model {spec} is neither a shape name ({}) nor an existing checkpoint file or folder", known.join(", "));
        }
    }
    if let ModelSource::Synthetic { shape, .. } = &source {
        let s = golden::synthetic::shape(shape)?;
        if !s.runnable {
            return Ok(ResolvedModel { name: spec.into(), config: s.config, weights: None });
        }
    }
    let model = source.load().with_context(|| format!("loading model {spec}"))?;
    Ok(ResolvedModel { name: spec.into(), config: model.config.clone(), weights: Some(model) })
}

/// THE CO-SIMULATION SEAM: run `tokens` positions of `model` (BOS, then greedy tokens) with
/// every BitLinear on the Verilator-simulated array, and return what the simulation measured.
pub fn cosim_run(model: &Model, name: &str, cfg: &ArrayConfig, tokens: usize) -> anyhow::Result<RunRecord> {
    let tokens = tokens.clamp(1, model.config.seq_len);
    let spinner = super::spinner(format!("co-simulating {tokens} tokens of {name} on the {}x{} array (Verilator)", cfg.rows, cfg.lanes));
    let mut hw = sim::VerilatorBackend::new(sim::ArraySim::new(cfg, None)?);
    let mut t = Transformer::new(model);
    let mut token = 1u32;
    for pos in 0..tokens {
        let logits = t.forward(&mut hw, &[token], pos)?;
        token = logits.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(i, _)| i as u32);
    }
    spinner.finish_and_clear();
    Ok(hw.run_record(name, tokens))
}

/// Synthesize the array for each target (hierarchical, as the LUT model is derived), and for
/// ice40/ecp5 place and route it for a measured Fmax; an array too large for the default part
/// keeps its synthesis record and gets no Fmax.
/// With `baseline`, the int8 x int8 MAC array of the same shape is synthesized for each target
/// too (third value), so the report shows the measured cost of multipliers.
fn synthesize(cfg: &ArrayConfig, targets: &[Target], baseline: bool) -> anyhow::Result<(Vec<SynthRecord>, Option<PnrRecord>, Vec<SynthRecord>)> {
    if targets.is_empty() {
        return Ok((vec![], None, vec![]));
    }
    let flow = Flow::from_env();
    let verilog = hdl::emit_verilog(cfg)?;
    let opts = SynthOptions { flatten: false, ..SynthOptions::default() };
    let mut synth = vec![];
    let mut pnr = None;
    for &target in targets {
        let spinner = super::spinner(format!("{target}: synthesizing the {}x{} array with Yosys (cached after the first run)", cfg.rows, cfg.lanes));
        synth.push(flow.synthesize(&verilog, hdl::verilog::TOP_MODULE, target, &opts)?);
        if target.has_place_and_route() && pnr.is_none() {
            spinner.set_message(format!("{target}: placing and routing with nextpnr for Fmax"));
            match super::synth::place_and_route_design(&flow, &verilog, cfg, false, target, &PnrOptions { synth: opts.clone(), ..PnrOptions::default() }) {
                Ok(p) => pnr = Some(p),
                Err(e @ FpgaError::DoesNotFit { .. }) => eprintln!("{target}: no Fmax ({e})"),
                Err(e) => return Err(e.into()),
            }
        }
        spinner.finish_and_clear();
    }
    let mut base = vec![];
    if baseline && !cfg.binary {
        let b = ArrayConfig { accumulator_bits: hdl::baseline::min_accumulator_bits(cfg).max(cfg.accumulator_bits), ..cfg.clone() };
        let verilog = hdl::baseline::emit_baseline_verilog(&b)?;
        for &target in targets {
            let spinner = super::spinner(format!("{target}: synthesizing the {}x{} int8 MAC baseline with Yosys (cached after the first run)", cfg.rows, cfg.lanes));
            base.push(flow.synthesize(&verilog, hdl::baseline::TOP_MODULE, target, &opts)?);
            spinner.finish_and_clear();
        }
    }
    Ok((synth, pnr, base))
}

/// `RxL` -> (rows, lanes).
fn parse_rxl(s: &str) -> anyhow::Result<(usize, usize)> {
    let bad = || anyhow::anyhow!("--lut-sweep array `{s}`: write it as ROWSxLANES, e.g. 4x16");
    let (r, l) = s.split_once(['x', 'X']).ok_or_else(bad)?;
    Ok((r.trim().parse().map_err(|_| bad())?, l.trim().parse().map_err(|_| bad())?))
}

/// A count option in `1..=max` (the model's context).
pub fn in_context(option: &str, v: usize, max: usize) -> anyhow::Result<usize> {
    if v == 0 || v > max {
        anyhow::bail!("{option} {v} is outside 1..={max}, the model's context");
    }
    Ok(v)
}

/// A decode context position: it must leave room for the token being decoded.
pub fn context_position(v: Option<usize>, seq_len: usize) -> anyhow::Result<Option<usize>> {
    match v {
        Some(p) if p >= seq_len => anyhow::bail!("--context {p} is past the model's context of {seq_len} tokens; give 0..={}", seq_len - 1),
        _ => Ok(v),
    }
}

/// A run record written by `tern generate --record`.
fn read_run_record(p: &std::path::Path) -> anyhow::Result<RunRecord> {
    let text = std::fs::read_to_string(p).with_context(|| format!("cannot read the run record {}", p.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not a run record of `tern generate --record`", p.display()))
}

pub fn run(a: ReportArgs, given: &Given) -> anyhow::Result<()> {
    a.numerics.check(given)?;
    if let Some(c) = a.clock_mhz {
        positive("--clock-mhz", c, "MHz")?;
    }
    let bandwidths = a.bandwidth.iter().map(|b| reports::bandwidth(b)).collect::<Result<Vec<_>, _>>()?;
    let lut_sweep = a.lut_sweep.iter().map(|s| parse_rxl(s).map(|rl| (s, rl))).collect::<anyhow::Result<Vec<_>>>()?;
    writable_dir("--out", &a.out)?;
    let m = resolve_model(&a.model)?;
    let seq_len = m.config.seq_len;
    let cfg = a.array.config_for(&m.config);
    cfg.validate()?;
    let mut lut_configs = vec![];
    for (spec, (rows, lanes)) in lut_sweep {
        let c = ArrayConfig { rows, lanes, pipeline_depth: cfg.pipeline_depth.min(lanes), ..cfg.clone() };
        c.validate().with_context(|| format!("--lut-sweep {spec}"))?;
        lut_configs.push(c);
    }
    let mut inputs = ReportInputs::new(&m.name, m.config.clone(), cfg.clone());
    inputs.clock_mhz = a.clock_mhz;
    inputs.context = context_position(a.context, seq_len)?;
    inputs.prompt_tokens = a.prompt_tokens.map(|p| in_context("--prompt-tokens", p, seq_len)).transpose()?;
    if let Some(n) = a.cosim_tokens {
        in_context("--cosim-tokens", n, seq_len)?;
    }
    inputs.nonzero_fraction = m.nonzero_fraction();
    inputs.storage = match a.numerics.numerics {
        super::generate::NumericsArg::Float => reports::roofline::Storage::FLOAT,
        super::generate::NumericsArg::Int => reports::roofline::Storage::int(a.numerics.kv_bits()),
    };
    inputs.bandwidths = bandwidths;
    for p in &a.stream_record {
        let run = read_run_record(p)?;
        if run.stream.is_none() {
            anyhow::bail!("{} was not recorded with --backend stream: it has no memory stream to compare with the roofline", p.display());
        }
        inputs.stream_runs.push(run);
    }
    inputs.run = match (&a.record, a.cosim_tokens) {
        (Some(p), _) => {
            let run = read_run_record(p)?;
            let (ra, packing) = (&run.array, cfg.packing.name());
            if (ra.rows, ra.lanes, ra.binary) != (cfg.rows, cfg.lanes, cfg.binary) || packing != ra.packing {
                anyhow::bail!(
                    "the run record {} was made on a {}x{} {} array, not the {}x{} {} array of this report; pass the same --rows/--lanes/--packing",
                    p.display(), ra.rows, ra.lanes, ra.packing, cfg.rows, cfg.lanes, packing
                );
            }
            Some(run)
        }
        (None, Some(n)) => {
            let model = m.weights.as_ref().with_context(|| format!("{} is shape-only: co-simulation needs weights (use synthetic:NAME or a checkpoint)", m.name))?;
            Some(cosim_run(model, &m.name, &cfg, n)?)
        }
        (None, None) => None,
    };
    let (synth, pnr, baseline) = synthesize(&cfg, &a.targets, true)?;
    inputs.synth = synth;
    inputs.pnr = pnr;
    inputs.baseline_synth = baseline;
    for c in lut_configs {
        let (rec, _, _) = synthesize(&c, &[Target::Xc7], false)?;
        inputs.lut_sweep.extend(rec.into_iter().map(|r| (c.clone(), r)));
    }
    let report = reports::build(&inputs)?;
    let files = reports::write_all(&report, &a.out)?;
    for row in report.latency.decode.iter().filter(|r| r.design == reports::energy::Design::Ternary) {
        let f = &row.roofline;
        println!(
            "decode at {}: {} ({}-bound, {})",
            f.bandwidth,
            f.achieved_tokens_per_s.display(),
            reports::roofline::bound_name(f.bound),
            f.achieved_tokens_per_s.kind
        );
    }
    for r in &report.energy.ratios {
        println!("FP16 / ternary energy per token at {}: {} (arithmetic alone: {})", r.node.name(), r.whole_token.display(), r.matmul_arithmetic.display());
    }
    for f in files {
        println!("wrote {}", f.display());
    }
    Ok(())
}
