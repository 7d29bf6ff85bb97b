//! A clocked design with a valid/ready handshake: per-cycle and batch runs against a Rust
//! reference, valid-gated batches, several instances, and plan errors.

mod common;

use common::{counter, CounterRef};
use proptest::prelude::*;
use std::sync::OnceLock;
use verilator_sys::{BatchOutput, BatchPlan, BatchSpec, Design, Model, VerilatorError};

fn design() -> &'static Design {
    static D: OnceLock<Design> = OnceLock::new();
    D.get_or_init(counter)
}

fn reset(m: &mut Model) {
    m.set_u64("rst", 1).unwrap();
    m.tick("clk").unwrap();
    m.set_u64("rst", 0).unwrap();
}

fn plan(valid: Option<&'static str>) -> BatchPlan {
    design()
        .batch_plan(&BatchSpec {
            clock: "clk",
            inputs: &["ready", "step"],
            outputs: &["value"],
            valid,
        })
        .unwrap()
}

fn stimulus(plan: &BatchPlan, inputs: &[(bool, u8)]) -> Vec<u64> {
    let mut stim = plan.stimulus(inputs.len());
    for (c, (ready, step)) in inputs.iter().enumerate() {
        plan.put(&mut stim, c, "ready", &[*ready as u64]).unwrap();
        plan.put(&mut stim, c, "step", &[*step as u64]).unwrap();
    }
    stim
}

/// (value after each cycle, valid after each cycle), from the reference.
fn reference(inputs: &[(bool, u8)]) -> Vec<CounterRef> {
    let mut r = CounterRef::default();
    inputs
        .iter()
        .map(|(ready, step)| {
            r.cycle(false, *ready, *step);
            r
        })
        .collect()
}

/// (cycle, value) of every cycle that ends with valid high, from the reference.
fn gated_reference(inputs: &[(bool, u8)]) -> Vec<(u64, u64)> {
    let all = reference(inputs);
    all.iter()
        .enumerate()
        .filter(|(_, r)| r.valid)
        .map(|(c, r)| (c as u64, r.value as u64))
        .collect()
}

/// (cycle, first word) of every output record.
fn records(out: &BatchOutput) -> Vec<(u64, u64)> {
    (0..out.len())
        .map(|i| (out.cycle(i), out.record(i)[0]))
        .collect()
}

#[test]
fn tick_matches_reference() {
    let mut m = design().instantiate().unwrap();
    reset(&mut m);
    let inputs: Vec<(bool, u8)> = (0..40).map(|i| (i % 4 != 1, (i * 7 % 256) as u8)).collect();
    for ((ready, step), want) in inputs.iter().zip(reference(&inputs)) {
        m.set_u64("ready", *ready as u64).unwrap();
        m.set_u64("step", *step as u64).unwrap();
        m.tick("clk").unwrap();
        assert_eq!(m.get_u64("value").unwrap(), want.value as u64);
        assert_eq!(m.get_u64("valid").unwrap(), want.valid as u64);
    }
    assert!(
        reference(&inputs).last().unwrap().value > 0,
        "the test must exercise the adder"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn ungated_batch_matches_reference(inputs in prop::collection::vec((any::<bool>(), any::<u8>()), 1..200)) {
        let plan = plan(None);
        let mut m = design().instantiate().unwrap();
        reset(&mut m);
        let out = m.run_batch(&plan, &stimulus(&plan, &inputs), inputs.len() as u64).unwrap();
        let want: Vec<u64> = reference(&inputs).iter().map(|r| r.value as u64).collect();
        prop_assert_eq!(out.words(), &want[..]);
        prop_assert_eq!(out.cycles(), &(0..inputs.len() as u64).collect::<Vec<_>>()[..]);
    }

    #[test]
    fn gated_batch_keeps_only_valid_cycles(inputs in prop::collection::vec((any::<bool>(), any::<u8>()), 1..200)) {
        let plan = plan(Some("valid"));
        let mut m = design().instantiate().unwrap();
        reset(&mut m);
        let out = m.run_batch(&plan, &stimulus(&plan, &inputs), inputs.len() as u64).unwrap();
        prop_assert_eq!(records(&out), gated_reference(&inputs));
        prop_assert_eq!(out.cycles_run(), inputs.len() as u64);
    }
}

#[test]
fn gated_batch_grows_its_buffer() {
    // 10_000 cycles give 3333 valid records: more than the first buffer (1024 records).
    let plan = plan(Some("valid"));
    let inputs: Vec<(bool, u8)> = (0..10_000).map(|i| (i % 5 != 0, (i % 251) as u8)).collect();
    let mut m = design().instantiate().unwrap();
    reset(&mut m);
    let mut out = BatchOutput::new();
    m.run_batch_into(
        &plan,
        &stimulus(&plan, &inputs),
        inputs.len() as u64,
        &mut out,
    )
    .unwrap();
    let want = gated_reference(&inputs);
    assert_eq!(want.len(), 3333);
    assert_eq!(records(&out), want);
}

#[test]
fn batch_without_inputs_or_outputs_runs_free() {
    // A plan with no inputs still clocks the design; gated on valid, it records cycles only.
    let plan = design()
        .batch_plan(&BatchSpec {
            clock: "clk",
            inputs: &[],
            outputs: &[],
            valid: Some("valid"),
        })
        .unwrap();
    let mut m = design().instantiate().unwrap();
    reset(&mut m);
    let out = m.run_batch(&plan, &[], 9).unwrap();
    assert_eq!(out.cycles(), &[2, 5, 8]);
    assert_eq!(plan.output_stride(), 0);
}

#[test]
fn instances_are_independent_and_move_between_threads() {
    let mut a = design().instantiate().unwrap();
    let mut b = design().instantiate().unwrap();
    reset(&mut a);
    reset(&mut b);
    a.set_u64("ready", 1).unwrap();
    a.set_u64("step", 5).unwrap();
    b.set_u64("ready", 1).unwrap();
    b.set_u64("step", 100).unwrap();
    for _ in 0..6 {
        a.tick("clk").unwrap();
    }
    let handle = std::thread::spawn(move || {
        b.ticks("clk", 3).unwrap();
        b.get_u64("value").unwrap()
    });
    // After 6 cycles valid was high at the ends of cycles 3 and 6 (taken at 4): one step.
    // After 3 cycles: valid only at the end of cycle 3, nothing taken yet.
    assert_eq!(a.get_u64("value").unwrap(), 5);
    assert_eq!(handle.join().unwrap(), 0);
    // A design loaded again (same library) gives instances that work too.
    let again = counter();
    assert_eq!(again.cache_entry(), design().cache_entry());
    let mut c = again.instantiate().unwrap();
    reset(&mut c);
    c.set_u64("ready", 1).unwrap();
    c.set_u64("step", 7).unwrap();
    c.ticks("clk", 7).unwrap();
    // Offers end cycles 3 and 6; they are taken in cycles 4 and 7.
    assert_eq!(c.get_u64("value").unwrap(), 14);
    assert_eq!(reference(&[(true, 7); 7]).last().unwrap().value, 14);
    assert_eq!(
        a.get_u64("value").unwrap(),
        5,
        "other instances are untouched"
    );
}

#[test]
fn plan_and_stimulus_errors_are_typed() {
    let d = design();
    let bad = |spec: BatchSpec| d.batch_plan(&spec).unwrap_err();
    let e = bad(BatchSpec {
        clock: "step",
        inputs: &[],
        outputs: &[],
        valid: None,
    });
    assert!(
        matches!(e, VerilatorError::BadClock { width: 8, .. }),
        "{e}"
    );
    let e = bad(BatchSpec {
        clock: "value",
        inputs: &[],
        outputs: &[],
        valid: None,
    });
    assert!(matches!(e, VerilatorError::BadClock { .. }), "{e}");
    let e = bad(BatchSpec {
        clock: "clk",
        inputs: &["clk"],
        outputs: &[],
        valid: None,
    });
    assert!(matches!(e, VerilatorError::BadPlan(_)), "{e}");
    let e = bad(BatchSpec {
        clock: "clk",
        inputs: &["step", "step"],
        outputs: &[],
        valid: None,
    });
    assert!(e.to_string().contains("listed twice"), "{e}");
    let e = bad(BatchSpec {
        clock: "clk",
        inputs: &["value"],
        outputs: &[],
        valid: None,
    });
    assert!(matches!(e, VerilatorError::WrongDirection { .. }), "{e}");
    let e = bad(BatchSpec {
        clock: "clk",
        inputs: &[],
        outputs: &["nope"],
        valid: None,
    });
    assert!(matches!(e, VerilatorError::UnknownPort { .. }), "{e}");
    let e = bad(BatchSpec {
        clock: "clk",
        inputs: &[],
        outputs: &[],
        valid: Some("nope"),
    });
    assert!(matches!(e, VerilatorError::UnknownPort { .. }), "{e}");

    let plan = plan(None);
    let mut m = d.instantiate().unwrap();
    let e = m.run_batch(&plan, &[0; 3], 2).unwrap_err();
    assert!(
        matches!(e, VerilatorError::StimulusLength { len: 3, stride: 2 }),
        "{e}"
    );
    let mut stim = plan.stimulus(1);
    assert!(plan.put(&mut stim, 0, "step", &[256]).is_err());
    assert!(
        plan.put(&mut stim, 1, "step", &[1]).is_err(),
        "cycle 1 is past the buffer"
    );
    assert!(
        plan.put(&mut stim, 0, "rst", &[1]).is_err(),
        "rst is not in the plan"
    );
    assert!(m.tick("nope").is_err());
}

#[test]
fn a_plan_only_runs_on_its_own_design() {
    static OTHER: OnceLock<Design> = OnceLock::new();
    let other = OTHER.get_or_init(|| {
        Design::build(&verilator_sys::BuildSpec::from_verilog(
            "pass",
            "module pass(input clk, input [7:0] step, output [7:0] q); assign q = step; endmodule",
        ))
        .unwrap()
    });
    let foreign = other
        .batch_plan(&BatchSpec {
            clock: "clk",
            inputs: &["step"],
            outputs: &["q"],
            valid: None,
        })
        .unwrap();
    let mut m = design().instantiate().unwrap();
    let e = m.run_batch(&foreign, &[1], 1).unwrap_err();
    assert!(matches!(e, VerilatorError::PlanMismatch { .. }), "{e}");
    // and the other design itself works.
    let out = other
        .instantiate()
        .unwrap()
        .run_batch(&foreign, &[42], 1)
        .unwrap();
    assert_eq!(out.words(), &[42]);
}

#[test]
fn instances_run_in_parallel_threads() {
    let plan = plan(Some("valid"));
    type Records = Vec<(u64, u64)>;
    let results: Vec<(Records, Records)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4u8)
            .map(|t| {
                let plan = &plan;
                s.spawn(move || {
                    let inputs: Vec<(bool, u8)> = (0..5000u32)
                        .map(|i| (i % 2 == 0, (i as u8).wrapping_mul(t + 1)))
                        .collect();
                    let mut m = design().instantiate().unwrap();
                    reset(&mut m);
                    let stim = stimulus(plan, &inputs);
                    let out = m.run_batch(plan, &stim, inputs.len() as u64).unwrap();
                    (records(&out), gated_reference(&inputs))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (got, want) in &results {
        assert_eq!(got, want);
    }
    assert_ne!(results[0].1, results[1].1, "threads ran different stimuli");
}
