//! Proofs of the generated blocks against their independent specifications (`hdl::spec`):
//! Yosys builds the miter, ABC proves it (CI installs yosys, which ships yosys-abc).

use fpga::{Flow, ProofJob, ProofRecord, Verdict, CLAIM};
use hdl::{spec, ArrayConfig, Packing};

fn prove(name: &str, [gold, gate]: [String; 2], gold_top: &str, gate_top: &str) -> (ProofRecord, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let job = ProofJob { name: name.into(), gold, gold_top: gold_top.into(), gate, gate_top: gate_top.into() };
    let rec = Flow::from_env().prove(&job, dir.path()).unwrap();
    eprintln!("{name}: {:?} in {:.1} s", rec.verdict, rec.seconds);
    (rec, dir)
}

/// A small array with the narrowest exact accumulator (the overflow guard is then tight).
fn small(rows: usize, lanes: usize, max_k: usize, packing: Packing, binary: bool) -> ArrayConfig {
    let mut c = ArrayConfig { rows, lanes, max_k, packing, binary, pipeline_depth: 2, group_rows: rows, ..ArrayConfig::default() };
    c.accumulator_bits = c.min_accumulator_bits();
    c
}

fn assert_array_proven(cfg: &ArrayConfig) {
    let name = format!("array {}x{} {} binary={}", cfg.rows, cfg.lanes, cfg.packing.name(), cfg.binary);
    let (rec, _dir) = prove(&name, spec::array_proof(cfg, None).unwrap(), spec::GOLD_TOP, spec::GATE_TOP);
    assert_eq!(rec.verdict, Verdict::Proven, "{name}: {rec:?}");
    assert_eq!(rec.claim, CLAIM);
    assert!(rec.counterexample.is_none());
}

#[test]
fn array_2x4_2bit() {
    assert_array_proven(&small(2, 4, 16, Packing::TwoBit, false));
}

#[test]
fn array_2x4_base3() {
    assert_array_proven(&small(2, 4, 16, Packing::Base3, false));
}

#[test]
fn array_2x4_binary() {
    assert_array_proven(&small(2, 4, 16, Packing::TwoBit, true));
}

#[test]
fn array_4x8_2bit() {
    assert_array_proven(&small(4, 8, 32, Packing::TwoBit, false));
}

#[test]
fn array_4x8_base3() {
    assert_array_proven(&small(4, 8, 32, Packing::Base3, false));
}

#[test]
fn array_4x8_binary() {
    assert_array_proven(&small(4, 8, 32, Packing::TwoBit, true));
}

/// No wrap for K up to max_k: the spec raises k_overflow for any result that does not fit, so
/// this proof at the narrowest accepted accumulator shows the guard is exact. max_k 7 on 4
/// lanes lets 2 whole slices (K = 8) through: it needs 12 bits, and 11 (enough for K = 7, what
/// the generator accepted before the proof found the wrap) is refused.
#[test]
fn overflow_guard_is_tight() {
    let cfg = small(2, 4, 7, Packing::TwoBit, false);
    assert_eq!(cfg.accumulator_bits, 12);
    let narrow = ArrayConfig { accumulator_bits: 11, ..cfg.clone() };
    let err = narrow.validate().unwrap_err().to_string();
    assert!(err.contains("use accumulator_bits >= 12"), "{err}");
    assert_array_proven(&cfg);
}

#[test]
fn decoders_exhaustively() {
    for trits in 1..=5 {
        let (rec, _d) = prove(&format!("base3 decoder {trits}"), spec::base3_decoder_proof(trits).unwrap(), spec::BASE3_SPEC, hdl::decoder::BASE3_DECODER_MODULE);
        assert_eq!(rec.verdict, Verdict::Proven, "{rec:?}");
    }
    let cfg = ArrayConfig { packing: Packing::Base3, ..small(2, 4, 16, Packing::Base3, false) };
    let (rec, _d) = prove("port decoder", spec::port_decoder_proof(&cfg).unwrap(), spec::PORT_DECODE_SPEC, "tern_port_decode");
    assert_eq!(rec.verdict, Verdict::Proven, "{rec:?}");
}

/// A decoder table with one entry changed is caught, and the counterexample names the byte.
#[test]
fn a_wrong_decoder_entry_is_caught() {
    let [gold, gate] = spec::base3_decoder_proof(5).unwrap();
    // byte 121 is five zero weights; make the block decode it as weight 0 = +1
    let from = "8'd121: begin nz$0 = 1'b0;";
    assert!(gate.contains(from), "the decoder's table changed shape");
    let broken = gate.replacen(from, "8'd121: begin nz$0 = 1'b1;", 1);
    let (rec, _d) = prove("broken decoder", [gold, broken], spec::BASE3_SPEC, hdl::decoder::BASE3_DECODER_MODULE);
    assert_eq!(rec.verdict, Verdict::Counterexample);
    let cex = rec.counterexample.unwrap();
    let last = cex.trace.last().unwrap();
    assert_eq!(last.inputs, vec![("code".to_string(), "79".to_string())], "byte 121 = 0x79");
    assert_eq!(last.differs, vec![("nz$0".to_string(), "0".to_string(), "1".to_string())]);
}

/// One lane's sign flipped: the proof fails with a trace that accumulates through that lane,
/// and its VCD is written.
#[test]
fn a_flipped_lane_sign_is_caught_with_a_counterexample() {
    for binary in [false, true] {
        let cfg = small(2, 4, 16, Packing::TwoBit, binary);
        let (rec, dir) = prove("broken array", spec::array_proof(&cfg, Some(1)).unwrap(), spec::GOLD_TOP, spec::GATE_TOP);
        assert_eq!(rec.verdict, Verdict::Counterexample, "binary={binary}");
        let cex = rec.counterexample.unwrap();
        assert_eq!(cex.trace.len(), cex.cycles);
        // the difference is in the results (the control is intact), and only in the last cycle
        let last = cex.trace.last().unwrap();
        assert_eq!(last.differs.iter().map(|d| d.0.as_str()).collect::<Vec<_>>(), vec!["res_data"], "{last:?}");
        assert!(cex.trace[..cex.cycles - 1].iter().all(|c| c.differs.is_empty()));
        // results appear no earlier than the latency after a first accepted slice
        assert!(cex.cycles > cfg.latency(), "{} cycles", cex.cycles);
        assert!(cex.vcd.starts_with(dir.path()));
        let vcd = std::fs::read_to_string(&cex.vcd).unwrap();
        assert!(vcd.contains("$var") && vcd.contains("res_data"), "VCD without the results");
    }
}

/// The LM head's running argmax (the chip unit built so far) at its smallest size, and the
/// same unit with ties going to the higher index (`>=`), which the proof catches.
#[test]
fn head_argmax_and_a_tie_bug() {
    let (rec, _d) = prove("argmax", spec::argmax_proof().unwrap(), spec::GOLD_TOP, spec::GATE_TOP);
    assert_eq!(rec.verdict, Verdict::Proven, "{rec:?}");
    let [gold, gate] = spec::argmax_proof().unwrap();
    let from = "($signed(logit) > $signed(best_q$q))";
    assert!(gate.contains(from), "the argmax's compare changed shape");
    let broken = gate.replacen(from, "($signed(logit) >= $signed(best_q$q))", 1);
    let (rec, _d) = prove("argmax >=", [gold, broken], spec::GOLD_TOP, spec::GATE_TOP);
    assert_eq!(rec.verdict, Verdict::Counterexample);
    let last = rec.counterexample.unwrap().trace.pop().unwrap();
    assert_eq!(last.differs.iter().map(|d| d.0.as_str()).collect::<Vec<_>>(), vec!["index"], "{last:?}");
}
