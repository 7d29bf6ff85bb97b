//! The content-addressed result cache: `<cache>/points/<key>.json`, each written atomically
//! (temporary file, then rename), so a killed task leaves no half result.

use std::path::{Path, PathBuf};

use reports::sweep::SweepPoint;

use crate::error::{Result, SweepError};

/// The results of points, by key.
#[derive(Clone, Debug)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    /// The store in the cache folder `cache`.
    pub fn new(cache: &Path) -> Store {
        Store { dir: cache.join("points") }
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// The cached result of `key`; a missing or unreadable entry is a miss.
    pub fn load(&self, key: &str) -> Option<SweepPoint> {
        let text = std::fs::read_to_string(self.path(key)).ok()?;
        serde_json::from_str(&text).ok()
    }

    pub fn has(&self, key: &str) -> bool {
        self.load(key).is_some()
    }

    /// Store the result of `key`.
    pub fn store(&self, key: &str, point: &SweepPoint) -> Result<()> {
        std::fs::create_dir_all(&self.dir).map_err(|e| SweepError::io("create", &self.dir, e))?;
        let path = self.path(key);
        let text = serde_json::to_vec_pretty(point).map_err(|e| SweepError::BadInput(format!("cannot serialize a result: {e}")))?;
        fpga::cache::write_atomic(&path, &text).map_err(|e| SweepError::io("write", &path, e))
    }
}
