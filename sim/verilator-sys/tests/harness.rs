//! The generated C++ reference harness does the same work as the Rust batch path.

mod common;

use verilator_sys::{BatchSpec, CxxHarness};

#[test]
fn harness_matches_the_batch_path_on_a_gated_plan() {
    let d = common::counter();
    let plan = d
        .batch_plan(&BatchSpec {
            clock: "clk",
            inputs: &["rst", "ready", "step"],
            outputs: &["value"],
            valid: Some("valid"),
        })
        .unwrap();
    let n = 3000;
    let mut stim = plan.stimulus(n);
    plan.put(&mut stim, 0, "rst", &[1]).unwrap();
    for c in 1..n {
        plan.put(&mut stim, c, "ready", &[(c % 3 != 0) as u64])
            .unwrap();
        plan.put(&mut stim, c, "step", &[(c * 13 % 256) as u64])
            .unwrap();
    }
    let rust = d
        .instantiate()
        .unwrap()
        .run_batch(&plan, &stim, n as u64)
        .unwrap();
    let harness = CxxHarness::build(&d, &plan).unwrap();
    let run = harness.run(&stim, n as u64, 2).unwrap();
    assert!(rust.len() > 900, "about one record in three cycles");
    assert_eq!(run.output.words(), rust.words());
    assert_eq!(run.output.cycles(), rust.cycles());
    assert!(run.best_seconds > 0.0);
    let source = std::fs::read_to_string(harness.source()).unwrap();
    assert!(
        source.contains("top.step = static_cast<CData>(s[2]);"),
        "{source}"
    );
    assert!(source.contains("if (top.valid)"), "{source}");
}

#[test]
fn harness_handles_wide_ports() {
    let d = common::wide_acc();
    let plan = d
        .batch_plan(&BatchSpec {
            clock: "clk",
            inputs: &["en", "bus"],
            outputs: &["total", "rotated", "mid"],
            valid: None,
        })
        .unwrap();
    let n = 500;
    let mut stim = plan.stimulus(n);
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for c in 0..n {
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let bus = [next(), next(), next(), next() & 0xff];
        plan.put(&mut stim, c, "en", &[1]).unwrap();
        plan.put(&mut stim, c, "bus", &bus).unwrap();
    }
    let rust = d
        .instantiate()
        .unwrap()
        .run_batch(&plan, &stim, n as u64)
        .unwrap();
    let run = CxxHarness::build(&d, &plan)
        .unwrap()
        .run(&stim, n as u64, 1)
        .unwrap();
    assert_eq!(run.output.len(), n);
    assert_eq!(run.output.words(), rust.words());
    assert_ne!(rust.record(n - 1)[0], 0, "the accumulator moved");
}
