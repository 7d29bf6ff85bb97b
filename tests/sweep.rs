//! End-to-end: `tern sweep` on the local executor and on a one-node Slurm cluster
//! (scripts/slurm-local.sh): the same sweep.json point for point; a cancelled task loses no
//! other result and the rerun runs only the missing point; plans, caches and co-simulation.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::tern;
use serde_json::Value;

/// 2 rows x 2 lanes x 2 bandwidths on iCE40 with place and route: 8 points, 4 designs.
const ICE40_SWEEP: [&str; 12] = ["sweep", "--rows", "1,2", "--lanes", "4,8", "--bandwidth", "ddr4,hbm2e", "--target", "ice40", "--model", "tinystories-1m", "--clock-mhz"];

fn sweep_args<'a>(out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a: Vec<&str> = ICE40_SWEEP.to_vec();
    a.push("100");
    a.extend(["--out", out]);
    a.extend(extra);
    a
}

fn points(dir: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join("sweep.json")).unwrap();
    serde_json::from_str::<Value>(&text).unwrap().as_array().unwrap().clone()
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The one-node cluster: started by this test unless it already runs; stopped on drop if started.
struct Cluster {
    dir: PathBuf,
    started: bool,
}

impl Cluster {
    fn start() -> Cluster {
        let dir = PathBuf::from(std::env::var("TERN_SLURM_DIR").unwrap_or_else(|_| "/tmp/tern-slurm".into()));
        let running = Command::new("bash").arg(repo().join("scripts/slurm-local.sh")).arg("status").output().unwrap();
        let already = String::from_utf8_lossy(&running.stdout).contains("slurmctld running");
        let out = Command::new("bash").arg(repo().join("scripts/slurm-local.sh")).arg("start").env("TERN_SLURM_DIR", &dir).output().unwrap();
        assert!(out.status.success(), "scripts/slurm-local.sh start failed (needs root in CI): {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        Cluster { dir, started: !already }
    }

    fn conf(&self) -> PathBuf {
        self.dir.join("slurm.conf")
    }

    fn tern(&self, args: &[&str]) -> (bool, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_tern")).args(args).env("SLURM_CONF", self.conf()).output().unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
    }

    /// The first running array task of a sweep job, as `JOB_TASK`.
    fn running_task(&self) -> Option<String> {
        let out = Command::new("squeue").args(["-h", "-r", "--name", "tern-sweep", "-t", "RUNNING", "-o", "%i"]).env("SLURM_CONF", self.conf()).output().ok()?;
        String::from_utf8_lossy(&out.stdout).lines().next().map(|l| l.trim().to_string())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.started {
            let _ = Command::new("bash").arg(repo().join("scripts/slurm-local.sh")).arg("stop").env("TERN_SLURM_DIR", &self.dir).status();
        }
    }
}

#[test]
fn slurm_sweep_equals_local_and_a_cancelled_task_is_all_the_rerun_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    let (local, slurm, again) = (path("local"), path("slurm"), path("again"));

    let (ok, out, err) = tern(&sweep_args(&local, &["--executor", "local", "--jobs", "2"]));
    assert!(ok, "{err}");
    assert!(out.contains("8 points: 0 cached, 8 to run"), "{out}");
    let want = points(Path::new(&local));
    assert_eq!(want.len(), 8);
    for p in &want {
        assert_eq!(p["target"], "ice40");
        assert_eq!(p["clock_mhz"]["kind"], "measured", "{p}");
        assert!(p["clock_mhz"]["source"].as_str().unwrap().contains("nextpnr-ice40"), "{p}");
        assert_eq!(p["luts"]["kind"], "measured");
        assert!(p["luts"]["value"].as_f64().unwrap() > 100.0);
    }
    // the same design at both bandwidths: one synthesis, one Fmax
    assert_eq!(want[0]["luts"], want[4]["luts"]);
    assert_eq!(want[0]["clock_mhz"], want[4]["clock_mhz"]);
    assert_eq!(want[0]["bandwidth"], "ddr4");
    assert_eq!(want[4]["bandwidth"], "hbm2e");

    let cluster = Cluster::start();
    let (ok, out, err) = cluster.tern(&sweep_args(&slurm, &["--executor", "slurm", "--max-running", "2"]));
    assert!(ok, "{out}{err}");
    assert!(out.contains("submitted Slurm job") && out.contains(": 8 tasks"), "{out}");
    assert_eq!(points(Path::new(&slurm)), want, "slurm and local sweep.json differ");
    for i in 0..8 {
        let log = std::fs::read_to_string(Path::new(&slurm).join(format!("logs/point-{i}.log"))).unwrap();
        assert!(log.contains(&format!("point {i}: ")), "point {i}'s log: {log}");
    }
    let script = std::fs::read_to_string(Path::new(&slurm).join("slurm/sweep-0.sbatch")).unwrap();
    assert!(script.contains("#SBATCH --array=0-7%2"), "{script}");

    // a second run (a fresh cache): cancel one running task
    let child = Command::new(env!("CARGO_BIN_EXE_tern"))
        .args(sweep_args(&again, &["--executor", "slurm", "--max-running", "2", "--poll-seconds", "0.5"]))
        .env("SLURM_CONF", cluster.conf())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let task = (0..240).find_map(|_| {
        std::thread::sleep(std::time::Duration::from_millis(250));
        cluster.running_task()
    });
    let task = task.expect("no sweep task ran within 60 s");
    let cancelled = Command::new("scancel").arg(&task).env("SLURM_CONF", cluster.conf()).status().unwrap();
    assert!(cancelled.success());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the run with a cancelled task succeeded");
    let index: usize = task.split('_').nth(1).unwrap().parse().unwrap(); // array task k = point k (all were missing)
    assert!(err.contains(&format!("1 of 8 points ended without a result: point {index} (")), "{err}");
    assert!(err.contains(&format!("logs/point-{index}.log")) && err.contains("run the same command again"), "{err}");
    assert!(!Path::new(&again).join("sweep.json").exists(), "an incomplete sweep wrote its report");

    let (ok, out, err) = cluster.tern(&sweep_args(&again, &["--executor", "slurm", "--max-running", "2"]));
    assert!(ok, "{out}{err}");
    assert!(out.contains("8 points: 7 cached, 1 to run"), "{out}");
    assert!(out.contains(": 1 tasks"), "{out}");
    let script = std::fs::read_to_string(Path::new(&again).join("slurm/sweep-1.sbatch")).unwrap();
    assert!(script.contains("#SBATCH --array=0-0%2") && script.contains(&format!("POINTS=({index})")), "{script}");
    assert_eq!(points(Path::new(&again)), want, "the resumed sweep differs from the local one");

    // everything cached: nothing is submitted
    let (ok, out, err) = cluster.tern(&sweep_args(&again, &["--executor", "slurm"]));
    assert!(ok, "{err}");
    assert!(out.contains("8 points: 8 cached, 0 to run") && !out.contains("submitted"), "{out}");
}

#[test]
fn plan_writes_the_job_list_and_script_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("plan");
    let out = out_dir.display().to_string();
    let (ok, stdout, err) = tern(&[
        "sweep", "--rows", "1,2", "--lanes", "8", "--bandwidth", "ddr4", "--out", &out, "--executor", "slurm", "--plan",
        "--partition", "hw", "--time", "00:30:00", "--mem", "2G", "--cpus-per-task", "1", "--max-running", "3", "--sbatch-arg", "--account=tern",
    ]);
    assert!(ok, "{err}");
    assert!(stdout.contains("2 points: 0 cached, 2 to run"), "{stdout}");
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(out_dir.join("jobs.json")).unwrap()).unwrap();
    let jobs = plan["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[1]["point"]["array"]["rows"], 2);
    assert_eq!(jobs[0]["key"].as_str().unwrap().len(), 64);
    assert_ne!(jobs[0]["key"], jobs[1]["key"]);
    let script = std::fs::read_to_string(out_dir.join("slurm/sweep-0.sbatch")).unwrap();
    for line in ["#SBATCH --array=0-1%3", "#SBATCH --partition=hw", "#SBATCH --time=00:30:00", "#SBATCH --mem=2G", "#SBATCH --cpus-per-task=1", "#SBATCH --account=tern", "POINTS=(0 1)"] {
        assert!(script.lines().any(|l| l == line), "{line} missing in {script}");
    }
    assert!(!out_dir.join("sweep.json").exists() && !out_dir.join("cache/points").exists());
    let jobs_json = out_dir.join("jobs.json").display().to_string();
    let (ok, _, err) = tern(&["sweep-point", "--plan", &jobs_json, "--index", "2"]);
    assert!(!ok && err.contains("--index 2 is past the plan's 2 points (0..=1)"), "{err}");

    // the modeled points run locally; a second run finds them all cached
    let (ok, stdout, err) = tern(&["sweep", "--rows", "1,2", "--lanes", "8", "--bandwidth", "ddr4", "--out", &out, "--jobs", "1"]);
    assert!(ok, "{err}");
    assert!(stdout.contains("2 points: 0 cached, 2 to run"), "{stdout}");
    let first = points(&out_dir);
    assert_eq!(first[0]["luts"]["kind"], "modeled");
    let (ok, stdout, err) = tern(&["sweep", "--rows", "1,2", "--lanes", "8", "--bandwidth", "ddr4", "--out", &out, "--jobs", "1"]);
    assert!(ok, "{err}");
    assert!(stdout.contains("2 points: 2 cached, 0 to run"), "{stdout}");
    assert_eq!(points(&out_dir), first);
}

#[test]
fn a_failing_point_is_named_with_its_log_and_loses_no_other_result() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("fail");
    let out = out_dir.display().to_string();
    // a task binary that fails for point 1 and runs the real tern for the others
    let fake = dir.path().join("tern-fails-point-1");
    std::fs::write(&fake, format!("#!/bin/sh\n[ \"$5\" = 1 ] && {{ echo 'error: injected failure'; exit 3; }}\nexec '{}' \"$@\"\n", env!("CARGO_BIN_EXE_tern"))).unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let args = ["sweep", "--rows", "1,2,4", "--lanes", "8", "--bandwidth", "ddr4", "--out", &out, "--jobs", "2"];
    let mut with_fake: Vec<&str> = args.to_vec();
    let fake_s = fake.display().to_string();
    with_fake.extend(["--tern", &fake_s]);
    let (ok, _, err) = tern(&with_fake);
    assert!(!ok);
    assert!(err.contains("1 of 3 points ended without a result: point 1 (2x8 model ddr4; log "), "{err}");
    assert!(std::fs::read_to_string(out_dir.join("logs/point-1.log")).unwrap().contains("injected failure"));
    let (ok, stdout, err) = tern(&args);
    assert!(ok, "{err}");
    assert!(stdout.contains("3 points: 2 cached, 1 to run"), "{stdout}");
}

#[test]
fn cosim_takes_the_cycles_verilator_counts() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name).display().to_string();
        let mut args = vec!["sweep", "--model", "synthetic:tinystories-1m", "--rows", "4", "--lanes", "16", "--bandwidth", "ddr4", "--out", &out, "--jobs", "1"];
        args.extend(extra);
        let (ok, stdout, err) = tern(&args);
        assert!(ok, "{stdout}{err}");
        points(&dir.path().join(name))[0].clone()
    };
    let measured = run("cosim", &["--cosim"]);
    let modeled = run("model", &[]);
    let cycles = &measured["cycles_per_token"];
    assert_eq!(cycles["kind"], "measured", "{measured}");
    assert!(cycles["source"].as_str().unwrap().contains("Verilator"), "{measured}");
    assert_eq!(modeled["cycles_per_token"]["kind"], "modeled");
    let c = cycles["value"].as_f64().unwrap();
    // every BitLinear MAC of a token passes through the 4 x 16 array at most 64 a cycle
    let config = golden::synthetic::shape("tinystories-1m").unwrap().config;
    let macs: usize = golden::LinearKind::ALL.iter().map(|&k| config.linear_shape(k)).map(|(n, k)| n * k).sum::<usize>() * config.n_layers;
    assert!(c.fract() == 0.0 && c >= (macs / 64) as f64, "{c} cycles for {macs} MACs on 64 lanes");
    // the streaming top runs the array's schedule (the analytic model) plus the DRAM's latency
    // at each dependent job: more cycles than the model, not many more (23,273 vs 18,712)
    let m = modeled["cycles_per_token"]["value"].as_f64().unwrap();
    assert!(c > m && c < 1.5 * m, "co-simulated {c} cycles, modeled {m}");
    let rate = measured["tokens_per_s"]["value"].as_f64().unwrap();
    assert!((rate - 100e6 / c).abs() <= 1e-6 * rate, "rate {rate} is not 100 MHz / {c} cycles");
}
