//! Tool helpers for the lint tests: Verilator and Yosys elaboration only. Synthesis lives in
//! the fpga crate (`fpga/tests/hdl_arrays.rs` runs these arrays through `fpga::Flow`).
//! Missing tools fail the test with the install command.

#![allow(dead_code)]

use hdl::config::{ArrayConfig, Packing};
use std::path::PathBuf;
use std::process::Command;

pub fn cfg(rows: usize, lanes: usize, packing: Packing) -> ArrayConfig {
    ArrayConfig { rows, lanes, packing, ..Default::default() }
}

/// Panic with the install command when `tool` is not on PATH.
pub fn require(tool: &str) {
    let ok = Command::new(tool).arg(if tool == "yosys" { "-V" } else { "--version" }).output().map(|o| o.status.success());
    assert!(matches!(ok, Ok(true)), "`{tool}` is missing: install it with `apt-get install -y {tool}`");
}

/// Write `text` to a fresh file under the target's tmp dir and return its path.
pub fn write_temp(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tern-hdl-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Run yosys with a script; panic with its log on failure.
pub fn yosys(script: &str) -> String {
    require("yosys");
    let out = Command::new("yosys").arg("-q").arg("-p").arg(script).output().unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "yosys failed on `{script}`:\n{log}");
    log
}
