//! The int8 x int8 baseline `mac_array`, Verilated (verilator-sys) and driven cycle by
//! cycle, against exact integer dot products: extremes (-128 x -128 up to the accumulator
//! bound), random matvecs with stream gaps (proptest), latency and `k_overflow`.
//! Needs Verilator (`apt-get install verilator`); fails, not skips, without it.

use hdl::baseline::{emit_baseline_verilog, latency, matvec_beats, min_accumulator_bits, TOP_MODULE};
use hdl::pack::{reference_matvec, unpack_results};
use hdl::ArrayConfig;
use proptest::prelude::*;
use verilator_sys::{BuildSpec, Design, Model};

/// A baseline configuration with the narrowest accumulator its `max_k` allows, so the
/// extreme tests hit the accumulator bound exactly.
fn cfg(rows: usize, lanes: usize, depth: usize, activation_bits: usize, max_k: usize) -> ArrayConfig {
    let c = ArrayConfig { rows, lanes, pipeline_depth: depth, activation_bits, max_k, ..Default::default() };
    ArrayConfig { accumulator_bits: min_accumulator_bits(&c), ..c }
}

/// The shapes the proptest draws from (each one Verilator build, cached on disk): odd
/// lane counts, one lane, a depth above the tree's levels, 5-bit activations.
fn shapes() -> [ArrayConfig; 5] {
    [cfg(3, 5, 2, 8, 100), cfg(4, 16, 4, 8, 300), cfg(1, 1, 1, 8, 20), cfg(2, 8, 8, 8, 64), cfg(2, 7, 3, 5, 50)]
}

fn build(c: &ArrayConfig) -> Design {
    let v = emit_baseline_verilog(c).unwrap();
    Design::build(&BuildSpec::from_verilog(TOP_MODULE, &v)).unwrap_or_else(|e| panic!("{e}"))
}

fn words(bytes: &[u8]) -> Vec<u64> {
    bytes.chunks(8).map(|c| c.iter().rev().fold(0u64, |w, &b| w << 8 | b as u64)).collect()
}

fn bytes(words: &[u64]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

fn set(m: &mut Model, port: &str, v: u64) {
    m.set_u64(port, v).unwrap();
}

/// One clock edge; returns the results if `res_valid` is high after it.
fn tick(c: &ArrayConfig, m: &mut Model) -> Option<Vec<i64>> {
    m.tick("clk").unwrap();
    (m.get_u64("res_valid").unwrap() == 1).then(|| unpack_results(c, &bytes(&m.get("res_data").unwrap())))
}

/// Run `W x` (row-major N x K) with `gaps[i]` idle or half-valid cycles before beat i;
/// return each tile's results with the cycles from the accept of its last slice to
/// `res_valid`.
fn run(c: &ArrayConfig, design: &Design, w: &[i8], n: usize, k: usize, x: &[i8], gaps: &[u8]) -> Vec<(Vec<i64>, usize)> {
    let mut m = design.instantiate().unwrap();
    set(&mut m, "reset", 1);
    m.tick("clk").unwrap();
    set(&mut m, "reset", 0);
    let (mut out, mut pending) = (vec![], vec![]);
    let observe = |m: &mut Model, pending: &mut Vec<usize>, out: &mut Vec<(Vec<i64>, usize)>| {
        let res = tick(c, m);
        pending.iter_mut().for_each(|t| *t += 1);
        if let Some(r) = res {
            out.push((r, pending.remove(0)));
        }
    };
    for (i, beat) in matvec_beats(c, w, n, k, x).unwrap().iter().enumerate() {
        for g in 0..gaps.get(i).copied().unwrap_or(0) {
            // only one stream valid: nothing may be accepted
            set(&mut m, "act_valid", (g % 3 == 1) as u64);
            set(&mut m, "w_valid", (g % 3 == 2) as u64);
            observe(&mut m, &mut pending, &mut out);
        }
        m.set("act_data", &words(&beat.act)).unwrap();
        m.set("w_data", &words(&beat.weights)).unwrap();
        set(&mut m, "act_last", beat.last as u64);
        set(&mut m, "act_valid", 1);
        set(&mut m, "w_valid", 1);
        m.eval();
        assert_eq!((m.get_u64("act_ready").unwrap(), m.get_u64("w_ready").unwrap()), (1, 1));
        if beat.last {
            pending.push(0);
        }
        observe(&mut m, &mut pending, &mut out);
        set(&mut m, "act_valid", 0);
        set(&mut m, "w_valid", 0);
    }
    for _ in 0..latency(c) + 2 {
        observe(&mut m, &mut pending, &mut out);
    }
    assert_eq!(m.get_u64("k_overflow").unwrap(), 0);
    out
}

fn check(c: &ArrayConfig, design: &Design, w: &[i8], n: usize, k: usize, x: &[i8], gaps: &[u8]) {
    let got = run(c, design, w, n, k, x, gaps);
    let want = reference_matvec(w, n, k, x);
    assert_eq!(got.len(), n.div_ceil(c.rows), "one result per row tile ({c:?})");
    for (t, (res, lat)) in got.iter().enumerate() {
        assert_eq!(*lat, latency(c), "res_valid latency, tile {t}");
        for (r, &v) in res.iter().enumerate() {
            assert_eq!(v, want.get(t * c.rows + r).copied().unwrap_or(0), "tile {t} row {r} ({c:?})");
        }
    }
}

#[test]
fn extremes_reach_the_accumulator_bound() {
    let c = cfg(4, 16, 4, 8, 300);
    assert_eq!(latency(&c), c.latency());
    let d = build(&c);
    let k = c.max_k; // 300: not a multiple of 16
    let lo = vec![-128i8; k];
    // rows: -128 (so +128 * 128 * K, the bound), 127, alternating, zero; then a second tile
    let mut w = vec![];
    for row in 0..6 {
        w.extend((0..k).map(|i| match row {
            0 | 4 => -128,
            1 => 127,
            2 => [-128, 127, 0, 1, -1][i % 5],
            3 => 0,
            _ => (i as i8).wrapping_mul(77),
        }));
    }
    check(&c, &d, &w, 6, k, &lo, &[0, 1, 0, 2, 0, 3]);
    assert_eq!(reference_matvec(&w, 6, k, &lo)[0], 128 * 128 * k as i64);
    let mixed: Vec<i8> = (0..k).map(|i| if i % 2 == 0 { -128 } else { 127 }).collect();
    check(&c, &d, &w, 6, k, &mixed, &[]);
}

#[test]
fn k_overflow_is_flagged_and_cleared_by_reset() {
    let c = cfg(1, 1, 1, 8, 2);
    let mut m = build(&c).instantiate().unwrap();
    set(&mut m, "reset", 1);
    m.tick("clk").unwrap();
    set(&mut m, "reset", 0);
    set(&mut m, "act_valid", 1);
    set(&mut m, "w_valid", 1);
    m.tick("clk").unwrap();
    m.tick("clk").unwrap();
    assert_eq!(m.get_u64("k_overflow").unwrap(), 0, "two slices fit max_k = 2");
    m.tick("clk").unwrap();
    assert_eq!(m.get_u64("k_overflow").unwrap(), 1, "a third slice does not");
    set(&mut m, "reset", 1);
    m.tick("clk").unwrap();
    assert_eq!(m.get_u64("k_overflow").unwrap(), 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn random_matvecs(shape in 0usize..5, n in 1usize..10, k_seed in any::<usize>(), seed in any::<u64>(),
                      gaps in proptest::collection::vec(0u8..3, 0..8)) {
        let c = shapes()[shape].clone();
        let k = 1 + k_seed % c.max_k;
        let (lo, hi) = (-(1i16 << (c.activation_bits - 1)), (1i16 << (c.activation_bits - 1)) - 1);
        let mut s = seed;
        let mut next = || { s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); (s >> 33) as u32 };
        // a fifth of the values at the extremes
        let x: Vec<i8> = (0..k).map(|_| match next() % 5 { 0 => lo as i8, 1 => hi as i8, _ => (lo + (next() % (hi - lo + 1) as u32) as i16) as i8 }).collect();
        let w: Vec<i8> = (0..n * k).map(|_| match next() % 5 { 0 => -128, 1 => 127, _ => next() as i8 }).collect();
        check(&c, &build(&c), &w, n, k, &x, &gaps);
    }
}
