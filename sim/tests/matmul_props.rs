//! Verification ladder step 3: the Verilated array equals golden's integer reference on random
//! shapes and values (N and K not multiples of R and L, several vectors, extremes), for both
//! weight packings and binary mode. Each array is built once (Verilator builds are cached).

use std::cell::RefCell;

use golden::backend::reference_matmul;
use golden::TernaryMatrix;
use hdl::{ArrayConfig, Packing};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sim::ArraySim;

/// `group_rows` below `rows` gives the array several copies of its activation registers (the
/// accumulator controls have one copy per row whatever `group_rows` is).
fn array(rows: usize, lanes: usize, packing: Packing, binary: bool, group_rows: usize) -> ArraySim {
    let mut cfg = ArrayConfig { rows, lanes, packing, binary, pipeline_depth: 2, max_k: 300, group_rows, ..ArrayConfig::default() };
    cfg.accumulator_bits = cfg.min_accumulator_bits();
    ArraySim::new(&cfg, None).expect("the array builds under Verilator (scripts/install-tools.sh installs it)")
}

fn activation() -> impl Strategy<Value = i8> {
    prop_oneof![3 => any::<i8>(), 1 => Just(-128i8), 1 => Just(127i8), 1 => Just(0i8)]
}

/// (N, K, weights, vectors): rows random, all zero, all -1, all +1 (binary: no zeros).
fn case(binary: bool) -> impl Strategy<Value = (usize, usize, Vec<i8>, Vec<i8>)> {
    (1usize..23, 1usize..300, 1usize..4).prop_flat_map(move |(n, k, m)| {
        let weight = if binary { prop_oneof![Just(-1i8), Just(1i8)].boxed() } else { (-1i8..=1).boxed() };
        let row = prop_oneof![
            3 => proptest::collection::vec(weight, k),
            1 => Just(vec![if binary { 1 } else { 0 }; k]),
            1 => Just(vec![-1i8; k]),
        ];
        (Just(n), Just(k), proptest::collection::vec(row, n).prop_map(|r| r.concat()), proptest::collection::vec(activation(), k * m))
    })
}

fn check(mut sim: ArraySim, binary: bool, cases: u32) {
    let sim = RefCell::new(&mut sim);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    runner
        .run(&case(binary), |(n, k, w, x)| {
            let m = TernaryMatrix::from_weights(n, k, &w, 1.0).unwrap();
            let (mut hw, mut sw) = (vec![0i32; x.len() / k * n], vec![0i32; x.len() / k * n]);
            let cyc = sim.borrow_mut().matmul(&m, &x, &mut hw).unwrap();
            reference_matmul(&m, &x, &mut sw);
            prop_assert_eq!(&hw, &sw);
            // a stream that never stalls: m * tiles * slices - 1 + latency cycles
            let cfg = sim.borrow().config().clone();
            let m = (x.len() / k) as u64;
            prop_assert_eq!(cyc.cycles, m * (n.div_ceil(cfg.rows) * cfg.slices(k)) as u64 - 1 + cfg.latency() as u64);
            prop_assert_eq!(cyc.stall_cycles, 0);
            Ok(())
        })
        .unwrap();
}

#[test]
fn two_bit_array_equals_golden() {
    check(array(4, 16, Packing::TwoBit, false, 16), false, 120);
}

#[test]
fn base3_array_equals_golden() {
    // rows 0..3 and row 3 take their activations and controls from two copies
    check(array(4, 16, Packing::Base3, false, 3), false, 120);
}

#[test]
fn binary_array_equals_golden() {
    check(array(3, 8, Packing::TwoBit, true, 16), true, 120);
}

#[test]
fn a_new_matrix_at_a_freed_address_is_not_mistaken_for_the_old_one() {
    let mut sim = array(4, 16, Packing::TwoBit, false, 16);
    let x: Vec<i8> = (0..40).map(|i| i as i8 - 20).collect();
    for seed in 0..20i8 {
        // same shape every time: the allocator tends to hand back the same address
        let w: Vec<i8> = (0..6 * 40).map(|i| (i as i8).wrapping_mul(seed.wrapping_add(3)).rem_euclid(3) - 1).collect();
        let m = TernaryMatrix::from_weights(6, 40, &w, 1.0).unwrap();
        let (mut hw, mut sw) = (vec![0i32; 6], vec![0i32; 6]);
        sim.matmul(&m, &x, &mut hw).unwrap();
        reference_matmul(&m, &x, &mut sw);
        assert_eq!(hw, sw, "matrix {seed}");
    }
}

#[test]
fn a_dot_product_longer_than_max_k_is_refused() {
    let mut sim = array(4, 16, Packing::TwoBit, false, 16);
    let m = TernaryMatrix::zeros(2, 301, 1.0);
    let err = sim.matmul(&m, &[0i8; 301], &mut [0i32; 2]).unwrap_err();
    assert_eq!(err.to_string(), "a dot product of length K = 301 does not fit the array built for max_k = 300; build it with --max-k 301 or more");
}
