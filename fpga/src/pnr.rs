//! nextpnr place-and-route runs (iCE40, ECP5) and their `--report` JSON.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{FpgaError, Result};
use crate::synth::{read_file, SynthOptions, SynthRecord, NETLIST_FILE};
use crate::target::{Ecp5Part, Target};
use crate::tools::{read_log_tail, short_version, Tool, Tools};

const REPORT_FILE: &str = "report.json";
const LOG_FILE: &str = "nextpnr.log";

/// Place-and-route options. The target (iCE40 or ECP5) is passed separately.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PnrOptions {
    /// Synthesis options for the netlist that is placed (the iCE40 device is taken from here).
    pub synth: SynthOptions,
    /// Clock constraint in MHz (`--freq`). Fmax is reported whether or not it is met.
    pub freq_mhz: f64,
    /// iCE40 package; `None` picks the device's default (hx8k: ct256, up5k: sg48).
    pub ice40_package: Option<String>,
    /// ECP5 part (default LFE5U-85F, speed 6, CABGA381).
    pub ecp5: Ecp5Part,
    /// Placer seed (`--seed`), fixed so runs are reproducible.
    pub seed: u64,
}

impl Default for PnrOptions {
    fn default() -> Self {
        PnrOptions {
            synth: SynthOptions::default(),
            freq_mhz: 100.0,
            ice40_package: None,
            ecp5: Ecp5Part::default(),
            seed: 1,
        }
    }
}

/// Achieved and constrained frequency of one clock domain, from nextpnr's report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClockFmax {
    pub achieved_mhz: f64,
    pub constraint_mhz: f64,
}

/// Used and available count of one BEL type, from nextpnr's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Utilization {
    pub used: u64,
    pub available: u64,
}

/// The record of one place-and-route run (all figures measured by nextpnr).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PnrRecord {
    /// The synthesis run that produced the placed netlist.
    pub synth: SynthRecord,
    /// Part name, e.g. "iCE40HX8K-ct256" or "LFE5U-85F-6CABGA381".
    pub device: String,
    /// The `--freq` constraint, MHz.
    pub freq_constraint_mhz: f64,
    /// The lowest achieved Fmax over all clock domains, MHz; `None` when nextpnr found
    /// no register-to-register path (e.g. a purely combinational design).
    pub fmax_mhz: Option<f64>,
    /// Per-clock Fmax as nextpnr names the clock nets.
    pub clocks: BTreeMap<String, ClockFmax>,
    /// BEL utilization by type (ICESTORM_LC, TRELLIS_COMB, ...), only types with `available > 0`.
    pub utilization: BTreeMap<String, Utilization>,
    /// Packed logic cells used: ICESTORM_LC on iCE40 (LUT4+FF+carry each),
    /// TRELLIS_COMB on ECP5 (one LUT4 each, including route-through LUTs).
    pub logic_cells: u64,
    /// The BEL type counted in `logic_cells` ("ICESTORM_LC" or "TRELLIS_COMB").
    pub logic_cell_type: String,
    /// The slowest register-to-register path nextpnr reported (None in records cached
    /// before it was kept, or when there is no such path).
    #[serde(default)]
    pub critical_path: Option<CriticalPath>,
    /// "nextpnr-ice40" or "nextpnr-ecp5".
    pub tool: String,
    pub tool_version: String,
    /// The nextpnr command line (run in the work directory holding netlist.json).
    pub command: String,
    /// Provenance tag, e.g. "measured: nextpnr-ice40 0.4-1+b1 iCE40HX8K-ct256 --freq 100".
    pub source: String,
    /// True when this record came from the cache rather than a fresh run (not stored).
    #[serde(skip)]
    pub from_cache: bool,
}

/// The slowest path of a run, as nextpnr's report lists it: where it starts and ends, and
/// how its delay splits into cell delays (clock-to-q, logic, setup) and routing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriticalPath {
    /// Clock edges at both ends, e.g. "posedge clk -> posedge clk".
    pub clocks: String,
    /// The launching and the capturing cell (hierarchical names after packing).
    pub start: String,
    pub end: String,
    pub delay_ns: f64,
    /// Clock-to-q, logic and setup delays.
    pub cell_ns: f64,
    pub routing_ns: f64,
    /// Cells the path passes through (logic steps: LUTs, carry cells).
    pub logic_levels: usize,
}

impl CriticalPath {
    /// One line: "12.30 ns = 4.10 cells + 8.20 routing, 14 logic levels, from A to B".
    pub fn describe(&self) -> String {
        format!(
            "{:.2} ns = {:.2} ns cells + {:.2} ns routing, {} logic levels, from {} to {}",
            self.delay_ns, self.cell_ns, self.routing_ns, self.logic_levels, self.start, self.end
        )
    }
}

/// The parts of nextpnr's `--report` JSON this crate uses.
#[derive(Debug, Clone, Deserialize)]
pub struct NextpnrReport {
    #[serde(default)]
    pub fmax: BTreeMap<String, ReportClock>,
    #[serde(default)]
    pub utilization: BTreeMap<String, Utilization>,
    #[serde(default)]
    pub critical_paths: Vec<ReportPath>,
}

/// One `critical_paths` entry of the report.
#[derive(Debug, Clone, Deserialize)]
pub struct ReportPath {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub path: Vec<ReportStep>,
}

/// One step of a reported path: "clk-to-q", "routing", "logic" or "setup".
#[derive(Debug, Clone, Deserialize)]
pub struct ReportStep {
    #[serde(rename = "type")]
    pub kind: String,
    pub delay: f64,
    pub from: ReportPin,
    pub to: ReportPin,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReportPin {
    pub cell: String,
}

impl NextpnrReport {
    /// The reported path with the largest total delay.
    pub fn critical_path(&self) -> Option<CriticalPath> {
        let paths = self.critical_paths.iter().filter(|p| !p.path.is_empty()).map(|p| {
            let total = |f: &dyn Fn(&str) -> bool| p.path.iter().filter(|s| f(&s.kind)).map(|s| s.delay).sum::<f64>();
            CriticalPath {
                clocks: format!("{} -> {}", p.from, p.to),
                start: p.path[0].from.cell.clone(),
                end: p.path[p.path.len() - 1].to.cell.clone(),
                delay_ns: total(&|_| true),
                cell_ns: total(&|k| k != "routing"),
                routing_ns: total(&|k| k == "routing"),
                logic_levels: p.path.iter().filter(|s| s.kind == "logic").count(),
            }
        });
        paths.max_by(|a, b| a.delay_ns.total_cmp(&b.delay_ns))
    }
}

/// One `fmax` entry of the report.
#[derive(Debug, Clone, Deserialize)]
pub struct ReportClock {
    pub achieved: f64,
    pub constraint: f64,
}

/// Parse nextpnr's `--report` JSON.
pub fn parse_report(text: &str) -> Result<NextpnrReport> {
    serde_json::from_str(text).map_err(|e| FpgaError::BadToolOutput {
        what: "nextpnr --report JSON".into(),
        detail: e.to_string(),
    })
}

/// Which nextpnr to run and with which device flags.
pub(crate) struct PnrPlan {
    pub tool: Tool,
    pub device: String,
    pub args: Vec<String>,
    /// The BEL type counted as `logic_cells`.
    pub logic_bel: &'static str,
}

impl PnrOptions {
    /// Checks the part and clock for `target` without running anything (what
    /// [`Flow::place_and_route`] would refuse after synthesis).
    pub fn check(&self, target: Target) -> Result<()> {
        plan(target, self).map(|_| ())
    }
}

pub(crate) fn plan(target: Target, opts: &PnrOptions) -> Result<PnrPlan> {
    if !(opts.freq_mhz.is_finite() && opts.freq_mhz > 0.0) {
        return Err(FpgaError::InvalidInput(format!(
            "clock constraint {} MHz must be a positive number",
            opts.freq_mhz
        )));
    }
    let (tool, device, mut args, logic_bel) = match target {
        Target::Ice40 => {
            let dev = opts.synth.ice40_device;
            let package = opts
                .ice40_package
                .clone()
                .unwrap_or_else(|| dev.default_package().to_string());
            if !dev.packages().contains(&package.as_str()) {
                return Err(FpgaError::InvalidInput(format!("unknown iCE40 {} package `{package}`: use one of {}", dev.name(), dev.packages().join(", "))));
            }
            let args = vec![format!("--{}", dev.name()), "--package".into(), package.clone()];
            let device = format!("iCE40{}-{package}", dev.name().to_uppercase());
            (Tool::NextpnrIce40, device, args, "ICESTORM_LC")
        }
        Target::Ecp5 => {
            opts.ecp5.validate()?;
            let args = vec![
                format!("--{}", opts.ecp5.size),
                "--speed".into(),
                opts.ecp5.speed.to_string(),
                "--package".into(),
                opts.ecp5.package.clone(),
            ];
            (Tool::NextpnrEcp5, opts.ecp5.describe(), args, "TRELLIS_COMB")
        }
        Target::Xc7 | Target::Asic => {
            return Err(FpgaError::Unsupported(format!(
                "no place and route for target {target}: use ice40 or ecp5 (xc7 and asic give synthesis figures only)"
            )))
        }
    };
    args.extend([
        "--json".to_string(),
        NETLIST_FILE.to_string(),
        "--freq".into(),
        format!("{}", opts.freq_mhz),
        "--seed".into(),
        opts.seed.to_string(),
        "--report".into(),
        REPORT_FILE.into(),
        // Report Fmax even when the constraint is missed, instead of failing.
        "--timing-allow-fail".into(),
    ]);
    Ok(PnrPlan {
        tool,
        device,
        args,
        logic_bel,
    })
}

/// Run nextpnr in `dir` (which holds the netlist) and build the record.
pub(crate) fn run_nextpnr(
    tools: &Tools,
    dir: &Path,
    plan: &PnrPlan,
    opts: &PnrOptions,
    synth: SynthRecord,
) -> Result<PnrRecord> {
    let tool_version = tools.version(plan.tool)?;
    if let Err(err) = tools.run(plan.tool, &plan.args, dir, LOG_FILE) {
        return Err(explain_failure(err, &plan.device, &dir.join(LOG_FILE)));
    }
    let report = parse_report(&read_file(&dir.join(REPORT_FILE))?)?;
    let critical_path = report.critical_path();
    let clocks: BTreeMap<String, ClockFmax> = report
        .fmax
        .into_iter()
        .map(|(name, c)| {
            (
                name,
                ClockFmax {
                    achieved_mhz: c.achieved,
                    constraint_mhz: c.constraint,
                },
            )
        })
        .collect();
    let fmax_mhz = clocks.values().map(|c| c.achieved_mhz).reduce(f64::min);
    let utilization: BTreeMap<String, Utilization> = report
        .utilization
        .into_iter()
        .filter(|(_, u)| u.available > 0)
        .collect();
    let logic_cells = utilization.get(plan.logic_bel).map_or(0, |u| u.used);
    let command = format!("{} {}", tools.program(plan.tool), plan.args.join(" "));
    Ok(PnrRecord {
        synth,
        device: plan.device.clone(),
        freq_constraint_mhz: opts.freq_mhz,
        fmax_mhz,
        clocks,
        utilization,
        logic_cells,
        logic_cell_type: plan.logic_bel.to_string(),
        critical_path,
        tool: plan.tool.name().into(),
        source: format!(
            "measured: {} {} {} --freq {}",
            plan.tool.name(),
            short_version(&tool_version),
            plan.device,
            opts.freq_mhz
        ),
        tool_version,
        command,
        from_cache: false,
    })
}

/// Turn a nextpnr failure caused by a full device into [`FpgaError::DoesNotFit`].
fn explain_failure(err: FpgaError, device: &str, log: &Path) -> FpgaError {
    let FpgaError::ToolFailed { log_tail, .. } = &err else {
        return err;
    };
    let full_tail = read_log_tail(log, 200);
    let markers = [
        "no BELs remaining",
        "Unable to find a placement location",
        "Unable to find legal placement for all cells",
        "Design uses",
        "but device only has",
    ];
    match full_tail
        .lines()
        .find(|l| l.contains("ERROR") && markers.iter().any(|m| l.contains(m)))
    {
        Some(line) => FpgaError::DoesNotFit {
            device: device.to_string(),
            reason: line.trim().trim_start_matches("ERROR:").trim().to_string(),
            log_tail: log_tail.clone(),
        },
        None => err,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::Ice40Device;

    #[test]
    fn ice40_plan() {
        let p = plan(Target::Ice40, &PnrOptions::default()).unwrap();
        assert_eq!(p.device, "iCE40HX8K-ct256");
        assert_eq!(&p.args[..3], ["--hx8k", "--package", "ct256"]);
        assert!(p.args.contains(&"--timing-allow-fail".to_string()));
        let mut o = PnrOptions::default();
        o.synth.ice40_device = Ice40Device::Up5k;
        assert_eq!(plan(Target::Ice40, &o).unwrap().device, "iCE40UP5K-sg48");
    }

    #[test]
    fn ecp5_plan() {
        let p = plan(Target::Ecp5, &PnrOptions::default()).unwrap();
        assert_eq!(p.device, "LFE5U-85F-6CABGA381");
        assert_eq!(&p.args[..5], ["--85k", "--speed", "6", "--package", "CABGA381"]);
    }

    #[test]
    fn refused_plans() {
        assert!(matches!(plan(Target::Xc7, &PnrOptions::default()), Err(FpgaError::Unsupported(_))));
        let o = PnrOptions { freq_mhz: 0.0, ..PnrOptions::default() };
        assert!(matches!(plan(Target::Ice40, &o), Err(FpgaError::InvalidInput(_))));
        let o = PnrOptions { ice40_package: Some("ct 256".into()), ..PnrOptions::default() };
        assert!(plan(Target::Ice40, &o).is_err());
    }

    #[test]
    fn does_not_fit_is_recognised() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("nextpnr.log");
        std::fs::write(
            &log,
            "Info: Packing...\nERROR: Unable to place cell 'x_LC', no BELs remaining to implement cell type 'ICESTORM_LC'\n1 warning, 1 error\n",
        )
        .unwrap();
        let err = FpgaError::ToolFailed {
            tool: "nextpnr-ice40",
            status: "exit status: 255".into(),
            log_tail: "...".into(),
        };
        match explain_failure(err, "iCE40UP5K-sg48", &log) {
            FpgaError::DoesNotFit { device, reason, .. } => {
                assert_eq!(device, "iCE40UP5K-sg48");
                assert!(reason.starts_with("Unable to place cell"), "{reason}");
            }
            other => panic!("expected DoesNotFit, got {other}"),
        }
    }

    #[test]
    fn the_slowest_reported_path_is_kept() {
        // two paths from a real nextpnr-ice40 report, trimmed to the fields read
        let step = |kind: &str, delay: f64, from: &str, to: &str| {
            format!(r#"{{"type":"{kind}","delay":{delay},"from":{{"cell":"{from}","port":"O","loc":[1,2]}},"to":{{"cell":"{to}","port":"I3","loc":[1,3]}},"net":"n"}}"#)
        };
        let fast = [step("clk-to-q", 0.54, "a_ff", "a_ff"), step("routing", 0.59, "a_ff", "b_lc"), step("setup", 0.47, "b_lc", "b_lc")];
        let slow = [
            step("clk-to-q", 0.54, "ctrl.count_ff", "ctrl.count_ff"),
            step("routing", 0.59, "ctrl.count_ff", "lut1"),
            step("logic", 0.31, "lut1", "lut1"),
            step("routing", 0.59, "lut1", "lut2"),
            step("logic", 0.26, "lut2", "lut2"),
            step("setup", 0.47, "lut2", "ctrl.overflow_ff"),
        ];
        let text = format!(
            r#"{{"fmax":{{"clk":{{"achieved":80.1,"constraint":100}}}},"utilization":{{}},"critical_paths":[{{"from":"posedge clk","to":"posedge clk","path":[{}]}},{{"from":"posedge clk","to":"posedge clk","path":[{}]}}]}}"#,
            fast.join(","),
            slow.join(",")
        );
        let p = parse_report(&text).unwrap().critical_path().unwrap();
        assert_eq!((p.start.as_str(), p.end.as_str(), p.logic_levels), ("ctrl.count_ff", "ctrl.overflow_ff", 2));
        assert!((p.delay_ns - 2.76).abs() < 1e-9 && (p.routing_ns - 1.18).abs() < 1e-9 && (p.cell_ns - 1.58).abs() < 1e-9, "{p:?}");
        assert_eq!(p.clocks, "posedge clk -> posedge clk");
        assert!(p.describe().starts_with("2.76 ns = 1.58 ns cells + 1.18 ns routing, 2 logic levels, from ctrl.count_ff"));
        // a report without paths (older nextpnr, combinational design) has none
        assert!(parse_report(r#"{"fmax":{}}"#).unwrap().critical_path().is_none());
    }
}
