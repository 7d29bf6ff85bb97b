//! ASIC area estimate: generic Yosys gate counts -> NAND2 equivalents -> um^2 at 45 nm and 7 nm.
//!
//! Figures here are *modeled*: the gate counts are measured by Yosys (`abc -g` to a generic
//! two-input library), and each gate is weighted by the area of the matching cell of the
//! NanGate FreePDK45 Open Cell Library, divided by that library's NAND2_X1 area. The area
//! then follows from one NAND2 cell area per node. It ignores placement density, routing,
//! clock tree and drive-strength sizing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::stat::CellCounts;

/// NanGate FreePDK45 NAND2_X1: SIZE 0.57 BY 1.4 um in NangateOpenCellLibrary.macro.mod.lef
/// (as shipped in The-OpenROAD-Project/OpenROAD-flow-scripts, flow/platforms/nangate45/lef).
pub const NAND2_AREA_UM2_45NM: f64 = 0.57 * 1.4;

/// ASAP7 (7.5-track, RVT) NAND2xp33_ASAP7_75t_R: SIZE 0.216 BY 0.27 um in
/// asap7sc7p5t_28_R_1x_220121a.lef (OpenROAD-flow-scripts, flow/platforms/asap7/lef),
/// i.e. four 54 nm poly pitches by a 270 nm row.
pub const NAND2_AREA_UM2_7NM: f64 = 0.216 * 0.27;

/// Where the constants come from, copied into every record.
pub const AREA_SOURCE: &str = "modeled: yosys generic gate counts (measured) x NAND2 equivalents from \
NanGate FreePDK45 X1 cell footprints (NangateOpenCellLibrary.macro.mod.lef: NAND2_X1 0.57x1.4 um = 0.798 um^2) \
x NAND2 area: 45nm NanGate NAND2_X1 0.798 um^2, 7nm ASAP7 NAND2xp33_ASAP7_75t_R 0.216x0.27 um = 0.05832 um^2 \
(asap7sc7p5t_28_R_1x_220121a.lef); cell area only, no placement density, routing or clock tree";

/// One row of the NAND2-equivalent table: a Yosys internal gate, the NanGate cell(s)
/// that implement it, and their total footprint width in um (all rows are 1.4 um high).
struct GateArea {
    yosys_cell: &'static str,
    nangate: &'static str,
    width_um: f64,
}

// Widths read from the NanGate FreePDK45 LEF (SIZE w BY 1.4): INV_X1 0.38, NAND2_X1 0.57,
// NOR2_X1 0.57, AND2_X1 0.76, OR2_X1 0.76, XOR2_X1 1.14, XNOR2_X1 1.14, MUX2_X1 1.33,
// DFF_X1 3.23, DFFR_X1 3.8, DFFS_X1 3.8, DFFRS_X1 4.56, DLH_X1 1.9, DLL_X1 1.9.
const INV: f64 = 0.38;
const GATES: &[GateArea] = &[
    GateArea { yosys_cell: "$_NOT_", nangate: "INV_X1", width_um: INV },
    GateArea { yosys_cell: "$_BUF_", nangate: "(wire)", width_um: 0.0 },
    GateArea { yosys_cell: "$_NAND_", nangate: "NAND2_X1", width_um: 0.57 },
    GateArea { yosys_cell: "$_NOR_", nangate: "NOR2_X1", width_um: 0.57 },
    GateArea { yosys_cell: "$_AND_", nangate: "AND2_X1", width_um: 0.76 },
    GateArea { yosys_cell: "$_OR_", nangate: "OR2_X1", width_um: 0.76 },
    GateArea { yosys_cell: "$_XOR_", nangate: "XOR2_X1", width_um: 1.14 },
    GateArea { yosys_cell: "$_XNOR_", nangate: "XNOR2_X1", width_um: 1.14 },
    // A & ~B = NOR2(~A, B); A | ~B = NAND2(~A, B).
    GateArea { yosys_cell: "$_ANDNOT_", nangate: "INV_X1+NOR2_X1", width_um: INV + 0.57 },
    GateArea { yosys_cell: "$_ORNOT_", nangate: "INV_X1+NAND2_X1", width_um: INV + 0.57 },
    GateArea { yosys_cell: "$_MUX_", nangate: "MUX2_X1", width_um: 1.33 },
    GateArea { yosys_cell: "$_DFF_P_", nangate: "DFF_X1", width_um: 3.23 },
    GateArea { yosys_cell: "$_DFF_N_", nangate: "DFF_X1+INV_X1", width_um: 3.23 + INV },
    GateArea { yosys_cell: "$_DFF_PN0_", nangate: "DFFR_X1", width_um: 3.8 },
    GateArea { yosys_cell: "$_DFF_PN1_", nangate: "DFFS_X1", width_um: 3.8 },
    GateArea { yosys_cell: "$_DFF_NN0_", nangate: "DFFR_X1+INV_X1", width_um: 3.8 + INV },
    GateArea { yosys_cell: "$_DFF_NN1_", nangate: "DFFS_X1+INV_X1", width_um: 3.8 + INV },
    GateArea { yosys_cell: "$_DFFSR_PNN_", nangate: "DFFRS_X1", width_um: 4.56 },
    GateArea { yosys_cell: "$_DFFSR_NNN_", nangate: "DFFRS_X1+INV_X1", width_um: 4.56 + INV },
    GateArea { yosys_cell: "$_DLATCH_P_", nangate: "DLH_X1", width_um: 1.9 },
    GateArea { yosys_cell: "$_DLATCH_N_", nangate: "DLL_X1", width_um: 1.9 },
];

/// The gate list given to `abc -g` in the ASIC flow.
pub const ABC_GATES: &str = "AND,NAND,OR,NOR,XOR,XNOR,ANDNOT,ORNOT,MUX";

/// The flip-flop cells `dfflegalize` may leave (everything else is rewritten into these
/// plus logic), matching the rows of the table above.
pub const DFFLEGALIZE_CELLS: &str =
    "-cell $_DFF_?_ 01 -cell $_DFF_?N?_ 01 -cell $_DFFSR_?NN_ 01 -cell $_DLATCH_?_ x";

/// NAND2 equivalents of one Yosys gate type, if the table knows it.
pub fn nand2_equivalents(yosys_cell: &str) -> Option<f64> {
    GATES
        .iter()
        .find(|g| g.yosys_cell == yosys_cell)
        .map(|g| g.width_um / 0.57)
}

/// The NanGate cell(s) a Yosys gate is costed as.
pub fn nangate_cell(yosys_cell: &str) -> Option<&'static str> {
    GATES.iter().find(|g| g.yosys_cell == yosys_cell).map(|g| g.nangate)
}

/// Area estimate of one ASIC synthesis run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AsicArea {
    /// Total NAND2 equivalents of all known gates.
    pub nand2_eq: f64,
    /// NAND2 equivalents per gate type.
    pub nand2_eq_by_type: BTreeMap<String, f64>,
    /// Cell area at 45 nm (NanGate FreePDK45), um^2.
    pub um2_45nm: f64,
    /// Cell area at 7 nm (ASAP7), um^2.
    pub um2_7nm: f64,
    /// Cells the table does not know (left out of the totals; non-empty means the
    /// estimate is low and the table needs a row).
    pub unknown_cells: CellCounts,
    /// Citation of the constants; starts with "modeled:".
    pub source: String,
}

/// Turn generic gate counts into an area estimate.
pub fn estimate(cells: &CellCounts) -> AsicArea {
    let mut by_type = BTreeMap::new();
    let mut unknown = CellCounts::new();
    for (cell, &n) in cells {
        match nand2_equivalents(cell) {
            Some(ge) => {
                by_type.insert(cell.clone(), ge * n as f64);
            }
            None => {
                unknown.insert(cell.clone(), n);
            }
        }
    }
    let nand2_eq: f64 = by_type.values().sum();
    AsicArea {
        nand2_eq,
        nand2_eq_by_type: by_type,
        um2_45nm: nand2_eq * NAND2_AREA_UM2_45NM,
        um2_7nm: nand2_eq * NAND2_AREA_UM2_7NM,
        unknown_cells: unknown,
        source: AREA_SOURCE.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cited_constants() {
        assert!((NAND2_AREA_UM2_45NM - 0.798).abs() < 1e-12);
        assert!((NAND2_AREA_UM2_7NM - 0.05832).abs() < 1e-12);
    }

    #[test]
    fn table_values() {
        assert_eq!(nand2_equivalents("$_NAND_"), Some(1.0));
        assert_eq!(nand2_equivalents("$_NOR_"), Some(1.0));
        assert!((nand2_equivalents("$_NOT_").unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert!((nand2_equivalents("$_XOR_").unwrap() - 2.0).abs() < 1e-12);
        assert!((nand2_equivalents("$_DFF_P_").unwrap() - 3.23 / 0.57).abs() < 1e-12);
        assert_eq!(nangate_cell("$_MUX_"), Some("MUX2_X1"));
        assert_eq!(nand2_equivalents("$_AOI3_"), None);
    }

    #[test]
    fn estimate_sums_and_reports_unknowns() {
        let cells: CellCounts = [("$_NAND_", 10u64), ("$_XOR_", 2), ("$_FOO_", 3)]
            .iter()
            .map(|(t, n)| (t.to_string(), *n))
            .collect();
        let a = estimate(&cells);
        assert!((a.nand2_eq - 14.0).abs() < 1e-9);
        assert!((a.um2_45nm - 14.0 * 0.798).abs() < 1e-9);
        assert!((a.um2_7nm - 14.0 * 0.05832).abs() < 1e-9);
        assert_eq!(a.unknown_cells.get("$_FOO_"), Some(&3));
        assert!(a.source.starts_with("modeled:"));
    }
}
