//! The Slurm executor: one sbatch job array for the missing points (`--array=0-N%M`), each
//! array task running `tern sweep-point` for its point with its own log, followed with
//! `squeue` until the job ends.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::error::{Result, SweepError};
use crate::{Failure, Plan, Status, Store, Task};

/// What the job asks of the cluster (`--partition`, `--time`, `--mem`, `--cpus-per-task`,
/// free `#SBATCH` arguments) and how many tasks may run at once.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SlurmOptions {
    pub partition: Option<String>,
    pub time: Option<String>,
    pub mem: Option<String>,
    pub cpus_per_task: Option<usize>,
    /// `%M` of `--array`: at most this many tasks at once (0: no limit).
    pub max_running: usize,
    pub sbatch_args: Vec<String>,
}

/// Job name of every sweep job.
pub const JOB_NAME: &str = "tern-sweep";

/// The sbatch script for `pending` (point indices): array task `k` runs point `pending[k]`.
pub fn script(task: &Task, pending: &[usize], opts: &SlurmOptions) -> String {
    let mut s = String::from("#!/bin/bash\n");
    let limit = if opts.max_running > 0 { format!("%{}", opts.max_running) } else { String::new() };
    s.push_str(&format!("#SBATCH --job-name={JOB_NAME}\n"));
    s.push_str(&format!("#SBATCH --array=0-{}{limit}\n", pending.len().saturating_sub(1)));
    s.push_str(&format!("#SBATCH --output={}\n", task.logs.join("slurm-%A_%a.out").display()));
    for (flag, value) in [("partition", &opts.partition), ("time", &opts.time), ("mem", &opts.mem)] {
        if let Some(v) = value {
            s.push_str(&format!("#SBATCH --{flag}={v}\n"));
        }
    }
    if let Some(c) = opts.cpus_per_task {
        s.push_str(&format!("#SBATCH --cpus-per-task={c}\n"));
    }
    for a in &opts.sbatch_args {
        s.push_str(&format!("#SBATCH {a}\n"));
    }
    let points: Vec<String> = pending.iter().map(usize::to_string).collect();
    s.push_str(&format!("# the plan's point index of each array task\nPOINTS=({})\n", points.join(" ")));
    s.push_str("I=${POINTS[$SLURM_ARRAY_TASK_ID]}\n");
    let args: Vec<String> = task.args(0).into_iter().take(3).map(|a| quote(&a)).collect();
    s.push_str(&format!(
        "exec {} {} --index \"$I\" >{}\"$I\".log 2>&1\n",
        quote(&task.program.display().to_string()),
        args.join(" "),
        quote(&task.logs.join("point-").display().to_string())
    ));
    s
}

/// Single-quoted for bash.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Write `script` as `dir/slurm/sweep-<n>.sbatch` (n counts submissions) and return its path.
pub fn write_script(dir: &Path, script: &str) -> Result<PathBuf> {
    let d = dir.join("slurm");
    std::fs::create_dir_all(&d).map_err(|e| SweepError::io("create", &d, e))?;
    let n = (0..).find(|n| !d.join(format!("sweep-{n}.sbatch")).exists()).unwrap_or(0);
    let path = d.join(format!("sweep-{n}.sbatch"));
    std::fs::write(&path, script).map_err(|e| SweepError::io("write", &path, e))?;
    Ok(path)
}

/// What to check when a Slurm command cannot run or fails.
const HINT: &str = "is Slurm installed, the cluster up and SLURM_CONF set? (a one-node cluster: scripts/slurm-local.sh start)";

fn run(program: &str, args: &[&str]) -> Result<String> {
    let line = format!("{program} {}", args.join(" "));
    let out = Command::new(program).args(args).output().map_err(|e| SweepError::Slurm { command: line.clone(), detail: format!("{e}: {HINT}") })?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let err = err.split_whitespace().collect::<Vec<_>>().join(" ");
        return Err(SweepError::Slurm { command: line, detail: format!("{err} ({}); {HINT}", out.status) });
    }
    Ok(text)
}

/// Submit `script` with `sbatch --parsable`; the job id.
pub fn submit(script: &Path) -> Result<String> {
    let out = run("sbatch", &["--parsable", &script.display().to_string()])?;
    let id = out.trim().split(';').next().unwrap_or("").to_string();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        return Err(SweepError::Slurm { command: "sbatch --parsable".into(), detail: format!("printed {out:?}, not a job id") });
    }
    Ok(id)
}

/// The array tasks of `job` Slurm still lists, with their state (RUNNING, PENDING, ...).
fn tasks(job: &str) -> Result<Vec<(usize, String)>> {
    let out = match run("squeue", &["-h", "-r", "-j", job, "-o", "%K %T"]) {
        Ok(o) => o,
        // a job that ended and left the controller's memory
        Err(SweepError::Slurm { detail, .. }) if detail.contains("Invalid job id") => String::new(),
        Err(e) => return Err(e),
    };
    Ok(out
        .lines()
        .filter_map(|l| {
            let (k, state) = l.trim().split_once(' ')?;
            Some((k.parse().ok()?, state.to_string()))
        })
        .collect())
}

/// Follow `job` (array task `k` = point `pending[k]`) until Slurm lists none of its tasks;
/// `progress` hears each change. Returns the points that ended without a result.
pub fn follow(job: &str, task: &Task, plan: &Plan, store: &Store, pending: &[usize], poll: Duration, progress: &mut dyn FnMut(&Status)) -> Result<Vec<Failure>> {
    let mut last = None;
    loop {
        let listed = tasks(job)?;
        let mut s = Status::default();
        for (k, &index) in pending.iter().enumerate() {
            match listed.iter().find(|(t, _)| *t == k) {
                Some((_, state)) if state == "PENDING" => s.pending += 1,
                Some(_) => s.running += 1,
                None if store.has(&plan.jobs[index].key) => s.done += 1,
                None => s.failed += 1,
            }
        }
        if last != Some(s) {
            progress(&s);
            last = Some(s);
        }
        if listed.is_empty() {
            break;
        }
        std::thread::sleep(poll);
    }
    Ok(pending.iter().filter(|&&i| !store.has(&plan.jobs[i].key)).map(|&i| task.failure(plan, i)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_maps_array_tasks_to_points() {
        let task = Task { program: "/opt/tern bin/tern".into(), plan: "/s/jobs.json".into(), logs: "/s/logs".into() };
        let opts = SlurmOptions { partition: Some("cpu".into()), time: Some("01:00:00".into()), mem: None, cpus_per_task: Some(2), max_running: 4, sbatch_args: vec!["--account=hw".into()] };
        let s = script(&task, &[3, 5, 9], &opts);
        assert!(s.starts_with("#!/bin/bash\n"));
        for line in [
            "#SBATCH --job-name=tern-sweep",
            "#SBATCH --array=0-2%4",
            "#SBATCH --output=/s/logs/slurm-%A_%a.out",
            "#SBATCH --partition=cpu",
            "#SBATCH --time=01:00:00",
            "#SBATCH --cpus-per-task=2",
            "#SBATCH --account=hw",
            "POINTS=(3 5 9)",
            "exec '/opt/tern bin/tern' 'sweep-point' '--plan' '/s/jobs.json' --index \"$I\" >'/s/logs/point-'\"$I\".log 2>&1",
        ] {
            assert!(s.lines().any(|l| l == line), "missing {line:?} in\n{s}");
        }
        assert!(!s.contains("--mem"));
        assert!(script(&task, &[0], &SlurmOptions::default()).contains("#SBATCH --array=0-0\n"));
    }

    #[test]
    fn each_array_task_runs_its_point_with_its_log() {
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("fake tern");
        std::fs::write(&program, "#!/bin/sh\necho \"$@\"\n").unwrap();
        std::fs::set_permissions(&program, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let task = Task { program, plan: dir.path().join("jobs.json"), logs: dir.path().to_path_buf() };
        let path = dir.path().join("s.sbatch");
        std::fs::write(&path, script(&task, &[3, 5, 9], &SlurmOptions::default())).unwrap();
        let ok = Command::new("bash").arg(&path).env("SLURM_ARRAY_TASK_ID", "1").status().unwrap();
        assert!(ok.success());
        let log = std::fs::read_to_string(dir.path().join("point-5.log")).unwrap();
        assert_eq!(log.trim(), format!("sweep-point --plan {} --index 5", task.plan.display()));
    }

    #[test]
    fn quoting_survives_quotes() {
        assert_eq!(quote("it's"), r"'it'\''s'");
    }
}
