//! End-to-end: `tern prove` (Yosys and yosys-abc run; CI installs yosys).

mod common;

use common::tern;

#[test]
fn prove_decoders_json() {
    let dir = tempfile_dir("decoders");
    let (ok, out, err) = tern(&["prove", "--block", "decoder", "--json", "--out", &dir]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let recs = v.as_array().unwrap();
    assert_eq!(recs.len(), 6, "five partial base-3 bytes and the port decoder");
    for r in recs {
        assert_eq!(r["verdict"], "proven", "{r}");
        assert!(r["seconds"].as_f64().unwrap() > 0.0);
    }
    assert_eq!(recs[4]["name"], "base3 decoder, 5 weights");
}

#[test]
fn prove_array_text_says_proven() {
    let dir = tempfile_dir("array");
    let (ok, out, err) = tern(&["prove", "--block", "array", "--rows", "2", "--lanes", "4", "--binary", "--out", &dir]);
    assert!(ok, "{err}");
    assert!(out.starts_with("PROVEN array 2x4 binary depth 2 max_k 16 acc 13 ("), "{out}");
    assert!(out.contains("unbounded"), "{out}");
}

#[test]
fn a_broken_lane_gives_a_counterexample_and_fails() {
    let dir = tempfile_dir("broken");
    let (ok, out, err) = tern(&["prove", "--block", "array", "--break-lane", "2", "--json", "--out", &dir]);
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: not proven, counterexample found: array 2x4 2bit"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let r = &v[0];
    assert_eq!(r["verdict"], "counterexample");
    let cex = &r["counterexample"];
    let trace = cex["trace"].as_array().unwrap();
    assert_eq!(trace.len() as u64, cex["cycles"].as_u64().unwrap());
    assert_eq!(trace.last().unwrap()["differs"][0][0], "res_data");
    assert!(trace[0]["inputs"].as_array().unwrap().iter().any(|i| i[0] == "act_data"));
    assert!(std::path::Path::new(cex["vcd"].as_str().unwrap()).exists());
}

#[test]
fn blocks_without_a_proof_say_so_in_one_line() {
    for (args, want) in [
        (vec!["prove", "--block", "vector"], "error: the chip's vector unit has not been built yet: nothing to prove"),
        (vec!["prove", "--block", "stream"], "error: tern_stream has no specification yet: prove its parts (--block array, --block decoder)"),
        (vec!["prove", "--block", "decoder", "--break-lane", "1"], "error: --break-lane breaks a lane of the array: use it with --block array"),
        (vec!["prove", "--block", "array", "--rows", "0"], "error: rows must be at least 1 (got 0)"),
    ] {
        let (ok, _, err) = tern(&args);
        assert!(!ok);
        assert_eq!(err.trim_end(), want, "{args:?}");
    }
}

#[test]
fn a_failing_yosys_run_leads_with_its_error_line_and_log() {
    let dir = tempfile_dir("badv");
    let bad = format!("{dir}/bad.v");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(&bad, "module broken(input a, output y);\n  assign y = a +;\nendmodule\n").unwrap();
    let (ok, _, err) = tern(&["synth", "--target", "xc7", "--verilog", &bad, "--top", "broken"]);
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: yosys failed: design.v:2: syntax error, unexpected ';' (full log: "), "{err}");
    let log = err.trim_end().rsplit("(full log: ").next().unwrap().trim_end_matches(')');
    assert!(std::fs::read_to_string(log).unwrap().contains("syntax error"), "{log}");
}

/// A fresh directory under the target's temp dir for one test.
fn tempfile_dir(name: &str) -> String {
    let d = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("prove-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d.display().to_string()
}
