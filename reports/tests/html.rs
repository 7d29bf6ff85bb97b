//! The written report: files present, HTML self-contained with its plots inline as SVG, and
//! rendered by headless Chromium into a screenshot that is not blank.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::Command;

use reports::{array, build, write_all, ReportInputs};

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

#[test]
fn html_report_renders_in_headless_chromium_with_its_plots() {
    let dir = out_dir("html");
    let c = shape("tinystories-1m");
    let a = array(16, 64, 256);
    let r = build(&ReportInputs::new("tinystories-1m", c, a)).unwrap();
    let files = write_all(&r, &dir).unwrap();
    for name in ["report.json", "report.md", "report.html", "scaling.svg", "energy.svg", "luts.svg"] {
        let p = dir.join(name);
        assert!(files.contains(&p), "{name} not written");
        assert!(std::fs::metadata(&p).unwrap().len() > 1000, "{name} is nearly empty");
    }
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert_eq!(html.matches("<svg").count(), 3, "three inline plots");
    assert!(!html.contains("<?xml"), "inline SVG keeps no XML declaration");
    for external in ["src=\"http", "href=\"http", "<link", "<script", "<img"] {
        assert!(!html.contains(external), "the HTML refers to an external asset: {external}");
    }
    for id in ["plot-scaling", "plot-energy", "plot-luts"] {
        assert!(html.contains(id), "{id} missing");
    }
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.contains("![") && md.contains("(scaling.svg)"));
    assert!(md.contains("71.43 x *modeled*"), "the 71.4x line");

    // a blank page of the same size, to compare against
    let blank = dir.join("blank.html");
    std::fs::write(&blank, "<!DOCTYPE html><html><body></body></html>").unwrap();
    let blank_size = screenshot(&blank, &dir.join("blank.png"), &dir.join("profile-blank"));
    // the plots alone (they come right after the headline, so the report shot holds them too)
    let plots = dir.join("plots.html");
    let svgs: String = ["scaling", "energy", "luts"].iter().map(|n| std::fs::read_to_string(dir.join(format!("{n}.svg"))).unwrap().replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "")).collect();
    std::fs::write(&plots, format!("<!DOCTYPE html><html><body>{svgs}</body></html>")).unwrap();
    let plots_size = screenshot(&plots, &dir.join("plots.png"), &dir.join("profile-plots"));
    let report_size = screenshot(&dir.join("report.html"), &dir.join("report.png"), &dir.join("profile-report"));
    eprintln!("screenshots: blank {blank_size} B, plots {plots_size} B, report {report_size} B in {}", dir.display());
    assert!(plots_size > 4 * blank_size, "the plots screenshot ({plots_size} B) is about as small as a blank page ({blank_size} B)");
    assert!(report_size > 10 * blank_size, "the report screenshot ({report_size} B) is about as small as a blank page ({blank_size} B)");
}
