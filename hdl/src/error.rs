//! The one error type of the crate.

use thiserror::Error;

/// What can go wrong when configuring or emitting the array. Each message says what to change.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum HdlError {
    #[error("{field} must be at least 1 (got 0)")]
    ZeroSize { field: &'static str },
    #[error("{field} = {value} is above the supported maximum {max}")]
    TooLarge { field: &'static str, value: usize, max: usize },
    #[error("{field} = {value} is outside {min}..={max}")]
    OutOfRange { field: &'static str, value: usize, min: usize, max: usize },
    #[error("activation_bits = {0} is not supported: use 2..=8 (int8 is 8)")]
    ActivationBits(usize),
    #[error(
        "accumulator_bits = {have} cannot hold a dot product of max_k = {max_k} \
         ({activation_bits}-bit activations need |acc| <= {bound}): use accumulator_bits >= {need}"
    )]
    AccumulatorTooNarrow { have: usize, need: usize, max_k: usize, activation_bits: usize, bound: u64 },
    #[error("accumulator_bits = {0} is outside the built range {min}..={max}", min = crate::config::MIN_ACC_BITS, max = crate::config::MAX_ACC_BITS)]
    AccumulatorBitsRange(usize),
    #[error("pipeline_depth = {depth} cuts {lanes} lanes into empty segments: use 1..={lanes}")]
    PipelineDepth { depth: usize, lanes: usize },
    #[error("base3 packing encodes ternary weights; binary weights travel 1 bit each: use packing 2bit with binary")]
    BinaryBase3,
    #[error("chip: {0}")]
    Chip(String),
    #[error("memory port: {0}")]
    Stream(String),
    #[error("weights: {0}")]
    Weights(String),
    #[error("rust-hdl design check failed: {0}")]
    Check(String),
}
