//! The one error type of the golden crate. Every message says what is wrong and what to do.

use std::path::PathBuf;

/// Errors a backend may return from a BitLinear call (the hardware backend reports
/// simulator failures and accumulator mismatches through it).
pub type BackendError = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum GoldenError {
    #[error("cannot read {path}: {source}; check the path")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{what} is truncated: it needs {expected} bytes but has {got}; the file is incomplete, copy or export it again")]
    Truncated { what: String, expected: u64, got: u64 },

    #[error("{what} has {extra} bytes past the end of the data its header describes; it is not a llama2.c BitNet export of that shape")]
    TrailingBytes { what: String, extra: u64 },

    #[error("{what} does not start with the llama2.c BitNet magic 0x616b3432 (\"ak42\"), found {found:#010x}; pass a llama2.c BitNet export or a Hugging Face folder")]
    BadMagic { what: String, found: u32 },

    #[error("{what} has format version {found}, only version 1 (the bitllama2.c export) is supported")]
    UnsupportedVersion { what: String, found: i32 },

    #[error("invalid model configuration: {0}")]
    BadConfig(String),

    /// A request that cannot be run as asked (steps, prompt, sampling parameters).
    #[error("{0}")]
    BadRequest(String),

    #[error("tensor {tensor} has dtype {dtype}, which this loader does not read (expected one of {expected}); re-export the checkpoint with a supported dtype")]
    UnknownDtype { tensor: String, dtype: String, expected: String },

    #[error("tensor {tensor} has shape {got:?} but the model config needs {expected:?}; the checkpoint and its config.json disagree")]
    ShapeMismatch { tensor: String, expected: Vec<usize>, got: Vec<usize> },

    #[error("tensor {0} is missing from the checkpoint; it is incomplete or of another architecture")]
    MissingTensor(String),

    #[error("weight scale of {tensor} is {value}, it must be finite and positive; the checkpoint is corrupt")]
    BadScale { tensor: String, value: f32 },

    #[error("{tensor} holds the invalid ternary code {code:#04b} at row {row}, column {col}; the checkpoint is corrupt")]
    BadCode { tensor: String, row: usize, col: usize, code: u8 },

    #[error("tensor {tensor} holds a non-finite value at index {index}; the checkpoint is corrupt")]
    NonFinite { tensor: String, index: usize },

    #[error("the tokenizer has {tokenizer} tokens but the model's vocabulary has {model}; pass the tokenizer that was trained with this model")]
    VocabMismatch { model: usize, tokenizer: usize },

    #[error("tokenizer {what} is malformed: {detail}; pass a llama2.c tokenizer.bin")]
    BadTokenizer { what: String, detail: String },

    #[error("cannot parse {what}: {detail}")]
    BadJson { what: String, detail: String },

    #[error("unknown synthetic model shape '{name}'; known shapes: {known}")]
    UnknownShape { name: String, known: String },

    #[error("synthetic shape '{0}' is shape-only (no weights are allocated for it); use it for estimates, or pick a runnable shape such as tiny, 700m or 2b4t")]
    ShapeOnly(String),

    #[error("token id {token} is outside the vocabulary of {vocab} tokens")]
    BadToken { token: u32, vocab: usize },

    #[error("position {pos} is past the model's context of {seq_len} tokens; ask for fewer steps")]
    ContextFull { pos: usize, seq_len: usize },

    #[error("cannot write {what}: {detail}")]
    Unwritable { what: String, detail: String },

    #[error("BitLinear backend failed: {0}")]
    Backend(BackendError),
}

pub type Result<T, E = GoldenError> = std::result::Result<T, E>;

impl GoldenError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        GoldenError::Io { path: path.into(), source }
    }

    /// A file or folder that could not be written.
    pub(crate) fn write(path: &std::path::Path, source: std::io::Error) -> Self {
        GoldenError::Unwritable { what: path.display().to_string(), detail: format!("{source}; give a path in a writable folder") }
    }
}
