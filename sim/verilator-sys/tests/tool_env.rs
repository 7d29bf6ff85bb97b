//! The VERILATOR environment variable picks the binary. This file holds one test, so
//! setting the variable cannot race with another test of the same process.

mod common;

use verilator_sys::{BuildSpec, Design, VerilatorError, INSTALL_HINT, VERILATOR_ENV};

#[test]
fn verilator_env_var_chooses_the_binary() {
    let cache = common::temp_dir("toolenv");
    let spec = BuildSpec::from_verilog("x", "module x; endmodule").with_cache_dir(&cache);

    std::env::set_var(VERILATOR_ENV, "/nonexistent/verilator");
    let err = Design::build(&spec).unwrap_err();
    assert!(matches!(err, VerilatorError::ToolMissing { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains(INSTALL_HINT) && msg.contains("/nonexistent/verilator"),
        "{msg}"
    );

    std::env::set_var(VERILATOR_ENV, "no-such-verilator-command");
    let err = Design::build(&spec).unwrap_err();
    assert!(err.to_string().contains("not on the PATH"), "{err}");

    // The explicit field wins over the variable.
    let err = Design::build(&spec.clone().with_verilator("/nonexistent/other")).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/other"), "{err}");

    std::env::remove_var(VERILATOR_ENV);
    std::fs::remove_dir_all(cache).unwrap();
}
