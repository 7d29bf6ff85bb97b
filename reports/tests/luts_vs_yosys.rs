//! Verification ladder step 6: the structural LUT model against Yosys `synth_xilinx` (xc7,
//! hierarchy kept) on hdl-emitted Verilog, through the fpga crate (results cached). The
//! shapes exclude 1x64 2-bit, the one shape the controller's LUTs were read from. Needs Yosys:
//! fails, naming `apt-get install yosys`, when it is missing.

use fpga::{Flow, SynthOptions, Target};
use reports::report::lut_point;
use reports::array::{array, label, ArrayConfig, Packing};

/// (rows, lanes, packing, binary, pipeline depth, max K)
const SHAPES: [(usize, usize, Packing, bool, usize, usize); 8] = [
    (2, 8, Packing::TwoBit, false, 2, 256),
    (4, 16, Packing::TwoBit, false, 2, 256),
    (8, 16, Packing::TwoBit, false, 4, 1024),
    (2, 32, Packing::TwoBit, false, 2, 256),
    (16, 16, Packing::TwoBit, false, 2, 256),
    (4, 24, Packing::TwoBit, true, 3, 512),
    (4, 10, Packing::Base3, false, 2, 256),
    (8, 32, Packing::Base3, false, 2, 256),
];

#[test]
fn lut_model_is_within_10_percent_of_yosys_on_8_arrays() {
    let flow = Flow::from_env();
    let opts = SynthOptions { flatten: false, ..SynthOptions::default() };
    let mut lines = vec![];
    let mut worst: f64 = 0.0;
    for (rows, lanes, packing, binary, depth, max_k) in SHAPES {
        let a = ArrayConfig { packing, binary, pipeline_depth: depth, ..array(rows, lanes, max_k) };
        a.validate().unwrap();
        let verilog = hdl::emit_verilog(&a).unwrap();
        let rec = flow
            .synthesize(&verilog, hdl::verilog::TOP_MODULE, Target::Xc7, &opts)
            .unwrap_or_else(|e| panic!("{}: xc7 synthesis failed: {e}", label(&a)));
        assert!(!rec.has_multipliers(), "{}: multipliers in a ternary array", label(&a));
        let p = lut_point(&a, Some(&rec));
        let err = p.error_percent.as_ref().unwrap().value;
        worst = worst.max(err.abs());
        lines.push(format!(
            "{:<18} depth {depth} acc {:>2}: modeled {:>5}, yosys {:>5} LUTs ({err:+.1}%){}",
            label(&a),
            a.accumulator_bits,
            p.modeled.value,
            rec.resources.luts,
            if rec.from_cache { " (cached)" } else { "" }
        ));
    }
    eprintln!("{}", lines.join("\n"));
    assert!(worst <= 10.0, "LUT model off by {worst:.1}% (> 10%):\n{}", lines.join("\n"));
}
