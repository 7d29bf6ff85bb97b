//! Minimal Yosys / Verilator invocations for the hdl tests (the fpga crate owns the general
//! runner). Missing tools fail the test with the install command.

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

/// Synthesize `verilog` with `synth_<family> <extra>`, flatten the mapped netlist (no further
/// optimization) and return the cell counts by type from `stat -json`.
pub fn synth_cells(verilog: &str, family: &str, extra: &str, tag: &str) -> serde_json::Map<String, serde_json::Value> {
    let v = write_temp(&format!("{tag}.v"), verilog);
    let json = v.with_extension("json");
    yosys(&format!(
        "read_verilog {}; synth_{family} -top tern_array {extra}; flatten; tee -q -o {} stat -json",
        v.display(),
        json.display()
    ));
    let stat: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    stat["design"]["num_cells_by_type"].as_object().cloned().expect("stat -json has design.num_cells_by_type")
}

/// Cells that take a LUT on xc7: LUT1..LUT6 and INV.
pub fn xilinx_luts(cells: &serde_json::Map<String, serde_json::Value>) -> u64 {
    cells.iter().filter(|(k, _)| k.starts_with("LUT") || *k == "INV").map(|(_, v)| v.as_u64().unwrap()).sum()
}

/// Multiplier cells of any family found in a cell count.
pub fn multipliers(cells: &serde_json::Map<String, serde_json::Value>) -> Vec<String> {
    const MUL: [&str; 7] = ["$mul", "$__mul", "$macc", "DSP48E1", "SB_MAC16", "MULT18X18D", "$__MUL"];
    cells.keys().filter(|k| MUL.iter().any(|m| k.starts_with(m))).cloned().collect()
}
