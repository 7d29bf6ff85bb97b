//! End-to-end: whole models on the simulated array (verification ladder step 4).

mod common;

use common::*;


#[test]
fn tinystories_1m_on_the_simulated_array_prints_the_reference_ids_with_no_mismatch() {
    let d = shared();
    let record = std::env::temp_dir().join(format!("tern-run-{}.json", std::process::id()));
    let (ok, out, err) = tern(&[
        "generate", "--backend", "verilator", "--rows", "16", "--lanes", "64",
        "--model", d.join("tinystories-1m.bin").to_str().unwrap(),
        "--tokenizer", d.join("tokenizer.bin").to_str().unwrap(),
        "--steps", "64", "--temperature", "0", "--print-ids", "--record", record.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert_eq!(out.trim_end(), REFERENCE_IDS);
    // 64 tokens x 8 layers x 7 projections, every accumulator compared
    let summary = err.lines().last().unwrap();
    assert!(summary.contains("16x64 array, 64 tokens, 3584 BitLinear calls"), "{summary}");
    assert!(summary.contains("524288 accumulators checked against golden, 0 mismatches"), "{summary}");
    let run: sim::RunRecord = serde_json::from_str(&std::fs::read_to_string(&record).unwrap()).unwrap();
    assert_eq!(run.matmuls.len(), 3584);
    assert!(run.source.starts_with("measured: Verilator 5"), "{}", run.source);
    // every call is stall-free and takes hdl's cycle formula (prefill of 1 token: BOS)
    for m in &run.matmuls {
        assert_eq!(m.stall_cycles, 0);
        assert_eq!(m.cycles, m.vectors as u64 * (m.rows.div_ceil(16) * m.cols.div_ceil(64)) as u64 - 1 + 6);
    }
}

#[test]
fn synthetic_models_run_on_the_array_the_same_as_in_software() {
    for (model, rows, lanes, packing) in [("synthetic:tiny", "8", "32", "2bit"), ("synthetic:tiny-hf", "4", "16", "base3")] {
        let base = ["generate", "--model", model, "--prompt", "the cat", "--steps", "24", "--seed", "9", "--print-ids"];
        let (ok, sw, err) = tern(&base);
        assert!(ok, "{err}");
        let (ok, hw, err) = tern(&[&base[..], &["--backend", "verilator", "--rows", rows, "--lanes", lanes, "--packing", packing]].concat());
        assert!(ok, "{model}: {err}");
        assert_eq!(hw, sw, "{model}");
        assert!(err.contains(", 0 mismatches"), "{err}");
    }
}

#[test]
fn under_int_numerics_the_array_gives_the_software_ids_and_accumulators() {
    // the int profile's int8 vectors through the same 16x64 array as the float run above (one
    // Verilator build): a 5-token prefill and 27 decode steps, 56 BitLinears each, every
    // accumulator checked, ids equal to software int
    let d = shared();
    let (model, tokenizer) = (d.join("tinystories-1m.bin"), d.join("tokenizer.bin"));
    let base = [
        "generate", "--numerics", "int", "--model", model.to_str().unwrap(), "--tokenizer", tokenizer.to_str().unwrap(),
        "--prompt", "Once upon a time", "--steps", "32", "--temperature", "0", "--print-ids",
    ];
    let (ok, sw, err) = tern(&base);
    assert!(ok, "{err}");
    assert_eq!(sw.split_whitespace().count(), 32 - 5 + 1, "{sw}");
    let (ok, hw, err) = tern(&[&base[..], &["--backend", "verilator", "--rows", "16", "--lanes", "64"]].concat());
    assert!(ok, "{err}");
    assert_eq!(hw, sw);
    assert!(err.contains("32 tokens, 1568 BitLinear calls") && err.contains("accumulators checked against golden, 0 mismatches"), "{err}");
    // the HF-style synthetic shape under int, on a base-3 array
    let base = ["generate", "--numerics", "int", "--model", "synthetic:tiny-hf", "--prompt", "the cat", "--steps", "24", "--temperature", "0", "--print-ids"];
    let (ok, sw, err) = tern(&base);
    assert!(ok, "{err}");
    let (ok, hw, err) = tern(&[&base[..], &["--backend", "verilator", "--rows", "4", "--lanes", "16", "--packing", "base3"]].concat());
    assert!(ok, "{err}");
    assert_eq!(hw, sw);
    assert!(err.contains(", 0 mismatches"), "{err}");
}

#[test]
fn an_array_too_short_for_the_model_is_refused_and_vcd_is_written() {
    let (ok, _, err) = tern(&["generate", "--model", "synthetic:tiny", "--backend", "verilator", "--rows", "4", "--lanes", "16", "--max-k", "100", "--steps", "2"]);
    assert!(!ok);
    assert!(err.contains("does not fit the array built for max_k = 100; build it with --max-k 128 or more"), "{err}");
    let vcd = std::env::temp_dir().join(format!("tern-{}.vcd", std::process::id()));
    let (ok, _, err) = tern(&["generate", "--model", "synthetic:tiny", "--backend", "verilator", "--rows", "4", "--lanes", "16", "--steps", "2", "--vcd", vcd.to_str().unwrap()]);
    assert!(ok, "{err}");
    let text = std::fs::read_to_string(&vcd).unwrap();
    assert!(text.contains("$var") && text.contains("res_valid") && text.contains("act_data"), "VCD lacks the ports");
}
