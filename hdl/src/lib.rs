//! Ternary accumulate array (docs being written).
pub mod accumulator;
pub mod array;
pub mod chain;
pub mod config;
pub mod controller;
pub mod decoder;
pub mod error;
pub mod lane;
pub mod pack;
pub mod reg;
pub mod row;
pub mod verilog;
#[cfg(test)]
pub(crate) mod sim;
