//! The LM head's running argmax (`hdl::argmax`), emitted by rust-hdl, Verilated and driven
//! cycle by cycle against golden's integer argmax (ties to the lower index), on random i32
//! logits and on small ones where ties are common. Needs Verilator; fails, not skips, without it.

use hdl::argmax::Argmax;
use proptest::prelude::*;
use rust_hdl::prelude::*;
use verilator_sys::{BuildSpec, Design};

fn design() -> &'static Design {
    static D: std::sync::OnceLock<Design> = std::sync::OnceLock::new();
    D.get_or_init(|| {
        let mut uut = Argmax::<32, 20>::default();
        uut.connect_all();
        let v = generate_verilog(&uut);
        Design::build(&BuildSpec::from_verilog("top", &v)).unwrap_or_else(|e| panic!("{e}"))
    })
}

/// (index, best, count) after feeding `logits` with a gap cycle every `gap` logits.
fn run(logits: &[i32], gap: usize) -> (u64, i32, u64) {
    let mut m = design().instantiate().unwrap();
    m.set_u64("start", 1).unwrap();
    m.tick("clock").unwrap();
    m.set_u64("start", 0).unwrap();
    for (i, &l) in logits.iter().enumerate() {
        if gap > 0 && i % gap == gap - 1 {
            m.set_u64("valid", 0).unwrap();
            m.set_u64("logit", 0x7fff_ffff).unwrap(); // not taken: valid is low
            m.tick("clock").unwrap();
        }
        m.set_u64("valid", 1).unwrap();
        m.set_u64("logit", l as u32 as u64).unwrap();
        m.tick("clock").unwrap();
    }
    m.set_u64("valid", 0).unwrap();
    m.tick("clock").unwrap();
    (m.get_u64("index").unwrap(), m.get_u64("best").unwrap() as u32 as i32, m.get_u64("count").unwrap())
}

#[test]
fn verilated_argmax_breaks_ties_like_golden() {
    assert_eq!(run(&[-5, 7, 3, 7, -9], 0), (1, 7, 5));
    assert_eq!(run(&[i32::MIN, -1, i32::MIN], 2), (1, -1, 3));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn verilated_argmax_matches_golden(x in prop::collection::vec(any::<i32>(), 1..200), small in any::<bool>(), gap in 0usize..5) {
        let x: Vec<i32> = if small { x.iter().map(|v| v % 3).collect() } else { x };
        let want = golden::int::ops::argmax(&x);
        prop_assert_eq!(run(&x, gap), (want as u64, x[want], x.len() as u64));
    }
}
