//! The one error type of this crate.

use std::path::PathBuf;

/// The install hint every "tool missing" message carries.
pub const INSTALL_HINT: &str = "apt-get install verilator";

/// Everything that can go wrong while building, loading or driving a Verilated model.
///
/// Each message says what is wrong and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum VerilatorError {
    /// The Verilator binary could not be run.
    #[error(
        "Verilator was not found at `{binary}` ({reason}); install Verilator 5 with \
         `apt-get install verilator`, or set the VERILATOR environment variable to its path"
    )]
    ToolMissing { binary: String, reason: String },

    /// The Verilator binary is older than version 5.
    #[error(
        "Verilator at `{binary}` is version {version}, but version 5 or newer is needed; \
         install it with `apt-get install verilator` (Debian 12 ships 5.006), or set the \
         VERILATOR environment variable to a newer binary"
    )]
    ToolTooOld { binary: String, version: String },

    /// A build spec that cannot be built as given.
    #[error("invalid build spec: {0}")]
    BadSpec(String),

    /// The requested top module is not in the Verilog sources.
    #[error(
        "top module `{top}` was not found in the Verilog sources (modules seen: {seen}); \
         check the `top` name of the build"
    )]
    UnknownTop { top: String, seen: String },

    /// Verilator rejected the Verilog (syntax, elaboration or lint error).
    #[error("Verilator rejected the design `{top}`; its output ends with:\n{log_tail}")]
    Verilate { top: String, log_tail: String },

    /// The C++ compiler or linker failed on the Verilated model or the shim.
    #[error(
        "the C++ build of the Verilated model `{top}` failed (is `g++` and `make` installed? \
         `apt-get install g++ make`); the compiler output ends with:\n{log_tail}"
    )]
    Compile { top: String, log_tail: String },

    /// A top-level port could not be represented (for example an unpacked array port).
    #[error(
        "port declaration `{line}` of `{top}` is not supported: only scalar and packed \
         vector ports can be driven; wrap the module so its ports are packed vectors"
    )]
    UnsupportedPort { top: String, line: String },

    /// A port name that the model does not have.
    #[error("port `{port}` does not exist on `{top}`; its ports are: {available}")]
    UnknownPort {
        top: String,
        port: String,
        available: String,
    },

    /// A port used in a way its direction forbids (for example driving an output).
    #[error("port `{port}` of `{top}` is an {actual} port and cannot be used as {wanted}")]
    WrongDirection {
        top: String,
        port: String,
        actual: String,
        wanted: String,
    },

    /// A value that does not fit the port.
    #[error(
        "value for port `{port}` does not fit its {width} bits: {problem}; pass at most \
         {words} little-endian u64 words with no bit set at or above bit {width}"
    )]
    ValueTooWide {
        port: String,
        width: u32,
        words: usize,
        problem: String,
    },

    /// A clock port that is not a 1-bit input.
    #[error("clock port `{port}` must be a 1-bit input, but it is a {width}-bit {direction} port")]
    BadClock {
        port: String,
        width: u32,
        direction: String,
    },

    /// A batch plan that lists a port twice or uses the clock as data.
    #[error("batch plan is invalid: {0}")]
    BadPlan(String),

    /// A stimulus buffer whose length is not a whole number of cycles.
    #[error(
        "stimulus has {len} words, which is not a whole number of cycles of {stride} words \
         (one cycle = the plan's input ports, each rounded up to whole u64 words)"
    )]
    StimulusLength { len: usize, stride: usize },

    /// A plan made for another design was passed to this model.
    #[error("the batch plan was made for design `{plan_design}`, not for `{model_design}`")]
    PlanMismatch {
        plan_design: String,
        model_design: String,
    },

    /// VCD output was asked of a design built without `trace: true`.
    #[error(
        "design `{top}` was built without tracing; build it with `trace: true` to write a VCD"
    )]
    TraceNotBuilt { top: String },

    /// The model could not be created (for example the VCD file could not be opened).
    #[error("cannot create an instance of `{top}`: {reason}")]
    Instance { top: String, reason: String },

    /// A file system operation failed.
    #[error("{what} `{path}` failed: {source}")]
    Io {
        what: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The built shared library could not be loaded.
    #[error(
        "cannot load the model library `{path}` ({source}); delete the cache entry and build again"
    )]
    Load {
        path: PathBuf,
        #[source]
        source: libloading::Error,
    },

    /// The C++ reference harness failed to run.
    #[error("the C++ harness `{exe}` failed: {reason}")]
    Harness { exe: PathBuf, reason: String },
}

/// Result alias of this crate.
pub type Result<T, E = VerilatorError> = std::result::Result<T, E>;

impl VerilatorError {
    /// Wraps an I/O error with what was being done and to which path.
    pub(crate) fn io(what: &str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        VerilatorError::Io {
            what: what.to_string(),
            path: path.into(),
            source,
        }
    }
}

/// The last `lines` lines of a tool's output, for error messages.
pub(crate) fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    let start = all.len().saturating_sub(lines);
    all[start..].join("\n")
}
