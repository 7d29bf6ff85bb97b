//! Family-specific figures derived from mapped cell counts: LUTs, flip-flops, block RAMs,
//! DSPs, carry cells and multiplier cells. The counting rules are documented in lib.rs.

use serde::{Deserialize, Serialize};

use crate::stat::{count_of, count_prefix, CellCounts};
use crate::target::Target;

/// Derived resource figures of one synthesis run (all measured: counted from Yosys cells).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Resources {
    /// Logic LUTs in the family's native LUT size (LUT6 sites on xc7, LUT4 on iCE40/ECP5).
    pub luts: u64,
    /// LUT sites used as distributed RAM or shift registers (not included in `luts`).
    pub lutram_luts: u64,
    /// Flip-flops and latches.
    pub ffs: u64,
    /// Block RAMs in the family's unit: RAMB18 on xc7 (a RAMB36E1 counts 2),
    /// SB_RAM40_4K (+ SB_SPRAM256KA) on iCE40, DP16KD/PDPW16KD on ECP5.
    pub brams: u64,
    /// Hard DSP/multiplier blocks: DSP48E1, SB_MAC16, MULT18X18D/MULT9X9D/ALU54B/ALU24B.
    pub dsps: u64,
    /// Carry-chain cells: CARRY4 (4 bits each), SB_CARRY (1 bit), CCU2C (2 bits).
    pub carry_cells: u64,
    /// Multiplier cells found in the mapped netlist (hard multipliers, or `$mul` left over).
    pub multiplier_cells: CellCounts,
}

/// Xilinx 7-series distributed RAM / SRL primitives and the LUT sites each occupies
/// (UG474, 7 Series CLB User Guide: a RAM64X1D uses two LUTs, a RAM32M four, ...).
const XC7_LUTRAM: &[(&str, u64)] = &[
    ("RAM32X1S", 1),
    ("RAM32X1D", 2),
    ("RAM64X1S", 1),
    ("RAM64X1D", 2),
    ("RAM128X1S", 2),
    ("RAM128X1D", 4),
    ("RAM256X1S", 4),
    ("RAM32M", 4),
    ("RAM64M", 4),
    ("SRL16E", 1),
    ("SRLC16E", 1),
    ("SRLC32E", 1),
];

/// Cells that are, or are built around, a hardware multiplier.
const MULTIPLIER_CELLS: &[&str] = &[
    "$mul",
    "$__soft_mul",
    "DSP48E1",
    "SB_MAC16",
    "MULT18X18D",
    "MULT9X9D",
    "ALU54B",
];

/// Count the resources of `cells` (leaf cells of the whole design) for `target`.
pub fn derive(target: Target, cells: &CellCounts) -> Resources {
    let multiplier_cells: CellCounts = cells
        .iter()
        .filter(|(t, n)| MULTIPLIER_CELLS.contains(&t.as_str()) && **n > 0)
        .map(|(t, n)| (t.clone(), *n))
        .collect();
    let mut r = Resources {
        multiplier_cells,
        ..Resources::default()
    };
    match target {
        Target::Xc7 => {
            // Every LUTn takes one LUT6 site; Yosys' INV cell is a LUT1 after packing.
            r.luts = count_of(cells, &["LUT1", "LUT2", "LUT3", "LUT4", "LUT5", "LUT6", "LUT6_2", "INV"]);
            r.lutram_luts = XC7_LUTRAM
                .iter()
                .map(|(t, luts)| count_of(cells, &[t]) * luts)
                .sum();
            r.ffs = count_prefix(cells, "FD") + count_of(cells, &["LDCE", "LDPE"]);
            r.brams = count_of(cells, &["RAMB18E1", "FIFO18E1"]) + 2 * count_of(cells, &["RAMB36E1", "FIFO36E1"]);
            r.dsps = count_of(cells, &["DSP48E1"]);
            r.carry_cells = count_of(cells, &["CARRY4"]);
        }
        Target::Ice40 => {
            // SB_CARRY needs no LUT of its own: Yosys emits the sum LUT as a separate SB_LUT4.
            r.luts = count_of(cells, &["SB_LUT4"]);
            r.ffs = count_prefix(cells, "SB_DFF");
            r.brams = count_prefix(cells, "SB_RAM40_4K") + count_of(cells, &["SB_SPRAM256KA"]);
            r.dsps = count_of(cells, &["SB_MAC16"]);
            r.carry_cells = count_of(cells, &["SB_CARRY"]);
        }
        Target::Ecp5 => {
            // A CCU2C is two LUT4s of one slice in ripple mode; nextpnr splits it into two
            // TRELLIS_COMB. A TRELLIS_DPR16X4 stores its 64 bits in the four LUT4s of two
            // slices and takes a third slice (two LUT sites) as its TRELLIS_RAMW write port.
            r.luts = count_of(cells, &["LUT4"]) + 2 * count_of(cells, &["CCU2C"]);
            r.lutram_luts = 6 * count_of(cells, &["TRELLIS_DPR16X4"]);
            r.ffs = count_of(cells, &["TRELLIS_FF"]);
            r.brams = count_of(cells, &["DP16KD", "PDPW16KD"]);
            r.dsps = count_of(cells, &["MULT18X18D", "MULT9X9D", "ALU54B", "ALU24B"]);
            r.carry_cells = count_of(cells, &["CCU2C"]);
        }
        Target::Asic => {
            r.ffs = count_prefix(cells, "$_DFF") + count_prefix(cells, "$_SDFF") + count_prefix(cells, "$_DLATCH");
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(list: &[(&str, u64)]) -> CellCounts {
        list.iter().map(|(t, n)| (t.to_string(), *n)).collect()
    }

    #[test]
    fn xc7_counts() {
        let c = cells(&[
            ("LUT2", 25),
            ("LUT6", 3),
            ("INV", 2),
            ("MUXF7", 4),
            ("CARRY4", 9),
            ("FDRE", 10),
            ("FDCE", 1),
            ("RAMB36E1", 1),
            ("RAMB18E1", 1),
            ("RAM64X1D", 2),
            ("DSP48E1", 1),
            ("IBUF", 33),
        ]);
        let r = derive(Target::Xc7, &c);
        assert_eq!(r.luts, 30, "MUXF7 is not a LUT");
        assert_eq!(r.lutram_luts, 4);
        assert_eq!(r.ffs, 11);
        assert_eq!(r.brams, 3);
        assert_eq!(r.dsps, 1);
        assert_eq!(r.carry_cells, 9);
        assert_eq!(r.multiplier_cells.get("DSP48E1"), Some(&1));
    }

    #[test]
    fn ice40_counts() {
        let c = cells(&[("SB_LUT4", 159), ("SB_CARRY", 10), ("SB_DFF", 16), ("SB_DFFE", 2), ("SB_RAM40_4K", 1)]);
        let r = derive(Target::Ice40, &c);
        assert_eq!((r.luts, r.carry_cells, r.ffs, r.brams, r.dsps), (159, 10, 18, 1, 0));
        assert!(r.multiplier_cells.is_empty());
    }

    #[test]
    fn ecp5_counts_ccu2c_as_two_luts() {
        let c = cells(&[("LUT4", 44), ("CCU2C", 4), ("PFUMX", 12), ("TRELLIS_FF", 8), ("MULT18X18D", 1), ("DP16KD", 1)]);
        let r = derive(Target::Ecp5, &c);
        assert_eq!(r.luts, 52);
        assert_eq!(r.carry_cells, 4);
        assert_eq!((r.ffs, r.brams, r.dsps), (8, 1, 1));
        assert_eq!(r.multiplier_cells.get("MULT18X18D"), Some(&1));
    }

    #[test]
    fn asic_counts_flops() {
        let c = cells(&[("$_DFF_P_", 8), ("$_DFF_PN0_", 2), ("$_NAND_", 5), ("$_DLATCH_P_", 1)]);
        let r = derive(Target::Asic, &c);
        assert_eq!((r.luts, r.ffs), (0, 11));
    }
}
