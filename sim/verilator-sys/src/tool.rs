//! Finding the Verilator binary and checking its version.

use crate::error::{Result, VerilatorError};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Environment variable that overrides the Verilator binary (a path or a command name).
pub const VERILATOR_ENV: &str = "VERILATOR";

/// A Verilator installation that answered `--version` with version 5 or newer.
#[derive(Clone, Debug)]
pub struct Verilator {
    /// The binary as it is run.
    pub binary: PathBuf,
    /// The first line of `--version`, e.g. `Verilator 5.006 2023-01-22 rev (Debian 5.006-3)`.
    pub version_line: String,
}

/// The binary to run: `explicit`, else `$VERILATOR`, else `verilator` on the PATH.
pub(crate) fn binary(explicit: Option<&Path>) -> PathBuf {
    if let Some(path) = explicit {
        return path.to_path_buf();
    }
    match std::env::var_os(VERILATOR_ENV) {
        Some(value) if !value.is_empty() => PathBuf::from(value),
        _ => PathBuf::from("verilator"),
    }
}

/// Resolves a command name against the PATH, so it can be stat'ed.
fn resolve(binary: &Path) -> Option<PathBuf> {
    if binary.components().count() > 1 {
        return binary.is_file().then(|| binary.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(binary))
        .find(|p| p.is_file())
}

/// The Verilator builds use (`$VERILATOR` or the PATH's), checked to be version 5 or newer.
pub fn installed() -> Result<Verilator> {
    find(None, &crate::cache::default_cache_dir().join("verilator"))
}

/// Finds Verilator and checks it is version 5 or newer.
///
/// `--version` runs a Perl wrapper (about 50 ms), so its answer is remembered in
/// `memo_dir`, keyed by the binary's path, size and modification time: a cache hit of a
/// model build then costs a `stat`, not a process.
pub(crate) fn find(explicit: Option<&Path>, memo_dir: &Path) -> Result<Verilator> {
    let binary = binary(explicit);
    let missing = |reason: String| VerilatorError::ToolMissing {
        binary: binary.display().to_string(),
        reason,
    };
    let resolved =
        resolve(&binary).ok_or_else(|| missing("no such file, and not on the PATH".into()))?;
    let meta = std::fs::metadata(&resolved).map_err(|e| missing(e.to_string()))?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
    let memo_key = crate::cache::hash_hex(&[
        resolved.display().to_string().as_bytes(),
        &meta.len().to_le_bytes(),
        &modified.map_or(0, |d| d.as_nanos()).to_le_bytes(),
    ]);
    let memo = memo_dir.join(format!("tool-{memo_key}.version"));
    let version_line = match std::fs::read_to_string(&memo) {
        Ok(line) if !line.trim().is_empty() => line.trim().to_string(),
        _ => {
            let line = run_version(&resolved).map_err(missing)?;
            // Best effort: a memo that cannot be written only costs the next caller 50 ms.
            let _ = std::fs::create_dir_all(memo_dir)
                .and_then(|()| crate::cache::write_atomic(&memo, line.as_bytes()));
            line
        }
    };
    let major = parse_major(&version_line).ok_or_else(|| {
        missing(format!(
            "`--version` printed `{version_line}`, which is not a Verilator version"
        ))
    })?;
    if major < 5 {
        return Err(VerilatorError::ToolTooOld {
            binary: binary.display().to_string(),
            version: version_line,
        });
    }
    Ok(Verilator {
        binary: resolved,
        version_line,
    })
}

fn run_version(binary: &Path) -> std::result::Result<String, String> {
    let out = Command::new(binary)
        .arg("--version")
        .output()
        .map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().next().unwrap_or("").trim().to_string();
    if !out.status.success() || line.is_empty() {
        return Err(format!(
            "`{} --version` failed ({}): {}",
            binary.display(),
            out.status,
            crate::error::tail(&String::from_utf8_lossy(&out.stderr), 5)
        ));
    }
    Ok(line)
}

/// `Verilator 5.006 2023-01-22 ...` -> 5.
fn parse_major(line: &str) -> Option<u32> {
    let mut words = line.split_whitespace();
    if words.next()? != "Verilator" {
        return None;
    }
    words.next()?.split('.').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions() {
        assert_eq!(
            parse_major("Verilator 5.006 2023-01-22 rev (Debian 5.006-3)"),
            Some(5)
        );
        assert_eq!(
            parse_major("Verilator 4.038 2020-07-11 rev v4.036-114"),
            Some(4)
        );
        assert_eq!(parse_major("Icarus Verilog 11.0"), None);
        assert_eq!(parse_major(""), None);
    }
}
