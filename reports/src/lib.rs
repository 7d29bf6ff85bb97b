//! # reports: latency, energy, area and scaling of a ternary array, as report files
//! (docs being written)

pub mod area;
pub mod array;
pub mod constants;
pub mod cycles;
pub mod energy;
pub mod error;
pub mod figure;
pub mod luts;
pub mod plots;
pub mod report;
pub mod roofline;
pub mod scaling;
pub mod sweep;
pub mod write;

pub use array::{ArrayShape, Packing};
pub use error::{ReportError, Result};
pub use figure::{Figure, Kind};
pub use report::{build, Report, ReportInputs};
pub use roofline::{bandwidth, presets, Bandwidth};
pub use write::{write_all, write_sweep};
