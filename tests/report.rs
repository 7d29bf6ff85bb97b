//! End-to-end: `tern report` on the real 1M TinyStories checkpoint writes all four kinds of
//! files, every figure is tagged, the paper's 71.4x comes out of the table, and the HTML opens
//! in headless Chromium with its plots rendered (screenshots kept in the test's output folder).

mod common;

use common::shared;

use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> PathBuf {
    let candidates = [std::env::var("CHROMIUM").unwrap_or_default(), "/usr/bin/chromium".into(), "/usr/bin/chromium-browser".into()];
    candidates
        .iter()
        .filter(|c| !c.is_empty())
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("headless Chromium is missing: install it with `apt-get install chromium` (or set CHROMIUM to its path)"))
}

/// Screenshot `page` at 1200x2000 into `png` with a fresh profile; returns the PNG's size.
fn screenshot(page: &Path, png: &Path, profile: &Path) -> u64 {
    let out = Command::new(chromium())
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg("--window-size=1200,2000")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    let bytes = std::fs::read(png).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", png.display()));
    assert_eq!(&bytes[1..4], b"PNG", "{} is not a PNG", png.display());
    bytes.len() as u64
}

fn figure<'a>(v: &'a serde_json::Value, path: &[&str]) -> &'a serde_json::Value {
    path.iter().fold(v, |v, k| &v[*k])
}

#[test]
fn report_on_the_1m_checkpoint_writes_tagged_figures_and_renders_in_chromium() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-e2e");
    let _ = std::fs::remove_dir_all(&dir);
    let model = shared().join("tinystories-1m.bin");
    let out = Command::new(env!("CARGO_BIN_EXE_tern"))
        .args(["report", "--model", model.to_str().unwrap(), "--rows", "16", "--lanes", "64", "--target", "xc7", "--cosim-tokens", "8", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    eprintln!("report and screenshots in {}", dir.display());
    for name in ["report.json", "report.md", "report.html", "scaling.svg", "energy.svg", "luts.svg"] {
        assert!(std::fs::metadata(dir.join(name)).map(|m| m.len() > 1000).unwrap_or(false), "{name} missing or nearly empty");
    }

    let r: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    for section in ["model", "array", "cycles", "latency", "resources", "energy", "area", "scaling", "constants"] {
        assert!(!r[section].is_null(), "section {section} missing");
    }
    let paper = figure(&r, &["energy", "paper_arithmetic_ratio_7nm"]);
    assert_eq!(format!("{:.2}", paper["value"].as_f64().unwrap()), "71.43");
    assert_eq!(paper["kind"], "modeled");
    assert!(paper["source"].as_str().unwrap().contains("2310.11453"), "{paper}");
    // co-simulation and synthesis ran, so their figures are measured
    let nz = figure(&r, &["energy", "nonzero_fraction"]);
    assert_eq!(nz["kind"], "measured");
    assert!((0.63..0.65).contains(&nz["value"].as_f64().unwrap()), "{nz}");
    // the int8 x int8 MAC baseline of the same shape, synthesized by the same flow
    let base = &r["resources"]["baseline"][0];
    assert_eq!(base["target"], "xc7");
    assert_eq!(base["ternary"]["dsps"]["value"], 0.0);
    assert_eq!(base["baseline"]["dsps"]["value"], 1024.0, "one DSP48E1 per int8 multiplier");
    assert_eq!(base["lut_ratio"]["kind"], "measured");
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.contains("measured") && md.contains("modeled") && md.contains("71.43 x"));

    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert_eq!(html.matches("<svg").count(), 3, "three inline plots");
    for external in ["src=\"http", "href=\"http", "<link", "<script", "<img"] {
        assert!(!html.contains(external), "the HTML refers to an external asset: {external}");
    }
    let blank = dir.join("blank.html");
    std::fs::write(&blank, "<!DOCTYPE html><html><body></body></html>").unwrap();
    let blank_size = screenshot(&blank, &dir.join("blank.png"), &dir.join("profile-blank"));
    let plots = dir.join("plots.html");
    let svgs: String = ["scaling", "energy", "luts"].iter().map(|n| std::fs::read_to_string(dir.join(format!("{n}.svg"))).unwrap().replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "")).collect();
    std::fs::write(&plots, format!("<!DOCTYPE html><html><body>{svgs}</body></html>")).unwrap();
    let plots_size = screenshot(&plots, &dir.join("plots.png"), &dir.join("profile-plots"));
    let report_size = screenshot(&dir.join("report.html"), &dir.join("report.png"), &dir.join("profile-report"));
    eprintln!("screenshots: blank {blank_size} B, plots {plots_size} B, report {report_size} B");
    assert!(plots_size > 4 * blank_size, "the plots screenshot ({plots_size} B) is about as small as a blank page ({blank_size} B)");
    assert!(report_size > 10 * blank_size, "the report screenshot ({report_size} B) is about as small as a blank page ({blank_size} B)");
}

#[test]
fn report_under_int_counts_the_int8_tables_and_cache_and_lists_kv_bytes() {
    let json = |numerics: &[&str]| -> serde_json::Value {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("report-numerics-{}", numerics.join("-")));
        let out = Command::new(env!("CARGO_BIN_EXE_tern"))
            .args(["report", "--model", "tinystories-1m", "--rows", "16", "--lanes", "64", "--context", "256", "--out"])
            .arg(&dir)
            .args(numerics)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap()
    };
    let (float, int) = (json(&[]), json(&["--numerics", "int", "--kv-bits", "8"]));
    let part = |r: &serde_json::Value, name: &str| -> f64 {
        r["latency"]["decode_traffic"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap()["bytes"]["value"].as_f64().unwrap()
    };
    // 1M: dim 128, kv_dim 64, 4 KV heads, 8 layers, vocab 512; 255 earlier positions at context 256
    assert_eq!(part(&float, "head"), 512.0 * 128.0 * 2.0);
    assert_eq!(part(&int, "head"), 512.0 * (128.0 + 4.0));
    assert_eq!(part(&float, "KV cache write"), 8.0 * 4.0 * 64.0);
    assert_eq!(part(&int, "KV cache write"), 8.0 * (2.0 * 64.0 + 8.0 * 4.0));
    assert_eq!(part(&int, "KV cache read"), 256.0 * part(&int, "KV cache write"));
    assert!(int["latency"]["storage"].as_str().unwrap().starts_with("int (int8 head"), "{}", int["latency"]["storage"]);
    let kv = int["latency"]["kv_cache"].as_array().unwrap();
    let per_layer: Vec<f64> = kv.iter().map(|k| k["bytes_per_token_per_layer"]["value"].as_f64().unwrap()).collect();
    assert_eq!(per_layer, [256.0, 160.0, 96.0]);
    assert_eq!(kv[1]["bytes_per_token_per_layer"]["kind"], "modeled");
    // fewer bytes a token: the memory-bound decode gets faster
    let rate = |r: &serde_json::Value| r["latency"]["decode"][0]["roofline"]["memory_tokens_per_s"]["value"].as_f64().unwrap();
    assert!(rate(&int) > rate(&float));
}
