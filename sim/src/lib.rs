//! # sim: the generated array under Verilator, driven from Rust
//!
//! (being built: issue 4) Today it holds the records co-simulation produces, which the
//! reports read.

pub mod check;
pub mod record;

pub use check::{Checked, Mismatch};
pub use record::{ArraySummary, MatmulRecord, RunRecord};
