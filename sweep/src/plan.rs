//! The job list: every point of a sweep with its cache key, written as `jobs.json` in the sweep
//! folder so each task (a local process or a Slurm array task) reads the same list.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fpga::{Target, Tool, Tools};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Result, SweepError};
use crate::point::Point;

/// Bump when a cached result's meaning changes.
const FORMAT: &str = "tern-sweep-plan-v1";

/// One point and the key its result is cached under.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub index: usize,
    pub key: String,
    pub point: Point,
}

/// A planned sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format: String,
    pub tern_version: String,
    /// The model as given and what identifies it: the name, or the checkpoint's SHA-256.
    pub model: String,
    pub model_id: String,
    /// Version line of each tool the points run, as the planning machine has them; a task on a
    /// node with other versions refuses to run.
    pub tools: BTreeMap<String, String>,
    /// The result cache (a folder every node sees).
    pub cache: PathBuf,
    pub jobs: Vec<Job>,
}

/// The tools `points` need, by name, with their version lines.
pub fn tool_versions(points: &[Point], tools: &Tools) -> Result<BTreeMap<String, String>> {
    let mut need = vec![];
    for p in points {
        if p.target.is_some() {
            need.push(Tool::Yosys);
        }
        match (p.target, &p.pnr) {
            (Some(Target::Ice40), Some(_)) => need.push(Tool::NextpnrIce40),
            (Some(Target::Ecp5), Some(_)) => need.push(Tool::NextpnrEcp5),
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    for t in need {
        if !out.contains_key(t.name()) {
            out.insert(t.name().to_string(), tools.version(t)?);
        }
    }
    if points.iter().any(|p| p.cosim) {
        let v = verilator_sys::installed().map_err(sim::SimError::from)?;
        out.insert("verilator".into(), v.version_line);
    }
    Ok(out)
}

/// What identifies the model a sweep names: a checkpoint (file or folder) by the SHA-256 of its
/// files' contents, anything else (a shape or synthetic spec) by its text.
pub fn model_id(spec: &str) -> Result<String> {
    let path = Path::new(spec);
    if !path.exists() {
        return Ok(spec.to_string());
    }
    let mut files = vec![];
    if path.is_dir() {
        let rd = std::fs::read_dir(path).map_err(|e| SweepError::io("read", path, e))?;
        for e in rd {
            let p = e.map_err(|e| SweepError::io("read", path, e))?.path();
            if p.is_file() {
                files.push(p);
            }
        }
        files.sort();
    } else {
        files.push(path.to_path_buf());
    }
    let mut h = Sha256::new();
    for f in files {
        let bytes = std::fs::read(&f).map_err(|e| SweepError::io("read", &f, e))?;
        h.update(f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default().as_bytes());
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    Ok(format!("sha256:{}", hex(&h.finalize())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Plan {
    /// The plan of `points` (already validated) on `model`, results cached in `cache`.
    pub fn new(model: &str, model_id: String, points: Vec<Point>, tools: BTreeMap<String, String>, cache: PathBuf) -> Result<Plan> {
        let tern_version = env!("CARGO_PKG_VERSION").to_string();
        let mut jobs = vec![];
        for (index, point) in points.into_iter().enumerate() {
            let key = key(&tern_version, &model_id, &point, &tools)?;
            jobs.push(Job { index, key, point });
        }
        Ok(Plan { format: FORMAT.into(), tern_version, model: model.into(), model_id, tools, cache, jobs })
    }

    /// Write the plan as `dir/jobs.json` and return that path.
    pub fn write(&self, dir: &Path) -> Result<PathBuf> {
        std::fs::create_dir_all(dir).map_err(|e| SweepError::io("create", dir, e))?;
        let path = dir.join("jobs.json");
        let text = serde_json::to_vec_pretty(self).map_err(|e| SweepError::BadInput(format!("cannot write the plan: {e}")))?;
        fpga::cache::write_atomic(&path, &text).map_err(|e| SweepError::io("write", &path, e))?;
        Ok(path)
    }

    /// Read a plan `Plan::write` wrote.
    pub fn read(path: &Path) -> Result<Plan> {
        let text = std::fs::read_to_string(path).map_err(|e| SweepError::io("read", path, e))?;
        let plan: Plan = serde_json::from_str(&text)
            .map_err(|e| SweepError::BadInput(format!("{} is not a sweep plan `tern sweep` wrote ({e})", path.display())))?;
        if plan.format != FORMAT {
            return Err(SweepError::BadInput(format!("{} is a {} plan; this tern reads {FORMAT}: plan the sweep again", path.display(), plan.format)));
        }
        Ok(plan)
    }

    /// The job at `index`.
    pub fn job(&self, index: usize) -> Result<&Job> {
        self.jobs.get(index).ok_or_else(|| {
            SweepError::BadInput(format!("--index {index} is past the plan's {} points (0..={})", self.jobs.len(), self.jobs.len().saturating_sub(1)))
        })
    }

    /// Refuse to run on a machine whose tools differ from the plan's (their results would be
    /// cached under the plan's key).
    pub fn check_tools(&self, here: &BTreeMap<String, String>) -> Result<()> {
        for (tool, want) in &self.tools {
            match here.get(tool) {
                Some(have) if have == want => {}
                have => {
                    return Err(SweepError::BadInput(format!(
                        "this machine's {tool} is {}, the sweep was planned with {want}: install the same version on every node, or plan on a node that has it",
                        have.map_or("missing", String::as_str)
                    )))
                }
            }
        }
        Ok(())
    }
}

/// The cache key of `point`: fpga's result-cache key (SHA-256 of length-prefixed parts) over the
/// plan format, tern's version, the model's identity, the point's configuration and the tools'
/// versions.
fn key(tern_version: &str, model_id: &str, point: &Point, tools: &BTreeMap<String, String>) -> Result<String> {
    let config = serde_json::to_string(point).map_err(|e| SweepError::BadInput(format!("cannot serialize a point: {e}")))?;
    let tools = serde_json::to_string(tools).map_err(|e| SweepError::BadInput(format!("cannot serialize tool versions: {e}")))?;
    Ok(fpga::cache::key(&[FORMAT, tern_version, model_id, &config, &tools]))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn point(rows: usize, bw: &str) -> Point {
        Point {
            model: "tinystories-1m".into(),
            array: hdl::ArrayConfig { rows, lanes: 8, max_k: 256, ..hdl::ArrayConfig::default() },
            target: None,
            pnr: None,
            bandwidth: bw.into(),
            clock_mhz: 100.0,
            context: 64,
            cosim: false,
        }
    }

    #[test]
    fn keys_follow_every_part_of_the_configuration() {
        let tools = BTreeMap::from([("yosys".to_string(), "Yosys 0.23".to_string())]);
        let p = Plan::new("m", "m".into(), vec![point(1, "ddr4"), point(2, "ddr4"), point(1, "hbm2e")], tools.clone(), "/c".into()).unwrap();
        let keys: Vec<&str> = p.jobs.iter().map(|j| j.key.as_str()).collect();
        assert_eq!(keys[0].len(), 64);
        assert!(keys[0] != keys[1] && keys[0] != keys[2] && keys[1] != keys[2]);
        // the same point gives the same key; other tools or another model give another
        let again = Plan::new("m", "m".into(), vec![point(1, "ddr4")], tools, "/elsewhere".into()).unwrap();
        assert_eq!(again.jobs[0].key, keys[0]);
        let newer = BTreeMap::from([("yosys".to_string(), "Yosys 0.40".to_string())]);
        assert_ne!(Plan::new("m", "m".into(), vec![point(1, "ddr4")], newer, "/c".into()).unwrap().jobs[0].key, keys[0]);
        assert_ne!(Plan::new("m", "sha256:00".into(), vec![point(1, "ddr4")], BTreeMap::new(), "/c".into()).unwrap().jobs[0].key, keys[0]);
    }

    #[test]
    fn plan_round_trips_and_checks_tools() {
        let dir = tempfile::tempdir().unwrap();
        let tools = BTreeMap::from([("yosys".to_string(), "Yosys 0.23".to_string())]);
        let p = Plan::new("m", "m".into(), vec![point(1, "ddr4")], tools.clone(), dir.path().join("cache")).unwrap();
        let path = p.write(dir.path()).unwrap();
        assert_eq!(Plan::read(&path).unwrap(), p);
        assert!(p.check_tools(&tools).is_ok());
        let other = BTreeMap::from([("yosys".to_string(), "Yosys 0.40".to_string())]);
        let e = p.check_tools(&other).unwrap_err().to_string();
        assert!(e.contains("this machine's yosys is Yosys 0.40, the sweep was planned with Yosys 0.23"), "{e}");
        assert!(p.job(1).unwrap_err().to_string().contains("--index 1 is past the plan's 1 points"));
        std::fs::write(&path, "{}").unwrap();
        assert!(Plan::read(&path).unwrap_err().to_string().contains("is not a sweep plan"));
    }

    #[test]
    fn checkpoints_are_identified_by_content() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("m.bin");
        std::fs::write(&f, b"abc").unwrap();
        let a = model_id(f.to_str().unwrap()).unwrap();
        assert!(a.starts_with("sha256:"));
        std::fs::write(&f, b"abd").unwrap();
        assert_ne!(model_id(f.to_str().unwrap()).unwrap(), a);
        assert_eq!(model_id("tinystories-1m").unwrap(), "tinystories-1m");
    }
}
