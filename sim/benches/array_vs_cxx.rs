//! The 64x64 array driven through the Rust path and through a hand-written C++ Verilator
//! harness (a plain loop over the same stimulus, `verilator_sys::CxxHarness`), on the same
//! Verilog and stimulus, in one run. Prints ternary MAC/s for both and their ratio.
//!
//!     cargo bench -p sim --bench array_vs_cxx
//!
//! The Rust path is the whole `ArraySim::matmul` call: packing the activations into the
//! stimulus, the batch run in one FFI crossing, and unpacking the results. Each side is
//! timed as the best of interleaved repetitions (the machine is shared).

use std::time::Instant;

use golden::synthetic::{random_matrix, Rng};
use hdl::ArrayConfig;
use sim::ArraySim;
use verilator_sys::CxxHarness;

fn main() {
    let (n, k, vectors) = (2560usize, 2560usize, 8usize);
    let mut cfg = ArrayConfig { rows: 64, lanes: 64, max_k: k, ..ArrayConfig::default() };
    cfg.accumulator_bits = cfg.min_accumulator_bits();
    let t0 = Instant::now();
    let mut sim = ArraySim::new(&cfg, None).expect("Verilator build");
    eprintln!("64x64 array ready in {:.1} s (cache hit: {})", t0.elapsed().as_secs_f64(), sim.design().cache_hit());

    let w = random_matrix(n, k, 0.05, 1, &[7]);
    let mut rng = Rng::new(5);
    let x: Vec<i8> = (0..k * vectors).map(|_| (rng.next_u64() >> 56) as i8).collect();
    let mut out = vec![0i32; n * vectors];
    let call = sim.prepare(&w, &x, &out).unwrap();
    let (plan, stim) = sim.stimulus();
    let (plan, stim) = (plan.clone(), stim.to_vec());
    let harness = CxxHarness::build(sim.design(), &plan).expect("C++ harness build");

    let macs = (n * k * vectors) as f64;
    let reps = 7;
    let (mut best_rust, mut best_cxx) = (f64::MAX, f64::MAX);
    let mut golden_out = vec![0i32; out.len()];
    golden::backend::ternary_matmul(&w, &x, &mut golden_out);
    for _ in 0..reps {
        let t = Instant::now();
        sim.matmul(&w, &x, &mut out).unwrap();
        best_rust = best_rust.min(t.elapsed().as_secs_f64());
        assert_eq!(out, golden_out, "the Rust path must stay exact");
        let run = harness.run(&stim, call.cycles as u64, 1).unwrap();
        best_cxx = best_cxx.min(run.best_seconds);
        assert_eq!(run.output.len(), call.m * call.tiles, "the C++ harness saw every result");
    }
    println!("workload: {n}x{k} ternary matrix x {vectors} int8 vectors on a 64x64 array, {} cycles", call.cycles);
    println!("rust path (ArraySim::matmul): {:.3} ms, {:.1} M ternary MAC/s, {:.2} M cycles/s", best_rust * 1e3, macs / best_rust / 1e6, call.cycles as f64 / best_rust / 1e6);
    println!("c++ harness (plain loop):      {:.3} ms, {:.1} M ternary MAC/s, {:.2} M cycles/s", best_cxx * 1e3, macs / best_cxx / 1e6, call.cycles as f64 / best_cxx / 1e6);
    println!("ratio rust / c++ time: {:.3}", best_rust / best_cxx);
}
