//! `tern sweep`: many rows x lanes arrays for one model: LUTs (Yosys when --synth, else the
//! structural model), decode tokens/s and J/token per DRAM bandwidth, and the Pareto front,
//! written as sweep.json, sweep.md, sweep.html and pareto.svg.

use std::path::PathBuf;

use fpga::{Flow, SynthOptions, Target};
use hdl::ArrayConfig;
use reports::sweep::{mark_pareto, sweep_points, SweepSetup};
use reports::Figure;

use super::array::PackingArg;
use super::report::resolve_model;

#[derive(clap::Args, Debug, Clone)]
pub struct SweepArgs {
    /// A shape name, `synthetic:NAME[:SEED]` or a checkpoint (see `tern report --model`).
    #[arg(long, default_value = "tinystories-1m")]
    pub model: String,
    /// Row counts to try.
    #[arg(long, value_delimiter = ',', default_value = "1,2,4,8,16,32")]
    pub rows: Vec<usize>,
    /// Lane counts to try.
    #[arg(long, value_delimiter = ',', default_value = "8,16,32,64,128")]
    pub lanes: Vec<usize>,
    /// Weight stream format.
    #[arg(long, value_enum, default_value = "2bit")]
    pub packing: PackingArg,
    /// Systolic segments per row (capped at the lanes).
    #[arg(long, default_value_t = 4)]
    pub pipeline_depth: usize,
    /// Synthesize every array with Yosys for xc7 (measured LUTs; cached) instead of the model.
    #[arg(long)]
    pub synth: bool,
    /// Clock in MHz for every array.
    #[arg(long, default_value_t = 100.0)]
    pub clock_mhz: f64,
    /// DRAM bandwidths (presets ddr4, lpddr5, hbm2e, or GB/s).
    #[arg(long, value_delimiter = ',', default_value = "ddr4,lpddr5,hbm2e")]
    pub bandwidth: Vec<String>,
    /// Decode context position (default 512, or the model's seq_len - 1 when shorter; at most
    /// seq_len - 1).
    #[arg(long)]
    pub context: Option<usize>,
    /// Folder for the sweep files.
    #[arg(long, default_value = "sweep")]
    pub out: PathBuf,
}

pub fn run(a: SweepArgs) -> anyhow::Result<()> {
    super::errors::positive("--clock-mhz", a.clock_mhz, "MHz")?;
    if a.rows.is_empty() || a.lanes.is_empty() {
        anyhow::bail!("give at least one --rows and one --lanes value");
    }
    let bandwidths = a.bandwidth.iter().map(|b| reports::bandwidth(b)).collect::<Result<Vec<_>, _>>()?;
    super::errors::writable_dir("--out", &a.out)?;
    let m = resolve_model(&a.model)?;
    let max_k = golden::LinearKind::ALL.iter().map(|&k| m.config.linear_shape(k).1).max().unwrap_or(1);
    let context = super::report::context_position(a.context, m.config.seq_len)?;
    let context = context.unwrap_or(reports::report::DEFAULT_CONTEXT).min(m.config.seq_len.saturating_sub(1));
    let nonzero = m.nonzero_fraction().map_or(reports::report::DEFAULT_NONZERO_FRACTION, |f| f.value);
    let setup = SweepSetup { config: m.config.clone(), clock_mhz: Figure::modeled(a.clock_mhz, "MHz", "given clock"), context, nonzero_fraction: nonzero };
    let flow = Flow::from_env();

    let mut configs = vec![];
    for &rows in &a.rows {
        for &lanes in &a.lanes {
            let mut c = ArrayConfig {
                rows,
                lanes,
                packing: a.packing.into(),
                pipeline_depth: a.pipeline_depth.min(lanes),
                max_k,
                ..ArrayConfig::default()
            };
            c.accumulator_bits = c.min_accumulator_bits();
            c.validate()?;
            configs.push(c);
        }
    }
    let pb = indicatif::ProgressBar::new(configs.len() as u64);
    pb.set_style(indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} arrays {msg}").expect("a valid template"));
    let mut points = vec![];
    for c in &configs {
        pb.set_message(format!("{}x{}", c.rows, c.lanes));
        let luts = if a.synth {
            let verilog = hdl::emit_verilog(c)?;
            let rec = flow.synthesize(&verilog, hdl::verilog::TOP_MODULE, Target::Xc7, &SynthOptions { flatten: false, ..SynthOptions::default() })?;
            Figure::from_record(rec.resources.luts as f64, "LUTs (xc7)", &rec.source)
        } else {
            reports::luts::xc7_luts(c).figure()
        };
        points.extend(sweep_points(&setup, c, &luts, &bandwidths));
        pb.inc(1);
    }
    pb.finish_and_clear();
    mark_pareto(&mut points);
    let files = reports::write_sweep(&points, &m.name, &a.out)?;
    for bw in &bandwidths {
        let mine: Vec<_> = points.iter().filter(|p| p.bandwidth == bw.name).collect();
        let front = mine.iter().filter(|p| p.pareto).count();
        // the smallest array that reaches the best rate this bandwidth allows
        let best = mine.iter().map(|p| p.tokens_per_s.value).fold(0.0, f64::max);
        let knee = mine.iter().filter(|p| p.tokens_per_s.value >= best * 0.999).min_by(|a, b| a.luts.value.total_cmp(&b.luts.value));
        if let Some(k) = knee {
            println!(
                "{}: {front} of {} arrays on the Pareto front; fastest rate {} first reached by {}x{} ({} LUTs, {}-bound)",
                bw.name,
                mine.len(),
                k.tokens_per_s.display(),
                k.array.rows,
                k.array.lanes,
                k.luts.value,
                reports::roofline::bound_name(k.bound)
            );
        }
    }
    for f in files {
        println!("wrote {}", f.display());
    }
    Ok(())
}
