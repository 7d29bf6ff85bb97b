//! End-to-end: `tern size` proposes the array that just reaches the decode roofline and says
//! what its streaming top costs per target (Yosys runs; CI installs it).

mod common;
use common::tern;

fn json(args: &[&str]) -> serde_json::Value {
    let (ok, out, err) = tern(args);
    assert!(ok, "tern {args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn ddr4_at_150_mhz_for_the_1m_model() {
    let v = json(&["size", "--model", "tinystories-1m", "--bandwidth", "ddr4", "--clock-mhz", "150", "--no-synth", "--json"]);
    let p = &v["proposal"];
    // 1024 MACs: 204.8 B/cycle of base-3 weights against the 128 B/cycle DDR4 delivers at
    // 150 MHz; 512 MACs (102.4 B/cycle) would not keep up. 8x128 has fewer accumulators
    // (fewer LUTs) than 16x64.
    assert_eq!((p["array"]["rows"].as_u64(), p["array"]["lanes"].as_u64()), (Some(8), Some(128)));
    assert_eq!(p["array"]["packing"], "base3");
    assert_eq!(p["memory_bytes_per_cycle"]["value"].as_f64(), Some(128.0));
    assert_eq!(p["array_bytes_per_cycle"]["value"].as_f64(), Some(204.8));
    assert_eq!(p["array"]["port_bytes"].as_u64(), Some(205));
    let roof = p["roofline_tokens_per_s"]["value"].as_f64().unwrap();
    let own = p["compute_tokens_per_s"]["value"].as_f64().unwrap();
    // 19.2 GB/s over 1.6 bits x the model's ternary weights
    assert!((roof - 81_380.0).abs() < 1.0, "{roof}");
    assert!(own >= roof, "{own} < {roof}");
    assert_eq!(p["clock_mhz"]["kind"], "modeled");
    assert_eq!(p["xc7_luts"]["kind"], "modeled");
}

#[test]
fn the_clock_can_be_a_measured_fmax() {
    let dir = std::env::temp_dir().join(format!("tern-size-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let synth = dir.join("synth.json");
    std::fs::write(&synth, r#"{"target":"ecp5","fmax_mhz":96.0,"pnr_source":"measured: nextpnr-ecp5 test"}"#).unwrap();
    let v = json(&["size", "--fmax-from", synth.to_str().unwrap(), "--no-synth", "--json"]);
    assert_eq!(v["proposal"]["clock_mhz"]["kind"], "measured");
    assert_eq!(v["proposal"]["clock_mhz"]["value"].as_f64(), Some(96.0));
    assert_eq!(v["proposal"]["memory_bytes_per_cycle"]["value"].as_f64(), Some(200.0));

    // a synthesis-only output has no Fmax: one line that says how to get one
    std::fs::write(&synth, r#"{"target":"xc7","luts":100}"#).unwrap();
    let (ok, _, err) = tern(&["size", "--fmax-from", synth.to_str().unwrap(), "--no-synth"]);
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("has no measured Fmax") && err.contains("tern synth --target ecp5 --json"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_unreachable_roofline_is_one_line() {
    let (ok, _, err) = tern(&["size", "--bandwidth", "hbm2e", "--clock-mhz", "10", "--rows", "1,2", "--lanes", "8", "--no-synth"]);
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no array reaches the hbm2e roofline") && err.contains("the fastest tried, 2x8"), "{err}");
}

#[test]
fn the_proposal_is_synthesized_for_each_target() {
    // 1 GB/s at 100 MHz is 10 B/cycle: a one-row array does it
    let v = json(&["size", "--bandwidth", "1", "--clock-mhz", "100", "--target", "xc7,ice40,ecp5", "--json"]);
    let p = &v["proposal"];
    assert_eq!((p["array"]["rows"].as_u64(), p["array"]["lanes"].as_u64()), (Some(1), Some(64)));
    assert_eq!(p["array"]["port_bytes"].as_u64(), Some(13));
    let synth = v["synth"].as_array().unwrap();
    let targets: Vec<&str> = synth.iter().map(|s| s["target"].as_str().unwrap()).collect();
    assert_eq!(targets, ["xc7", "ice40", "ecp5"]);
    for s in synth {
        let luts = s["luts"].as_u64().unwrap();
        // more than the 1x64 lanes alone (8 LUTs each on xc7), far less than a big array
        assert!((512..20_000).contains(&luts), "{s}");
        assert_eq!(s["dsps"].as_u64(), Some(0), "{s}");
        assert!(s["source"].as_str().unwrap().starts_with("measured: yosys"), "{s}");
    }
}
