//! The report's JSON: every number tagged; the paper's 71.4x from the cited table; the
//! roofline and the 700M scaling ratios against hand arithmetic.

mod common;
use common::*;

use reports::constants::{FP16_ADD_PJ, FP16_MUL_PJ, INT8_ADD_PJ};
use reports::figure::{Figure, Kind};
use reports::roofline::{bandwidth, roofline, Bound};
use reports::{array, build, ArrayConfig, ReportInputs};
use serde_json::Value;

/// Keys whose plain numbers are structure (sizes, indices, counts of a configuration), not figures.
const STRUCTURAL: &[&str] = &[
    "dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len", "norm_eps", "rope_theta", // model config
    "rows", "lanes", "pipeline_depth", "accumulator_bits", "max_k", "activation_bits", // array
    "layer", "n", "k", "calls", "context", "prompt_tokens", "macs", // indices and sizes
    "accumulators", "decoders", "controller", "total", // LUT model blocks (the figure is modeled_luts)
    "slots", "port_bytes", "fifo_tiles", "group_rows", "decode_tokens", "prefill_vectors", // streaming configuration and counts
];

/// Paths of numbers that are neither inside a figure nor under a structural key.
fn untagged(v: &Value, path: &str, key: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) if m.contains_key("value") => {
            let f: Figure = serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{path} looks like a figure but is not one: {e}"));
            assert!(f.value.is_finite(), "{path}: {}", f.value);
            assert!(!f.source.trim().is_empty(), "{path} has no source");
            assert!(matches!(m["kind"].as_str(), Some("measured" | "modeled" | "cited")), "{path}: kind {}", m["kind"]);
        }
        Value::Object(m) => m.iter().for_each(|(k, x)| untagged(x, &format!("{path}.{k}"), k, out)),
        Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| untagged(x, &format!("{path}[{i}]"), key, out)),
        Value::Number(_) if !STRUCTURAL.contains(&key) => out.push(path.to_string()),
        _ => {}
    }
}

#[test]
fn every_number_in_the_json_is_a_tagged_figure_and_every_section_is_there() {
    let c = shape("tinystories-1m");
    let a = array(16, 64, 256);
    let mut inputs = ReportInputs::new("tinystories-1m", c.clone(), a.clone());
    inputs.run = Some(hand_run(&c, &a, 4, 6, 0.64));
    let r = build(&inputs).unwrap();
    let json = serde_json::to_value(&r).unwrap();
    for section in ["title", "model", "array", "cycles", "latency", "resources", "energy", "area", "scaling", "constants", "notes"] {
        assert!(json.get(section).is_some(), "section {section} missing");
    }
    let mut bad = vec![];
    untagged(&json, "", "", &mut bad);
    assert!(bad.is_empty(), "untagged numbers: {bad:?}");
    let figures = reports::report::figures(&json);
    assert!(figures.len() > 200, "only {} figures", figures.len());
    // a run whose source does not say "measured" (this hand-built fixture) is not tagged measured
    assert!(figures.iter().all(|(_, f)| f.kind != Kind::Measured), "hand-built run tagged measured");
    assert_eq!(r.cycles.check.len(), 8 * 7);
    assert!(r.cycles.check.iter().all(|x| x.error_percent.value == 0.0));
    assert!((r.energy.nonzero_fraction.value - 0.64).abs() < 1e-3);
    // the paper's Table 1 ratios are cited, not modeled
    let row = r.scaling.rows.iter().find(|s| s.shape == "70b").unwrap();
    assert_eq!(row.paper_latency_ratio.as_ref().unwrap().kind, Kind::Cited);
    assert_eq!(json["constants"].as_array().unwrap().len(), reports::constants::table().len());
}

#[test]
fn the_papers_71_4x_comes_from_the_table() {
    let ratio = (FP16_ADD_PJ[1] + FP16_MUL_PJ[1]) / INT8_ADD_PJ[1];
    assert_eq!(format!("{ratio:.2}"), "71.43");
    let r = build(&ReportInputs::new("tiny", shape("tiny"), array(4, 16, 128))).unwrap();
    assert_eq!(format!("{:.2}", r.energy.paper_arithmetic_ratio_7nm.value), "71.43");
    assert_eq!(r.energy.paper_arithmetic_ratio_7nm.kind, Kind::Modeled);
    assert!(r.energy.paper_arithmetic_ratio_7nm.source.contains("2310.11453"));
    // the whole-token ratio is far below it once DRAM traffic counts
    for x in &r.energy.ratios {
        assert!(x.whole_token.value > 1.0 && x.whole_token.value < 10.0, "{:?}", x.whole_token);
    }
}

#[test]
fn roofline_by_hand() {
    // 1e6 cycles per token at 200 MHz: 200 tokens/s; 1e8 bytes at DDR4 19.2 GB/s: 192 tokens/s
    let cycles = Figure::modeled(1e6, "cycles", "hand");
    let clock = Figure::modeled(200.0, "MHz", "hand");
    let r = roofline(1.0, &cycles, &clock, 1e8, &bandwidth("ddr4").unwrap());
    assert!((r.compute_tokens_per_s.value - 200.0).abs() < 1e-9);
    assert!((r.memory_tokens_per_s.value - 192.0).abs() < 1e-9);
    assert_eq!(r.bound, Bound::Memory);
    assert!((r.achieved_tokens_per_s.value - 192.0).abs() < 1e-9);
    assert!((r.ms_per_token.value - 1000.0 / 192.0).abs() < 1e-9);
    // HBM2E 460.8 GB/s: 4608 tokens/s of memory, so the 200 of compute bind
    let r = roofline(1.0, &cycles, &clock, 1e8, &bandwidth("hbm2e").unwrap());
    assert_eq!(r.bound, Bound::Compute);
    assert!((r.achieved_tokens_per_s.value - 200.0).abs() < 1e-9);
    // a prefill of 128 tokens in 64e6 cycles: 400 tokens/s of compute
    let r = roofline(128.0, &Figure::modeled(64e6, "cycles", "hand"), &clock, 1e8, &bandwidth("hbm2e").unwrap());
    assert!((r.compute_tokens_per_s.value - 400.0).abs() < 1e-9);
}

#[test]
fn scaling_ratios_for_700m_by_hand() {
    // 700M: dim 1536, hidden 4096, 24 layers, 24 heads (no GQA), vocab 32000, tied head, RMSNorm + sub-norms
    let ternary: f64 = 24.0 * (4.0 * 1536.0 * 1536.0 + 3.0 * 4096.0 * 1536.0); // 679,477,248
    let float: f64 = 32000.0 * 1536.0 + 24.0 * (2.0 * 1536.0 + 1536.0 + 4096.0) + 1536.0; // 49,362,432
    assert_eq!((ternary, float), (679_477_248.0, 49_362_432.0));
    let mem_t = ternary / 4.0 + 2.0 * float;
    let mem_f = 2.0 * (ternary + float);
    // decode at context 512 reads weights, the FP16 head, one embedding row, the norms, K and V
    let rest = 32000.0 * 1536.0 * 2.0 + 1536.0 * 2.0 + 2.0 * (float - 32000.0 * 1536.0) + 2.0 * 24.0 * 1536.0 * 2.0 * 513.0;
    let (bytes_t, bytes_f) = (ternary / 4.0 + rest, 2.0 * ternary + rest);

    let r = build(&ReportInputs::new("tiny", shape("tiny"), array(16, 64, 8192))).unwrap();
    let row = r.scaling.rows.iter().find(|s| s.shape == "700m").unwrap();
    assert_eq!(r.scaling.bandwidth, "ddr4");
    assert!((row.ternary.memory_gb.value - mem_t / 1e9).abs() < 1e-12);
    assert!((row.memory_ratio.value - mem_f / mem_t).abs() < 1e-9, "{}", row.memory_ratio.value);
    assert_eq!(format!("{:.3}", row.memory_ratio.value), "5.427");
    // both designs are memory-bound at DDR4, so the latency ratio is the byte ratio
    assert_eq!((row.ternary.bound, row.fp16.bound), (Bound::Memory, Bound::Memory));
    assert!((row.latency_ratio.value - bytes_f / bytes_t).abs() < 1e-9, "{}", row.latency_ratio.value);
    assert!((row.ternary.ms_per_token.value - bytes_t / 19.2e9 * 1e3).abs() < 1e-9);
    // beside the paper's: 2.08 / 0.80 GB and 1.18 / 0.96 ms
    assert!((row.paper_memory_ratio.as_ref().unwrap().value - 2.6).abs() < 1e-12);
    assert!((row.paper_latency_ratio.as_ref().unwrap().value - 1.18 / 0.96).abs() < 1e-12);
    let p = row.paper_figures.as_ref().unwrap();
    assert_eq!((p.llama_memory_gb.value, p.bitnet_latency_ms.value), (2.08, 0.96));
    let names: Vec<&str> = r.scaling.rows.iter().map(|s| s.shape.as_str()).collect();
    assert_eq!(names, ["700m", "1.3b", "3b", "7b", "13b", "70b"]);
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let c = shape("tinystories-1m");
    let e = build(&ReportInputs::new("m", c.clone(), array(16, 64, 128))).unwrap_err().to_string();
    assert!(e.contains("K up to 256") && e.contains("max_k is 128"), "{e}");
    let mut i = ReportInputs::new("m", c.clone(), array(16, 64, 256));
    i.clock_mhz = Some(-5.0);
    assert!(build(&i).unwrap_err().to_string().contains("positive"));
    let mut i = ReportInputs::new("m", c.clone(), array(16, 64, 256));
    i.bandwidths.clear();
    assert!(build(&i).unwrap_err().to_string().contains("bandwidth"));
    let mut i = ReportInputs::new("m", c.clone(), array(16, 64, 256));
    i.run = Some(hand_run(&c, &array(8, 64, 256), 1, 1, 0.6));
    assert!(build(&i).unwrap_err().to_string().contains("the run used a 8x64"));
    let e = build(&ReportInputs::new("m", c, ArrayConfig { rows: 0, ..array(16, 64, 256) })).unwrap_err().to_string();
    assert!(e.contains("rows must be at least 1"), "{e}");
}
