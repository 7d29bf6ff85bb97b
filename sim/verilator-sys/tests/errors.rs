//! Bad input gives one clear, typed error: never a panic.

mod common;

use verilator_sys::{BuildSpec, Design, VerilatorError, INSTALL_HINT};

#[test]
fn bad_verilog_quotes_verilator() {
    let spec = BuildSpec::from_verilog(
        "broken",
        "module broken(input a, output b);\n  assign b = a +;\nendmodule\n",
    );
    let err = Design::build(&spec).unwrap_err();
    let VerilatorError::Verilate { ref log_tail, .. } = err else {
        panic!("expected Verilate, got {err}")
    };
    assert!(
        log_tail.contains("%Error: src/broken.v:2:"),
        "the message names the file and line: {log_tail}"
    );
    assert!(log_tail.contains("syntax error"), "{log_tail}");
}

#[test]
fn unknown_top_lists_the_modules() {
    let spec = BuildSpec::from_verilog(
        "missing",
        "module alpha(input a, output b); assign b = a; endmodule\nmodule beta(input a, output b); assign b = ~a; endmodule\n",
    );
    // The file is named after the top; that does not matter to Verilator.
    let err = Design::build(&spec).unwrap_err();
    assert!(matches!(err, VerilatorError::UnknownTop { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("`missing`") && msg.contains("alpha, beta"),
        "{msg}"
    );
}

#[test]
fn compiler_errors_quote_the_compiler() {
    // A forced include of a header that does not exist makes the C++ compile fail.
    let mut spec = BuildSpec::from_verilog(
        "cxxfail",
        "module cxxfail(input a, output b); assign b = a; endmodule\n",
    )
    .with_flags(["-CFLAGS", "-include/nonexistent/tern_missing_header.h"]);
    spec.jobs = 1;
    let err = Design::build(&spec).unwrap_err();
    let VerilatorError::Compile { ref log_tail, .. } = err else {
        panic!("expected Compile, got {err}")
    };
    assert!(log_tail.contains("tern_missing_header.h"), "{log_tail}");
    assert!(err.to_string().contains("C++ build"), "{err}");
}

#[test]
fn missing_verilator_names_the_install_command() {
    let spec = BuildSpec::from_verilog("x", "module x; endmodule")
        .with_verilator("/nonexistent/bin/verilator")
        .with_cache_dir(common::temp_dir("missing"));
    let err = Design::build(&spec).unwrap_err();
    assert!(matches!(err, VerilatorError::ToolMissing { .. }), "{err}");
    assert!(err.to_string().contains(INSTALL_HINT), "{err}");
    assert!(
        err.to_string().contains("/nonexistent/bin/verilator"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn old_verilator_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = common::temp_dir("oldtool");
    let fake = dir.join("verilator");
    std::fs::write(
        &fake,
        "#!/bin/sh\necho 'Verilator 4.038 2020-07-11 rev v4.036-114'\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let spec = BuildSpec::from_verilog("x", "module x; endmodule")
        .with_verilator(&fake)
        .with_cache_dir(dir.join("cache"));
    for _ in 0..2 {
        // The second time the version comes from the remembered answer; same verdict.
        let err = Design::build(&spec).unwrap_err();
        assert!(matches!(err, VerilatorError::ToolTooOld { .. }), "{err}");
        let msg = err.to_string();
        assert!(msg.contains("4.038") && msg.contains(INSTALL_HINT), "{msg}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn bad_specs_are_refused_before_building() {
    let err = Design::build(&BuildSpec::from_verilog("a.b", "module x; endmodule")).unwrap_err();
    assert!(matches!(err, VerilatorError::BadSpec(_)), "{err}");
    let err = Design::build(&BuildSpec::new("x", vec![])).unwrap_err();
    assert!(err.to_string().contains("no Verilog sources"), "{err}");
    let err = Design::build(&BuildSpec::from_files("x", ["/nonexistent/x.v".into()])).unwrap_err();
    assert!(matches!(err, VerilatorError::Io { .. }), "{err}");
    assert!(err.to_string().contains("/nonexistent/x.v"), "{err}");
}

#[test]
fn vcd_needs_a_traced_build() {
    let d = common::counter();
    let err = d
        .instantiate_with_vcd(&std::env::temp_dir().join("never.vcd"))
        .unwrap_err();
    assert!(matches!(err, VerilatorError::TraceNotBuilt { .. }), "{err}");
    assert!(err.to_string().contains("trace: true"), "{err}");
}
