//! The one error type of the crate: each variant says what went wrong and what to do.

use std::path::PathBuf;

/// Everything that can go wrong when running Yosys or nextpnr on a design.
#[derive(Debug, thiserror::Error)]
pub enum FpgaError {
    /// A tool binary could not be started because it is not installed (or the
    /// override variable points nowhere).
    #[error(
        "{tool} not found (tried `{program}`; set {env_var} to use another binary): \
         install it with `{install}` or run scripts/install-tools.sh"
    )]
    ToolMissing {
        tool: &'static str,
        program: String,
        env_var: &'static str,
        install: &'static str,
    },

    /// The tool ran and failed: `status` is its first `ERROR` line (or its exit status when
    /// it printed none) and the path of the kept log; `log_tail` is the end of its output.
    #[error("{tool} failed: {status}")]
    ToolFailed {
        tool: &'static str,
        status: String,
        log_tail: String,
    },

    /// Place and route could not fit the design into the chosen device.
    #[error(
        "the design does not fit {device}: {reason}\n\
         pick a larger device/package or a smaller design; last lines of the nextpnr log:\n{log_tail}"
    )]
    DoesNotFit {
        device: String,
        reason: String,
        log_tail: String,
    },

    /// A tool's JSON output could not be understood.
    #[error("could not parse {what}: {detail}")]
    BadToolOutput { what: String, detail: String },

    /// The caller asked for something the crate does not do.
    #[error("{0}")]
    Unsupported(String),

    /// Bad input from the caller (empty Verilog, a top name that is not an identifier, ...).
    #[error("invalid input: {0}")]
    InvalidInput(String),

    /// A file system operation failed (work directory, cache).
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl FpgaError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        FpgaError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

/// Shorthand used throughout the crate.
pub type Result<T> = std::result::Result<T, FpgaError>;
