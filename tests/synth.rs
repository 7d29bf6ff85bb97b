//! End-to-end: `tern synth` on the generated array (Yosys runs; CI installs it).

use std::process::Command;

#[test]
fn synth_xc7_16x64_reports_resources_and_lut_per_mac() {
    let out = Command::new(env!("CARGO_BIN_EXE_tern")).args(["synth", "--target", "xc7", "--rows", "16", "--lanes", "64", "--json"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for field in ["luts", "ffs", "brams", "dsps", "lut_per_mac"] {
        assert!(v.get(field).is_some_and(|f| f.is_number()), "missing {field}: {v}");
    }
    assert_eq!(v["macs"], 1024);
    assert_eq!(v["dsps"], 0, "a ternary array needs no DSP");
    assert_eq!(v["multipliers"], false);
    let lpm = v["lut_per_mac"].as_f64().unwrap();
    assert!((6.0..=12.0).contains(&lpm), "LUT/MAC {lpm}");
    assert_eq!(lpm, v["luts"].as_f64().unwrap() / 1024.0);
    assert!(v["source"].as_str().unwrap().starts_with("measured: yosys"));
}

#[test]
fn synth_refuses_an_inexact_array_in_one_line() {
    let out = Command::new(env!("CARGO_BIN_EXE_tern")).args(["synth", "--target", "xc7", "--rows", "4", "--lanes", "16", "--max-k", "4096", "--accumulator-bits", "12"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("accumulator"), "{err}");
}
