//! `tern size`: given a memory bandwidth and a clock, propose the rows x lanes array that just
//! reaches the decode roofline (reports::size), size its stream port and FIFO, and say what its
//! streaming top costs on each FPGA target (Yosys, cached). Thin: the crates do the work.

use std::path::PathBuf;

use anyhow::Context;
use fpga::{Flow, SynthOptions, Target};
use reports::size::{propose, SizeGoal, LANES, ROWS};
use reports::Figure;
use serde_json::json;

use super::array::PackingArg;
use super::report::resolve_model;

#[derive(clap::Args, Debug, Clone)]
pub struct SizeArgs {
    /// A shape name, `synthetic:NAME[:SEED]` or a checkpoint (see `tern report --model`).
    #[arg(long, default_value = "tinystories-1m")]
    pub model: String,
    /// Memory bandwidth: ddr4 (19.2 GB/s), lpddr5 (51.2), hbm2e (460.8) or a number of GB/s.
    #[arg(long, default_value = "ddr4")]
    pub bandwidth: String,
    /// Array clock in MHz (a given clock, reported as modeled).
    #[arg(long, conflicts_with = "fmax_from", required_unless_present = "fmax_from")]
    pub clock_mhz: Option<f64>,
    /// Take the clock from the measured Fmax in a `tern synth --json` output (ice40/ecp5).
    #[arg(long)]
    pub fmax_from: Option<PathBuf>,
    /// Weight stream format.
    #[arg(long, value_enum, default_value = "base3")]
    pub packing: PackingArg,
    /// Systolic segments per row (capped at each candidate's lanes).
    #[arg(long, default_value_t = 4)]
    pub pipeline_depth: usize,
    /// Row counts to try.
    #[arg(long, value_delimiter = ',', default_values_t = ROWS)]
    pub rows: Vec<usize>,
    /// Lane counts to try.
    #[arg(long, value_delimiter = ',', default_values_t = LANES)]
    pub lanes: Vec<usize>,
    /// Synthesize the proposal's streaming top for these targets (xc7, ice40, ecp5, asic).
    #[arg(long = "target", value_delimiter = ',', default_value = "xc7,ice40,ecp5")]
    pub targets: Vec<Target>,
    /// Do not run Yosys: print the modeled xc7 LUTs of the array only, no per-target figures.
    #[arg(long)]
    pub no_synth: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: SizeArgs, given: &super::errors::Given) -> anyhow::Result<()> {
    if let Some(opt) = given.first(&["targets"]).filter(|_| a.no_synth) {
        anyhow::bail!("{opt} names what to synthesize: drop --no-synth");
    }
    if let Some(c) = a.clock_mhz {
        super::errors::positive("--clock-mhz", c, "MHz")?;
    }
    if a.pipeline_depth == 0 {
        anyhow::bail!("--pipeline-depth 0 must be at least 1");
    }
    let bandwidth = reports::bandwidth(&a.bandwidth)?;
    // clap requires one of the two; a given clock is modeled, a measured Fmax measured
    let (mhz, source) = super::synth::clock_of(a.fmax_from.as_deref(), a.clock_mhz.unwrap_or_default(), "size", None)?;
    let clock_mhz = Figure::from_record(mhz, "MHz", &source);
    let m = resolve_model(&a.model)?;
    let goal = SizeGoal {
        config: m.config.clone(),
        bandwidth,
        clock_mhz,
        packing: a.packing.into(),
        pipeline_depth: a.pipeline_depth,
    };
    let p = propose(&goal, &a.rows, &a.lanes)?;
    let cfg = &p.array;
    let mut targets = vec![];
    if !a.no_synth {
        let flow = Flow::from_env();
        let verilog = hdl::emit_stream_verilog(cfg).context("cannot generate the streaming top")?;
        for &t in &a.targets {
            let spinner = super::spinner(format!("synthesizing the proposed {}x{} streaming top for {t} (cached after the first run)", cfg.rows, cfg.lanes));
            let rec = flow.synthesize(&verilog, hdl::stream::TOP_MODULE, t, &SynthOptions::default());
            spinner.finish_and_clear();
            targets.push(rec?);
        }
    }
    if a.json {
        let synth: Vec<_> = targets
            .iter()
            .map(|r| json!({"target": r.target, "luts": r.resources.luts, "ffs": r.resources.ffs, "lutram_luts": r.resources.lutram_luts, "brams": r.resources.brams, "dsps": r.resources.dsps, "source": r.source}))
            .collect();
        println!("{}", serde_json::to_string_pretty(&json!({"model": m.name, "proposal": p, "synth": synth}))?);
        return Ok(());
    }
    println!("{} decode at {} ({} GB/s) and {}:", m.name, p.bandwidth, goal.bandwidth.gbps, p.clock_mhz.display());
    println!("  roofline        {} (weight stream: {})", p.roofline_tokens_per_s.display(), p.bytes_per_token.display());
    println!("  memory delivers {}", p.memory_bytes_per_cycle.display());
    println!(
        "  proposed array  {}x{} {}, pipeline depth {}: {} ({} of {} arrays reach the roofline)",
        cfg.rows,
        cfg.lanes,
        cfg.packing.name(),
        cfg.pipeline_depth,
        p.array_bytes_per_cycle.display(),
        p.reaching,
        p.candidates
    );
    println!("  its own rate    {}", p.compute_tokens_per_s.display());
    println!(
        "  stream top      port {} B/cycle ({} beat(s) per {}-byte tile), FIFO {} tiles",
        cfg.port_width(),
        cfg.tile_bytes() / cfg.port_width(),
        cfg.tile_bytes(),
        cfg.fifo_tiles
    );
    println!("  xc7 LUTs        {} (the array alone)", p.xc7_luts.display());
    for r in &targets {
        println!(
            "  {:<15} {} LUTs, {} FFs, {} BRAMs, {} DSPs (tern_stream; {})",
            r.target.to_string(),
            r.resources.luts,
            r.resources.ffs,
            r.resources.brams,
            r.resources.dsps,
            r.source
        );
    }
    // the DRAM model has presets only; a bandwidth given in GB/s has no command to suggest
    if sim::DramConfig::preset(&p.bandwidth).is_ok() {
        let clock = match &a.fmax_from {
            Some(path) => format!("--fmax-from {}", path.display()),
            None => format!("--clock-mhz {}", p.clock_mhz.value),
        };
        // a bare shape name is the synthetic model of that shape
        let model = if golden::synthetic::shape(&m.name).is_ok() { format!("synthetic:{}", m.name) } else { m.name.clone() };
        println!(
            "  co-simulate it: tern generate --model {model} --backend stream --rows {} --lanes {} --packing {} --pipeline-depth {} --port-bytes {} --fifo-tiles {} --dram {} {clock}",
            cfg.rows,
            cfg.lanes,
            cfg.packing.name(),
            cfg.pipeline_depth,
            cfg.port_width(),
            cfg.fifo_tiles,
            p.bandwidth,
        );
    }
    Ok(())
}
