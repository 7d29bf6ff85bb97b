//! Errors of the co-simulation.

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error(transparent)]
    Verilator(#[from] verilator_sys::VerilatorError),
    #[error("array configuration: {0}")]
    Hdl(#[from] hdl::HdlError),
    #[error("{0}")]
    Shape(String),
    #[error("{0}")]
    Config(String),
    #[error("a dot product of length K = {k} does not fit the array built for max_k = {max_k}; build it with --max-k {k} or more")]
    TooLong { k: usize, max_k: usize },
    #[error("the simulated array broke its protocol: {0}")]
    Protocol(String),
}
