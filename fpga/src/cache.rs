//! On-disk result cache keyed by a hash of everything that determines a result.
//!
//! Entries are JSON files `<dir>/fpga/<kind>-<sha256>.json`, written to a temporary file
//! in the same directory and renamed into place, so concurrent runs never see a torn
//! entry (the last writer wins; both wrote the same result). An entry that cannot be
//! read or parsed is treated as a miss and overwritten.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{FpgaError, Result};

/// Bump when the meaning of a cached record changes (counting rules, fields).
const CACHE_FORMAT: &str = "tern-fpga-cache-v1";

/// Where results are cached, if anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    dir: Option<PathBuf>,
}

impl Cache {
    /// No caching: every call runs the tools.
    pub fn disabled() -> Self {
        Cache { dir: None }
    }

    /// Cache under `dir` (created on first use).
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Cache { dir: Some(dir.into()) }
    }

    /// `$TERN_CACHE_DIR` if set, else `$HOME/.cache/tern`, else disabled.
    pub fn from_env() -> Self {
        Cache::from_vars(|name| std::env::var(name).ok())
    }

    /// Like [`Cache::from_env`] with any variable lookup (empty values count as unset).
    pub fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        match (get("TERN_CACHE_DIR"), get("HOME")) {
            (Some(dir), _) => Cache::at(dir),
            (None, Some(home)) => Cache::at(Path::new(&home).join(".cache").join("tern")),
            (None, None) => Cache::disabled(),
        }
    }

    /// The directory entries go to (`<dir>/fpga`), if caching is on.
    pub fn entry_dir(&self) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join("fpga"))
    }

    /// Create the entry directory now, so an unwritable cache fails before a long run.
    pub fn prepare(&self) -> Result<()> {
        if let Some(dir) = self.entry_dir() {
            std::fs::create_dir_all(&dir).map_err(|e| cache_error("create", &dir, e))?;
        }
        Ok(())
    }

    /// The cached value for (`kind`, `key`), if present and readable.
    pub fn load<T: DeserializeOwned>(&self, kind: &str, key: &str) -> Option<T> {
        let path = self.entry_dir()?.join(format!("{kind}-{key}.json"));
        let text = std::fs::read_to_string(path).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Store `value` under (`kind`, `key`) atomically.
    pub fn store<T: Serialize>(&self, kind: &str, key: &str, value: &T) -> Result<()> {
        let Some(dir) = self.entry_dir() else {
            return Ok(());
        };
        self.prepare()?;
        let path = dir.join(format!("{kind}-{key}.json"));
        let json = serde_json::to_vec_pretty(value).map_err(|e| FpgaError::BadToolOutput {
            what: "record for the cache".into(),
            detail: e.to_string(),
        })?;
        write_atomic(&path, &json).map_err(|e| cache_error("write", &path, e))
    }
}

/// Write `bytes` to `path` through a temporary file in the same directory renamed into place:
/// a reader sees the old file or the whole new one, never a torn one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// SHA-256 (hex) of the parts, each length-prefixed so ("ab","c") != ("a","bc"),
/// together with the cache format tag and the crate version.
pub fn key(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for part in [CACHE_FORMAT, env!("CARGO_PKG_VERSION")].iter().chain(parts) {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn cache_error(action: &'static str, path: &Path, e: std::io::Error) -> FpgaError {
    FpgaError::Io {
        action,
        path: path.to_path_buf(),
        source: std::io::Error::new(
            e.kind(),
            format!("{e} (result cache; set TERN_CACHE_DIR to a writable directory)"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_separate_parts() {
        assert_ne!(key(&["ab", "c"]), key(&["a", "bc"]));
        assert_eq!(key(&["x"]), key(&["x"]));
        assert_eq!(key(&["x"]).len(), 64);
    }

    #[test]
    fn env_resolution() {
        let c = Cache::from_vars(|v| (v == "TERN_CACHE_DIR").then(|| "/tmp/tc".to_string()));
        assert_eq!(c.entry_dir(), Some(PathBuf::from("/tmp/tc/fpga")));
        let c = Cache::from_vars(|v| (v == "HOME").then(|| "/home/u".to_string()));
        assert_eq!(c.entry_dir(), Some(PathBuf::from("/home/u/.cache/tern/fpga")));
        assert_eq!(Cache::from_vars(|_| None), Cache::disabled());
    }

    #[test]
    fn store_then_load() {
        let dir = tempfile::tempdir().unwrap();
        let c = Cache::at(dir.path());
        assert_eq!(c.load::<Vec<u32>>("synth", "k"), None);
        c.store("synth", "k", &vec![1u32, 2, 3]).unwrap();
        assert_eq!(c.load::<Vec<u32>>("synth", "k"), Some(vec![1, 2, 3]));
        // A corrupt entry is a miss, not an error.
        std::fs::write(dir.path().join("fpga/synth-bad.json"), "{not json").unwrap();
        assert_eq!(c.load::<Vec<u32>>("synth", "bad"), None);
        // Disabled caches store nothing and find nothing.
        Cache::disabled().store("synth", "k", &1u32).unwrap();
        assert_eq!(Cache::disabled().load::<u32>("synth", "k"), None);
    }
}
