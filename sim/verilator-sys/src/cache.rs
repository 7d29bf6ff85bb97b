//! The build cache: content-addressed entries, a file lock per entry, atomic publication.

use crate::error::{Result, VerilatorError};
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Environment variable naming the cache directory.
pub const CACHE_ENV: &str = "TERN_CACHE_DIR";

/// The cache directory: `$TERN_CACHE_DIR`, else `target/tern-cache` in the workspace this
/// crate was compiled in (when that workspace still exists), else `$HOME/.cache/tern`,
/// else `tern-cache` in the system temporary directory.
pub fn default_cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(CACHE_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    if workspace.join("Cargo.toml").is_file() {
        if let Ok(root) = workspace.canonicalize() {
            return root.join("target").join("tern-cache");
        }
    }
    if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(home).join(".cache").join("tern");
    }
    std::env::temp_dir().join("tern-cache")
}

/// SHA-256 over length-prefixed parts, as 16 hex digits (64 bits: plenty for a local cache).
pub(crate) fn hash_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A name no other process or thread uses at the same moment.
fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{}-{}-{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Writes a file through a temporary name and a rename, so readers never see half of it.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp-{}", unique_suffix()));
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, path)
}

/// The entry `root/name`, built by `build` into a fresh directory if it is not there yet.
///
/// An entry is complete when its `marker` file exists. The fast path (entry present) takes
/// no lock. Otherwise an exclusive lock on `root/name.lock` serializes builders across
/// threads and processes; the winner builds in `root/.tmp-name-<unique>` and renames it to
/// `root/name`, so a reader sees either no entry or a whole one. Returns the entry path and
/// whether it was already there.
pub(crate) fn get_or_build(
    root: &Path,
    name: &str,
    marker: &str,
    build: impl FnOnce(&Path) -> Result<()>,
) -> Result<(PathBuf, bool)> {
    let entry = root.join(name);
    if entry.join(marker).is_file() {
        return Ok((entry, true));
    }
    fs::create_dir_all(root)
        .map_err(|e| VerilatorError::io("creating cache directory", root, e))?;
    let lock_path = root.join(format!("{name}.lock"));
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| VerilatorError::io("opening lock file", &lock_path, e))?;
    lock.lock()
        .map_err(|e| VerilatorError::io("locking", &lock_path, e))?;
    if entry.join(marker).is_file() {
        return Ok((entry, true)); // another thread or process built it while we waited
    }
    let tmp = root.join(format!(".tmp-{name}-{}", unique_suffix()));
    fs::create_dir_all(&tmp)
        .map_err(|e| VerilatorError::io("creating build directory", &tmp, e))?;
    if let Err(e) = build(&tmp) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if entry.exists() {
        // An incomplete entry (its marker was deleted by hand): replace it.
        fs::remove_dir_all(&entry)
            .map_err(|e| VerilatorError::io("removing stale entry", &entry, e))?;
    }
    fs::rename(&tmp, &entry)
        .map_err(|e| VerilatorError::io("publishing cache entry", &entry, e))?;
    drop(lock);
    Ok((entry, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_separates_parts() {
        assert_ne!(hash_hex(&[b"ab", b"c"]), hash_hex(&[b"a", b"bc"]));
        assert_eq!(hash_hex(&[b"x"]), hash_hex(&[b"x"]));
        assert_eq!(hash_hex(&[b"x"]).len(), 16);
    }

    #[test]
    fn builds_once_then_hits() {
        let root = std::env::temp_dir().join(format!("vsys-cache-test-{}", unique_suffix()));
        let mut calls = 0;
        let (dir, hit) = get_or_build(&root, "e", "done", |tmp| {
            calls += 1;
            fs::write(tmp.join("done"), b"1").unwrap();
            Ok(())
        })
        .unwrap();
        assert!(!hit);
        assert_eq!(fs::read(dir.join("done")).unwrap(), b"1");
        let (_, hit) = get_or_build(&root, "e", "done", |_| panic!("must not rebuild")).unwrap();
        assert!(hit);
        assert_eq!(calls, 1);
        // A failed build leaves no entry and no temporary directory behind.
        let err = get_or_build(&root, "f", "done", |_| {
            Err(VerilatorError::BadPlan("boom".into()))
        });
        assert!(err.is_err());
        let left: Vec<_> = fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(
            !left.iter().any(|n| n.to_string_lossy().starts_with(".tmp")),
            "{left:?}"
        );
        assert!(!root.join("f").exists());
        fs::remove_dir_all(&root).unwrap();
    }
}
