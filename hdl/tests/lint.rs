//! The emitted Verilog is lint-clean under Verilator -Wall and passes Yosys' elaboration
//! checks, for 4x16, 16x64 and 64x64 in both packings; it contains no multiplication
//! operator. The int8 baseline is lint-clean too (with width warnings on).
//!
//! Per design: one Verilator `--lint-only` run and one Yosys run on the real top
//! (`hierarchy -check; proc; check -assert`, no latches, no implicit wires), both at once.
//! That Yosys run covers everything rust-hdl's `yosys_validate` checks (it runs
//! `read -vlog95; hierarchy -check -top top; proc` on a `top` shell and fails on module
//! re-definition, implicit declarations, inferred latches, undriven wires, missing modules
//! or a failed script): re-definitions and missing modules stop `hierarchy -check`, undriven
//! wires fail `check -assert`, latches fail `select -assert-none t:$dlatch*`, and an
//! implicit declaration is both a Verilator -Wall error (IMPLICIT) and a log line checked
//! here. So `yosys_validate` itself runs on the 4x16 and 16x64 arrays only, where it costs
//! little, and not again on 64x64 (one Yosys elaboration of it saved, ~10 s).
//! Each design is its own test so the harness runs two at a time; libtest starts tests in name
//! order, so the names put the slow ones first (`large` < `medium` < `small`): Verilator on the
//! 64x64 base-3 array is the longest single step (its 832 decoder case tables), and the rest
//! fits beside it on the second thread.

mod common;
use common::*;
use hdl::config::{ArrayConfig, Packing};
use hdl::verilog::emit_verilog;
use std::process::Command;

const VERILATOR_FLAGS: [&str; 4] = ["--lint-only", "-Wall", "-Wno-WIDTH", "-Wno-DECLFILENAME"];

fn verilator_lint(text: &str, top: &str, tag: &str, flags: &[&str]) {
    require("verilator");
    let path = write_temp(&format!("{tag}.v"), text);
    let out = Command::new("verilator").args(flags).args(["--top-module", top]).arg(&path).output().unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && log.trim().is_empty(), "verilator lint of {tag}:\n{log}");
}

/// Elaborate `top` in Yosys and fail on what rust-hdl's `yosys_validate` fails on.
fn yosys_check(text: &str, top: &str, tag: &str) {
    let path = write_temp(&format!("{tag}_yosys.v"), text);
    let log = yosys(&format!(
        "read -vlog95 {}; hierarchy -check -top {top}; proc; check -assert; \
         select -assert-none t:$dlatch t:$adlatch t:$dlatchsr",
        path.display()
    ));
    assert!(!log.contains("implicitly declared"), "{tag}: {log}");
}

/// Verilator and Yosys on one design, in parallel.
fn lint_both(text: &str, top: &str, tag: &str, verilator_flags: &[&str]) {
    std::thread::scope(|s| {
        let v = s.spawn(|| verilator_lint(text, top, tag, verilator_flags));
        yosys_check(text, top, tag);
        v.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
    });
}

/// Operators `*` outside `@(*)`, attributes `(* ... *)` and comments.
fn has_multiply(text: &str) -> bool {
    let strip_attributes = |l: &str| {
        let mut out = l.replace("@(*)", "");
        while let (Some(a), Some(b)) = (out.find("(*"), out.find("*)")) {
            if b < a {
                break;
            }
            out.replace_range(a..b + 2, "");
        }
        out
    };
    text.lines().map(|l| strip_attributes(l.split("//").next().unwrap_or(""))).any(|l| l.contains('*'))
}

#[test]
fn the_multiply_check_sees_past_attributes_only() {
    assert!(!has_multiply("(* keep *) always @(*) y = a; // a * b"));
    assert!(has_multiply("(* keep *) assign y = a * b;"));
    assert!(has_multiply("assign y = a*b;"));
}

/// `module top` instantiating `tern_array` with every port passed through.
fn top_shell(c: &ArrayConfig) -> String {
    use hdl::verilog::{activation_bus_bits, result_bus_bits, weight_bus_bits};
    format!(
        "module top(input wire clk, input wire reset, input wire [{}:0] act_data, input wire act_valid, \
         input wire act_last, output wire act_ready, input wire [{}:0] w_data, input wire w_valid, \
         output wire w_ready, output wire [{}:0] res_data, output wire res_valid, output wire k_overflow);\n\
         tern_array u(.clk(clk), .reset(reset), .act_data(act_data), .act_valid(act_valid), .act_last(act_last), \
         .act_ready(act_ready), .w_data(w_data), .w_valid(w_valid), .w_ready(w_ready), .res_data(res_data), \
         .res_valid(res_valid), .k_overflow(k_overflow));\nendmodule\n",
        activation_bus_bits(c) - 1,
        weight_bus_bits(c) - 1,
        result_bus_bits(c) - 1
    )
}

/// Lint the ternary array of one size and packing; `validate` adds rust-hdl's own check.
fn lint_ternary(rows: usize, lanes: usize, packing: Packing, validate: bool) {
    let c = cfg(rows, lanes, packing);
    let v = emit_verilog(&c).unwrap();
    let tag = format!("lint_{rows}x{lanes}_{packing:?}");
    assert!(!has_multiply(&v), "{tag}: a `*` in the RTL");
    lint_both(&v, hdl::verilog::TOP_MODULE, &tag, &VERILATOR_FLAGS);
    if validate {
        // rust-hdl's own check wants the top called `top`: a shell around tern_array
        rust_hdl::prelude::yosys_validate(&tag, &format!("{v}\n{}", top_shell(&c)))
            .unwrap_or_else(|e| panic!("yosys_validate {tag}: {e:?}"));
    }
}

#[test]
fn lint_small_4x16_2bit() {
    lint_ternary(4, 16, Packing::TwoBit, true);
}

#[test]
fn lint_small_4x16_base3() {
    lint_ternary(4, 16, Packing::Base3, true);
}

#[test]
fn lint_medium_16x64_2bit() {
    lint_ternary(16, 64, Packing::TwoBit, true);
}

#[test]
fn lint_medium_16x64_base3() {
    lint_ternary(16, 64, Packing::Base3, true);
}

#[test]
fn lint_large_64x64_2bit() {
    lint_ternary(64, 64, Packing::TwoBit, false);
}

#[test]
fn lint_large_64x64_base3() {
    lint_ternary(64, 64, Packing::Base3, false);
}

#[test]
fn binary_and_narrow_activations_lint() {
    let mut c = cfg(4, 16, Packing::TwoBit);
    c.binary = true;
    c.activation_bits = 4;
    verilator_lint(&emit_verilog(&c).unwrap(), hdl::verilog::TOP_MODULE, "lint_binary_a4", &VERILATOR_FLAGS);
}

/// The baseline is written width-exact: it lints with Verilator's width warnings on.
#[test]
fn baseline_lints_with_width_warnings_on() {
    for (rows, lanes, depth, a) in [(4, 16, 4, 8), (16, 64, 4, 8), (64, 64, 4, 8), (3, 7, 2, 5), (1, 1, 1, 8)] {
        let c = ArrayConfig { pipeline_depth: depth, activation_bits: a, ..cfg(rows, lanes, Packing::TwoBit) };
        let c = ArrayConfig { accumulator_bits: hdl::baseline::min_accumulator_bits(&c), ..c };
        let v = hdl::baseline::emit_baseline_verilog(&c).unwrap();
        assert!(has_multiply(&v), "the baseline multiplies");
        let tag = format!("lint_baseline_{rows}x{lanes}_d{depth}_a{a}");
        lint_both(&v, hdl::baseline::TOP_MODULE, &tag, &["--lint-only", "-Wall", "-Wno-DECLFILENAME"]);
    }
}

/// The Yosys check stands in for `yosys_validate` on 64x64: it must fail on each defect
/// `yosys_validate` looks for.
#[test]
fn yosys_check_fails_on_what_yosys_validate_fails_on() {
    let bad = [
        ("implicit", "module t(input wire a, output wire y); assign n = a; assign y = n; endmodule"),
        ("latch", "module t(input wire a, input wire e, output reg y); always @(*) if (e) y = a; endmodule"),
        ("undriven", "module t(input wire a, output wire y); wire n; assign y = a & n; endmodule"),
        ("missing", "module t(input wire a, output wire y); nothere u(.a(a), .y(y)); endmodule"),
        ("redefined", "module t(output wire y); assign y = 1'b0; endmodule\nmodule t(output wire y); assign y = 1'b1; endmodule"),
    ];
    for (tag, text) in bad {
        let caught = std::panic::catch_unwind(|| yosys_check(text, "t", &format!("bad_{tag}"))).is_err();
        assert!(caught, "the Yosys check accepted the {tag} design");
    }
    yosys_check("module t(input wire a, output wire y); assign y = ~a; endmodule", "t", "good");
}

/// The streaming top (memory port, decoders, gearbox, tile FIFO, activation buffer, slot
/// ring) lints and elaborates, in both packings, with one beat per tile and several.
#[test]
fn stream_tops_lint() {
    for (rows, lanes, packing, port, slots) in [(4, 16, Packing::Base3, 0, 4), (5, 16, Packing::Base3, 4, 2), (8, 16, Packing::TwoBit, 8, 1), (20, 64, Packing::Base3, 64, 4)] {
        let c = ArrayConfig { port_bytes: port, slots, max_k: 2048, accumulator_bits: 20, ..cfg(rows, lanes, packing) };
        let v = hdl::emit_stream_verilog(&c).unwrap();
        assert!(!has_multiply(&v), "the streaming top has a multiply");
        let tag = format!("lint_stream_{rows}x{lanes}_{}_p{port}_d{slots}", c.packing.name());
        lint_both(&v, hdl::stream::TOP_MODULE, &tag, &VERILATOR_FLAGS);
    }
}
