//! The software backend equals the plain scalar definition on any shape and values.

use golden::backend::{reference_matmul, ternary_matmul};
use golden::TernaryMatrix;
use proptest::prelude::*;

/// Activations that favour the extremes -128, 127, 0 and -1.
fn activation() -> impl Strategy<Value = i8> {
    prop_oneof![3 => any::<i8>(), 1 => Just(-128i8), 1 => Just(127i8), 1 => Just(0i8), 1 => Just(-1i8)]
}

/// Rows of random weights, all-zero rows and all-minus-one rows.
fn matrix(rows: usize, cols: usize) -> impl Strategy<Value = Vec<i8>> {
    proptest::collection::vec(prop_oneof![2 => proptest::collection::vec(-1i8..=1, cols), 1 => Just(vec![0i8; cols]), 1 => Just(vec![-1i8; cols]), 1 => Just(vec![1i8; cols])], rows)
        .prop_map(|r| r.concat())
}

fn case() -> impl Strategy<Value = (usize, usize, Vec<i8>, Vec<i8>)> {
    (1usize..70, prop_oneof![Just(1usize), 1usize..9, 9usize..700], 1usize..4).prop_flat_map(|(rows, cols, m)| {
        (Just(rows), Just(cols), matrix(rows, cols), proptest::collection::vec(activation(), cols * m))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn software_backend_equals_scalar_reference((rows, cols, w, x) in case()) {
        let m = TernaryMatrix::from_weights(rows, cols, &w, 1.0).unwrap();
        let n = x.len() / cols * rows;
        let (mut fast, mut slow) = (vec![0i32; n], vec![0i32; n]);
        ternary_matmul(&m, &x, &mut fast);
        reference_matmul(&m, &x, &mut slow);
        prop_assert_eq!(fast, slow);
    }
}

#[test]
fn extremes_reach_the_accumulator_bounds() {
    // |acc| <= 128 K: a row of -1 against -128 everywhere gives exactly +128 K
    let k = 6912;
    let m = TernaryMatrix::from_weights(2, k, &[vec![-1i8; k], vec![1i8; k]].concat(), 1.0).unwrap();
    let mut out = [0i32; 2];
    ternary_matmul(&m, &vec![-128i8; k], &mut out);
    assert_eq!(out, [128 * k as i32, -128 * k as i32]);
}
