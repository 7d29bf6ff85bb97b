//! [`ArrayShape`]: the parts of the hdl array configuration the models need. It mirrors
//! `hdl::ArrayConfig` field for field (same serde names), so either can be written as the
//! other's JSON; reports does not depend on hdl itself.

use serde::{Deserialize, Serialize};

use crate::constants::{BASE3_BITS_PER_WEIGHT, TWO_BIT_BITS_PER_WEIGHT};
use crate::error::ReportError;

/// How the weight stream carries ternary weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Packing {
    /// A 2-bit code per weight.
    #[default]
    #[serde(rename = "2bit")]
    TwoBit,
    /// Five weights per byte in base 3 (1.6 bits per weight).
    #[serde(rename = "base3")]
    Base3,
}

impl Packing {
    pub fn name(self) -> &'static str {
        match self {
            Packing::TwoBit => "2bit",
            Packing::Base3 => "base3",
        }
    }

    /// Bits of DRAM traffic per ternary weight.
    pub fn bits_per_weight(self) -> f64 {
        match self {
            Packing::TwoBit => TWO_BIT_BITS_PER_WEIGHT,
            Packing::Base3 => BASE3_BITS_PER_WEIGHT,
        }
    }

    pub fn parse(s: &str) -> Result<Packing, ReportError> {
        match s {
            "2bit" => Ok(Packing::TwoBit),
            "base3" => Ok(Packing::Base3),
            other => Err(ReportError::BadInput(format!("unknown packing `{other}`: use 2bit or base3"))),
        }
    }
}

/// An array: `rows` output rows in parallel, `lanes` activations per cycle each.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ArrayShape {
    pub rows: usize,
    pub lanes: usize,
    pub packing: Packing,
    /// {-1, +1} weights (1 bit each, no zeros to skip).
    pub binary: bool,
    /// Register stages of each row's carry chain (hdl `pipeline_depth`).
    pub pipeline_depth: usize,
    pub accumulator_bits: usize,
    /// Longest dot product the array computes (hdl `max_k`).
    pub max_k: usize,
}

impl Default for ArrayShape {
    /// The hdl defaults: 16 x 64, 2-bit, depth 4, 24-bit accumulators, K up to 8192.
    fn default() -> Self {
        ArrayShape { rows: 16, lanes: 64, packing: Packing::TwoBit, binary: false, pipeline_depth: 4, accumulator_bits: 24, max_k: 8192 }
    }
}

impl ArrayShape {
    /// A `rows x lanes` array with the hdl defaults otherwise, its accumulator sized for
    /// `max_k` (8 + ceil(log2 K) bits plus sign, at least 10) and the pipeline depth no
    /// deeper than the lanes.
    pub fn new(rows: usize, lanes: usize, max_k: usize) -> ArrayShape {
        let d = ArrayShape::default();
        ArrayShape {
            rows,
            lanes,
            pipeline_depth: d.pipeline_depth.min(lanes.max(1)),
            accumulator_bits: min_accumulator_bits(max_k),
            max_k,
            ..d
        }
    }

    /// MAC units: rows x lanes.
    pub fn macs_per_cycle(&self) -> usize {
        self.rows * self.lanes
    }

    /// Refuses shapes the models cannot describe.
    pub fn validate(&self) -> Result<(), ReportError> {
        if self.rows == 0 || self.lanes == 0 || self.pipeline_depth == 0 || self.max_k == 0 {
            return Err(ReportError::BadInput(format!(
                "array {}x{} with pipeline depth {} and max K {}: every size must be positive",
                self.rows, self.lanes, self.pipeline_depth, self.max_k
            )));
        }
        if self.pipeline_depth > self.lanes {
            return Err(ReportError::BadInput(format!(
                "pipeline depth {} is deeper than the {} lanes of a row",
                self.pipeline_depth, self.lanes
            )));
        }
        let need = min_accumulator_bits(self.max_k);
        if self.accumulator_bits < need {
            return Err(ReportError::BadInput(format!(
                "{}-bit accumulators cannot hold a K = {} dot product of int8 values: use at least {need} bits",
                self.accumulator_bits, self.max_k
            )));
        }
        if self.binary && self.packing == Packing::Base3 {
            return Err(ReportError::BadInput("binary weights have no base-3 packing: use 2bit".into()));
        }
        Ok(())
    }

    /// Bits of DRAM traffic per weight.
    pub fn bits_per_weight(&self) -> f64 {
        if self.binary {
            1.0
        } else {
            self.packing.bits_per_weight()
        }
    }

    pub fn label(&self) -> String {
        format!("{}x{} {}", self.rows, self.lanes, if self.binary { "binary" } else { self.packing.name() })
    }
}

/// Two's complement width holding +-128 K (DESIGN.md: 8 + ceil(log2 K) plus sign), at least 10.
pub fn min_accumulator_bits(max_k: usize) -> usize {
    let bound = 128u64 * max_k.max(1) as u64;
    ((64 - bound.leading_zeros() as usize) + 1).max(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accumulator_widths_and_validation() {
        assert_eq!(min_accumulator_bits(1), 10);
        assert_eq!(min_accumulator_bits(4096), 21);
        assert_eq!(min_accumulator_bits(8192), 22);
        let a = ArrayShape::new(4, 2, 256);
        assert_eq!((a.pipeline_depth, a.accumulator_bits), (2, 17));
        a.validate().unwrap();
        let bad = ArrayShape { accumulator_bits: 12, ..ArrayShape::default() };
        assert!(bad.validate().unwrap_err().to_string().contains("at least 22 bits"));
        assert!(ArrayShape { rows: 0, ..ArrayShape::default() }.validate().is_err());
        let j = serde_json::to_string(&ArrayShape::default()).unwrap();
        assert!(j.contains("\"packing\":\"2bit\""), "{j}");
    }
}
