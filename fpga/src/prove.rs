//! Formal equivalence of a generated block and its specification, with Yosys and ABC.
//!
//! **Contract.** [`Flow::prove`](crate::Flow::prove) takes two Verilog designs with the same
//! ports (`gold` = the specification, `gate` = the generated block) and returns
//! [`Verdict::Proven`] only if every output of the two is equal in every cycle of every input
//! sequence, of any length, from the initial state where every flip-flop of both is zero.
//! Otherwise it returns [`Verdict::Counterexample`]: the first cycles that break it, the input
//! values per cycle, the outputs that differ, and a VCD. Combinational blocks are proven for
//! every input.
//!
//! **Initial state.** All-zero is the state a reset leaves the control of the generated blocks
//! in (valid pipelines, counters, accumulators, flags); registers a reset does not clear hold
//! data that is never observed without its valid, so a proof from zero with reset free in every
//! later cycle covers reset at any time. (Specs compare such data only with its valid: see
//! `hdl::spec`.)
//!
//! **How.** Yosys builds the miter (`miter -equiv -flatten gold gate miter`: its `trigger`
//! output is high when any output differs), bit-blasts it (`techmap`, `setundef -zero -init`
//! gives every flip-flop the initial value 0, `aigmap`) and writes AIGER; ABC's `dprove`
//! (`yosys-abc`, part of Debian's yosys package) proves `trigger` never rises: an unbounded
//! sequential proof (induction after SAT sweeping), not a bounded model check. If `dprove`
//! finds `trigger` high in frame F, Yosys's own SAT rebuilds that trace on the miter
//! (`sat -seq F+1 -set-init-zero -prove trigger 0 -show-inputs -show-outputs -dump_vcd`).
//! If `dprove` can decide neither way the result is [`FpgaError::Unsupported`] naming the
//! log. All files of a run (the designs, scripts, logs, `counterexample.vcd`) are written
//! to the directory the caller gives.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::error::{FpgaError, Result};
use crate::synth::{read_file, validate_input, write_file};
use crate::tools::{Tool, Tools};

/// One proof to run.
#[derive(Debug, Clone)]
pub struct ProofJob {
    /// A name for records and messages (e.g. "array 2x4 2bit").
    pub name: String,
    /// Verilog of the specification; its top module is `gold_top`.
    pub gold: String,
    pub gold_top: String,
    /// Verilog of the block under proof; its top module is `gate_top`.
    pub gate: String,
    pub gate_top: String,
}

/// The outcome of a proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Proven,
    Counterexample,
}

/// One cycle of a counterexample: hex values of the inputs and of both sides' outputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CexCycle {
    /// 0 = the first cycle after the all-zero initial state.
    pub cycle: usize,
    pub inputs: Vec<(String, String)>,
    /// Outputs whose spec (gold) and block (gate) values differ: `(name, gold, gate)`.
    pub differs: Vec<(String, String, String)>,
}

/// A trace on which the block and its specification disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counterexample {
    /// Cycles of the trace (the last one shows the difference).
    pub cycles: usize,
    pub vcd: PathBuf,
    pub trace: Vec<CexCycle>,
}

/// The record of one proof.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProofRecord {
    pub name: String,
    pub verdict: Verdict,
    /// What was proven, in words (method, depth, initial state).
    pub claim: String,
    pub counterexample: Option<Counterexample>,
    /// Wall-clock time of the proof (Yosys and ABC), seconds.
    pub seconds: f64,
    pub tool_version: String,
    /// The directory holding the run's files.
    pub dir: PathBuf,
}

/// What a proven record claims.
pub const CLAIM: &str = "every output equal in every cycle of every input sequence (unbounded: ABC dprove \
    on the Yosys miter), from the state with every flip-flop zero; reset is a free input in every cycle";

const GOLD_FILE: &str = "gold.v";
const GATE_FILE: &str = "gate.v";
const MITER_SCRIPT: &str = "miter.ys";
const DESIGN_RTLIL: &str = "design.il";
const MITER_AIG: &str = "miter.aig";
const CEX_SCRIPT: &str = "cex.ys";
const CEX_VCD: &str = "counterexample.vcd";

/// The Yosys script that builds the miter and writes it as RTLIL and AIGER.
pub fn miter_script(gold_top: &str, gate_top: &str) -> String {
    format!(
        "read_verilog -sv {GOLD_FILE}\nread_verilog -sv {GATE_FILE}\nhierarchy -check\nproc\nmemory\nopt_clean\n\
         write_rtlil {DESIGN_RTLIL}\nmiter -equiv -flatten {gold_top} {gate_top} miter\nhierarchy -top miter\nflatten\nopt -fast\n\
         techmap\nopt -fast\ndffunmap\nasync2sync\nsetundef -zero -init\naigmap\n\
         write_aiger -zinit {MITER_AIG}\n"
    )
}

/// The ABC command line: prove the miter's output is never 1.
pub fn abc_command() -> String {
    format!("read_aiger {MITER_AIG}; print_stats; dprove")
}

/// The Yosys script that rebuilds a counterexample of `cycles` cycles (on a miter that also
/// has every `gold_*` and `gate_*` output, to show them).
pub fn cex_script(gold_top: &str, gate_top: &str, cycles: usize) -> String {
    format!(
        "read_rtlil {DESIGN_RTLIL}\nmiter -equiv -flatten -make_outputs {gold_top} {gate_top} miter\nhierarchy -top miter\nflatten\n\
         sat -seq {cycles} -set-init-zero -prove trigger 0 -show-inputs -show-outputs \
         -dump_vcd {CEX_VCD} miter\n"
    )
}

/// What ABC's `dprove` said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AbcResult {
    Equivalent,
    /// The miter output rose in this frame (0-based).
    FailsAt(usize),
    Undecided,
}

pub(crate) fn parse_abc(log: &str) -> AbcResult {
    if let Some(frame) = log.lines().find_map(|l| {
        let rest = l.split(" was asserted in frame ").nth(1)?;
        rest.split(|c: char| !c.is_ascii_digit()).next()?.parse::<usize>().ok()
    }) {
        return AbcResult::FailsAt(frame);
    }
    // without latches dprove runs a combinational check: UNSATISFIABLE = no differing input
    let cec = log.split("Running CEC.").nth(1);
    if cec.is_some_and(|t| t.trim_start().starts_with("SATISFIABLE")) {
        return AbcResult::FailsAt(0);
    }
    if log.contains("Networks are equivalent") || cec.is_some_and(|t| t.trim_start().starts_with("UNSATISFIABLE")) {
        AbcResult::Equivalent
    } else {
        AbcResult::Undecided
    }
}

/// The `-show-inputs -show-outputs` table of a Yosys `sat` log: per cycle, inputs and the
/// outputs that differ between gold and gate.
pub(crate) fn parse_sat_table(log: &str) -> Vec<CexCycle> {
    use std::collections::BTreeMap;
    /// Per cycle: the inputs, and each output's [gold, gate] values.
    type Cycle = (Vec<(String, String)>, BTreeMap<String, [String; 2]>);
    let mut rows: BTreeMap<usize, Cycle> = BTreeMap::new();
    let mut in_table = false;
    for line in log.lines() {
        if line.trim_start().starts_with("Time Signal Name") {
            in_table = true;
            continue;
        }
        if !in_table {
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        let Some(step) = f.first().and_then(|s| s.parse::<usize>().ok()) else {
            // the initial values ("init" rows) and the rule under the header stay in the table
            if !line.trim().is_empty() && !line.trim_start().starts_with("----") && f.first() != Some(&"init") {
                in_table = false;
            }
            continue;
        };
        if f.len() < 4 || step == 0 {
            continue;
        }
        let (name, hex) = (f[1].trim_start_matches('\\'), f[f.len() - 2].to_string());
        let row = rows.entry(step - 1).or_default();
        if let Some(port) = name.strip_prefix("in_") {
            if port != "clk" && port != "clock" {
                row.0.push((port.to_string(), hex));
            }
        } else if let Some(port) = name.strip_prefix("gold_") {
            row.1.entry(port.to_string()).or_default()[0] = hex;
        } else if let Some(port) = name.strip_prefix("gate_") {
            row.1.entry(port.to_string()).or_default()[1] = hex;
        }
    }
    rows.into_iter()
        .map(|(cycle, (inputs, outs))| CexCycle {
            cycle,
            inputs,
            differs: outs.into_iter().filter(|(_, [g, t])| g != t).map(|(n, [g, t])| (n, g, t)).collect(),
        })
        .collect()
}

/// Run a proof in `dir` (created if missing). See the module docs.
pub(crate) fn run(tools: &Tools, job: &ProofJob, dir: &Path) -> Result<ProofRecord> {
    validate_input(&job.gold, &job.gold_top)?;
    validate_input(&job.gate, &job.gate_top)?;
    let tool_version = tools.version(Tool::Yosys)?;
    std::fs::create_dir_all(dir).map_err(|e| FpgaError::io("create", dir, e))?;
    let start = Instant::now();
    write_file(&dir.join(GOLD_FILE), &job.gold)?;
    write_file(&dir.join(GATE_FILE), &job.gate)?;
    write_file(&dir.join(MITER_SCRIPT), &miter_script(&job.gold_top, &job.gate_top))?;
    tools.run(Tool::Yosys, &["-q".into(), "-s".into(), MITER_SCRIPT.into()], dir, "miter.log")?;
    tools.run(Tool::Abc, &["-c".into(), abc_command()], dir, "abc.log")?;
    let abc_log = dir.join("abc.log");
    let record = |verdict, claim: String, counterexample| ProofRecord {
        name: job.name.clone(),
        verdict,
        claim,
        counterexample,
        seconds: start.elapsed().as_secs_f64(),
        tool_version: tool_version.clone(),
        dir: dir.to_path_buf(),
    };
    match parse_abc(&read_file(&abc_log)?) {
        AbcResult::Equivalent => Ok(record(Verdict::Proven, CLAIM.to_string(), None)),
        AbcResult::FailsAt(frame) => {
            let cycles = frame + 1;
            write_file(&dir.join(CEX_SCRIPT), &cex_script(&job.gold_top, &job.gate_top, cycles))?;
            tools.run(Tool::Yosys, &["-s".into(), CEX_SCRIPT.into()], dir, "cex.log")?;
            let trace = parse_sat_table(&read_file(&dir.join("cex.log"))?);
            if trace.last().is_none_or(|c| c.differs.is_empty()) {
                return Err(FpgaError::BadToolOutput {
                    what: format!("the counterexample of {} (log {})", job.name, dir.join("cex.log").display()),
                    detail: format!("ABC found a difference in cycle {frame}, Yosys's SAT shows none"),
                });
            }
            let claim = format!("outputs differ in cycle {frame} of the trace below, from the all-zero state");
            Ok(record(Verdict::Counterexample, claim, Some(Counterexample { cycles, vcd: dir.join(CEX_VCD), trace })))
        }
        AbcResult::Undecided => Err(FpgaError::Unsupported(format!(
            "ABC's dprove could not decide the proof of {}: see {}",
            job.name,
            abc_log.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abc_verdicts() {
        assert_eq!(parse_abc("Reached local conflict limit (2000).\nNetworks are equivalent.  Time =     2.71 sec"), AbcResult::Equivalent);
        assert_eq!(parse_abc("Output 0 of miter \"bad\" was asserted in frame 5.\nNetworks are not equivalent."), AbcResult::FailsAt(5));
        assert_eq!(parse_abc("Output 0 of miter \"miter\" was asserted in frame 0. Time =     0.00 sec"), AbcResult::FailsAt(0));
        assert_eq!(parse_abc("Networks are UNDECIDED."), AbcResult::Undecided);
        assert_eq!(parse_abc("The network has no latches. Running CEC.\nUNSATISFIABLE  Time =     0.01 sec"), AbcResult::Equivalent);
        assert_eq!(parse_abc("The network has no latches. Running CEC.\nSATISFIABLE  Time =     0.01 sec"), AbcResult::FailsAt(0));
    }

    #[test]
    fn sat_tables() {
        let log = "  Time Signal Name                  Dec        Hex             Bin\n  ---- ------------ ---------- ---------- ---------\n  init \\gate.r.q  0 0 0\n\
                   \x20    1 \\in_a   0   0   0000\n     1 \\in_clk 0 0 0\n     1 \\gold_y 3 3 011\n     1 \\gate_y 3 3 011\n\
                   \x20    2 \\in_a   12   c   1100\n     2 \\gold_y 4 4 100\n     2 \\gate_y 5 5 101\n\nDumping SAT model\n";
        let t = parse_sat_table(log);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].inputs, vec![("a".to_string(), "0".to_string())]);
        assert!(t[0].differs.is_empty());
        assert_eq!(t[1].inputs, vec![("a".to_string(), "c".to_string())]);
        assert_eq!(t[1].differs, vec![("y".to_string(), "4".to_string(), "5".to_string())]);
    }

    #[test]
    fn scripts_name_their_files() {
        let s = miter_script("prove_gold", "prove_gate");
        assert!(s.contains("miter -equiv -flatten prove_gold prove_gate miter\n"), "{s}");
        assert!(s.contains("setundef -zero -init\naigmap\nwrite_aiger -zinit miter.aig\n"), "{s}");
        assert!(cex_script("g", "t", 6).contains("miter -equiv -flatten -make_outputs g t miter\n"));
        assert!(cex_script("g", "t", 6).contains("sat -seq 6 -set-init-zero -prove trigger 0"));
    }
}
