//! # sim: the generated array under Verilator, driven from Rust
//!
//! - [`driver::ArraySim`]: emits the array's Verilog (`hdl`), builds it with Verilator
//!   (`verilator-sys`, cached by content), and tiles any `N x K` ternary matrix times one or
//!   more int8 vectors onto it, returning the exact i32 accumulators and the cycles counted.
//! - [`backend::VerilatorBackend`]: golden's BitLinear trait on the simulated array, so a
//!   whole model runs on it; every call becomes a [`record::MatmulRecord`].
//! - [`check::Checked`]: check mode, comparing every accumulator with golden's.
//!
//! Verification ladder steps 3 and 4 (DESIGN.md) live in this crate's tests.

pub mod backend;
pub mod check;
pub mod driver;
pub mod dram;
pub mod error;
pub mod record;
pub mod stream;

pub use backend::{StreamBackend, VerilatorBackend};
pub use check::{Checked, Mismatch};
pub use driver::{ArraySim, CallCycles};
pub use dram::{Dram, DramConfig};
pub use error::SimError;
pub use stream::{StreamCycles, StreamSim};
pub use record::{ArraySummary, MatmulRecord, RunRecord, StreamSummary};
