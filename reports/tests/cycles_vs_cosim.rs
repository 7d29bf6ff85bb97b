//! Verification ladder step 5: the analytic cycle model against the cycles Verilator counted
//! for the real 1M TinyStories checkpoint on a 16x64 array (a 4-token prefill, then 8 decode
//! tokens), within 1% on every layer and every projection; then a report built from that run
//! tags its cycles as measured. Needs Verilator: fails, naming the install, when it is missing.

mod common;
use common::*;

use golden::{LinearKind, Transformer};
use reports::cycles::check_cycles;
use reports::figure::Kind;
use reports::{array, build, ReportInputs};
use sim::{ArraySim, VerilatorBackend};

#[test]
fn cycle_model_within_1_percent_of_cosimulation_on_every_layer_of_the_1m_model() {
    let path = shared_models().join("tinystories-1m.bin");
    let model = golden::load_model(path.to_str().unwrap()).unwrap();
    // the array `tern generate --backend verilator --rows 16 --lanes 64` builds for this model
    // (max K 256, 17-bit accumulators, depth 4), so the Verilator build is shared and cached
    let a = array(16, 64, 256);
    let sim = ArraySim::new(&a, None).unwrap_or_else(|e| panic!("the array does not build under Verilator ({e}); install it with `apt-get install verilator` (scripts/install-tools.sh)"));
    let mut hw = VerilatorBackend::new(sim);
    let mut t = Transformer::new(&model);
    let prompt = [1u32, 403, 407, 261];
    t.forward(&mut hw, &prompt, 0).unwrap();
    let decode = [378u32, 432, 383, 286, 261, 376, 298, 315];
    for (i, &tok) in decode.iter().enumerate() {
        t.forward(&mut hw, &[tok], prompt.len() + i).unwrap();
    }
    let run = hw.run_record("tinystories-1m", prompt.len() + decode.len());
    assert_eq!(run.matmuls.len(), 9 * 8 * 7);
    assert!(run.source.starts_with("measured: Verilator"), "{}", run.source);

    let check = check_cycles(&a, &run).unwrap();
    assert_eq!(check.rows.len(), 8 * LinearKind::ALL.len());
    assert!(check.within(0.01), "cycle model off by more than 1%:\n{}", check.failures(0.01).join("\n"));
    for layer in 0..8 {
        let rows: Vec<_> = check.rows.iter().filter(|r| r.layer == layer).collect();
        let (m, p): (u64, u64) = (rows.iter().map(|r| r.measured).sum(), rows.iter().map(|r| r.modeled).sum());
        let err = (p as f64 - m as f64) / m as f64;
        eprintln!("layer {layer}: measured {m} cycles, modeled {p} ({:+.3}%)", 100.0 * err);
        assert!(err.abs() <= 0.01, "layer {layer}: {err}");
    }

    let mut inputs = ReportInputs::new("tinystories-1m", model.config.clone(), a);
    inputs.run = Some(run);
    let r = build(&inputs).unwrap();
    assert_eq!(r.cycles.decode_per_token.kind, Kind::Measured);
    assert!(r.cycles.decode_per_layer.iter().all(|l| l.cycles.kind == Kind::Measured));
    assert_eq!(r.energy.nonzero_fraction.kind, Kind::Measured);
    let nz = r.energy.nonzero_fraction.value;
    assert!((0.5..0.8).contains(&nz), "nonzero fraction {nz} (the checkpoint has about 36% zeros)");
    assert!(r.cycles.check_max_error_percent.as_ref().unwrap().value <= 1.0);
    // a 16x64 array is fully used by 1M's decode only where N and K fill whole tiles
    assert!(r.cycles.utilization.value > 0.5 && r.cycles.utilization.value <= 1.0);
}
