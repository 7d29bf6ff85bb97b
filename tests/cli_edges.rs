//! Every option of every command at its edges: each row runs `tern` with one bad value (or a
//! meaningless combination) and expects a non-zero exit, one `error:` line containing the row's
//! text, no panic and no phrase said twice. The table is checked against clap's own command
//! definition (`tern options`): an option without a row fails the test.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::{shared, tern};

/// A row: the command, the option it covers, the arguments after the command, and what the
/// error line must contain.
struct Row {
    command: &'static str,
    option: &'static str,
    args: Vec<String>,
    want: String,
}

/// The options of `ArrayArgs`, shared by generate, report, hdl and synth.
const ARRAY_OPTIONS: [&str; 12] =
    ["rows", "lanes", "packing", "binary", "max-k", "activation-bits", "pipeline-depth", "accumulator-bits", "slots", "port-bytes", "fifo-tiles", "group-rows"];

/// Files the rows refer to: a text that is no checkpoint, an empty text, a folder.
struct Files {
    text: String,
    empty: String,
    dir: String,
    model: String,
    tokenizer: String,
}

fn files() -> Files {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-edges");
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let s = |p: PathBuf| p.to_str().unwrap().to_string();
    Files {
        text: concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/eval-story.txt").into(),
        empty: s(empty),
        dir: s(dir),
        model: s(shared().join("tinystories-1m.bin")),
        tokenizer: s(shared().join("tokenizer.bin")),
    }
}

fn rows(f: &Files) -> Vec<Row> {
    let mut t = vec![];
    let mut row = |command: &'static str, option: &'static str, args: &[&str], want: &str| {
        t.push(Row { command, option, args: args.iter().map(|s| s.to_string()).collect(), want: want.into() });
    };
    let unwritable = "/proc/nope/out";
    let long_prompt = "the cat sat on the mat and ".repeat(60);

    // generate
    let g = "generate";
    row(g, "model", &["--model", "synthetic:nope"], "unknown synthetic model shape 'nope'");
    row(g, "model", &["--model", "/nonexistent/m.bin"], "cannot read /nonexistent/m.bin");
    row(g, "model", &["--model", &f.text], "does not start with the llama2.c BitNet magic");
    row(g, "model", &["--model", ""], "--model is empty");
    row(g, "tokenizer", &["--model", &f.model, "--tokenizer", &f.text], "is malformed");
    row(g, "tokenizer", &["--model", &f.model, "--tokenizer", &f.dir], "cannot read");
    row(g, "prompt", &["--prompt", &long_prompt, "--steps", "256"], "tokens (with BOS) but the model's context is 256; shorten the prompt");
    row(g, "prompt", &["--prompt", "the cat sat on the mat", "--steps", "3"], "raise --steps to at least");
    row(g, "steps", &["--steps", "0"], "--steps 0 is outside 1..=256");
    row(g, "steps", &["--steps", "257"], "--steps 257 is outside 1..=256");
    row(g, "steps", &["--steps", "-1"], "invalid value '-1' for '--steps");
    for v in ["nan", "inf", "-1"] {
        row(g, "temperature", &["--temperature", v], "must be 0 (greedy) or a positive finite number");
    }
    for v in ["nan", "-0.1", "1.5", "inf"] {
        row(g, "topp", &["--topp", v], "--topp");
    }
    row(g, "seed", &["--seed", "-1"], "invalid value '-1' for '--seed");
    row(g, "seed", &["--seed", "18446744073709551616"], "invalid value");
    row(g, "print-ids", &["--print-ids", "--print-ids"], "cannot be used multiple times");
    row(g, "backend", &["--backend", "gpu"], "invalid value 'gpu' for '--backend");
    row(g, "numerics", &["--numerics", "fixed"], "invalid value 'fixed' for '--numerics");
    row(g, "kv-bits", &["--numerics", "int", "--kv-bits", "5"], "'5' is not a KV-cache width; use 8 or 4");
    row(g, "kv-bits", &["--kv-bits", "4"], "--kv-bits sets the int profile's KV cache: add --numerics int");
    for o in ARRAY_OPTIONS {
        let flag = format!("--{o}");
        let value = if o == "binary" { None } else if o == "packing" { Some("base3") } else { Some("2") };
        let args: Vec<&str> = std::iter::once(flag.as_str()).chain(value).collect();
        row(g, o, &args, "sets the simulated array: add --backend verilator or --backend stream");
    }
    row(g, "rows", &["--backend", "verilator", "--rows", "0"], "rows must be at least 1");
    row(g, "lanes", &["--backend", "verilator", "--lanes", "1025"], "lanes = 1025 is above the supported maximum 1024");
    row(g, "no-check", &["--no-check"], "--no-check skips comparing the simulated array with golden: add --backend verilator or --backend stream");
    row(g, "vcd", &["--vcd", "/tmp/x.vcd"], "--vcd records the simulated array: add --backend verilator or --backend stream");
    row(g, "vcd", &["--backend", "verilator", "--vcd", unwritable], "cannot write /proc/nope/out");
    row(g, "record", &["--record", "/tmp/x.json"], "--record writes the simulated array's cycle record: add --backend verilator or --backend stream");
    row(g, "record", &["--backend", "stream", "--record", unwritable], "cannot write /proc/nope/out");
    row(g, "dram", &["--backend", "stream", "--dram", "ddr9"], "unknown DRAM");
    row(g, "dram", &["--backend", "verilator", "--dram", "ddr4"], "--dram sets the streaming top's memory: add --backend stream");
    for v in ["0", "nan", "-5", "inf"] {
        row(g, "clock-mhz", &["--backend", "stream", "--clock-mhz", v], "--clock-mhz");
    }
    row(g, "clock-mhz", &["--clock-mhz", "100"], "--clock-mhz sets the streaming top's clock: add --backend stream");
    row(g, "fmax-from", &["--fmax-from", &f.text], "--fmax-from sets the clock of the DRAM model: use it with --backend stream");
    row(g, "fmax-from", &["--backend", "stream", "--fmax-from", "/nonexistent.json"], "cannot read /nonexistent.json");
    row(g, "fmax-from", &["--backend", "stream", "--fmax-from", &f.text], "is not the JSON `tern synth --json` writes");

    // eval
    let e = "eval";
    row(e, "model", &["--model", "synthetic:nope", "--text", &f.text], "unknown synthetic model shape 'nope'");
    row(e, "tokenizer", &["--model", &f.model, "--tokenizer", &f.text, "--text", &f.text], "is malformed");
    row(e, "text", &["--model", "synthetic:tiny", "--text", "/nonexistent/t.txt"], "cannot read the evaluation text /nonexistent/t.txt");
    row(e, "text", &["--model", "synthetic:tiny", "--text", &f.empty], "the evaluation text has no token after BOS");
    row(e, "text", &["--model", "synthetic:tiny", "--text", &f.tokenizer], "is not UTF-8 text");
    row(e, "kv-bits", &["--model", "synthetic:tiny", "--text", &f.text, "--kv-bits", "0"], "'0' is not a KV-cache width");
    row(e, "per-op", &["--model", "synthetic:tiny", "--text", &f.text, "--per-op", "--per-op"], "cannot be used multiple times");
    row(e, "json", &["--model", "synthetic:tiny", "--text", &f.text, "--json", "--json"], "cannot be used multiple times");

    // export
    let x = "export";
    row(x, "model", &["--model", "synthetic:7b", "--format", "llama2c", "--out", "/tmp/x.bin"], "shape-only");
    row(x, "format", &["--model", "synthetic:tiny", "--format", "onnx", "--out", "/tmp/x.bin"], "invalid value 'onnx' for '--format");
    row(x, "format", &["--model", "synthetic:tiny-hf", "--format", "llama2c", "--out", "/tmp/x.bin"], "llama2.c");
    row(x, "out", &["--model", "synthetic:tiny", "--format", "llama2c", "--out", unwritable], "cannot write /proc/nope/out");
    row(x, "tokenizer", &["--model", &f.model, "--format", "llama2c", "--out", "/tmp/x.bin", "--tokenizer"], "--tokenizer writes the built-in tokenizer of synthetic models");

    // report
    let r = "report";
    for o in ARRAY_OPTIONS {
        let (flag, value) = (format!("--{o}"), match o {
            "rows" | "lanes" | "pipeline-depth" | "max-k" | "group-rows" => "0",
            "packing" => "base4",
            "activation-bits" => "9",
            "accumulator-bits" => "3",
            "slots" => "65",
            "port-bytes" => "3",
            "fifo-tiles" => "1025",
            _ => "",
        });
        let want = match o {
            "packing" => "invalid value 'base4' for '--packing",
            "activation-bits" => "activation_bits = 9 is not supported: use 2..=8",
            "accumulator-bits" => "accumulator_bits = 3 is outside",
            "slots" => "slots = 65 is outside 1..=64",
            "port-bytes" => "port_bytes 3 does not divide",
            "fifo-tiles" => "fifo_tiles = 1025 is outside 2..=1024",
            "binary" => "base3 packing encodes ternary weights",
            "max-k" => "max_k must be at least 1",
            _ => "must be at least 1",
        };
        let mut args = vec![flag.as_str()];
        if o == "binary" {
            args.extend(["--packing", "base3"]);
        } else {
            args.push(value);
        }
        row(r, o, &args, want);
    }
    row(r, "max-k", &["--max-k", "64"], "has K up to 256 but the array's max_k is 64");
    row(r, "model", &["--model", "nope"], "--model nope is neither a shape name (tiny, tiny-hf");
    row(r, "target", &["--target", "virtex2"], "invalid value 'virtex2' for '--target");
    row(r, "out", &["--out", unwritable], "cannot write /proc/nope/out");
    for v in ["0", "nan", "-1", "inf"] {
        row(r, "clock-mhz", &["--clock-mhz", v], "--clock-mhz");
    }
    row(r, "bandwidth", &["--bandwidth", "ddr9"], "unknown bandwidth `ddr9`");
    row(r, "bandwidth", &["--bandwidth", "0"], "unknown bandwidth `0`");
    row(r, "bandwidth", &["--bandwidth", ""], "unknown bandwidth ``");
    row(r, "context", &["--context", "512"], "--context 512 is past the model's context of 512 tokens; give 0..=511");
    row(r, "prompt-tokens", &["--prompt-tokens", "0"], "--prompt-tokens 0 is outside 1..=512");
    row(r, "prompt-tokens", &["--prompt-tokens", "513"], "--prompt-tokens 513 is outside 1..=512");
    row(r, "record", &["--record", "/nonexistent.json"], "cannot read the run record /nonexistent.json");
    row(r, "record", &["--record", &f.text], "is not a run record of `tern generate --record`");
    row(r, "stream-record", &["--stream-record", &f.text], "is not a run record of `tern generate --record`");
    row(r, "cosim-tokens", &["--cosim-tokens", "0"], "--cosim-tokens 0 is outside 1..=512");
    row(r, "cosim-tokens", &["--model", "70b", "--cosim-tokens", "2"], "is shape-only");
    row(r, "lut-sweep", &["--lut-sweep", "4by16"], "write it as ROWSxLANES");
    row(r, "lut-sweep", &["--lut-sweep", "0x16"], "--lut-sweep 0x16: rows must be at least 1");
    row(r, "numerics", &["--numerics", "fixed"], "invalid value 'fixed' for '--numerics");
    row(r, "kv-bits", &["--kv-bits", "4"], "--kv-bits sets the int profile's KV cache: add --numerics int");

    // sweep
    let s = "sweep";
    row(s, "model", &["--model", "nope"], "--model nope is neither a shape name");
    row(s, "rows", &["--rows", "0"], "rows must be at least 1");
    row(s, "rows", &["--rows", ""], "invalid value '' for '--rows");
    row(s, "lanes", &["--lanes", "1025"], "lanes = 1025 is above the supported maximum 1024");
    row(s, "packing", &["--packing", "3bit"], "invalid value '3bit' for '--packing");
    row(s, "pipeline-depth", &["--pipeline-depth", "0"], "pipeline_depth must be at least 1");
    row(s, "target", &["--target", "gpu"], "invalid value 'gpu' for '--target");
    row(s, "no-pnr", &["--no-pnr", "--target", "xc7"], "--no-pnr turns off place and route: use it with --target ice40 or ecp5");
    row(s, "cosim", &["--cosim", "--model", "70b"], "shape-only");
    row(s, "executor", &["--executor", "ssh"], "invalid value 'ssh' for '--executor");
    row(s, "jobs", &["--jobs", "0"], "--jobs 0: give at least 1");
    row(s, "jobs", &["--jobs", "2", "--executor", "slurm"], "--jobs sizes the local pool");
    row(s, "cache", &["--cache", unwritable], "cannot write /proc/nope/out");
    row(s, "plan", &["--plan", "--plan"], "cannot be used multiple times");
    row(s, "partition", &["--partition", "hw"], "--partition sets the Slurm job: add --executor slurm");
    row(s, "time", &["--time", "01:00:00"], "--time sets the Slurm job: add --executor slurm");
    row(s, "mem", &["--mem", "4G"], "--mem sets the Slurm job: add --executor slurm");
    row(s, "cpus-per-task", &["--cpus-per-task", "0", "--executor", "slurm"], "--cpus-per-task 0: give at least 1");
    row(s, "cpus-per-task", &["--cpus-per-task", "1"], "--cpus-per-task sets the Slurm job: add --executor slurm");
    row(s, "max-running", &["--max-running", "0", "--executor", "slurm"], "--max-running 0: give at least 1");
    row(s, "sbatch-arg", &["--sbatch-arg", "--account=x"], "--sbatch-arg sets the Slurm job: add --executor slurm");
    row(s, "poll-seconds", &["--poll-seconds", "0", "--executor", "slurm"], "--poll-seconds");
    row(s, "tern", &["--tern", "/nonexistent/tern", "--out", unwritable], "cannot write /proc/nope/out");
    for v in ["0", "nan", "inf"] {
        row(s, "clock-mhz", &["--clock-mhz", v], "--clock-mhz");
    }
    row(s, "bandwidth", &["--bandwidth", "ddr9"], "unknown bandwidth `ddr9`");
    row(s, "context", &["--context", "600"], "--context 600 is past the model's context of 512 tokens");
    row(s, "out", &["--out", unwritable], "cannot write /proc/nope/out");

    // sweep-point
    let q = "sweep-point";
    row(q, "plan", &["--plan", "/nonexistent/jobs.json", "--index", "0"], "/nonexistent/jobs.json");
    row(q, "plan", &["--plan", &f.text, "--index", "0"], "is not a sweep plan `tern sweep` wrote");
    row(q, "index", &["--plan", &f.text, "--index", "x"], "invalid value 'x' for '--index");

    // size
    let z = "size";
    row(z, "model", &["--model", "nope", "--clock-mhz", "100"], "--model nope is neither a shape name");
    row(z, "bandwidth", &["--bandwidth", "-3", "--clock-mhz", "100"], "unknown bandwidth `-3`");
    for v in ["0", "nan", "-1"] {
        row(z, "clock-mhz", &["--clock-mhz", v], "--clock-mhz");
    }
    row(z, "clock-mhz", &[], "the following required arguments were not provided");
    row(z, "fmax-from", &["--fmax-from", &f.text], "is not the JSON `tern synth --json` writes");
    row(z, "packing", &["--packing", "x", "--clock-mhz", "100"], "invalid value 'x' for '--packing");
    row(z, "pipeline-depth", &["--pipeline-depth", "0", "--clock-mhz", "100", "--no-synth"], "--pipeline-depth 0 must be at least 1");
    row(z, "rows", &["--rows", "0", "--clock-mhz", "100", "--no-synth"], "rows must be at least 1");
    row(z, "lanes", &["--lanes", "0", "--clock-mhz", "100", "--no-synth"], "lanes must be at least 1");
    row(z, "target", &["--target", "gpu", "--clock-mhz", "100"], "invalid value 'gpu' for '--target");
    row(z, "no-synth", &["--no-synth", "--target", "xc7", "--clock-mhz", "100"], "--target names what to synthesize: drop --no-synth");
    row(z, "json", &["--json", "--json", "--clock-mhz", "100"], "cannot be used multiple times");

    // hdl
    let h = "hdl";
    for o in ARRAY_OPTIONS {
        let (flag, value, want) = match o {
            "rows" => ("--rows", "0", "rows must be at least 1"),
            "lanes" => ("--lanes", "1025", "lanes = 1025 is above the supported maximum 1024"),
            "packing" => ("--packing", "", "a value is required for '--packing"),
            "binary" => ("--binary", "", "base3 packing encodes ternary weights"),
            "max-k" => ("--max-k", "16777217", "max_k = 16777217 is above the supported maximum 16777216"),
            "activation-bits" => ("--activation-bits", "1", "activation_bits = 1 is not supported"),
            "pipeline-depth" => ("--pipeline-depth", "65", "pipeline_depth = 65 cuts 64 lanes into empty segments: use 1..=64"),
            "accumulator-bits" => ("--accumulator-bits", "17", "accumulator_bits = 17 cannot hold a dot product of max_k = 8192"),
            "slots" => ("--slots", "0", "slots = 0 is outside 1..=64"),
            "port-bytes" => ("--port-bytes", "4", "--port-bytes sets the streaming top's memory port: add --stream"),
            "fifo-tiles" => ("--fifo-tiles", "8", "--fifo-tiles sets the streaming top's memory port: add --stream"),
            _ => ("--group-rows", "0", "group_rows must be at least 1"),
        };
        let mut args = vec![flag];
        match o {
            "binary" => args.extend(["--packing", "base3"]),
            _ if !value.is_empty() || o == "packing" => args.push(value),
            _ => {}
        }
        row(h, o, &args, want);
    }
    row(h, "fifo-tiles", &["--stream", "--fifo-tiles", "1", "--out", "/tmp/x.v"], "fifo_tiles = 1 is outside 2..=1024");
    row(h, "stream", &["--stream", "--stream"], "cannot be used multiple times");
    row(h, "out", &["--out", unwritable], "cannot write /proc/nope/out");
    row(h, "out", &["--out", &f.dir], "cannot write");

    // synth
    let y = "synth";
    row(y, "target", &["--target", "virtex2"], "invalid value 'virtex2' for '--target");
    row(y, "target", &[], "the following required arguments were not provided");
    row(y, "verilog", &["--target", "xc7", "--verilog", "/nonexistent.v", "--top", "t"], "cannot read Verilog file /nonexistent.v");
    row(y, "top", &["--target", "xc7", "--top", "t"], "the following required arguments were not provided");
    for o in ARRAY_OPTIONS {
        let (args, want): (Vec<&str>, &str) = match o {
            "rows" => (vec!["--rows", "0"], "rows must be at least 1"),
            "lanes" => (vec!["--lanes", "0"], "lanes must be at least 1"),
            "packing" => (vec!["--packing", "4bit"], "invalid value '4bit' for '--packing"),
            "binary" => (vec!["--binary", "--packing", "base3"], "base3 packing encodes ternary weights"),
            "max-k" => (vec!["--max-k", "0"], "max_k must be at least 1"),
            "activation-bits" => (vec!["--activation-bits", "0"], "activation_bits must be at least 1"),
            "pipeline-depth" => (vec!["--pipeline-depth", "0"], "pipeline_depth must be at least 1"),
            "accumulator-bits" => (vec!["--accumulator-bits", "65"], "accumulator_bits = 65 is outside"),
            "slots" => (vec!["--slots", "65"], "slots = 65 is outside 1..=64"),
            "port-bytes" => (vec!["--stream", "--port-bytes", "7"], "port_bytes 7 does not divide"),
            "fifo-tiles" => (vec!["--fifo-tiles", "4"], "--fifo-tiles sets the streaming top's memory port: add --stream"),
            _ => (vec!["--group-rows", "0"], "group_rows must be at least 1"),
        };
        row(y, o, &[&["--target", "xc7"][..], &args].concat(), want);
    }
    row(y, "verilog", &["--target", "xc7", "--verilog", &f.dir, "--top", "t"], "cannot read Verilog file");
    row(y, "baseline", &["--target", "xc7", "--baseline", "--stream"], "cannot be used with");
    row(y, "stream", &["--target", "xc7", "--stream", "--verilog", "/tmp/x.v", "--top", "t"], "cannot be used with");
    row(y, "flatten", &["--target", "xc7", "--flatten", "--no-flatten"], "cannot be used with");
    row(y, "no-flatten", &["--target", "xc7", "--no-flatten", "--both"], "cannot be used with");
    row(y, "both", &["--target", "xc7", "--both", "--flatten"], "cannot be used with");
    row(y, "json", &["--target", "xc7", "--json", "--json"], "cannot be used multiple times");
    for v in ["0", "nan", "-1", "inf"] {
        row(y, "freq", &["--target", "ecp5", "--freq", v], "must be a positive number");
    }
    row(y, "freq", &["--target", "xc7", "--freq", "200"], "--freq constrains place and route: use it with --target ice40 or ecp5");
    row(y, "no-pnr", &["--target", "asic", "--no-pnr"], "--no-pnr: asic has no place and route; drop it");
    row(y, "ice40-device", &["--target", "ice40", "--ice40-device", "lp1k"], "invalid value 'lp1k' for '--ice40-device");
    row(y, "ice40-device", &["--target", "ecp5", "--ice40-device", "up5k"], "--ice40-device sets the iCE40 part: use it with --target ice40");
    row(y, "ice40-package", &["--target", "ice40", "--ice40-package", "ct 256"], "unknown iCE40 hx8k package `ct 256`: use one of cm81");
    row(y, "ice40-package", &["--target", "xc7", "--ice40-package", "ct256"], "--ice40-package sets the iCE40 part: use it with --target ice40");
    row(y, "ecp5-size", &["--target", "ecp5", "--ecp5-size", "99k"], "unknown ECP5 size `99k`: use 12k, 25k, 45k or 85k");
    row(y, "ecp5-size", &["--target", "ice40", "--ecp5-size", "25k"], "--ecp5-size sets the ECP5 part: use it with --target ecp5");
    row(y, "ecp5-speed", &["--target", "ecp5", "--ecp5-speed", "9"], "ECP5 speed grade 9 is not 6, 7 or 8");
    row(y, "ecp5-speed", &["--target", "ecp5", "--ecp5-speed", "256"], "invalid value '256' for '--ecp5-speed");
    row(y, "ecp5-package", &["--target", "ecp5", "--ecp5-package", "DIP8"], "unknown ECP5 package `DIP8`: use one of CABGA256");
    row(y, "seed", &["--target", "ecp5", "--seed", "-2"], "invalid value '-2' for '--seed");
    row(y, "seed", &["--target", "xc7", "--seed", "2"], "--seed seeds the placer: use it with --target ice40 or ecp5");
    row(y, "no-cache", &["--target", "xc7", "--no-cache", "--no-cache"], "cannot be used multiple times");
    // prove
    let p = "prove";
    row(p, "block", &["--block", "nope"], "invalid value 'nope' for '--block");
    row(p, "rows", &["--block", "array", "--rows", "0"], "rows must be at least 1");
    row(p, "lanes", &["--block", "array", "--lanes", "1025"], "lanes = 1025 is above the supported maximum 1024");
    row(p, "packing", &["--block", "array", "--packing", "base4"], "invalid value 'base4' for '--packing");
    row(p, "binary", &["--block", "array", "--binary", "--packing", "base3"], "base3 packing encodes ternary weights");
    row(p, "max-k", &["--block", "array", "--max-k", "0"], "max_k must be at least 1");
    row(p, "pipeline-depth", &["--block", "array", "--pipeline-depth", "5"], "pipeline_depth = 5 cuts 4 lanes into empty segments: use 1..=4");
    row(p, "accumulator-bits", &["--block", "array", "--accumulator-bits", "12"], "accumulator_bits = 12 cannot hold a dot product of max_k = 16");
    row(p, "break-lane", &["--block", "array", "--break-lane", "4"], "lane 4 is not a lane of row 0 of this 2x4 array");
    row(p, "break-lane", &["--block", "decoder", "--break-lane", "1"], "--break-lane breaks a lane of the array: use it with --block array");
    row(p, "out", &["--block", "decoder", "--out", unwritable], "cannot write /proc/nope/out");
    row(p, "json", &["--block", "decoder", "--json", "--json"], "cannot be used multiple times");
    t
}

/// A row must fail before any long work starts.
const ROW_SECONDS: u64 = 20;

/// Runs `tern args`, killed after [`ROW_SECONDS`] (then `None`).
fn run_bounded(args: &[&str]) -> Option<std::process::Output> {
    use std::process::{Command, Stdio};
    // in a folder of its own: default output paths (report/, sweep/, tern_array.v) land there
    let cwd = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-edges-cwd");
    std::fs::create_dir_all(&cwd).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tern")).args(args).current_dir(&cwd).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed().as_secs() >= ROW_SECONDS {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Some(child.wait_with_output().unwrap())
}

/// No `; `- or `: `-separated phrase of ten characters or more said twice.
fn repeated_phrase(line: &str) -> Option<String> {
    let mut seen = BTreeSet::new();
    for phrase in line.split([';', ':']).map(str::trim).filter(|p| p.len() >= 10) {
        if !seen.insert(phrase) {
            return Some(phrase.to_string());
        }
    }
    None
}

#[test]
fn every_option_of_every_command_has_edge_rows_that_fail_with_one_clear_line() {
    let f = files();
    let table = rows(&f);
    let (ok, listed, err) = tern(&["options"]);
    assert!(ok, "{err}");
    let listed: BTreeSet<(String, String)> = listed
        .lines()
        .map(|l| {
            let (c, o) = l.split_once(" --").unwrap();
            (c.to_string(), o.to_string())
        })
        .collect();
    let covered: BTreeSet<(String, String)> = table.iter().map(|r| (r.command.to_string(), r.option.to_string())).collect();
    let missing: Vec<_> = listed.difference(&covered).collect();
    assert!(missing.is_empty(), "options without an edge row: {missing:?}");
    let stale: Vec<_> = covered.difference(&listed).collect();
    assert!(stale.is_empty(), "rows for options that do not exist: {stale:?}");

    let mut failures = vec![];
    for r in &table {
        let args: Vec<&str> = std::iter::once(r.command).chain(r.args.iter().map(String::as_str)).collect();
        let Some(out) = run_bounded(&args) else {
            failures.push(format!("tern {}: still running after {} s (validation must come before the expensive work)", args.join(" "), ROW_SECONDS));
            continue;
        };
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        let problem = if out.status.success() {
            Some("exit 0".to_string())
        } else if stderr.contains("panicked") {
            Some("a panic".to_string())
        } else if lines.len() != 1 || !lines[0].starts_with("error: ") {
            Some(format!("{} stderr lines", lines.len()))
        } else if !lines[0].contains(&r.want) {
            Some(format!("no `{}`", r.want))
        } else {
            repeated_phrase(lines[0]).map(|p| format!("`{p}` said twice"))
        };
        if let Some(p) = problem {
            failures.push(format!("tern {}: {p}\n    {}", args.join(" "), stderr.trim_end().replace('\n', "\n    ")));
        }
    }
    assert!(failures.is_empty(), "{} of {} rows fail:\n{}", failures.len(), table.len(), failures.join("\n"));
}
