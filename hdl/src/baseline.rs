//! The int8 x int8 multiply-accumulate baseline: an `R x L` array with the interface of
//! `tern_array` and real multipliers, so synthesis can measure what ternary weights save.
//!
//! It is emitted as plain Verilog text by a Rust function rather than built from rust-hdl
//! blocks: its adder tree grows one bit per level, and rust-hdl widths are const generics,
//! so every level would need its own type and a `seq!` dispatch (the ternary core already
//! needs one for the accumulator alone). The Verilog is the ordinary RTL a hardware engineer
//! writes for this block, with `*` on signed operands so each synthesis flow infers
//! multipliers its own way (DSP48E1 on xc7, MULT18X18D on ECP5, LUTs or gates elsewhere).
//!
//! ## Structure (per row, module [`ROW_MODULE`])
//! ```text
//!  act_data ─► x regs (shared) ──────────┐
//!  w_data ──► w regs ─► L x (x_j * w_j) ─► product regs ─► adder tree ─► acc + sum ─► result
//! ```
//! * Input registers: the activation slice (shared by all rows) and each row's L int8
//!   weights load when a slice is accepted, as in `tern_array`.
//! * Products: `L` signed `A x 8` multipliers, registered (`A + 8` bits).
//! * Adder tree: `ceil(log2 L)` levels of pairwise sums, each level exactly as wide as its
//!   largest sum needs; `pipeline_depth - 1` of the levels (at most all of them, spread
//!   evenly, the root always among them) end in registers ([`tree_stages`]).
//! * Accumulator: `acc + sum`, cleared on the last slice, which also loads the result.
//! * Controller (in the top): the same stream join, valid/last pipeline, `res_valid` and
//!   sticky `k_overflow` (32-bit slice counter) as `tern_array`.
//!
//! ## Interface of `mac_array`
//! Identical to `tern_array` (see the crate docs) except the weight bus: `w_data` is
//! `R * L * 8` bits, row r lane j at `[8 * (r * L + j) +: 8]`, two's complement int8
//! ([`pack_weights`]). Activations and results use the same layouts, so
//! [`crate::pack::pack_activations`] and [`crate::pack::unpack_results`] apply unchanged.
//! If the last slice of a dot product is accepted in cycle t, `res_valid` is high in cycle
//! `t + latency(cfg)`; [`latency`] equals `ArrayConfig::latency` (`pipeline_depth + 2`)
//! whenever `pipeline_depth <= ceil(log2 L) + 1`.
//!
//! ## Configuration
//! `rows`, `lanes`, `activation_bits`, `pipeline_depth`, `max_k` and `accumulator_bits` are
//! used. `packing` is a ternary wire format and is ignored (weights are plain int8 here);
//! `binary` is refused. The accumulator must hold `|acc| <= 2^(A-1) * 128 * max_k`
//! (`128 * 128 * K` for int8): [`min_accumulator_bits`], 29 bits for the default
//! `max_k = 8192`, where the ternary array needs 21.

use crate::config::{accumulator_bits_for, signed_bits_for, ArrayConfig};
use crate::error::HdlError;
use crate::pack::Beat;
use crate::verilog::resize;
use std::fmt::Write;

/// Name of the top module of [`emit_baseline_verilog`]'s output.
pub const TOP_MODULE: &str = "mac_array";
/// Name of the per-row module the top instantiates `rows` times.
pub const ROW_MODULE: &str = "mac_array_row";
/// Weight width of the baseline (int8).
pub const WEIGHT_BITS: usize = 8;
/// Width of the slice counter behind `k_overflow` (as in the ternary controller).
const COUNT_BITS: usize = 32;

/// Largest |product| of an activation and an int8 weight: `2^(A-1) * 128`.
pub fn product_bound(cfg: &ArrayConfig) -> u64 {
    (1u64 << (cfg.activation_bits.max(1) - 1)) << (WEIGHT_BITS - 1)
}

/// Largest |dot product| the overflow guard lets through: `2^(A-1) * 128` times max_k rounded
/// up to whole slices (the guard counts slices, see [`ArrayConfig::acc_bound`]).
pub fn acc_bound(cfg: &ArrayConfig) -> u64 {
    product_bound(cfg) * (cfg.max_k.div_ceil(cfg.lanes.max(1)) * cfg.lanes.max(1)) as u64
}

/// Narrowest accumulator that is exact for every K <= max_k.
pub fn min_accumulator_bits(cfg: &ArrayConfig) -> usize {
    accumulator_bits_for(acc_bound(cfg))
}

/// Levels of the adder tree: `ceil(log2 lanes)` (0 for one lane).
pub fn tree_levels(cfg: &ArrayConfig) -> usize {
    cfg.lanes.max(1).next_power_of_two().trailing_zeros() as usize
}

/// Register stages inside the adder tree: `pipeline_depth - 1` (the product registers are
/// the first stage), at most one per level.
pub fn tree_stages(cfg: &ArrayConfig) -> usize {
    cfg.pipeline_depth.saturating_sub(1).min(tree_levels(cfg))
}

/// Cycles from the accept of a dot product's last slice to `res_valid`: input registers,
/// product registers, [`tree_stages`], accumulator.
pub fn latency(cfg: &ArrayConfig) -> usize {
    3 + tree_stages(cfg)
}

/// Width of the packed weight bus `w_data`: `rows * lanes * 8`.
pub fn weight_bus_bits(cfg: &ArrayConfig) -> usize {
    cfg.rows * cfg.lanes * WEIGHT_BITS
}

/// Check a configuration for the baseline: everything `ArrayConfig::validate` checks, no
/// binary weights, and an accumulator wide enough for int8 weights.
pub fn validate(cfg: &ArrayConfig) -> Result<(), HdlError> {
    cfg.validate()?;
    if cfg.binary {
        return Err(HdlError::Weights(
            "the baseline multiplies int8 weights; `binary` describes ternary-array weights: set binary = false".into(),
        ));
    }
    cfg.check_accumulator(acc_bound(cfg))
}

/// The whole synthesizable Verilog of the baseline: [`ROW_MODULE`] and the top [`TOP_MODULE`].
pub fn emit_baseline_verilog(cfg: &ArrayConfig) -> Result<String, HdlError> {
    validate(cfg)?;
    let mut v = format!(
        "// Generated by tern hdl::baseline: int8 x int8 multiply-accumulate array. Top module: {TOP_MODULE}.\n\
         // Configuration: {cfg:?}\n"
    );
    v.push_str(&row_module(cfg));
    v.push_str(&top_module(cfg));
    Ok(v)
}

/// One level of the adder tree (level 0 = the products).
struct Level {
    nodes: usize,
    width: usize,
    registered: bool,
}

fn tree(cfg: &ArrayConfig) -> Vec<Level> {
    let (levels, stages) = (tree_levels(cfg), tree_stages(cfg));
    let cuts: Vec<usize> = (0..stages).map(|g| (g + 1) * levels / stages).collect();
    let width = |k: usize| signed_bits_for(((1usize << k).min(cfg.lanes) as u64) * product_bound(cfg));
    let mut out = vec![Level { nodes: cfg.lanes, width: width(0), registered: true }];
    for k in 1..=levels {
        let nodes = out[k - 1].nodes.div_ceil(2);
        out.push(Level { nodes, width: width(k), registered: cuts.contains(&k) });
    }
    out
}

fn row_module(cfg: &ArrayConfig) -> String {
    let (l, a, acc) = (cfg.lanes, cfg.activation_bits, cfg.accumulator_bits);
    let levels = tree(cfg);
    let mut v = String::new();
    let _ = write!(
        v,
        "\n// One row: {l} weight registers, {l} registered products, a {}-level adder tree \
         ({} register stages), accumulator.\nmodule {ROW_MODULE}(\n    input wire clk,\n    \
         input wire wen,\n    input wire acc_en,\n    input wire acc_clr,\n    input wire res_en,\n    \
         input wire [{}:0] x,\n    input wire [{}:0] w,\n    output wire [{}:0] result\n);\n",
        levels.len() - 1,
        tree_stages(cfg),
        l * a - 1,
        l * WEIGHT_BITS - 1,
        acc - 1
    );
    let _ = write!(v, "    reg [{}:0] w_q;\n    always @(posedge clk) if (wen) w_q <= w;\n", l * WEIGHT_BITS - 1);
    // level 0: the products
    let p = levels[0].width;
    let _ = writeln!(v, "    // level 0: {l} products of {p} bits, registered");
    for j in 0..l {
        let _ = writeln!(
            v,
            "    wire signed [{}:0] x_{j} = x[{}:{}];\n    wire signed [7:0] w_{j} = w_q[{}:{}];\n    reg signed [{}:0] s0_{j};",
            a - 1,
            a * j + a - 1,
            a * j,
            8 * j + 7,
            8 * j,
            p - 1
        );
    }
    v.push_str("    always @(posedge clk) begin\n");
    for j in 0..l {
        let _ = writeln!(v, "        s0_{j} <= x_{j} * w_{j};");
    }
    v.push_str("    end\n");
    for k in 1..levels.len() {
        let (prev, lv) = (&levels[k - 1], &levels[k]);
        let kind = if lv.registered { "registered" } else { "combinational" };
        let _ = writeln!(v, "    // level {k}: {} sums of {} bits, {kind}", lv.nodes, lv.width);
        let operand = |i: usize| resize(&format!("s{}_{i}", k - 1), prev.width, lv.width);
        let sums: Vec<String> = (0..lv.nodes)
            .map(|i| match 2 * i + 1 < prev.nodes {
                true => format!("{} + {}", operand(2 * i), operand(2 * i + 1)),
                false => operand(2 * i),
            })
            .collect();
        if lv.registered {
            for i in 0..lv.nodes {
                let _ = writeln!(v, "    reg signed [{}:0] s{k}_{i};", lv.width - 1);
            }
            v.push_str("    always @(posedge clk) begin\n");
            for (i, sum) in sums.iter().enumerate() {
                let _ = writeln!(v, "        s{k}_{i} <= {sum};");
            }
            v.push_str("    end\n");
        } else {
            for (i, sum) in sums.iter().enumerate() {
                let _ = writeln!(v, "    wire signed [{}:0] s{k}_{i} = {sum};", lv.width - 1);
            }
        }
    }
    let root = levels.len() - 1;
    let _ = write!(
        v,
        "    // accumulator: clear wins over add; the last slice's total is the result\n    \
         wire [{m}:0] sum = {};\n    reg [{m}:0] acc;\n    reg [{m}:0] res;\n    \
         wire [{m}:0] total = acc + sum;\n    always @(posedge clk) begin\n        \
         if (acc_clr) acc <= {acc}'d0;\n        else if (acc_en) acc <= total;\n        \
         if (res_en) res <= total;\n    end\n    assign result = res;\nendmodule // {ROW_MODULE}\n",
        resize(&format!("s{root}_0"), levels[root].width, acc),
        m = acc - 1,
    );
    v
}

fn top_module(cfg: &ArrayConfig) -> String {
    let (r, l, a, acc) = (cfg.rows, cfg.lanes, cfg.activation_bits, cfg.accumulator_bits);
    // valid/last stage 0 is the input registers, stage `s` holds the row sums
    let s = latency(cfg) - 2;
    let row_w = l * WEIGHT_BITS;
    let mut v = crate::verilog::stream_module_header(TOP_MODULE, l * a, weight_bus_bits(cfg), r * acc, false);
    let _ = write!(
        v,
        "    // stream join: a slice is accepted when both streams are valid\n    \
         wire fire = act_valid & w_valid & ~reset;\n    assign act_ready = w_valid & ~reset;\n    \
         assign w_ready = act_valid & ~reset;\n    reg [{}:0] x_q;\n    \
         always @(posedge clk) if (fire) x_q <= act_data;\n    \
         // valid/last travel with the data: stage 0 = input registers, stage {s} = row sums\n    \
         reg [{s}:0] valid;\n    reg [{s}:0] last;\n    always @(posedge clk) begin\n        \
         valid <= reset ? {w}'d0 : {{valid[{sm}:0], fire}};\n        last <= {{last[{sm}:0], act_last}};\n    end\n    \
         wire done = valid[{s}] & last[{s}];\n    reg rvalid;\n    \
         always @(posedge clk) rvalid <= done & ~reset;\n    assign res_valid = rvalid;\n    \
         // slices of the current dot product; more than {max} is flagged (sticky until reset)\n    \
         reg [{cm}:0] count;\n    reg overflow;\n    always @(posedge clk) begin\n        \
         if (reset | (fire & act_last)) count <= {COUNT_BITS}'d0;\n        \
         else if (fire) count <= count + {COUNT_BITS}'d1;\n        \
         if (reset) overflow <= 1'b0;\n        \
         else if (fire && count >= {COUNT_BITS}'d{max}) overflow <= 1'b1;\n    end\n    \
         assign k_overflow = overflow;\n",
        l * a - 1,
        w = s + 1,
        sm = s - 1,
        cm = COUNT_BITS - 1,
        max = cfg.max_slices(),
    );
    for row in 0..r {
        let _ = writeln!(
            v,
            "    {ROW_MODULE} row_{row}(.clk(clk), .wen(fire), .acc_en(valid[{s}]), .acc_clr(reset | done), \
             .res_en(done), .x(x_q), .w(w_data[{}:{}]), .result(res_data[{}:{}]));",
            row_w * row + row_w - 1,
            row_w * row,
            acc * row + acc - 1,
            acc * row
        );
    }
    let _ = writeln!(v, "endmodule // {TOP_MODULE}");
    v
}

/// Pack one weight slice into `w_data`: `rows[r]` holds row r's int8 weights for this slice
/// (`rows.len() <= cfg.rows`, each `<= lanes` long; missing rows and lanes are zero).
pub fn pack_weights(cfg: &ArrayConfig, rows: &[&[i8]]) -> Result<Vec<u8>, HdlError> {
    if rows.len() > cfg.rows || rows.iter().any(|r| r.len() > cfg.lanes) {
        return Err(HdlError::Weights(format!("a weight slice is at most {} rows of {} lanes", cfg.rows, cfg.lanes)));
    }
    let mut bus = vec![0u8; cfg.rows * cfg.lanes];
    for (r, row) in rows.iter().enumerate() {
        for (j, &w) in row.iter().enumerate() {
            bus[r * cfg.lanes + j] = w as u8;
        }
    }
    Ok(bus)
}

/// The beats of an N x K matrix-vector product `W x` on the baseline (`w` row-major N x K,
/// any int8 values): the same tiling and padding as [`crate::pack::matvec_beats`].
pub fn matvec_beats(cfg: &ArrayConfig, w: &[i8], n: usize, k: usize, x: &[i8]) -> Result<Vec<Beat>, HdlError> {
    validate(cfg)?;
    crate::pack::tile_beats(cfg, w, n, k, x, pack_weights)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Packing, MIN_ACC_BITS};

    fn cfg(rows: usize, lanes: usize, depth: usize) -> ArrayConfig {
        ArrayConfig { rows, lanes, pipeline_depth: depth, accumulator_bits: 29, ..Default::default() }
    }

    #[test]
    fn accumulator_rule_is_128_by_128_by_k() {
        let c = cfg(16, 64, 4);
        assert_eq!(acc_bound(&c), 128 * 128 * 8192);
        // 2^27 needs 28 magnitude bits plus sign
        assert_eq!(min_accumulator_bits(&c), 29);
        validate(&c).unwrap();
        match validate(&ArrayConfig { accumulator_bits: 28, ..c.clone() }) {
            Err(HdlError::AccumulatorTooNarrow { need: 29, have: 28, .. }) => {}
            other => panic!("expected AccumulatorTooNarrow(29), got {other:?}"),
        }
        // the ternary default (24 bits) is too narrow for int8 weights, and says what to use
        let e = emit_baseline_verilog(&ArrayConfig::default()).unwrap_err();
        assert!(e.to_string().contains(">= 29"), "{e}");
        // one product of -128 x -128 = 2^14 needs 16 bits; 2-bit activations x int8, K = 1: 256 needs 10
        assert_eq!(min_accumulator_bits(&ArrayConfig { max_k: 1, lanes: 1, ..c.clone() }), 16);
        assert_eq!(min_accumulator_bits(&ArrayConfig { max_k: 1, lanes: 1, activation_bits: 2, ..c.clone() }), MIN_ACC_BITS);
        // the guard counts slices: max_k 1 on 64 lanes lets a whole slice through, 64 products
        assert_eq!(min_accumulator_bits(&ArrayConfig { max_k: 1, ..c }), 22);
    }

    #[test]
    fn refuses_binary_and_ignores_packing() {
        let e = validate(&ArrayConfig { binary: true, ..cfg(4, 16, 2) }).unwrap_err();
        assert!(e.to_string().contains("binary = false"), "{e}");
        let two = emit_baseline_verilog(&cfg(4, 16, 2)).unwrap();
        let b3 = emit_baseline_verilog(&ArrayConfig { packing: Packing::Base3, ..cfg(4, 16, 2) }).unwrap();
        // only the configuration comment differs
        assert_eq!(two.lines().skip(2).collect::<Vec<_>>(), b3.lines().skip(2).collect::<Vec<_>>());
        assert!(emit_baseline_verilog(&cfg(0, 16, 1)).is_err());
    }

    #[test]
    fn tree_widths_and_stages() {
        let c = cfg(16, 64, 4);
        assert_eq!((tree_levels(&c), tree_stages(&c), latency(&c)), (6, 3, c.latency()));
        let t = tree(&c);
        let widths: Vec<usize> = t.iter().map(|l| l.width).collect();
        assert_eq!(widths, vec![16, 17, 18, 19, 20, 21, 22]);
        let regs: Vec<usize> = (0..t.len()).filter(|&k| t[k].registered).collect();
        assert_eq!(regs, vec![0, 2, 4, 6], "products, then every second level, root last");
        // 3 lanes: 2 levels; the root holds 3 products (17 bits), not 4 (18)
        let t = tree(&cfg(1, 3, 3));
        assert_eq!(t.iter().map(|l| (l.nodes, l.width)).collect::<Vec<_>>(), vec![(3, 16), (2, 17), (1, 17)]);
        // one lane: no tree, latency 3 whatever the depth
        let one = cfg(2, 1, 1);
        assert_eq!((tree_levels(&one), latency(&one)), (0, 3));
        // deeper than the tree: capped
        assert_eq!(latency(&cfg(1, 4, 4)), 5);
    }

    #[test]
    fn verilog_shape() {
        let c = cfg(2, 3, 2);
        let v = emit_baseline_verilog(&c).unwrap();
        assert!(v.contains(&format!("module {TOP_MODULE}(")) && v.contains(&format!("module {ROW_MODULE}(")));
        assert_eq!(v.matches(" <= x_").count(), 3, "one multiplier per lane:\n{v}");
        assert_eq!(v.matches(&format!("    {ROW_MODULE} row_")).count(), 2);
        assert!(v.contains("input wire [47:0] w_data"), "2 x 3 x 8 weight bits");
        assert!(v.contains("count >= 32'd2731"), "ceil(8192 / 3) slices:\n{v}");
        // root of 3 lanes is 17 bits, sign-extended into the 29-bit accumulator
        assert!(v.contains("wire [28:0] sum = {{12{s2_0[16]}}, s2_0};"), "{v}");
    }

    #[test]
    fn packs_weights_as_bytes() {
        let c = cfg(2, 3, 1);
        assert_eq!(pack_weights(&c, &[&[-128, 127], &[0, 0, -1]]).unwrap(), vec![0x80, 0x7f, 0, 0, 0, 0xff]);
        assert!(pack_weights(&c, &[&[1, 2, 3, 4]]).is_err());
        let beats = matvec_beats(&c, &[1, 2, 3, 4, 5, 6, 7, 8], 2, 4, &[1, 1, 1, 1]).unwrap();
        assert_eq!(beats.len(), 2);
        assert_eq!(beats[1].weights, vec![4, 0, 0, 8, 0, 0]);
        assert!(beats[1].last && !beats[0].last);
    }
}
