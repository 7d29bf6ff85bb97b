//! `tern synth`: synthesize Verilog with Yosys for xc7, ice40, ecp5 or asic, and for
//! ice40/ecp5 place and route it with nextpnr for Fmax. Thin: the fpga crate does the work.

use std::path::PathBuf;

use anyhow::Context;
use fpga::{Ecp5Part, Flow, Ice40Device, PnrOptions, PnrRecord, SynthOptions, SynthRecord, Target};
use serde_json::{json, Value};

use super::array::ArrayArgs;

#[derive(clap::Args, Debug, Clone)]
pub struct SynthArgs {
    /// Target: xc7, ice40, ecp5 or asic.
    #[arg(long)]
    pub target: Target,
    /// Verilog file to synthesize; without it, the ternary array of --rows/--lanes is generated.
    #[arg(long, requires = "top")]
    pub verilog: Option<PathBuf>,
    /// Top module name of --verilog.
    #[arg(long, requires = "verilog")]
    pub top: Option<String>,
    /// The generated array (when no --verilog is given).
    #[command(flatten)]
    pub array: ArrayArgs,
    /// Synthesize the int8 x int8 multiply-accumulate baseline of the same shape instead.
    #[arg(long, conflicts_with = "verilog")]
    pub baseline: bool,
    /// Synthesize the streaming top (`tern_stream`: memory port, base-3 decoders, tile FIFO,
    /// the array) instead of the bare array.
    #[arg(long, conflicts_with_all = ["verilog", "baseline"])]
    pub stream: bool,
    /// Flatten the hierarchy before mapping (the default).
    #[arg(long, conflicts_with_all = ["no_flatten", "both"])]
    pub flatten: bool,
    /// Keep the hierarchy (adder trees often keep their carry chains this way).
    #[arg(long, conflicts_with = "both")]
    pub no_flatten: bool,
    /// Run both flattened and hierarchical and report both and the one with fewer LUTs.
    #[arg(long)]
    pub both: bool,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Clock constraint in MHz for place and route (ice40 and ecp5).
    #[arg(long, default_value_t = 100.0)]
    pub freq: f64,
    /// ice40/ecp5: synthesis only, no place and route (no Fmax).
    #[arg(long)]
    pub no_pnr: bool,
    /// iCE40 part: hx8k or up5k (up5k maps multipliers to SB_MAC16).
    #[arg(long, default_value = "hx8k")]
    pub ice40_device: Ice40Device,
    /// iCE40 package (default: ct256 for hx8k, sg48 for up5k).
    #[arg(long)]
    pub ice40_package: Option<String>,
    /// ECP5 size: 12k, 25k, 45k or 85k.
    #[arg(long, default_value = "85k")]
    pub ecp5_size: String,
    /// ECP5 speed grade: 6, 7 or 8.
    #[arg(long, default_value_t = 6)]
    pub ecp5_speed: u8,
    /// ECP5 package.
    #[arg(long, default_value = "CABGA381")]
    pub ecp5_package: String,
    /// nextpnr placer seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Do not read or write the result cache ($TERN_CACHE_DIR, default ~/.cache/tern).
    #[arg(long)]
    pub no_cache: bool,
}

/// Refuses options the target ignores and a part or clock nextpnr would refuse, before Yosys.
fn check_options(args: &SynthArgs, given: &super::errors::Given) -> anyhow::Result<()> {
    let t = args.target;
    let pnr = t.has_place_and_route();
    given.refuse_unless(args.verilog.is_none(), &super::array::ARRAY_IDS, "sets the generated array: drop --verilog to synthesize it")?;
    given.refuse_unless(args.stream, &super::array::STREAM_IDS, "sets the streaming top's memory port: add --stream")?;
    if args.no_pnr && !pnr {
        anyhow::bail!("--no-pnr: {t} has no place and route; drop it");
    }
    given.refuse_unless(pnr && !args.no_pnr, &["freq"], "constrains place and route: use it with --target ice40 or ecp5 (without --no-pnr)")?;
    given.refuse_unless(pnr && !args.no_pnr, &["seed"], "seeds the placer: use it with --target ice40 or ecp5 (without --no-pnr)")?;
    given.refuse_unless(t == Target::Ice40, &["ice40_device", "ice40_package"], "sets the iCE40 part: use it with --target ice40")?;
    given.refuse_unless(t == Target::Ecp5, &["ecp5_size", "ecp5_speed", "ecp5_package"], "sets the ECP5 part: use it with --target ecp5")?;
    if pnr && !args.no_pnr {
        pnr_options(args, true).check(t)?;
    }
    Ok(())
}

/// The place-and-route options the arguments describe.
fn pnr_options(args: &SynthArgs, flatten: bool) -> PnrOptions {
    PnrOptions {
        synth: SynthOptions { flatten, ice40_device: args.ice40_device },
        freq_mhz: args.freq,
        ice40_package: args.ice40_package.clone(),
        ecp5: Ecp5Part { size: args.ecp5_size.clone(), speed: args.ecp5_speed, package: args.ecp5_package.clone() },
        seed: args.seed,
    }
}

/// Synthesize the given Verilog file, or the ternary array the array options describe.
pub fn run(args: SynthArgs, given: &super::errors::Given) -> anyhow::Result<()> {
    check_options(&args, given)?;
    let text = match (&args.verilog, &args.top) {
        (Some(path), Some(top)) => {
            let verilog = std::fs::read_to_string(path).with_context(|| format!("cannot read Verilog file {}", path.display()))?;
            synthesize_verilog(&verilog, top, &args, None)?
        }
        _ if args.baseline => {
            let mut cfg = args.array.config(8192);
            if args.array.accumulator_bits.is_none() {
                cfg.accumulator_bits = hdl::baseline::min_accumulator_bits(&cfg);
            }
            let verilog = hdl::baseline::emit_baseline_verilog(&cfg).context("cannot generate the baseline")?;
            if args.target.has_place_and_route() && !args.no_pnr {
                anyhow::bail!("place and route of the baseline is not wired (its weight bus differs from the array's); add --no-pnr");
            }
            let spinner = super::spinner(format!("synthesizing the {}x{} int8 MAC baseline for {}", cfg.rows, cfg.lanes, args.target));
            let mut text = synthesize_verilog(&verilog, hdl::baseline::TOP_MODULE, &args, None);
            spinner.finish_and_clear();
            if let (Ok(t), true) = (&mut text, args.json) {
                // the same lut_per_mac figure as the array's, for comparison
                let mut v: Value = serde_json::from_str(t)?;
                if let Some(luts) = v.get("luts").and_then(Value::as_f64) {
                    v["macs"] = json!(cfg.rows * cfg.lanes);
                    v["lut_per_mac"] = json!(luts / (cfg.rows * cfg.lanes) as f64);
                }
                *t = serde_json::to_string_pretty(&v)?;
            }
            text?
        }
        _ => {
            let cfg = args.array.config(8192);
            let (verilog, top) = emit_design(&cfg, args.stream)?;
            let spinner = super::spinner(format!("synthesizing the {}x{} {top} for {} (cached after the first run)", cfg.rows, cfg.lanes, args.target));
            let text = synthesize_verilog(&verilog, top, &args, Some(&cfg));
            spinner.finish_and_clear();
            text?
        }
    };
    println!("{text}");
    Ok(())
}

/// Synthesize (and for ice40/ecp5 place and route) `verilog` with top module `top` as `args`
/// ask, and return the table or JSON text. For a generated array (`array` given), LUTs per
/// MAC are reported, and place and route runs on the array behind a serial pin wrapper
/// (its thousands of port bits fit no package) while resources come from the bare array.
pub fn synthesize_verilog(verilog: &str, top: &str, args: &SynthArgs, array: Option<&hdl::ArrayConfig>) -> anyhow::Result<String> {
    let mut flow = Flow::from_env();
    if args.no_cache {
        flow.cache = fpga::Cache::disabled();
    }
    let flattens: Vec<bool> = if args.both { vec![true, false] } else { vec![!args.no_flatten] };
    let mut runs = Vec::new();
    for flatten in flattens {
        runs.push(run_one(&flow, verilog, top, args, flatten, array)?);
    }
    let best = match runs.as_slice() {
        [a, b] => usize::from(std::ptr::eq(fpga::pick_fewer_luts(&a.synth, &b.synth), &b.synth)),
        _ => 0,
    };
    Ok(if args.json {
        let value = match runs.as_slice() {
            [one] => summary(one),
            many => json!({
                "flattened": summary(&many[0]),
                "hierarchical": summary(&many[1]),
                "fewer_luts": if best == 0 { "flattened" } else { "hierarchical" },
            }),
        };
        serde_json::to_string_pretty(&value)?
    } else {
        table(&runs, best)
    })
}

/// One synthesis (and maybe place-and-route) run.
struct Run {
    synth: SynthRecord,
    pnr: Option<PnrRecord>,
    /// MAC units of a generated array
    macs: Option<usize>,
    /// The generated design's configuration (absent for --verilog)
    design: Option<hdl::ArrayConfig>,
}

fn run_one(flow: &Flow, verilog: &str, top: &str, args: &SynthArgs, flatten: bool, array: Option<&hdl::ArrayConfig>) -> anyhow::Result<Run> {
    let macs = array.map(|c| c.rows * c.lanes);
    let design = array.cloned();
    let opts = pnr_options(args, flatten);
    let synth_opts = opts.synth.clone();
    if args.target.has_place_and_route() && !args.no_pnr {
        let Some(cfg) = array else {
            let pnr = flow.place_and_route(verilog, top, args.target, &opts)?;
            return Ok(Run { synth: pnr.synth.clone(), pnr: Some(pnr), macs, design });
        };
        let pnr = place_and_route_design(flow, verilog, cfg, args.stream, args.target, &opts)?;
        let synth = flow.synthesize(verilog, top, args.target, &synth_opts)?;
        Ok(Run { synth, pnr: Some(pnr), macs, design })
    } else {
        Ok(Run {
            synth: flow.synthesize(verilog, top, args.target, &synth_opts)?,
            pnr: None,
            macs,
            design,
        })
    }
}

fn summary(run: &Run) -> Value {
    let s = &run.synth;
    let r = &s.resources;
    let mut v = json!({
        "target": s.target,
        "top": s.top,
        "flatten": s.flatten,
        "luts": r.luts,
        "lutram_luts": r.lutram_luts,
        "ffs": r.ffs,
        "brams": r.brams,
        "dsps": r.dsps,
        "carry_cells": r.carry_cells,
        "multipliers": s.has_multipliers(),
        "cells": s.cells,
        "source": s.source,
        "from_cache": s.from_cache,
    });
    let map = v.as_object_mut().expect("json! object");
    if let Some(macs) = run.macs {
        map.insert("macs".into(), json!(macs));
        map.insert("lut_per_mac".into(), json!(r.luts as f64 / macs as f64));
    }
    if let Some(cfg) = &run.design {
        // what `tern generate --fmax-from` checks against the design it simulates
        map.insert("design".into(), json!(cfg));
    }
    if let Some(area) = &s.asic {
        map.insert("nand2_eq".into(), json!(area.nand2_eq));
        map.insert("um2_45nm".into(), json!(area.um2_45nm));
        map.insert("um2_7nm".into(), json!(area.um2_7nm));
        map.insert("area_source".into(), json!(area.source));
    }
    if let Some(p) = &run.pnr {
        map.insert("device".into(), json!(p.device));
        map.insert("fmax_mhz".into(), json!(p.fmax_mhz));
        map.insert("freq_constraint_mhz".into(), json!(p.freq_constraint_mhz));
        map.insert("logic_cells".into(), json!(p.logic_cells));
        map.insert("utilization".into(), json!(p.utilization));
        map.insert("pnr_source".into(), json!(p.source));
        map.insert("critical_path".into(), json!(p.critical_path));
        map.insert("from_cache".into(), json!(p.from_cache));
    } else if s.target.has_place_and_route() {
        map.insert("fmax_mhz".into(), Value::Null);
    }
    v
}

fn table(runs: &[Run], best: usize) -> String {
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    let mut row = |label: &str, f: &dyn Fn(&Run) -> String| {
        rows.push((label.to_string(), runs.iter().map(f).collect()));
    };
    row("target", &|r| r.synth.target.to_string());
    row("top", &|r| r.synth.top.clone());
    row("flatten", &|r| if r.synth.flatten { "yes".into() } else { "no".into() });
    row("LUTs", &|r| r.synth.resources.luts.to_string());
    if runs.iter().any(|r| r.macs.is_some()) {
        row("LUT/MAC", &|r| r.macs.map_or("-".into(), |m| format!("{:.2}", r.synth.resources.luts as f64 / m as f64)));
    }
    row("LUTRAM LUTs", &|r| r.synth.resources.lutram_luts.to_string());
    row("FFs", &|r| r.synth.resources.ffs.to_string());
    row("BRAMs", &|r| r.synth.resources.brams.to_string());
    row("DSPs", &|r| r.synth.resources.dsps.to_string());
    row("carry cells", &|r| r.synth.resources.carry_cells.to_string());
    row("multipliers", &|r| if r.synth.has_multipliers() { "yes".into() } else { "no".into() });
    if runs.iter().any(|r| r.synth.asic.is_some()) {
        let area = |r: &Run, f: fn(&fpga::AsicArea) -> f64| r.synth.asic.as_ref().map_or("-".into(), |a| format!("{:.1}", f(a)));
        row("NAND2 eq (modeled)", &|r| area(r, |a| a.nand2_eq));
        row("um^2 45nm (modeled)", &|r| area(r, |a| a.um2_45nm));
        row("um^2 7nm (modeled)", &|r| area(r, |a| a.um2_7nm));
    }
    if runs.iter().any(|r| r.pnr.is_some()) {
        let pnr = |r: &Run, f: &dyn Fn(&PnrRecord) -> String| r.pnr.as_ref().map_or("-".into(), f);
        row("device", &|r| pnr(r, &|p| p.device.clone()));
        row("Fmax MHz", &|r| {
            pnr(r, &|p| match p.fmax_mhz {
                Some(f) => format!("{f:.1} (constraint {})", p.freq_constraint_mhz),
                None => "no reg-to-reg path".into(),
            })
        });
        row("critical path", &|r| pnr(r, &|p| p.critical_path.as_ref().map_or("-".into(), fpga::CriticalPath::describe)));
        row("logic cells", &|r| {
            pnr(r, &|p| {
                let avail = p.utilization.get(&p.logic_cell_type).map_or(0, |u| u.available);
                format!("{} / {avail} {}", p.logic_cells, p.logic_cell_type)
            })
        });
    }
    if runs.len() == 2 {
        row("fewer LUTs", &|r| if std::ptr::eq(r, &runs[best]) { "<-".into() } else { String::new() });
    }
    let width = rows.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    let col = rows.iter().flat_map(|(_, v)| v.iter().map(String::len)).max().unwrap_or(0);
    let mut out = String::new();
    for (label, values) in &rows {
        out.push_str(&format!("{label:<width$}"));
        for v in values {
            out.push_str(&format!("  {v:<col$}"));
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
    }
    for r in runs {
        out.push_str(&format!("source: {}", r.synth.source));
        if let Some(p) = &r.pnr {
            out.push_str(&format!("; {}", p.source));
        }
        if r.synth.from_cache {
            out.push_str(" (cached)");
        }
        out.push('\n');
    }
    out.truncate(out.trim_end().len());
    out
}

/// The generated design's Verilog and top module: the bare array, or with `stream` the
/// streaming top around it.
pub fn emit_design(cfg: &hdl::ArrayConfig, stream: bool) -> anyhow::Result<(String, &'static str)> {
    let top = top_of(stream);
    let verilog = top.emit(cfg).with_context(|| format!("cannot generate {}", top.module()))?;
    Ok((verilog, top.module()))
}

fn top_of(stream: bool) -> hdl::Top {
    if stream {
        hdl::Top::Stream
    } else {
        hdl::Top::Array
    }
}

/// The clock (MHz) and its provenance: the measured Fmax of `fmax_from` (a `tern synth
/// --json` output), else `clock_mhz` as a given clock of `command`. With `simulated` (the
/// streaming top a simulation runs), the Fmax must have been measured on that very design.
pub fn clock_of(
    fmax_from: Option<&std::path::Path>,
    clock_mhz: f64,
    command: &str,
    simulated: Option<&hdl::ArrayConfig>,
) -> anyhow::Result<(f64, String)> {
    let Some(path) = fmax_from else {
        return Ok((clock_mhz, format!("given clock (tern {command} --clock-mhz {clock_mhz})")));
    };
    let (mhz, source, v) = read_fmax(path)?;
    if let Some(cfg) = simulated {
        let top = v.get("top").and_then(Value::as_str).unwrap_or("no top");
        let differs = match v.get("design") {
            _ if top != hdl::stream::TOP_MODULE => format!("it measured {top}, not {}", hdl::stream::TOP_MODULE),
            None => "it names no design".to_string(),
            Some(measured) => {
                let simulated = json!(cfg);
                let fields: Vec<String> = simulated
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter(|(k, want)| measured.get(k.as_str()) != Some(*want))
                    .map(|(k, want)| format!("{k} {} there, {want} here", measured.get(k.as_str()).unwrap_or(&Value::Null)))
                    .collect();
                fields.join(", ")
            }
        };
        if !differs.is_empty() {
            anyhow::bail!(
                "{} is the Fmax of another design than the one simulated ({differs}): measure this one with `tern synth --stream` and the same array options",
                path.display()
            );
        }
    }
    Ok((mhz, source))
}

/// The measured Fmax (MHz), its provenance and the whole record from a `tern synth --json`
/// output of an ice40 or ecp5 run: the clock the streaming simulation and `tern size` can run at.
fn read_fmax(path: &std::path::Path) -> anyhow::Result<(f64, String, Value)> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let v: Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not the JSON `tern synth --json` writes", path.display()))?;
    let (Some(mhz), Some(source)) = (v.get("fmax_mhz").and_then(Value::as_f64), v.get("pnr_source").and_then(Value::as_str)) else {
        anyhow::bail!(
            "{} has no measured Fmax (fmax_mhz and pnr_source): write it with `tern synth --target ecp5 --json` (ice40 or ecp5, without --no-pnr)",
            path.display()
        );
    };
    if !(mhz.is_finite() && mhz > 0.0) {
        anyhow::bail!("{}: fmax_mhz {mhz} is not a positive frequency", path.display());
    }
    let source = source.to_string();
    Ok((mhz, source, v))
}

/// Place and route the array (or, with `stream`, the streaming top) for `target` behind fpga's
/// serial pin wrapper (its thousands of port bits fit no package); the Fmax measured is the
/// design's own.
pub fn place_and_route_design(
    flow: &Flow,
    verilog: &str,
    cfg: &hdl::ArrayConfig,
    stream: bool,
    target: Target,
    opts: &PnrOptions,
) -> fpga::Result<PnrRecord> {
    let top = top_of(stream);
    let ports: Vec<fpga::WrapPort> = top.ports(cfg).into_iter().map(Into::into).collect();
    flow.place_and_route_wrapped(verilog, top.module(), &ports, target, opts)
}
