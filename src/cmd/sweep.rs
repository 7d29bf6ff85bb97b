//! `tern sweep`: rows x lanes arrays x targets x bandwidths for one model, each point measured
//! (Yosys, nextpnr Fmax, optionally co-simulated) or modeled, run on a local process pool or a
//! Slurm job array, results in a content-addressed cache; written as sweep.json, sweep.md,
//! sweep.html and pareto.svg. `tern sweep-point` runs one point of a planned sweep.

use std::path::{Path, PathBuf};
use std::time::Duration;

use fpga::{PnrOptions, SynthOptions, Target, Tools};
use hdl::ArrayConfig;
use sweep::slurm::SlurmOptions;
use sweep::{ModelInput, Plan, Point, Status, Store, Task};

use super::array::PackingArg;
use super::errors::Given;
use super::report::{resolve_model, ResolvedModel};

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Executor {
    /// A pool of processes on this machine (--jobs).
    Local,
    /// One sbatch job array on a Slurm cluster.
    Slurm,
}

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
    /// Synthesize the streaming top for these targets (xc7, ice40, ecp5, asic), placing and
    /// routing on ice40/ecp5 for a measured Fmax; without it, the structural xc7 LUT model.
    #[arg(long, value_delimiter = ',')]
    pub target: Vec<Target>,
    /// ice40/ecp5: synthesis only, no place and route (the rate at --clock-mhz).
    #[arg(long)]
    pub no_pnr: bool,
    /// Clock in MHz where no place and route measures one; the constraint of place and route.
    #[arg(long, default_value_t = 100.0)]
    pub clock_mhz: f64,
    /// DRAM bandwidths (presets ddr4, lpddr5, hbm2e, or GB/s).
    #[arg(long, value_delimiter = ',', default_value = "ddr4,lpddr5,hbm2e")]
    pub bandwidth: Vec<String>,
    /// Decode context position (default 512, or the model's seq_len - 1 when shorter; at most
    /// seq_len - 1).
    #[arg(long)]
    pub context: Option<usize>,
    /// Cycles per token from a Verilator co-simulation of the streaming top with the DRAM
    /// model (a runnable model and DRAM presets) instead of the analytic model.
    #[arg(long)]
    pub cosim: bool,
    /// Where the points run.
    #[arg(long, value_enum, default_value = "local")]
    pub executor: Executor,
    /// Local executor: points at once (default: the core count).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// The result cache, a folder every node sees (default: OUT/cache).
    #[arg(long)]
    pub cache: Option<PathBuf>,
    /// Write the job list (and for slurm the sbatch script) without running anything.
    #[arg(long)]
    pub plan: bool,
    /// Slurm: partition (--partition).
    #[arg(long)]
    pub partition: Option<String>,
    /// Slurm: time limit per task (--time), e.g. 01:00:00.
    #[arg(long)]
    pub time: Option<String>,
    /// Slurm: memory per task (--mem), e.g. 4G.
    #[arg(long)]
    pub mem: Option<String>,
    /// Slurm: CPUs per task (--cpus-per-task).
    #[arg(long)]
    pub cpus_per_task: Option<usize>,
    /// Slurm: at most this many tasks at once (--array=0-N%M).
    #[arg(long)]
    pub max_running: Option<usize>,
    /// Slurm: one more #SBATCH argument, passed as given (repeatable).
    #[arg(long, allow_hyphen_values = true)]
    pub sbatch_arg: Vec<String>,
    /// Slurm: seconds between squeue polls.
    #[arg(long, default_value_t = 1.0)]
    pub poll_seconds: f64,
    /// The tern binary the tasks run (on a cluster: a path every node can run; default: this one).
    #[arg(long)]
    pub tern: Option<PathBuf>,
    /// Folder for the sweep files (job list, logs, report).
    #[arg(long, default_value = "sweep")]
    pub out: PathBuf,
}

#[derive(clap::Args, Debug, Clone)]
pub struct SweepPointArgs {
    /// The job list `tern sweep` wrote (OUT/jobs.json).
    #[arg(long)]
    pub plan: PathBuf,
    /// The point's index in it.
    #[arg(long)]
    pub index: usize,
}

const SLURM_IDS: [&str; 7] = ["partition", "time", "mem", "cpus_per_task", "max_running", "sbatch_arg", "poll_seconds"];

pub fn run(a: SweepArgs, given: &Given) -> anyhow::Result<()> {
    super::errors::positive("--clock-mhz", a.clock_mhz, "MHz")?;
    super::errors::positive("--poll-seconds", a.poll_seconds, "seconds")?;
    let slurm = a.executor == Executor::Slurm;
    given.refuse_unless(slurm, &SLURM_IDS, "sets the Slurm job: add --executor slurm")?;
    given.refuse_unless(!slurm, &["jobs"], "sizes the local pool: Slurm runs as many as --max-running allows")?;
    let pnr_targets = a.target.iter().any(|t| t.has_place_and_route());
    given.refuse_unless(pnr_targets, &["no_pnr"], "turns off place and route: use it with --target ice40 or ecp5")?;
    if a.rows.is_empty() || a.lanes.is_empty() {
        anyhow::bail!("give at least one --rows and one --lanes value");
    }
    for (flag, v) in [("--jobs", a.jobs), ("--max-running", a.max_running), ("--cpus-per-task", a.cpus_per_task)] {
        if v == Some(0) {
            anyhow::bail!("{flag} 0: give at least 1");
        }
    }
    let bandwidths = a.bandwidth.iter().map(|b| reports::bandwidth(b)).collect::<Result<Vec<_>, _>>()?;
    super::errors::writable_dir("--out", &a.out)?;
    let cache = a.cache.clone().unwrap_or_else(|| a.out.join("cache"));
    super::errors::writable_dir("--cache", &cache)?;
    let m = resolve_model(&a.model)?;
    let context = super::report::context_position(a.context, m.config.seq_len)?;
    let context = context.unwrap_or(reports::report::DEFAULT_CONTEXT).min(m.config.seq_len.saturating_sub(1));
    let model = model_spec(&a.model);

    let max_k = reports::cycles::largest_k(&m.config);
    let targets: Vec<Option<Target>> = if a.target.is_empty() { vec![None] } else { a.target.iter().copied().map(Some).collect() };
    let mut points = vec![];
    // bandwidth-major: the points of one design run before its other bandwidths, which then
    // find its synthesis and place and route in the cache
    for bw in &bandwidths {
        for &target in &targets {
            for &rows in &a.rows {
                for &lanes in &a.lanes {
                    let mut array = ArrayConfig { rows, lanes, packing: a.packing.into(), pipeline_depth: a.pipeline_depth.min(lanes), max_k, ..ArrayConfig::default() };
                    array.accumulator_bits = array.min_accumulator_bits();
                    let pnr = target.filter(|t| t.has_place_and_route() && !a.no_pnr).map(|_| PnrOptions { synth: SynthOptions::default(), freq_mhz: a.clock_mhz, ..PnrOptions::default() });
                    let p = Point { model: model.clone(), array, target, pnr, bandwidth: bw.name.clone(), clock_mhz: a.clock_mhz, context, cosim: a.cosim };
                    p.validate(&m.config, m.weights.is_some())?;
                    points.push(p);
                }
            }
        }
    }
    let tools = sweep::plan::tool_versions(&points, &Tools::from_env())?;
    let cache = std::path::absolute(&cache)?;
    let plan = Plan::new(&model, sweep::plan::model_id(&model)?, points, tools, cache.clone())?;
    let plan_path = plan.write(&a.out)?;
    let store = Store::new(&cache);
    let missing = sweep::missing(&plan, &store);
    let program = match &a.tern {
        Some(p) => p.clone(),
        None => std::env::current_exe()?,
    };
    let task = Task::new(program, &plan_path)?;
    let total = plan.jobs.len();
    println!("{total} points: {} cached, {} to run (plan {})", total - missing.len(), missing.len(), plan_path.display());

    let opts = SlurmOptions {
        partition: a.partition.clone(),
        time: a.time.clone(),
        mem: a.mem.clone(),
        cpus_per_task: a.cpus_per_task,
        max_running: a.max_running.unwrap_or(0),
        sbatch_args: a.sbatch_arg.clone(),
    };
    if a.plan {
        if slurm && !missing.is_empty() {
            let script = sweep::slurm::write_script(&a.out, &sweep::slurm::script(&task, &missing, &opts))?;
            println!("wrote {} (submit it with sbatch, or run without --plan)", script.display());
        }
        println!("each point runs as: {} {}", task.program.display(), task.args(0).join(" ").replace("--index 0", "--index I"));
        return Ok(());
    }
    if !missing.is_empty() {
        let pb = indicatif::ProgressBar::new(missing.len() as u64);
        pb.set_style(indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} points {msg}").expect("a valid template"));
        let mut progress = |s: &Status| {
            pb.set_position((s.done + s.failed) as u64);
            pb.set_message(format!("done {} running {} pending {} failed {}", s.done, s.running, s.pending, s.failed));
        };
        let failed = if slurm {
            let script = sweep::slurm::write_script(&a.out, &sweep::slurm::script(&task, &missing, &opts))?;
            let job = sweep::slurm::submit(&script)?;
            println!("submitted Slurm job {job}: {} tasks ({})", missing.len(), script.display());
            sweep::slurm::follow(&job, &task, &plan, &store, &missing, Duration::from_secs_f64(a.poll_seconds), &mut progress)?
        } else {
            let jobs = a.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            sweep::local::run(&task, &plan, &store, &missing, jobs, &mut progress)
        };
        pb.finish_and_clear();
        if !failed.is_empty() {
            return Err(sweep::SweepError::Failed { failed, of: total }.into());
        }
    }
    let points = sweep::collect(&plan, &store, &task)?;
    let files = reports::write_sweep(&points, &m.name, &a.out)?;
    summarize(&points);
    for f in files {
        println!("wrote {}", f.display());
    }
    Ok(())
}

/// The model as the tasks name it: a checkpoint by its absolute path (they may run elsewhere).
fn model_spec(spec: &str) -> String {
    let p = Path::new(spec);
    match p.exists().then(|| std::path::absolute(p)) {
        Some(Ok(abs)) => abs.display().to_string(),
        _ => spec.to_string(),
    }
}

/// Per target and bandwidth: the Pareto front's size and the smallest array at the best rate.
fn summarize(points: &[reports::sweep::SweepPoint]) {
    let mut groups: Vec<(String, String)> = vec![];
    for p in points {
        let g = (p.target.clone(), p.bandwidth.clone());
        if !groups.contains(&g) {
            groups.push(g);
        }
    }
    for (target, bw) in groups {
        let mine: Vec<_> = points.iter().filter(|p| p.target == target && p.bandwidth == bw).collect();
        let front = mine.iter().filter(|p| p.pareto).count();
        let best = mine.iter().map(|p| p.tokens_per_s.value).fold(0.0, f64::max);
        let knee = mine.iter().filter(|p| p.tokens_per_s.value >= best * 0.999).min_by(|a, b| a.luts.value.total_cmp(&b.luts.value));
        if let Some(k) = knee {
            println!(
                "{target} {bw}: {front} of {} arrays on the Pareto front; fastest rate {} first reached by {}x{} ({} {}, {}, {}-bound)",
                mine.len(),
                k.tokens_per_s.display(),
                k.array.rows,
                k.array.lanes,
                k.luts.value,
                k.luts.unit,
                k.clock_mhz.display(),
                reports::roofline::bound_name(k.bound)
            );
        }
    }
}

/// One point of a planned sweep: what each local process and each Slurm array task runs.
pub fn run_point(a: SweepPointArgs) -> anyhow::Result<()> {
    let plan = Plan::read(&a.plan)?;
    let job = plan.job(a.index)?;
    eprintln!("point {} of {}: {} (key {})", a.index, plan.jobs.len(), job.point.label(), job.key);
    let m: ResolvedModel = resolve_model(&plan.model)?;
    let id = sweep::plan::model_id(&plan.model)?;
    if id != plan.model_id {
        anyhow::bail!("{} changed since the sweep was planned ({id}, planned {}): plan the sweep again", plan.model, plan.model_id);
    }
    let nonzero = m.nonzero_fraction().map_or(reports::report::DEFAULT_NONZERO_FRACTION, |f| f.value);
    let input = ModelInput { config: &m.config, weights: m.weights.as_ref(), nonzero_fraction: nonzero };
    let row = sweep::run_point(&plan, a.index, &input, &Tools::from_env())?;
    println!("point {}: {} at {}: {} ({})", a.index, row.luts.display(), row.clock_mhz.display(), row.tokens_per_s.display(), job.point.label());
    Ok(())
}
