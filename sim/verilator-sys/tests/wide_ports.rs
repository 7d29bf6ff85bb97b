//! Ports wider than 64 bits (VlWide) and every narrower storage class, checked bit-exactly
//! against a Rust reference, through both the per-call API and the batch path.

mod common;

use common::{bits, wide_acc};
use proptest::prelude::*;
use std::sync::OnceLock;
use verilator_sys::{BatchSpec, Design, Direction, VerilatorError};

fn design() -> &'static Design {
    static D: OnceLock<Design> = OnceLock::new();
    D.get_or_init(wide_acc)
}

const MASK72_HI: u64 = 0xff;

/// The combinational outputs of `wide_acc` for `bus`, from their Verilog definitions.
struct Comb {
    rotated: Vec<u64>,
    mid: u64,
    low16: u64,
    word1: u64,
    top8: u64,
    parity: u64,
}

fn comb(bus: &[u64; 4]) -> Comb {
    // rotated = {bus[99:0], bus[199:100]}: rotated bit i = bus bit (i + 100) mod 200.
    let mut rotated = vec![0u64; 4];
    for i in 0..200 {
        if common::bit(bus, (i + 100) % 200) {
            rotated[i / 64] |= 1 << (i % 64);
        }
    }
    Comb {
        rotated,
        mid: bits(bus, 100, 41)[0],
        low16: bus[0] & 0xffff,
        word1: bus[0] >> 32,
        top8: bus[3] & 0xff,
        parity: (bus.iter().map(|w| w.count_ones()).sum::<u32>() % 2) as u64,
    }
}

/// total' = total + bus[63:0] + bus[127:64] + bus[199:192], modulo 2^72.
fn next_total(total: u128, bus: &[u64; 4]) -> u128 {
    (total + bus[0] as u128 + bus[1] as u128 + (bus[3] & 0xff) as u128) & ((1u128 << 72) - 1)
}

fn total_words(total: u128) -> Vec<u64> {
    vec![total as u64, (total >> 64) as u64 & MASK72_HI]
}

fn bus_strategy() -> impl Strategy<Value = [u64; 4]> {
    (any::<u64>(), any::<u64>(), any::<u64>(), 0u64..256).prop_map(|(a, b, c, d)| [a, b, c, d])
}

#[test]
fn ports_are_discovered_with_widths_and_directions() {
    let got: Vec<(String, Direction, u32)> = design()
        .ports()
        .iter()
        .map(|p| (p.name.clone(), p.direction, p.width))
        .collect();
    let mut got_sorted = got.clone();
    got_sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let expect = [
        ("bus", Direction::Input, 200),
        ("clk", Direction::Input, 1),
        ("en", Direction::Input, 1),
        ("low16", Direction::Output, 16),
        ("mid", Direction::Output, 41),
        ("parity", Direction::Output, 1),
        ("rotated", Direction::Output, 200),
        ("rst", Direction::Input, 1),
        ("top8", Direction::Output, 8),
        ("total", Direction::Output, 72),
        ("word1", Direction::Output, 32),
    ];
    let expect: Vec<(String, Direction, u32)> = expect
        .iter()
        .map(|(n, d, w)| (n.to_string(), *d, *w))
        .collect();
    assert_eq!(got_sorted, expect);
    assert_eq!(design().port("bus").unwrap().words(), 4);
    assert_eq!(design().port("total").unwrap().words(), 2);
}

#[test]
fn single_bits_land_in_the_right_place() {
    let mut m = design().instantiate().unwrap();
    for i in [0usize, 1, 31, 32, 63, 64, 99, 100, 127, 128, 191, 192, 199] {
        let mut bus = [0u64; 4];
        bus[i / 64] = 1 << (i % 64);
        m.set("bus", &bus).unwrap();
        m.eval();
        let rotated = m.get("rotated").unwrap();
        let expect = comb(&bus).rotated;
        assert_eq!(rotated, expect, "bus bit {i}");
        let j = (i + 100) % 200; // rotated bit j is bus bit (j + 100) % 200 = i
        assert!(common::bit(&rotated, j), "bus bit {i} -> rotated bit {j}");
        assert_eq!(
            m.get_bits("rotated")
                .unwrap()
                .iter()
                .filter(|b| **b)
                .count(),
            1
        );
        assert_eq!(m.get_u64("parity").unwrap(), 1);
    }
}

#[test]
fn set_bits_and_get_bits_agree_with_words() {
    let mut m = design().instantiate().unwrap();
    let mut bits = vec![false; 200];
    bits[0] = true;
    bits[70] = true;
    bits[199] = true;
    m.set_bits("bus", &bits).unwrap();
    assert_eq!(m.get("bus").unwrap(), vec![1, 1 << 6, 0, 1 << 7]);
    assert_eq!(m.get_bits("bus").unwrap(), bits);
}

#[test]
fn values_wider_than_the_port_are_refused() {
    let mut m = design().instantiate().unwrap();
    let err = m.set("bus", &[0, 0, 0, 1 << 8]).unwrap_err();
    assert!(
        matches!(err, VerilatorError::ValueTooWide { width: 200, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("bit 200 is set"), "{err}");
    let err = m.set("en", &[2]).unwrap_err();
    assert!(err.to_string().contains("bit 1 is set"), "{err}");
    let err = m.get_u64("total").unwrap_err();
    assert!(err.to_string().contains("at most 64 bits"), "{err}");
    let err = m.set("total", &[1]).unwrap_err();
    assert!(
        matches!(err, VerilatorError::WrongDirection { .. }),
        "{err}"
    );
    let err = m.set("nope", &[1]).unwrap_err();
    assert!(matches!(err, VerilatorError::UnknownPort { .. }), "{err}");
    assert!(err.to_string().contains("bus (input 200)"), "{err}");
    // A refused value changes nothing.
    assert_eq!(m.get("bus").unwrap(), vec![0; 4]);
}

fn run_reference(steps: &[(bool, [u64; 4])]) -> Vec<u128> {
    let mut total = 0u128;
    steps
        .iter()
        .map(|(en, bus)| {
            if *en {
                total = next_total(total, bus);
            }
            total
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn per_call_path_matches_reference(steps in prop::collection::vec((any::<bool>(), bus_strategy()), 1..24)) {
        let mut m = design().instantiate().unwrap();
        m.set_u64("rst", 1).unwrap();
        m.tick("clk").unwrap();
        m.set_u64("rst", 0).unwrap();
        let totals = run_reference(&steps);
        for ((en, bus), total) in steps.iter().zip(totals) {
            m.set_u64("en", *en as u64).unwrap();
            m.set("bus", bus).unwrap();
            m.eval();
            let c = comb(bus);
            prop_assert_eq!(m.get("rotated").unwrap(), c.rotated);
            prop_assert_eq!(m.get_u64("mid").unwrap(), c.mid);
            prop_assert_eq!(m.get_u64("low16").unwrap(), c.low16);
            prop_assert_eq!(m.get_u64("word1").unwrap(), c.word1);
            prop_assert_eq!(m.get_u64("top8").unwrap(), c.top8);
            prop_assert_eq!(m.get_u64("parity").unwrap(), c.parity);
            m.tick("clk").unwrap();
            prop_assert_eq!(m.get("total").unwrap(), total_words(total));
        }
    }

    #[test]
    fn batch_path_matches_reference(steps in prop::collection::vec((any::<bool>(), bus_strategy()), 1..64)) {
        let d = design();
        let plan = d
            .batch_plan(&BatchSpec {
                clock: "clk",
                inputs: &["en", "rst", "bus"],
                outputs: &["total", "rotated", "mid", "parity"],
                valid: None,
            })
            .unwrap();
        prop_assert_eq!(plan.input_stride(), 1 + 1 + 4);
        prop_assert_eq!(plan.output_stride(), 2 + 4 + 1 + 1);
        // Cycle 0 resets; cycles 1.. are the steps.
        let n = steps.len() + 1;
        let mut stim = plan.stimulus(n);
        plan.put(&mut stim, 0, "rst", &[1]).unwrap();
        for (c, (en, bus)) in steps.iter().enumerate() {
            plan.put(&mut stim, c + 1, "en", &[*en as u64]).unwrap();
            plan.put(&mut stim, c + 1, "bus", bus).unwrap();
        }
        let mut m = d.instantiate().unwrap();
        let out = m.run_batch(&plan, &stim, n as u64).unwrap();
        prop_assert_eq!(out.len(), n);
        prop_assert_eq!(out.cycles_run(), n as u64);
        let totals = run_reference(&steps);
        for (c, ((_, bus), total)) in steps.iter().zip(totals).enumerate() {
            let rec = out.record(c + 1);
            let cm = comb(bus);
            prop_assert_eq!(out.cycle(c + 1), (c + 1) as u64);
            prop_assert_eq!(&rec[plan.output_range("total").unwrap()], &total_words(total)[..]);
            prop_assert_eq!(&rec[plan.output_range("rotated").unwrap()], &cm.rotated[..]);
            prop_assert_eq!(rec[plan.output_range("mid").unwrap().start], cm.mid);
            prop_assert_eq!(rec[plan.output_range("parity").unwrap().start], cm.parity);
        }
        // The model is left where the batch ended: the per-call API sees the same state.
        prop_assert_eq!(m.get("total").unwrap(), total_words(*run_reference(&steps).last().unwrap()));
    }
}

#[test]
fn batch_masks_stimulus_bits_above_the_port_width() {
    let d = design();
    let plan = d
        .batch_plan(&BatchSpec {
            clock: "clk",
            inputs: &["bus"],
            outputs: &["top8", "rotated"],
            valid: None,
        })
        .unwrap();
    let stim = vec![0, 0, 0, u64::MAX];
    let out = d.instantiate().unwrap().run_batch(&plan, &stim, 1).unwrap();
    assert_eq!(
        out.record(0)[0],
        0xff,
        "only bits 192..199 of the last word reach the port"
    );
    assert_eq!(&out.record(0)[1..5], &comb(&[0, 0, 0, 0xff]).rotated[..]);
}

/// Widths around every storage boundary: 8/16/32/64 and VlWide with odd and even word counts.
const WIDTHS: [u32; 14] = [1, 7, 8, 9, 16, 17, 32, 33, 63, 64, 65, 96, 128, 500];

fn inverter() -> &'static Design {
    static D: OnceLock<Design> = OnceLock::new();
    D.get_or_init(|| {
        let mut v = String::from("module inverter(input clk");
        for w in WIDTHS {
            v += &format!(", input [{}:0] i{w}, output [{}:0] o{w}", w - 1, w - 1);
        }
        v += ");\n";
        for w in WIDTHS {
            v += &format!("    assign o{w} = ~i{w};\n");
        }
        v += "endmodule\n";
        Design::build(&verilator_sys::BuildSpec::from_verilog("inverter", &v)).unwrap()
    })
}

/// The `width`-bit complement of `words`, as little-endian words.
fn complement(words: &[u64], width: u32) -> Vec<u64> {
    (0..width.div_ceil(64) as usize)
        .map(|k| {
            let bits_here = (width as usize - 64 * k).min(64);
            let mask = if bits_here == 64 {
                u64::MAX
            } else {
                (1u64 << bits_here) - 1
            };
            !words.get(k).copied().unwrap_or(0) & mask
        })
        .collect()
}

fn value_strategy(width: u32) -> impl Strategy<Value = Vec<u64>> {
    prop::collection::vec(any::<u64>(), width.div_ceil(64) as usize).prop_map(move |mut words| {
        let top = width as usize % 64;
        if top != 0 {
            *words.last_mut().unwrap() &= (1u64 << top) - 1;
        }
        words
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn every_width_round_trips_through_both_paths(
        values in WIDTHS.iter().map(|&w| value_strategy(w)).collect::<Vec<_>>()
    ) {
        let d = inverter();
        for &w in &WIDTHS {
            prop_assert_eq!(d.port(&format!("i{w}")).unwrap().width, w);
        }
        let mut m = d.instantiate().unwrap();
        for (&w, v) in WIDTHS.iter().zip(&values) {
            m.set(&format!("i{w}"), v).unwrap();
        }
        m.eval();
        for (&w, v) in WIDTHS.iter().zip(&values) {
            prop_assert_eq!(m.get(&format!("i{w}")).unwrap(), v.clone(), "input i{} reads back", w);
            prop_assert_eq!(m.get(&format!("o{w}")).unwrap(), complement(v, w), "o{} = ~i{}", w, w);
        }
        let ins: Vec<String> = WIDTHS.iter().map(|w| format!("i{w}")).collect();
        let outs: Vec<String> = WIDTHS.iter().map(|w| format!("o{w}")).collect();
        let ins: Vec<&str> = ins.iter().map(String::as_str).collect();
        let outs: Vec<&str> = outs.iter().map(String::as_str).collect();
        let plan = d.batch_plan(&BatchSpec { clock: "clk", inputs: &ins, outputs: &outs, valid: None }).unwrap();
        let stim: Vec<u64> = values.concat();
        let out = d.instantiate().unwrap().run_batch(&plan, &stim, 1).unwrap();
        for (&w, v) in WIDTHS.iter().zip(&values) {
            let range = plan.output_range(&format!("o{w}")).unwrap();
            prop_assert_eq!(&out.record(0)[range], &complement(v, w)[..], "batch o{}", w);
        }
    }
}
