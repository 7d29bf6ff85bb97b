//! What a die costs at a process node: the node's cell and bitcell areas, its wafer price and
//! defect density, dies per 300 mm wafer, yield and $ per good die.
//!
//! ```text
//! dies per wafer = pi (d/2)^2 / A - pi d / sqrt(2 A)        d = 300 mm, A = die mm^2
//!                  (Hennessy & Patterson, Computer Architecture, 6th ed., sec. 1.6)
//! yield          = (1 + A D0 / alpha)^-alpha                negative binomial, alpha = 3
//!                  (Cunningham, IEEE Trans. Semicond. Manuf. 1990; D0 per cm^2)
//! $ per die      = wafer price / dies per wafer;  $ per good die = $ per die / yield
//! ```
//!
//! Cited per node: the 6T high-density SRAM bitcell, the wafer price (IBS 2014 for 40 and 28 nm,
//! CSET 2020 for 16 and 7 nm) and, at 7 nm, the defect density. The NAND2 area at 45 and 7 nm is the open libraries' cell
//! (NanGate45, ASAP7); between them it is interpolated on a power of the node name, and the
//! defect density of the mature nodes is an assumption: those values are marked modeled.

use serde::{Deserialize, Serialize};

use crate::constants::{Constant, SRAM_BITCELL_UM2_45, SRAM_BITCELL_UM2_7};
use crate::figure::{Figure, Kind};
use crate::{ReportError, Result};

/// Wafer diameter of every node here, mm.
pub const WAFER_MM: f64 = 300.0;
/// Negative binomial cluster parameter.
pub const YIELD_ALPHA: f64 = 3.0;
pub const CSET_2020: &str = "Khan & Mann, AI Chips: What They Are and Why They Matter, CSET 2020, 300 mm wafer price";
pub const IBS_2014: &str = "IBS 2014 wafer cost, 300 mm";
pub const DIES_PER_WAFER_SOURCE: &str = "dies per wafer = pi (d/2)^2 / A - pi d / sqrt(2A), d = 300 mm (Hennessy & Patterson, 6th ed., sec. 1.6)";

/// The process nodes with cited figures.
pub const NODES_NM: [u32; 4] = [45, 28, 16, 7];

/// One process node's cost and density figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProcessNode {
    pub nm: u32,
    pub nand2_um2: Figure,
    pub sram_bitcell_um2: Figure,
    pub wafer_usd: Figure,
    pub defects_per_cm2: Figure,
}

/// NAND2 area at `nm`: the NanGate45 and ASAP7 cells, and between them `a45 (nm/45)^p` with p
/// fitted through both.
fn nand2_um2(nm: u32) -> Figure {
    let (a45, a7) = (fpga::asic::NAND2_AREA_UM2_45NM, fpga::asic::NAND2_AREA_UM2_7NM);
    match nm {
        45 => Figure::cited(a45, "um^2", "NanGate FreePDK45 NAND2_X1 0.57 x 1.4 um"),
        7 => Figure::cited(a7, "um^2", "ASAP7 NAND2xp33_ASAP7_75t_R 0.216 x 0.27 um"),
        _ => {
            let p = (a45 / a7).ln() / (45.0f64 / 7.0).ln();
            Figure::modeled(a45 * (nm as f64 / 45.0).powf(p), "um^2", format!("interpolated: 0.798 um^2 x ({nm}/45)^{p:.3}, the power through NanGate45 and ASAP7"))
        }
    }
}

/// The figures of node `nm` (45, 28, 16 or 7).
pub fn node(nm: u32) -> Result<ProcessNode> {
    let (bitcell, bitcell_src, wafer) = match nm {
        45 => (SRAM_BITCELL_UM2_45, "Nii et al., Renesas 45nm bulk 6T, ISQED 2013", Figure::cited(1899.0, "$", format!("{IBS_2014}: 40nm"))),
        28 => (0.127, "TSMC 28nm high-density 6T (published 0.120-0.127 um^2)", Figure::cited(2326.0, "$", format!("{IBS_2014}: 28nm"))),
        16 => (0.074, "TSMC 16nm FinFET high-density 6T", Figure::cited(3984.0, "$", format!("{CSET_2020}: 16/12nm"))),
        7 => (SRAM_BITCELL_UM2_7, "Wu et al., TSMC 7nm HD cell, IEDM 2016", Figure::cited(9346.0, "$", format!("{CSET_2020}: 7nm"))),
        _ => return Err(ReportError::BadInput(format!("no figures for a {nm} nm node: use one of 45, 28, 16, 7"))),
    };
    let defects = if nm == 7 {
        Figure::cited(0.09, "/cm^2", "TSMC N7 defect density in volume production (VLSI 2019)")
    } else {
        Figure::modeled(0.05, "/cm^2", "assumed for a mature node (no per-node citation)")
    };
    Ok(ProcessNode { nm, nand2_um2: nand2_um2(nm), sram_bitcell_um2: Figure::cited(bitcell, "um^2", bitcell_src), wafer_usd: wafer, defects_per_cm2: defects })
}

/// Whole dies on a 300 mm wafer for a die of `die_mm2` (edge loss included).
pub fn dies_per_wafer(die_mm2: f64) -> f64 {
    let r = WAFER_MM / 2.0;
    (std::f64::consts::PI * r * r / die_mm2 - std::f64::consts::PI * WAFER_MM / (2.0 * die_mm2).sqrt()).floor().max(0.0)
}

/// Fraction of good dies of `die_mm2` at `defects_per_cm2`.
pub fn die_yield(die_mm2: f64, defects_per_cm2: f64) -> f64 {
    (1.0 + die_mm2 / 100.0 * defects_per_cm2 / YIELD_ALPHA).powf(-YIELD_ALPHA)
}

/// What one die of a given area costs at one node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DieCost {
    pub die_mm2: f64,
    pub node_nm: u32,
    pub dies_per_wafer: Figure,
    pub die_yield: Figure,
    pub usd_per_die: Figure,
    pub usd_per_good_die: Figure,
}

/// Cost of a die of `die_mm2` at `node`.
pub fn die_cost(die_mm2: f64, node: &ProcessNode) -> Result<DieCost> {
    let dies = dies_per_wafer(die_mm2);
    if dies < 1.0 {
        return Err(ReportError::BadInput(format!("a die of {die_mm2} mm^2 does not fit a {WAFER_MM} mm wafer")));
    }
    let y = die_yield(die_mm2, node.defects_per_cm2.value);
    let per_die = node.wafer_usd.value / dies;
    let d0 = &node.defects_per_cm2;
    Ok(DieCost {
        die_mm2,
        node_nm: node.nm,
        dies_per_wafer: Figure::modeled(dies, "dies", DIES_PER_WAFER_SOURCE),
        die_yield: Figure::modeled(y, "", format!("(1 + A D0 / {YIELD_ALPHA})^-{YIELD_ALPHA}, D0 {} /cm^2 ({}: {})", d0.value, d0.kind, d0.source)),
        usd_per_die: Figure::modeled(per_die, "$", format!("wafer ${} / {dies} dies", node.wafer_usd.value)),
        usd_per_good_die: Figure::modeled(per_die / y, "$", "$ per die / yield"),
    })
}

/// The node figures as constants-table rows.
pub fn constants() -> Vec<Constant> {
    let row = |name: String, f: &Figure| Constant { name, value: f.value, unit: f.unit.clone(), kind: f.kind, source: f.source.clone() };
    let mut t = vec![];
    for nm in NODES_NM {
        let n = node(nm).expect("a listed node");
        t.push(row(format!("NAND2 {nm}nm"), &n.nand2_um2));
        t.push(row(format!("SRAM 6T HD bitcell {nm}nm"), &n.sram_bitcell_um2));
        t.push(row(format!("wafer price {nm}nm"), &n.wafer_usd));
        t.push(row(format!("defect density {nm}nm"), &n.defects_per_cm2));
    }
    t.push(Constant { name: "yield cluster parameter alpha".into(), value: YIELD_ALPHA, unit: String::new(), kind: Kind::Modeled, source: "negative binomial yield (Cunningham, IEEE TSM 1990); alpha = 3 chosen".into() });
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_100_mm2_die_at_7nm_by_hand() {
        // pi 150^2 / 100 - pi 300 / sqrt(200) = 706.86 - 66.64
        assert_eq!(dies_per_wafer(100.0), 640.0);
        let n7 = node(7).unwrap();
        let c = die_cost(100.0, &n7).unwrap();
        assert!((c.die_yield.value - 1.03f64.powi(-3)).abs() < 1e-12);
        assert!((c.usd_per_die.value - 9346.0 / 640.0).abs() < 1e-9);
        assert!((c.usd_per_good_die.value - 9346.0 / 640.0 / 1.03f64.powi(-3)).abs() < 1e-9);
        assert!(c.die_yield.source.contains("D0 0.09 /cm^2 (cited"));
    }

    #[test]
    fn nodes_shrink_and_the_interpolation_meets_both_cells() {
        let n: Vec<ProcessNode> = NODES_NM.iter().map(|&nm| node(nm).unwrap()).collect();
        for w in n.windows(2) {
            assert!(w[1].nand2_um2.value < w[0].nand2_um2.value && w[1].sram_bitcell_um2.value < w[0].sram_bitcell_um2.value);
            assert!(w[1].wafer_usd.value > w[0].wafer_usd.value);
        }
        assert_eq!(n[1].nand2_um2.kind, Kind::Modeled);
        // the fitted power reproduces the anchor it was not evaluated at
        let p = (0.798f64 / 0.05832).ln() / (45.0f64 / 7.0).ln();
        assert!((0.798 * (7.0f64 / 45.0).powf(p) - 0.05832).abs() < 1e-12);
        assert!((n[1].nand2_um2.value - 0.798 * (28.0f64 / 45.0).powf(p)).abs() < 1e-12);
        assert!(node(22).unwrap_err().to_string().contains("use one of 45, 28, 16, 7"));
        for bad in [1e6, 0.0, -1.0, f64::NAN] {
            assert!(die_cost(bad, &n[0]).unwrap_err().to_string().contains("does not fit"), "{bad}");
        }
        assert_eq!(constants().len(), 17);
    }
}
