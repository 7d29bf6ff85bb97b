//! The analytic LUT model of the array on AMD 7-series (Yosys `synth_xilinx`, hierarchy
//! kept), derived from the hdl architecture's structure block by block:
//!
//! ```text
//! LUTs = 8 x rows x lanes                lanes: each lane adds an offset-binary byte with its
//!                                        weight's sign as carry-in; only the 8 low bits need a
//!                                        LUT4 (pin_j, x_j, nz, neg) feeding CARRY4, bits 8 and up
//!                                        only ripple the carry (hdl lane.rs)
//!      + rows x accumulator_bits         accumulator: acc + sum, one LUT2 per bit into CARRY4;
//!                                        add-on-valid and clear-on-last are FDRE CE/R pins, free
//!      + rows x 8 x lanes  (base 3 only) weight decoder: per lane two outputs (nz, neg), each an
//!                                        8-input function of the byte = 4 LUT6 (+ MUXF7/MUXF8,
//!                                        which are not LUTs); 2-bit codes are wires (0 LUTs)
//!      + 20                              controller: stream join, valid/last pipeline, the
//!                                        32-bit slice counter and its k_overflow compare
//!      + 2 x (rows - 1)                  each further row's copy of the accumulator controls
//!                                        (clear = reset | valid & last, result enable)
//! ```
//!
//! The pipeline registers (segment cuts, weight and activation delays, input registers) are
//! flip-flops with clock enables and cost no LUT. The first three terms are fixed by the
//! structure, not fitted; the controller's 20 LUTs were measured once on a shape kept out of
//! the test set (1x64, 2-bit: 549 LUTs = 512 + 17 + 20), since it is the same block in every
//! array. The base-3 term is an upper bound: ABC shares a little logic between a byte's ten
//! outputs (about 7.6 LUTs per lane were measured against the modeled 8).
//!
//! Only xc7 is modeled: on iCE40 a carry needs its own LUT4 per bit, so a lane costs its full
//! accumulator width and the model above does not apply.

use serde::{Deserialize, Serialize};

use crate::array::{ArrayConfig, Packing};
use crate::figure::Figure;

/// LUT4s per lane (the 8 low bits of the lane adder).
pub const LUTS_PER_LANE: usize = 8;
/// LUTs per base-3 decoded lane (two 8-input functions, 4 LUT6 each).
pub const BASE3_LUTS_PER_LANE: usize = 8;
/// The controller block (measured on 1x64 2-bit, kept out of the test shapes).
pub const CONTROLLER_LUTS: usize = 20;
/// Each row's own copy of the accumulator controls beyond the first (hdl controller.rs): the
/// clear and result-enable gates. Measured: 31 more LUTs on 16x64 xc7 when they became per row.
pub const CONTROL_LUTS_PER_ROW: usize = 2;

/// Modeled xc7 LUTs of an array, by block.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LutModel {
    pub lanes: usize,
    pub accumulators: usize,
    pub decoders: usize,
    pub controller: usize,
    pub total: usize,
}

impl LutModel {
    pub fn figure(&self) -> Figure {
        Figure::modeled(
            self.total as f64,
            "LUTs (xc7)",
            format!(
                "structural LUT model: lanes {} + accumulators {} + decoders {} + controller {} (reports::luts)",
                self.lanes, self.accumulators, self.decoders, self.controller
            ),
        )
    }
}

/// The modeled LUTs of `a` on xc7.
pub fn xc7_luts(a: &ArrayConfig) -> LutModel {
    let lanes = LUTS_PER_LANE * a.rows * a.lanes;
    let accumulators = a.rows * a.accumulator_bits;
    let decoders = match (a.binary, a.packing) {
        (false, Packing::Base3) => BASE3_LUTS_PER_LANE * a.rows * a.lanes,
        _ => 0,
    };
    let controller = CONTROLLER_LUTS + CONTROL_LUTS_PER_ROW * a.rows.saturating_sub(1);
    let total = lanes + accumulators + decoders + controller;
    LutModel { lanes, accumulators, decoders, controller, total }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hdl_documented_16x64() {
        // hdl crate docs: 16x64 2-bit, 24-bit accumulators, measured 8627 LUT cells (8596
        // with one copy of the accumulator controls; 15 more copies at 2 LUTs)
        let m = xc7_luts(&ArrayConfig::default());
        assert_eq!(m.total, 8192 + 16 * 24 + 20 + 2 * 15);
        assert_eq!(m.total, 8626);
        let b3 = xc7_luts(&ArrayConfig { packing: Packing::Base3, ..ArrayConfig::default() });
        assert_eq!(b3.decoders, 8 * 1024);
    }
}
