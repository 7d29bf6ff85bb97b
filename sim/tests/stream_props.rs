//! The streaming top (`tern_stream`: memory port, decoders, gearbox, tile FIFO, activation
//! buffer, slot ring) under Verilator with the DRAM model equals golden's integer reference on
//! random shapes, in decode and prefill, with a DRAM slower than the array (memory-bound, the
//! FIFO runs dry) and one much faster (the FIFO fills and back-pressures the DRAM). The cycles
//! never beat the DRAM: every call reads its weight bytes at no more than the bandwidth.

use golden::backend::reference_matmul;
use golden::TernaryMatrix;
use hdl::{ArrayConfig, Packing};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sim::{DramConfig, StreamSim};

/// A 5x16 streaming top; `group_rows` below 5 splits the tile FIFO into row-group slices
/// (the last one narrower), each with its own pointers.
fn stream(packing: Packing, port_bytes: usize, slots: usize, gbps: f64, group_rows: usize) -> StreamSim {
    let mut cfg = ArrayConfig { rows: 5, lanes: 16, packing, pipeline_depth: 2, max_k: 300, slots, port_bytes, fifo_tiles: 3, group_rows, ..ArrayConfig::default() };
    cfg.accumulator_bits = cfg.min_accumulator_bits();
    let dram = DramConfig { name: "test".into(), gbps, burst_bytes: 8, first_word_ns: 40.0, source: "test".into() };
    StreamSim::new(&cfg, &dram, 100.0, None).expect("tern_stream builds under Verilator (scripts/install-tools.sh installs it)")
}

/// (N, K, weights, vectors)
fn case() -> impl Strategy<Value = (usize, usize, Vec<i8>, Vec<i8>)> {
    (1usize..13, 1usize..80, 1usize..7).prop_flat_map(|(n, k, m)| {
        let act = prop_oneof![3 => any::<i8>(), 1 => Just(-128i8), 1 => Just(127i8)];
        (Just(n), Just(k), proptest::collection::vec(-1i8..=1, n * k), proptest::collection::vec(act, k * m))
    })
}

/// Runs `cases` random calls, each twice, and returns how many calls reset the array to drop a
/// wrong prefetch (every call predicts a repeat of itself after the first case).
fn check(sim: StreamSim, cases: u32) -> u64 {
    let flushes = std::cell::Cell::new(0);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let per_cycle = sim.dram().bytes_per_cycle();
    let slots = sim.config().slots;
    let sim = std::cell::RefCell::new(sim);
    runner
        .run(&case(), |(n, k, w, x)| {
            let m = x.len() / k;
            let w = TernaryMatrix::from_weights(n, k, &w, 1.0).unwrap();
            let mut want = vec![0i32; n * m];
            reference_matmul(&w, &x, &mut want);
            let mut got = vec![0i32; n * m];
            // twice: the second call finds its weights prefetched (the schedule repeats)
            for _ in 0..2 {
                let c = sim.borrow_mut().matmul(&w, &x, &mut got).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(&got, &want, "{}x{} x {} vectors", n, k, m);
                prop_assert!(c.cycles as f64 + 1.0 >= c.weight_bytes as f64 / per_cycle - 64.0, "faster than the DRAM: {:?}", c);
                prop_assert_eq!(c.prefill, m > 1 && slots > 1);
                flushes.set(flushes.get() + c.flushes);
            }
            Ok(())
        })
        .unwrap();
    flushes.get()
}

#[test]
fn base3_one_beat_per_tile_slow_dram_exact() {
    check(stream(Packing::Base3, 0, 4, 0.4, 16), 24);
}

#[test]
fn base3_four_beats_per_tile_fast_dram_exact() {
    // the DRAM outruns the array, so wrong prefetches reach the FIFO: the array is reset
    // between calls with tiles in its FIFO, and the next call is still exact
    let flushes = check(stream(Packing::Base3, 4, 2, 50.0, 2), 24);
    assert!(flushes > 0, "no call reset the array");
}

#[test]
fn two_bit_port_one_slot_exact() {
    check(stream(Packing::TwoBit, 4, 1, 3.2, 3), 16);
}

/// Prefill reads every tile once per group of D vectors; decode once per vector. With a DRAM
/// faster than the array and the weights prefetched, prefill runs at one slice per cycle.
#[test]
fn prefill_reuses_tiles_and_runs_at_full_rate() {
    let mut sim = stream(Packing::Base3, 0, 4, 50.0, 2);
    let (n, k, m) = (10, 64, 8);
    let w: Vec<i8> = (0..n * k).map(|i| ((i * 7 + i / 3) % 3) as i8 - 1).collect();
    let x: Vec<i8> = (0..k * m).map(|i| (i as i32 * 37 % 255 - 127) as i8).collect();
    let w = TernaryMatrix::from_weights(n, k, &w, 1.0).unwrap();
    let mut want = vec![0i32; n * m];
    reference_matmul(&w, &x, &mut want);
    let mut got = vec![0i32; n * m];
    // the first call learns the schedule, the second prefetches the third's weights
    let first = sim.matmul(&w, &x, &mut got).unwrap();
    sim.matmul(&w, &x, &mut got).unwrap();
    let c = sim.matmul(&w, &x, &mut got).unwrap();
    assert!(first.stall_cycles >= sim.dram().latency_cycles(), "{first:?}");
    assert_eq!(got, want);
    let tile_bytes = sim.config().tile_bytes() as u64;
    // 2 row tiles x 4 slices x 2 groups of 4 vectors: 16 tile reads, 64 slices
    assert_eq!((c.weight_bytes, c.fires), (16 * tile_bytes, 64));
    assert!(c.prefill);
    assert_eq!(c.stall_cycles, 0, "{c:?}");
}

/// Every one of the 243 base-3 codes passes through the port's ROM decoders: a 5x16 tile is
/// 16 bytes, and byte `i` of slice `s` is given code `16 s + i`.
#[test]
fn every_base3_code_decodes_exactly() {
    let mut sim = stream(Packing::Base3, 0, 1, 50.0, 16);
    let (n, slices) = (5, 16);
    let k = 16 * slices;
    let mut w = vec![0i8; n * k];
    for s in 0..slices {
        for idx in 0..n * 16 {
            let code = ((16 * s + idx / 5) % 243) as u8;
            let (r, j) = (idx / 16, idx % 16);
            w[r * k + s * 16 + j] = hdl::decoder::base3_decode(code)[idx % 5];
        }
    }
    // the bytes the port carries are the codes 0..=242 (and 13 more)
    let stream = hdl::pack::weight_tiles(sim.config(), &w, n, k, hdl::pack::pack_stream_tile).unwrap().concat();
    let codes: Vec<u8> = (0..slices * 16).map(|b| (b % 243) as u8).collect();
    assert_eq!(stream, codes);
    let m = 3;
    let x: Vec<i8> = (0..k * m).map(|i| (i as i32 * 53 % 251 - 125) as i8).collect();
    let w = TernaryMatrix::from_weights(n, k, &w, 1.0).unwrap();
    let mut want = vec![0i32; n * m];
    reference_matmul(&w, &x, &mut want);
    let mut got = vec![0i32; n * m];
    sim.matmul(&w, &x, &mut got).unwrap();
    assert_eq!(got, want);
}
