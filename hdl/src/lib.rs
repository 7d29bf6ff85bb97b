//! Ternary accumulate array (docs being written).
pub mod accumulator;
pub mod config;
pub mod controller;
pub mod error;
pub mod lane;
pub mod reg;
#[cfg(test)]
pub(crate) mod sim;
