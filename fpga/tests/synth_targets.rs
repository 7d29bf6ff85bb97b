//! Yosys synthesis on tiny designs for each target, asserting cell-level facts.
//! Needs Yosys (`apt-get install yosys`); fails, not skips, without it.

mod common;

use common::{ok, uncached, ADD8, COUNTER, MUL8, REGFILE, TREE4};
use fpga::{pick_fewer_luts, Ice40Device, SynthOptions, Target};

fn flat() -> SynthOptions {
    SynthOptions::default()
}

#[test]
fn xc7_multiplier_maps_to_a_dsp48e1() {
    let r = ok(uncached().synthesize(MUL8, "mul8", Target::Xc7, &flat()));
    assert_eq!(r.cells.get("DSP48E1"), Some(&1), "{:?}", r.cells);
    assert_eq!(r.resources.dsps, 1);
    assert_eq!(r.rtl_multipliers, 1);
    assert!(r.has_multipliers());
    assert_eq!(r.resources.multiplier_cells.get("DSP48E1"), Some(&1));
    assert!(r.source.starts_with("measured: yosys "), "{}", r.source);
    assert!(r.source.ends_with(" synth_xilinx"), "{}", r.source);
    assert!(r.tool_version.starts_with("Yosys "), "{}", r.tool_version);
    assert!(r.script.contains("synth_xilinx -family xc7 -top mul8 -flatten"));
}

#[test]
fn xc7_adder_uses_a_carry_chain_and_no_multiplier() {
    let r = ok(uncached().synthesize(ADD8, "add8", Target::Xc7, &flat()));
    assert!(!r.has_multipliers(), "{:?}", r.cells);
    assert_eq!(r.rtl_multipliers, 0);
    assert_eq!(r.resources.dsps, 0);
    // 9-bit sum: Yosys 0.23 builds a 9-bit chain, ceil(9 / 4) = 3 CARRY4, fed by one
    // LUT2 (a xor b) per input bit.
    assert_eq!(r.resources.carry_cells, 3, "{:?}", r.cells);
    assert_eq!(r.resources.ffs, 9);
    assert_eq!(r.resources.luts, 8, "{:?}", r.cells);
}

#[test]
fn xc7_adder_tree_flattened_and_hierarchical() {
    let [f, h] = ok(uncached().synthesize_both(TREE4, "tree4", Target::Xc7, &flat()));
    assert!(f.flatten && !h.flatten);
    // Hierarchical: each add2 instance keeps its own carry chain (3 CARRY4 each).
    assert_eq!(h.resources.carry_cells, 9, "{:?}", h.cells);
    // Both registers are the same 10 flops.
    assert_eq!((f.resources.ffs, h.resources.ffs), (10, 10));
    // Flattening lets ABC dissolve two chains into LUT logic: more LUTs here.
    assert!(f.resources.carry_cells < h.resources.carry_cells, "{:?}", f.cells);
    assert!(f.resources.luts > h.resources.luts, "flat {:?} hier {:?}", f.cells, h.cells);
    assert!(!pick_fewer_luts(&f, &h).flatten);
}

#[test]
fn xc7_register_file_uses_lutram() {
    let r = ok(uncached().synthesize(REGFILE, "regfile", Target::Xc7, &flat()));
    assert_eq!(r.cells.get("RAM32M"), Some(&2), "{:?}", r.cells);
    assert_eq!(r.resources.lutram_luts, 8);
    assert_eq!(r.resources.ffs, 0);
}

#[test]
fn ice40_counter_uses_sb_carry_and_eight_flops() {
    let r = ok(uncached().synthesize(COUNTER, "counter", Target::Ice40, &flat()));
    assert_eq!(r.resources.ffs, 8, "{:?}", r.cells);
    assert!(r.resources.carry_cells >= 6, "{:?}", r.cells);
    assert_eq!(r.resources.luts, r.cells["SB_LUT4"]);
    assert_eq!(r.ice40_device, Some(Ice40Device::Hx8k));
    assert!(r.source.ends_with(" synth_ice40"));
}

#[test]
fn ice40_multiplier_in_luts_on_hx8k_and_in_sb_mac16_on_up5k() {
    let flow = uncached();
    let hx = ok(flow.synthesize(MUL8, "mul8", Target::Ice40, &flat()));
    assert_eq!(hx.resources.dsps, 0);
    assert!(hx.resources.luts > 50, "soft multiplier: {:?}", hx.cells);
    assert!(hx.has_multipliers(), "the RTL $mul is still flagged");
    let up = SynthOptions { ice40_device: Ice40Device::Up5k, ..flat() };
    let up = ok(flow.synthesize(MUL8, "mul8", Target::Ice40, &up));
    assert_eq!(up.cells.get("SB_MAC16"), Some(&1), "{:?}", up.cells);
    assert_eq!(up.resources.dsps, 1);
    assert!(up.script.contains(" -dsp"));
}

#[test]
fn ecp5_counter_counts_ccu2c_as_two_luts() {
    let r = ok(uncached().synthesize(COUNTER, "counter", Target::Ecp5, &flat()));
    assert_eq!(r.cells.get("CCU2C"), Some(&4), "{:?}", r.cells);
    assert_eq!(r.resources.carry_cells, 4);
    assert_eq!(r.resources.luts, r.cells.get("LUT4").copied().unwrap_or(0) + 8);
    assert_eq!(r.resources.ffs, 8);
}

#[test]
fn ecp5_multiplier_maps_to_mult18x18d() {
    let r = ok(uncached().synthesize(MUL8, "mul8", Target::Ecp5, &flat()));
    assert_eq!(r.cells.get("MULT18X18D"), Some(&1), "{:?}", r.cells);
    assert_eq!(r.resources.dsps, 1);
    assert!(r.has_multipliers());
}

#[test]
fn asic_gates_and_area() {
    let flow = uncached();
    let c = ok(flow.synthesize(COUNTER, "counter", Target::Asic, &flat()));
    let area = c.asic.as_ref().expect("asic target has an area");
    assert_eq!(c.resources.ffs, 8);
    assert_eq!(c.cells.get("$_DFF_P_"), Some(&8), "{:?}", c.cells);
    assert!(area.unknown_cells.is_empty(), "{:?}", area.unknown_cells);
    // Eight DFF_X1 alone are 8 * 3.23/0.57 NAND2 equivalents.
    assert!(area.nand2_eq > 8.0 * 3.23 / 0.57, "{}", area.nand2_eq);
    assert!((area.um2_45nm / area.nand2_eq - 0.798).abs() < 1e-9);
    assert!((area.um2_7nm / area.nand2_eq - 0.05832).abs() < 1e-9);
    assert!(area.source.starts_with("modeled:"));

    let m = ok(flow.synthesize(MUL8, "mul8", Target::Asic, &flat()));
    assert!(m.has_multipliers() && m.resources.dsps == 0);
    let a = ok(flow.synthesize(ADD8, "add8", Target::Asic, &flat()));
    assert!(!a.has_multipliers());
    let (ma, aa) = (m.asic.unwrap().nand2_eq, a.asic.unwrap().nand2_eq);
    assert!(ma > 4.0 * aa, "an 8x8 multiplier ({ma}) is far larger than an 8-bit adder ({aa})");
}

#[test]
fn asic_register_file_is_64_flops() {
    let r = ok(uncached().synthesize(REGFILE, "regfile", Target::Asic, &flat()));
    assert_eq!(r.resources.ffs, 64, "{:?}", r.cells);
    assert!(r.asic.unwrap().unknown_cells.is_empty());
}

#[test]
fn asic_hierarchical_totals_multiply_instances() {
    let hier = SynthOptions { flatten: false, ..flat() };
    let r = ok(uncached().synthesize(TREE4, "tree4", Target::Asic, &hier));
    assert_eq!(r.resources.ffs, 10);
    assert!(!r.cells.keys().any(|k| k.contains("add2")), "submodules expanded: {:?}", r.cells);
}
