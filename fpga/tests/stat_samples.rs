//! Parsing stored `stat -json` and nextpnr `--report` samples (no tools needed).

use fpga::pnr::parse_report;
use fpga::stat::parse_stat_json;
use fpga::{asic, resources, Target};

const HIER_XC7: &str = include_str!("data/stat_hierarchical_xc7.json");
const ASIC_GATES: &str = include_str!("data/stat_asic_gates.json");
const ICE40_REPORT: &str = include_str!("data/nextpnr_report_ice40.json");

#[test]
fn hierarchical_totals_match_yosys_design_summary() {
    let stat = parse_stat_json(HIER_XC7).unwrap();
    assert_eq!(stat.creator, "Yosys 0.23 (git sha1 7ce5011c24b)");
    let totals = stat.total_cells("tree4").unwrap();
    assert_eq!(totals, stat.design.as_ref().unwrap().num_cells_by_type);
    assert_eq!(totals["CARRY4"], 9);
    assert_eq!(totals["LUT2"], 2 * 8 + 9);
    let r = resources::derive(Target::Xc7, &totals);
    assert_eq!(r.luts, 25 + 2, "LUT2s plus INV cells");
    assert_eq!((r.ffs, r.carry_cells, r.dsps), (10, 9, 0));
}

#[test]
fn asic_sample_area() {
    let stat = parse_stat_json(ASIC_GATES).unwrap();
    let cells = stat.total_cells("counter").unwrap();
    let area = asic::estimate(&cells);
    // 5 ANDNOT (0.95/0.57) + 6 AND (0.76/0.57) + 8 DFF (3.23/0.57) + 1 NAND + 14 NOR + 1 XOR (2).
    let expected = (5.0 * 0.95 + 6.0 * 0.76 + 8.0 * 3.23) / 0.57 + 1.0 + 14.0 + 2.0;
    assert!((area.nand2_eq - expected).abs() < 1e-9, "{} vs {expected}", area.nand2_eq);
    assert!((area.um2_45nm - expected * 0.798).abs() < 1e-9);
    assert!(area.unknown_cells.is_empty());
    assert_eq!(resources::derive(Target::Asic, &cells).ffs, 8);
}

#[test]
fn nextpnr_report_sample() {
    let rep = parse_report(ICE40_REPORT).unwrap();
    assert_eq!(rep.fmax.len(), 1);
    let clk = &rep.fmax["clk$SB_IO_IN_$glb_clk"];
    assert!((clk.achieved - 365.2301025390625).abs() < 1e-9);
    assert_eq!(clk.constraint, 100.0);
    assert_eq!(rep.utilization["ICESTORM_LC"].used, 11);
    assert_eq!(rep.utilization["ICESTORM_LC"].available, 7680);
    assert!(parse_report("{\"fmax\": 5}").is_err());
}
