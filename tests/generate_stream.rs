//! End-to-end: the 1M TinyStories model and a synthetic 700M layer stack on `tern_stream` (the
//! array behind its memory port) with the DDR4 DRAM model: exact tokens, decode at the
//! bandwidth roofline, prefill at full array use, read back from `tern report`'s JSON.

mod common;

use common::*;

/// The streaming top whose place and route is measured in the crate docs (`hdl` lib.rs): 64x16,
/// pipeline depth 8, base 3, 4 slots, 16-tile FIFO.
const ARRAY: [&str; 14] =
    ["--rows", "64", "--lanes", "16", "--pipeline-depth", "8", "--packing", "base3", "--slots", "4", "--fifo-tiles", "16", "--max-k", "8192"];
/// Its Fmax on ECP5-85F speed 6 (`tern synth --target ecp5 --stream <ARRAY> --freq 150`,
/// nextpnr 0.11.1), given here as a clock: place and route takes half an hour.
const MEASURED_FMAX_MHZ: &str = "116.8";

/// `tern generate --backend stream` with `run` (model, prompt, steps...) on the measured array
/// at its clock, every accumulator checked; returns (stdout, stderr, record path).
fn stream_generate(tag: &str, run: &[&str]) -> (String, String, std::path::PathBuf) {
    let record = std::env::temp_dir().join(format!("tern-stream-{tag}-{}.json", std::process::id()));
    let mut args = vec!["generate", "--backend", "stream", "--dram", "ddr4", "--clock-mhz", MEASURED_FMAX_MHZ];
    args.extend(ARRAY);
    args.extend(run);
    args.extend(["--record", record.to_str().unwrap()]);
    let (ok, out, err) = tern(&args);
    assert!(ok, "{err}");
    assert!(err.contains("accumulators checked against golden, 0 mismatches"), "{err}");
    (out, err, record)
}

/// [`stream_generate`] on the 1M model, greedy, printing token ids.
fn stream_run(tag: &str, prompt: &str, steps: &str) -> (String, String, std::path::PathBuf) {
    let d = shared();
    let (model, tokenizer) = (d.join("tinystories-1m.bin"), d.join("tokenizer.bin"));
    let (model, tokenizer) = (model.to_str().unwrap(), tokenizer.to_str().unwrap());
    stream_generate(tag, &["--model", model, "--tokenizer", tokenizer, "--prompt", prompt, "--steps", steps, "--temperature", "0", "--print-ids"])
}

/// `tern report` on `model` with the stream records; returns report.json's `stream` rows.
fn report_stream_rows(model: &str, records: &[&std::path::Path]) -> Vec<serde_json::Value> {
    let tag = records[0].file_stem().unwrap().to_str().unwrap();
    let out = std::env::temp_dir().join(format!("tern-stream-report-{tag}"));
    let mut args = vec!["report", "--model", model, "--clock-mhz", MEASURED_FMAX_MHZ, "--out", out.to_str().unwrap()];
    args.extend(ARRAY);
    for r in records {
        args.extend(["--stream-record", r.to_str().unwrap()]);
    }
    let (ok, _, err) = tern(&args);
    assert!(ok, "{err}");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    json["stream"].as_array().unwrap().clone()
}

/// The bar: a report row's decode reaches at least 90% of the DDR4 roofline, and never
/// more than the DRAM delivers.
fn assert_decode_at_roofline(row: &serde_json::Value) {
    let fraction = row["fraction_of_roofline"]["value"].as_f64().unwrap();
    assert!(fraction >= 0.90, "decode reaches {fraction} of the DDR4 roofline");
    assert!(fraction <= 1.0, "decode beats the DRAM: {fraction}");
}

#[test]
fn decode_streams_at_the_ddr4_roofline_and_prefill_keeps_the_array_busy() {
    // decode: BOS then greedy tokens, the reference ids
    let (out, err, decode) = stream_run("decode", "", "12");
    let want: Vec<&str> = REFERENCE_IDS.split(' ').take(12).collect();
    assert_eq!(out.trim_end(), want.join(" "));
    assert!(err.contains("ddr4 at 116.8 MHz = 164.4 B/cycle"), "{err}");
    // prefill: a 64-token prompt (with BOS) in one forward pass, then one decode step
    let prompt = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her friends. One day, she saw a big red ball under a tree. She ran to it fast.";
    let (_, _, prefill) = stream_run("prefill", prompt, "65");
    let run: sim::RunRecord = serde_json::from_str(&std::fs::read_to_string(&prefill).unwrap()).unwrap();
    assert!(run.matmuls.iter().any(|m| m.vectors == 64 && m.prefill), "no 64-vector prefill call");

    let model = shared().join("tinystories-1m.bin");
    let rows = report_stream_rows(model.to_str().unwrap(), &[&decode, &prefill]);
    assert_eq!(rows.len(), 2);
    let value = |r: &serde_json::Value, k: &str| r[k]["value"].as_f64().unwrap();
    // decode: the weights of a token (base 3, 64x16 tiles) over the DRAM at 164.4 B/cycle: the
    // array (204.8 B/cycle) must make up for its pipeline drain between dependent projections
    let d = &rows[0];
    assert_eq!(d["fraction_of_roofline"]["kind"], "measured");
    // the clock was given, so tokens/s at that clock are modeled
    assert_eq!(d["clock_mhz"]["kind"], "modeled");
    assert_eq!(d["achieved_tokens_per_s"]["kind"], "modeled");
    assert_eq!(value(d, "bytes_per_token"), 236160.0);
    assert_decode_at_roofline(d);
    // prefill of 64 tokens: each tile serves 4 vectors, the array is busy
    let u = value(&rows[1], "prefill_utilization");
    assert!(u >= 0.80, "prefill array use {u}");
    assert!(u <= 1.0, "{u}");
}

#[test]
fn under_int_numerics_the_stream_gives_the_software_ids_and_accumulators() {
    let d = shared();
    let (model, tokenizer) = (d.join("tinystories-1m.bin"), d.join("tokenizer.bin"));
    let run = ["--numerics", "int", "--model", model.to_str().unwrap(), "--tokenizer", tokenizer.to_str().unwrap(), "--prompt", "Once upon a time", "--steps", "16", "--temperature", "0", "--print-ids"];
    let (ok, sw, err) = tern(&[&["generate"][..], &run].concat());
    assert!(ok, "{err}");
    let (hw, err, _) = stream_generate("int", &run);
    assert_eq!(hw, sw);
    assert!(err.contains("16 tokens, 672 BitLinear calls"), "{err}"); // a 5-token prefill, then 11 decode steps
}

#[test]
fn a_700m_layer_stack_decodes_exactly_at_the_ddr4_roofline() {
    // the paper's 700M shape (24 layers, d 1536, SwiGLU 4096), synthetic weights: BOS and one
    // decode token, every accumulator checked against golden
    let (_, err, record) = stream_generate("700m", &["--model", "synthetic:700m", "--steps", "2"]);
    assert!(err.contains("2 tokens, 336 BitLinear calls"), "{err}");
    assert!(err.contains("761856 accumulators checked against golden, 0 mismatches"), "{err}");
    let rows = report_stream_rows("synthetic:700m", &[&record]);
    assert_eq!(rows.len(), 1);
    // its ternary weights in base 3, padded to 64x16 tiles
    assert_eq!(rows[0]["bytes_per_token"]["value"].as_f64(), Some(136028160.0));
    // long projections keep the DRAM busy: the array's drains hide behind the stream
    assert_decode_at_roofline(&rows[0]);
}

/// The `tern synth --json` record of the 4x16 base-3 streaming top for `max_k` (Yosys only,
/// cached), with an Fmax of 96 MHz put in as place and route would.
fn stream_synth_record(path: &std::path::Path, max_k: &str) {
    let (ok, out, err) = tern(&[
        "synth", "--target", "ecp5", "--stream", "--rows", "4", "--lanes", "16", "--packing", "base3", "--max-k", max_k, "--no-pnr", "--json",
    ]);
    assert!(ok, "{err}");
    let mut v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["design"]["rows"], 4, "{v}");
    v["fmax_mhz"] = 96.0.into();
    v["pnr_source"] = "measured: nextpnr-ecp5 (test file)".into();
    std::fs::write(path, v.to_string()).unwrap();
}

/// A clock taken from a measured Fmax (`--fmax-from`, a `tern synth --json` output) runs the
/// DRAM model at that clock and makes the report's tokens/s measured. The Fmax must be that of
/// the design simulated.
#[test]
fn a_measured_fmax_clocks_the_stream() {
    let dir = std::env::temp_dir().join(format!("tern-fmax-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let synth = dir.join("synth.json");
    let record = dir.join("run.json");
    let generate = |synth: &std::path::Path| {
        tern(&[
            "generate", "--model", "synthetic:tiny", "--backend", "stream", "--rows", "4", "--lanes", "16", "--packing", "base3",
            "--fmax-from", synth.to_str().unwrap(), "--steps", "3", "--record", record.to_str().unwrap(),
        ])
    };
    // measured for K up to 8192, simulated for the model's longest row, 128: refused
    stream_synth_record(&synth, "8192");
    let (ok, _, err) = generate(&synth);
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("is the Fmax of another design than the one simulated ("), "{err}");
    assert!(err.contains("max_k 8192 there, 128 here") && err.contains("accumulator_bits 22 there, 16 here"), "{err}");
    stream_synth_record(&synth, "128");
    let (ok, _, err) = generate(&synth);
    assert!(ok, "{err}");
    assert!(err.contains("ddr4 at 96 MHz = 200.0 B/cycle"), "{err}");
    let out = dir.join("report");
    let (ok, _, err) = tern(&[
        "report", "--model", "synthetic:tiny", "--rows", "4", "--lanes", "16", "--stream-record", record.to_str().unwrap(), "--out", out.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let row = &json["stream"][0];
    assert_eq!(row["clock_mhz"]["kind"], "measured");
    assert_eq!(row["clock_mhz"]["value"].as_f64(), Some(96.0));
    assert_eq!(row["achieved_tokens_per_s"]["kind"], "measured");

    // the software backend has no clock: one line
    let (ok, _, err) = tern(&["generate", "--model", "synthetic:tiny", "--fmax-from", synth.to_str().unwrap(), "--steps", "2"]);
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--fmax-from sets the clock of the DRAM model: use it with --backend stream"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
