//! The one error type of the crate.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// An input the models cannot use; the message says what is wrong and what to do.
    #[error("{0}")]
    BadInput(String),
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("cannot draw plot `{plot}`: {message}")]
    Plot { plot: String, message: String },
    #[error("cannot serialize the report: {0}")]
    Json(#[from] serde_json::Error),
}

pub type Result<T> = std::result::Result<T, ReportError>;
