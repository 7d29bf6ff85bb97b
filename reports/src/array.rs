//! The array the models describe is hdl's own [`ArrayConfig`] (re-exported here), so the
//! report, the generator and the simulator share one definition; this module adds the few
//! helpers the models need.

pub use hdl::{ArrayConfig, Packing};

use crate::constants::{BASE3_BITS_PER_WEIGHT, TWO_BIT_BITS_PER_WEIGHT};
use crate::error::{ReportError, Result};

/// A `rows x lanes` array with hdl's defaults otherwise, its accumulator the narrowest exact
/// one for `max_k` and its pipeline no deeper than its lanes.
pub fn array(rows: usize, lanes: usize, max_k: usize) -> ArrayConfig {
    let d = ArrayConfig::default();
    let mut a = ArrayConfig { rows, lanes, max_k, pipeline_depth: d.pipeline_depth.min(lanes.max(1)), ..d };
    a.accumulator_bits = a.min_accumulator_bits();
    a
}

/// hdl's validation, as this crate's error.
pub fn validate(a: &ArrayConfig) -> Result<()> {
    a.validate().map_err(|e| ReportError::BadInput(format!("array {}: {e}", label(a))))
}

/// Bits of DRAM traffic per weight: 2 (2-bit codes), 1.6 (base 3), 1 (binary).
pub fn bits_per_weight(a: &ArrayConfig) -> f64 {
    match (a.binary, a.packing) {
        (true, _) => 1.0,
        (false, Packing::TwoBit) => TWO_BIT_BITS_PER_WEIGHT,
        (false, Packing::Base3) => BASE3_BITS_PER_WEIGHT,
    }
}

/// MAC units: rows x lanes.
pub fn macs_per_cycle(a: &ArrayConfig) -> usize {
    a.rows * a.lanes
}

/// e.g. "16x64 2bit".
pub fn label(a: &ArrayConfig) -> String {
    format!("{}x{} {}", a.rows, a.lanes, if a.binary { "binary" } else { a.packing.name() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sized_for_k_and_validated() {
        let a = array(4, 2, 256);
        assert_eq!((a.pipeline_depth, a.accumulator_bits), (2, 17));
        assert_eq!(array(16, 64, 8192).accumulator_bits, 22);
        validate(&a).unwrap();
        let bad = ArrayConfig { accumulator_bits: 12, ..array(16, 64, 8192) };
        assert!(validate(&bad).unwrap_err().to_string().starts_with("array 16x64 2bit"));
        assert_eq!(bits_per_weight(&ArrayConfig { packing: Packing::Base3, ..a.clone() }), 1.6);
        assert_eq!(bits_per_weight(&ArrayConfig { binary: true, ..a }), 1.0);
    }
}
