use std::path::PathBuf;

/// What can go wrong planning, running or collecting a sweep; each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// A point or option the sweep cannot run; refused before anything runs.
    #[error("{0}")]
    BadInput(String),
    #[error(transparent)]
    Hdl(#[from] hdl::HdlError),
    #[error(transparent)]
    Fpga(#[from] fpga::FpgaError),
    #[error(transparent)]
    Sim(#[from] sim::SimError),
    #[error(transparent)]
    Golden(#[from] golden::GoldenError),
    #[error(transparent)]
    Report(#[from] reports::ReportError),
    #[error("cannot {action} {path}: {source}")]
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
    /// A Slurm command failed; `detail` is its output.
    #[error("{command} failed: {detail}")]
    Slurm { command: String, detail: String },
    /// Points ended without a result: each with its log.
    #[error("{}", failed_message(.failed, *.of))]
    Failed { failed: Vec<crate::Failure>, of: usize },
}

impl SweepError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        SweepError::Io { action, path: path.into(), source }
    }
}

fn failed_message(failed: &[crate::Failure], of: usize) -> String {
    let list: Vec<String> = failed.iter().take(3).map(|f| format!("point {} ({}; log {})", f.index, f.label, f.log.display())).collect();
    let more = if failed.len() > 3 { format!(" and {} more", failed.len() - 3) } else { String::new() };
    format!(
        "{} of {of} points ended without a result: {}{more}; the other results are cached: run the same command again to run only the missing points",
        failed.len(),
        list.join(", ")
    )
}

pub type Result<T, E = SweepError> = std::result::Result<T, E>;
