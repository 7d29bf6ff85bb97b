//! What to build: Verilog sources, the top module and the Verilator options.

use std::path::PathBuf;

/// One Verilog source of a build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerilogSource {
    /// Verilog text held in memory (e.g. emitted by rust-hdl); `name` becomes its file name
    /// in the build directory and in Verilator's messages.
    Text { name: String, text: String },
    /// A Verilog file on disk. Its contents (not its path) go into the cache key.
    File(PathBuf),
}

/// Everything that decides a Verilated model library. Two specs that agree on every field
/// (and run the same Verilator version) share one cache entry; `jobs`, `verilator` and
/// `cache_dir` only say how and where to build.
#[derive(Clone, Debug)]
pub struct BuildSpec {
    /// The Verilog sources, in the order Verilator reads them.
    pub sources: Vec<VerilogSource>,
    /// The top module (a plain identifier); the C++ class is `V<top>`.
    pub top: String,
    /// Build with `--trace` so instances can write a VCD (a separate cache entry).
    pub trace: bool,
    /// More Verilator flags, appended after the defaults (e.g. `-Wall`, `-DWIDTH=8`, `-Iinc`).
    pub extra_flags: Vec<String>,
    /// C++ optimization for the model's fast path and the runtime (`OPT_FAST`,
    /// `OPT_GLOBAL`); Verilator's own default is `-Os`.
    pub cxx_opt: String,
    /// Parallel C++ compile jobs (`make -j`).
    pub jobs: usize,
    /// The Verilator binary; `None` means `$VERILATOR`, else `verilator` on the PATH.
    pub verilator: Option<PathBuf>,
    /// The cache directory; `None` means [`crate::default_cache_dir`].
    pub cache_dir: Option<PathBuf>,
}

/// The Verilator flags every build uses, before [`BuildSpec::extra_flags`].
pub const DEFAULT_FLAGS: &[&str] = &[
    "--cc",
    "-O3",
    "--x-assign",
    "fast",
    "--x-initial",
    "fast",
    "--noassert",
    "-Wno-fatal",
];

impl BuildSpec {
    /// A build of one in-memory Verilog text whose top module is `top`.
    pub fn from_verilog(top: &str, verilog: &str) -> Self {
        Self::new(
            top,
            vec![VerilogSource::Text {
                name: format!("{top}.v"),
                text: verilog.into(),
            }],
        )
    }

    /// A build of Verilog files on disk.
    pub fn from_files(top: &str, files: impl IntoIterator<Item = PathBuf>) -> Self {
        Self::new(top, files.into_iter().map(VerilogSource::File).collect())
    }

    /// A build of `sources` with the default options: no trace, no extra flags, `-O2`,
    /// two compile jobs.
    pub fn new(top: &str, sources: Vec<VerilogSource>) -> Self {
        BuildSpec {
            sources,
            top: top.to_string(),
            trace: false,
            extra_flags: Vec::new(),
            cxx_opt: "-O2".to_string(),
            jobs: 2,
            verilator: None,
            cache_dir: None,
        }
    }

    /// The same spec with `--trace` on or off.
    pub fn with_trace(mut self, trace: bool) -> Self {
        self.trace = trace;
        self
    }

    /// The same spec with more Verilator flags.
    pub fn with_flags<I, S>(mut self, flags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.extra_flags.extend(flags.into_iter().map(Into::into));
        self
    }

    /// The same spec with another cache directory.
    pub fn with_cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// The same spec with another Verilator binary.
    pub fn with_verilator(mut self, binary: impl Into<PathBuf>) -> Self {
        self.verilator = Some(binary.into());
        self
    }

    /// The Verilator command-line flags of this build, without `--top-module`, `--Mdir`
    /// and the sources.
    pub fn verilator_flags(&self) -> Vec<String> {
        let mut flags: Vec<String> = DEFAULT_FLAGS.iter().map(|s| s.to_string()).collect();
        if self.trace {
            flags.push("--trace".into());
        }
        flags.extend(self.extra_flags.iter().cloned());
        flags
    }
}
