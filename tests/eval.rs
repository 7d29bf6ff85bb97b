//! `tern eval`: the int profile against float on a text, and its bad input.

mod common;

use common::*;

const TEXT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/eval-story.txt");

#[test]
fn eval_prints_the_json_the_issue_names() {
    let d = shared();
    let (ok, out, err) = tern(&[
        "eval", "--model", d.join("tinystories-3m.bin").to_str().unwrap(), "--tokenizer", d.join("tokenizer.bin").to_str().unwrap(),
        "--text", TEXT, "--json",
    ]);
    assert!(ok, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in ["tokens", "float_perplexity", "int_perplexity", "perplexity_ratio", "top1_agreement", "clear_positions", "top1_agreement_clear", "greedy_steps", "greedy_match", "first_near_tie"] {
        assert!(j.get(key).is_some(), "{key} missing from {out}");
    }
    assert_eq!(j["tokens"], 875);
    assert_eq!(j["greedy_steps"], 64);
    assert!(j["perplexity_ratio"].as_f64().unwrap() <= 1.005, "{out}");
    assert!(j.get("per_op").is_none());
}

#[test]
fn eval_refuses_bad_input_with_one_line() {
    let d = shared();
    let model = d.join("tinystories-1m.bin");
    let tokenizer = d.join("tokenizer.bin");
    let base = ["eval", "--model", model.to_str().unwrap(), "--tokenizer", tokenizer.to_str().unwrap()];
    for (extra, want) in [
        (vec!["--text", "/nonexistent/story.txt"], "cannot read the evaluation text /nonexistent/story.txt"),
        (vec!["--text", TEXT, "--kv-bits", "5"], "'5' is not a KV-cache width; use 8 or 4"),
        (vec!["--text", tokenizer.to_str().unwrap()], "is not UTF-8 text; pass a plain text file"),
    ] {
        let (ok, _, err) = tern(&[&base[..], &extra].concat());
        assert!(!ok, "{extra:?} was accepted");
        assert!(err.contains(want), "{extra:?}: {err}");
        assert_eq!(err.lines().filter(|l| l.starts_with("error:")).count(), 1, "{err}");
    }
    let (ok, _, err) = tern(&["eval", "--model", model.to_str().unwrap(), "--text", TEXT]);
    assert!(!ok && err.contains("--tokenizer is needed for a checkpoint"), "{err}");
}

#[test]
fn generate_under_int_runs_greedy_and_sampled() {
    let (ok, greedy, err) = tern(&["generate", "--model", "synthetic:tiny", "--numerics", "int", "--steps", "20", "--temperature", "0", "--print-ids"]);
    assert!(ok, "{err}");
    assert_eq!(greedy.split_whitespace().count(), 20, "{greedy}");
    // sampling dequantizes the int logits on the host: seeded, so repeatable
    let sampled = |seed: &str| tern(&["generate", "--model", "synthetic:tiny", "--numerics", "int", "--steps", "20", "--seed", seed, "--print-ids"]).1;
    assert_eq!(sampled("3"), sampled("3"));
    assert_ne!(sampled("3"), greedy);
    let (ok, _, err) = tern(&["generate", "--model", "synthetic:tiny", "--numerics", "fixed"]);
    assert!(!ok && err.contains("invalid value 'fixed' for '--numerics"), "{err}");
}
