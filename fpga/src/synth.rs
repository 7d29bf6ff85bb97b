//! Yosys synthesis runs: the script per target, running it, and the record it yields.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::asic::{self, AsicArea};
use crate::error::{FpgaError, Result};
use crate::resources::{self, Resources};
use crate::stat::{self, CellCounts};
use crate::target::{Ice40Device, Target};
use crate::tools::{short_version, Tool, Tools};

/// File names inside a run's work directory (the recorded script refers to them).
pub(crate) const DESIGN_FILE: &str = "design.v";
pub(crate) const SCRIPT_FILE: &str = "synth.ys";
pub(crate) const NETLIST_FILE: &str = "netlist.json";
const RTL_STAT_FILE: &str = "rtl_stat.json";
const STAT_FILE: &str = "stat.json";

/// Synthesis options.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SynthOptions {
    /// Flatten the hierarchy before mapping. Flattening lets ABC optimise across
    /// module boundaries, but on adder trees it can lose carry chains: measure both
    /// (see [`crate::Flow::synthesize_both`]).
    pub flatten: bool,
    /// iCE40 part; on UltraPlus (up5k) `synth_ice40 -dsp` maps multipliers to SB_MAC16.
    pub ice40_device: Ice40Device,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            flatten: true,
            ice40_device: Ice40Device::default(),
        }
    }
}

/// The record of one Yosys run. Cell counts and resources are measured; the ASIC
/// area (target `asic` only) is modeled from the measured gate counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SynthRecord {
    pub target: Target,
    pub top: String,
    pub flatten: bool,
    /// The iCE40 part the mapping was done for (`None` for other targets).
    pub ice40_device: Option<Ice40Device>,
    /// Leaf cell counts of the whole mapped design, hierarchy multiplied out.
    pub cells: CellCounts,
    /// `$mul` cells in the elaborated RTL, before technology mapping (a multiplier
    /// mapped to LUTs or gates is still counted here).
    pub rtl_multipliers: u64,
    /// LUTs, FFs, BRAMs, DSPs, carry cells and multiplier cells of the mapped design.
    #[serde(flatten)]
    pub resources: Resources,
    /// NAND2-equivalent area estimate (target `asic` only).
    pub asic: Option<AsicArea>,
    /// "yosys".
    pub tool: String,
    /// The full version line, e.g. "Yosys 0.23 (git sha1 7ce5011c24b)".
    pub tool_version: String,
    /// The command that was run in the work directory (which held `design.v`).
    pub command: String,
    /// The exact Yosys script.
    pub script: String,
    /// Provenance tag, e.g. "measured: yosys 0.23 synth_xilinx".
    pub source: String,
    /// True when this record came from the cache rather than a fresh run (not stored).
    #[serde(skip)]
    pub from_cache: bool,
}

impl SynthRecord {
    /// True if the design contains a multiplier, before or after mapping.
    pub fn has_multipliers(&self) -> bool {
        self.rtl_multipliers > 0 || !self.resources.multiplier_cells.is_empty()
    }
}

/// Check that `top` is a plain Verilog identifier and the Verilog is not empty.
pub(crate) fn validate_input(verilog: &str, top: &str) -> Result<()> {
    if verilog.trim().is_empty() {
        return Err(FpgaError::InvalidInput("the Verilog text is empty".into()));
    }
    let mut chars = top.chars();
    let ok_first = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !ok_first || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
        return Err(FpgaError::InvalidInput(format!(
            "top module name `{top}` is not a plain Verilog identifier"
        )));
    }
    Ok(())
}

/// The Yosys script for `target`. With `write_netlist`, the mapped design is also
/// written as JSON for nextpnr (iCE40 and ECP5 only).
pub fn yosys_script(target: Target, top: &str, opts: &SynthOptions, write_netlist: bool) -> String {
    let mut s = String::new();
    s.push_str(&format!("# tern fpga: {target} synthesis of {top}\n"));
    s.push_str(&format!("read_verilog -sv {DESIGN_FILE}\n"));
    s.push_str(&format!("hierarchy -check -top {top}\n"));
    s.push_str("proc\n");
    s.push_str(&stat_of_flat_copy(RTL_STAT_FILE));
    let json = if write_netlist {
        format!(" -json {NETLIST_FILE}")
    } else {
        String::new()
    };
    match target {
        Target::Xc7 => {
            let flatten = if opts.flatten { " -flatten" } else { "" };
            s.push_str(&format!("synth_xilinx -family xc7 -top {top}{flatten}\n"));
        }
        Target::Ice40 => {
            let flatten = if opts.flatten { "" } else { " -noflatten" };
            let dsp = if opts.ice40_device.has_dsp() { " -dsp" } else { "" };
            s.push_str(&format!("synth_ice40 -top {top}{flatten}{dsp}{json}\n"));
        }
        Target::Ecp5 => {
            let flatten = if opts.flatten { "" } else { " -noflatten" };
            s.push_str(&format!("synth_ecp5 -top {top}{flatten}{json}\n"));
        }
        Target::Asic => {
            let flatten = if opts.flatten { " -flatten" } else { "" };
            s.push_str(&format!("synth -top {top}{flatten}\n"));
            s.push_str(&format!("dfflegalize {}\n", asic::DFFLEGALIZE_CELLS));
            s.push_str(&format!("abc -g {}\n", asic::ABC_GATES));
            s.push_str("opt_clean\n");
        }
    }
    s.push_str(&stat_of_flat_copy(STAT_FILE));
    s
}

/// `stat -json` of a flattened copy of the design, which is then restored: Yosys 0.23 writes
/// its text hierarchy tree into the JSON of a hierarchical design with a top module, and
/// counting must not change what is synthesized.
fn stat_of_flat_copy(file: &str) -> String {
    format!("design -save tern_count\nflatten\ntee -q -o {file} stat -json\ndesign -load tern_count\n")
}

/// The command line recorded for a Yosys run.
pub(crate) fn yosys_command(tools: &Tools) -> String {
    format!("{} -s {SCRIPT_FILE}", tools.yosys)
}

/// Run Yosys in `dir` (which must not yet hold the design) and build the record.
pub(crate) fn run_yosys(
    tools: &Tools,
    dir: &Path,
    verilog: &str,
    top: &str,
    target: Target,
    opts: &SynthOptions,
    write_netlist: bool,
) -> Result<SynthRecord> {
    let tool_version = tools.version(Tool::Yosys)?;
    let script = yosys_script(target, top, opts, write_netlist);
    write_file(&dir.join(DESIGN_FILE), verilog)?;
    write_file(&dir.join(SCRIPT_FILE), &script)?;
    tools.run(
        Tool::Yosys,
        &["-s".to_string(), SCRIPT_FILE.to_string()],
        dir,
        "yosys.log",
    )?;
    let rtl = stat::parse_stat_json(&read_file(&dir.join(RTL_STAT_FILE))?)?.total_cells(top)?;
    let mapped = stat::parse_stat_json(&read_file(&dir.join(STAT_FILE))?)?.total_cells(top)?;
    Ok(SynthRecord {
        target,
        top: top.to_string(),
        flatten: opts.flatten,
        ice40_device: (target == Target::Ice40).then_some(opts.ice40_device),
        rtl_multipliers: stat::count_of(&rtl, &["$mul"]),
        resources: resources::derive(target, &mapped),
        asic: (target == Target::Asic).then(|| asic::estimate(&mapped)),
        cells: mapped,
        tool: "yosys".into(),
        source: format!(
            "measured: yosys {} {}",
            short_version(&tool_version),
            target.yosys_command()
        ),
        tool_version,
        command: yosys_command(tools),
        script,
        from_cache: false,
    })
}

pub(crate) fn write_file(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| FpgaError::io("write", path, e))
}

pub(crate) fn read_file(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| FpgaError::io("read", path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_per_target() {
        let flat = SynthOptions::default();
        let hier = SynthOptions { flatten: false, ..flat.clone() };
        let x = yosys_script(Target::Xc7, "top", &flat, false);
        assert!(x.contains("synth_xilinx -family xc7 -top top -flatten\n"), "{x}");
        assert!(yosys_script(Target::Xc7, "top", &hier, false).contains("-top top\n"));
        let i = yosys_script(Target::Ice40, "top", &hier, true);
        assert!(i.contains("synth_ice40 -top top -noflatten -json netlist.json\n"), "{i}");
        let up = SynthOptions { ice40_device: Ice40Device::Up5k, ..flat.clone() };
        assert!(yosys_script(Target::Ice40, "t", &up, false).contains("synth_ice40 -top t -dsp\n"));
        assert!(yosys_script(Target::Ecp5, "t", &flat, true).contains("synth_ecp5 -top t -json netlist.json\n"));
        let a = yosys_script(Target::Asic, "t", &flat, false);
        assert!(a.contains("synth -top t -flatten\n") && a.contains("abc -g AND,NAND"), "{a}");
        for s in [&x, &i, &a] {
            assert!(s.ends_with("flatten\ntee -q -o stat.json stat -json\ndesign -load tern_count\n"));
            assert!(s.contains("design -save tern_count\nflatten\ntee -q -o rtl_stat.json stat -json\n"));
        }
    }

    #[test]
    fn input_validation() {
        assert!(validate_input("module a; endmodule", "a").is_ok());
        assert!(validate_input("module a; endmodule", "_a$1").is_ok());
        assert!(validate_input("  \n", "a").is_err());
        assert!(validate_input("module a; endmodule", "1a").is_err());
        assert!(validate_input("module a; endmodule", "a; shell").is_err());
        assert!(validate_input("module a; endmodule", "").is_err());
    }
}
