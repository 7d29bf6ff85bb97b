//! Design-space sweeps: a job list of complete design points ([`Plan`], `jobs.json`), each
//! point's work ([`evaluate`]: Yosys, nextpnr Fmax, the rate at that clock, co-simulation if
//! asked), a content-addressed result cache every node sees ([`Store`]), and two executors
//! that run the points not cached yet: a local process pool ([`local`]) and a Slurm job array
//! ([`slurm`]). Both run the same task, `tern sweep-point --plan jobs.json --index I`, with its
//! log in `logs/point-I.log`, so their results are the same point for point; the report step
//! ([`collect`]) reads the cache.

pub mod error;
pub mod local;
pub mod plan;
pub mod point;
pub mod slurm;
pub mod store;

use std::path::{Path, PathBuf};
use std::process::Command;

pub use error::{Result, SweepError};
pub use plan::{Job, Plan};
pub use point::{evaluate, ModelInput, Point};
pub use store::Store;

use reports::sweep::{mark_pareto, SweepPoint};

/// A point that ended without a result.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub index: usize,
    pub label: String,
    pub log: PathBuf,
}

/// Where an executor is: points with a result, running, waiting, and ended without one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Status {
    pub done: usize,
    pub running: usize,
    pub pending: usize,
    pub failed: usize,
}

/// How to run one point as a process: `program sweep-point --plan PLAN --index I`, its output
/// to `logs/point-I.log`.
#[derive(Clone, Debug)]
pub struct Task {
    /// The tern binary (on a cluster: a path every node can run).
    pub program: PathBuf,
    /// The plan's `jobs.json` (absolute).
    pub plan: PathBuf,
    /// The folder of the logs (absolute).
    pub logs: PathBuf,
}

impl Task {
    /// The task of the plan at `plan` (in its sweep folder, logs beside it in `logs/`).
    pub fn new(program: PathBuf, plan: &Path) -> Result<Task> {
        let plan = std::path::absolute(plan).map_err(|e| SweepError::io("resolve", plan, e))?;
        let logs = plan.parent().unwrap_or(Path::new("/")).join("logs");
        std::fs::create_dir_all(&logs).map_err(|e| SweepError::io("create", &logs, e))?;
        Ok(Task { program, plan, logs })
    }

    pub fn log(&self, index: usize) -> PathBuf {
        self.logs.join(format!("point-{index}.log"))
    }

    pub fn args(&self, index: usize) -> Vec<String> {
        vec!["sweep-point".into(), "--plan".into(), self.plan.display().to_string(), "--index".into(), index.to_string()]
    }

    fn command(&self, index: usize) -> Command {
        let mut c = Command::new(&self.program);
        c.args(self.args(index));
        c
    }

    fn failure(&self, plan: &Plan, index: usize) -> Failure {
        Failure { index, label: plan.jobs[index].point.label(), log: self.log(index) }
    }
}

/// The indices of the plan's points with no cached result yet.
pub fn missing(plan: &Plan, store: &Store) -> Vec<usize> {
    plan.jobs.iter().filter(|j| !store.has(&j.key)).map(|j| j.index).collect()
}

/// Run point `index` of `plan` (what one task does): refuse other tool versions than the
/// plan's, do the work with the plan's cache for fpga results too, store the result.
pub fn run_point(plan: &Plan, index: usize, model: &ModelInput, tools: &fpga::Tools) -> Result<SweepPoint> {
    let job = plan.job(index)?;
    let points: Vec<Point> = vec![job.point.clone()];
    plan.check_tools(&plan::tool_versions(&points, tools)?)?;
    let flow = fpga::Flow { tools: tools.clone(), cache: fpga::Cache::at(&plan.cache) };
    let row = evaluate(&job.point, model, &flow)?;
    Store::new(&plan.cache).store(&job.key, &row)?;
    Ok(row)
}

/// Every point's result from the cache, in plan order, with the Pareto front marked; the
/// points without one are a [`SweepError::Failed`] naming their logs.
pub fn collect(plan: &Plan, store: &Store, task: &Task) -> Result<Vec<SweepPoint>> {
    let mut rows = vec![];
    let mut failed = vec![];
    for j in &plan.jobs {
        match store.load(&j.key) {
            Some(r) => rows.push(r),
            None => failed.push(task.failure(plan, j.index)),
        }
    }
    if !failed.is_empty() {
        return Err(SweepError::Failed { failed, of: plan.jobs.len() });
    }
    mark_pareto(&mut rows);
    Ok(rows)
}
