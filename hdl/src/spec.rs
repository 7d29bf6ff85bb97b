//! Specifications for the proofs: the blocks' math as plain behavioural Verilog, generated
//! from the same [`ArrayConfig`] but written without the block's code (no chain, no offset
//! binary, no decoder of this crate), so a formal tool can prove the generated RTL equal to it.
//!
//! * [`array_spec`]: `tern_array_spec`, ports as `tern_array`. Each row's slice sum is a
//!   direct sum `sum_j w_j * x_j` of the decoded weights (2-bit code, binary bit, or base-3
//!   digits computed as `(byte / 3^i) % 3 - 1`), delayed by the documented latency
//!   (`pipeline_depth + 2`) and added in an accumulator wide enough never to wrap within a
//!   proof; `res_data` is its low `accumulator_bits`. The overflow guard is part of the spec:
//!   `k_overflow` is the sticky "more than `ceil(max_k / lanes)` slices" flag, and it must
//!   also be high in any cycle that presents a result whose exact value does not fit
//!   `accumulator_bits` (so a block that wraps without the flag differs from the spec).
//! * [`base3_decoder_spec`]: a lookup table of the 243 base-3 codes, enumerated from the
//!   weights (not decoded from the bytes); unused codes give zero weights.
//! * [`port_decoder_spec`]: the stream top's base-3 to 2-bit code ROM as the same table.
//! * [`argmax_spec`]: the LM head's running argmax (first index of the largest logit since
//!   `start`), compared within its contract of 16 logits a start.
//! * [`masked_wrapper`]: the proof's two sides wrap the spec and the block alike; `res_data`
//!   is compared only when `res_valid` is high (the interface contract: the result bus is
//!   read in that cycle).
//!
//! Only `slots = 1` arrays have a spec (the slot ring is not specified here).

use crate::config::{ArrayConfig, Packing};
use crate::error::HdlError;
use crate::verilog::{activation_bus_bits, result_bus_bits, stream_module_header, weight_bus_bits};
use std::fmt::Write;

/// Module name of [`array_spec`].
pub const ARRAY_SPEC: &str = "tern_array_spec";
/// Module name of [`base3_decoder_spec`].
pub const BASE3_SPEC: &str = "tern_base3_spec";
/// Module name of [`port_decoder_spec`].
pub const PORT_DECODE_SPEC: &str = "tern_port_decode_spec";

/// Width of the spec's exact totals: every dot product of up to `max_slices + 1` slices (one
/// more than the guard lets through) is exact; longer ones raise `k_overflow` first.
fn wide_bits(cfg: &ArrayConfig) -> usize {
    let slice = (1u64 << (cfg.activation_bits - 1)) * cfg.lanes as u64;
    crate::config::signed_bits_for(slice * (cfg.max_k.div_ceil(cfg.lanes) as u64 + 1)).max(cfg.accumulator_bits + 1)
}

/// Row `r`, lane `j`'s term `w * x` as a Verilog expression of `sw` bits (signed): the
/// activation, its negation or zero, chosen by the weight as the packing codes it.
fn term_expr(cfg: &ArrayConfig, r: usize, j: usize, sw: usize) -> String {
    let (a, wr) = (cfg.activation_bits, cfg.weight_bits_per_row());
    let x = format!("$signed(act_data[{}:{}])", a * j + a - 1, a * j);
    let (plus, minus) = match (cfg.binary, cfg.packing) {
        (true, _) => (format!("!w_data[{}]", wr * r + j), format!("w_data[{}]", wr * r + j)),
        (false, Packing::TwoBit) => {
            let c = format!("w_data[{}:{}]", wr * r + 2 * j + 1, wr * r + 2 * j);
            (format!("({c} == 2'b01)"), format!("({c} == 2'b11)"))
        }
        (false, Packing::Base3) => {
            let (t, i) = (format!("t{r}_{}", j / 5), j % 5);
            (format!("({t}[{}:{}] == 2'b01)", 2 * i + 1, 2 * i), format!("({t}[{}:{}] == 2'b11)", 2 * i + 1, 2 * i))
        }
    };
    format!("({plus} ? {sw}'sd0 + {x} : {minus} ? {sw}'sd0 - {x} : {sw}'sd0)")
}

/// `tern_array_spec` for `cfg` (see the module docs); `slots` must be 1.
pub fn array_spec(cfg: &ArrayConfig) -> Result<String, HdlError> {
    cfg.validate()?;
    if cfg.slots != 1 {
        return Err(HdlError::Stream(format!("no specification for slots = {} (the slot ring): use slots 1", cfg.slots)));
    }
    Ok(array_spec_unchecked(cfg))
}

/// [`array_spec`] without validation (tests build specs of refused configurations).
pub fn array_spec_unchecked(cfg: &ArrayConfig) -> String {
    let (a, acc, r_n, l) = (cfg.activation_bits, cfg.accumulator_bits, cfg.rows, cfg.lanes);
    let wide = wide_bits(cfg);
    let stages = cfg.pipeline_depth; // pipeline registers after the input stage
    let max_slices = cfg.max_k.div_ceil(l);
    let mut v = format!("// Specification of tern_array: {r_n}x{l}, {}{}, depth {stages}, {acc}-bit results.\n", cfg.packing.name(), if cfg.binary { " binary" } else { "" });
    v.push_str(&stream_module_header(ARRAY_SPEC, activation_bus_bits(cfg), weight_bus_bits(cfg), result_bus_bits(cfg), false));
    if cfg.packing == Packing::Base3 && !cfg.binary {
        v.push_str(&codes_function("trits", 5));
        let wr = cfg.weight_bits_per_row();
        for r in 0..r_n {
            for b in 0..cfg.base3_bytes_per_row() {
                let lo = wr * r + 8 * b;
                let _ = writeln!(v, "    wire [9:0] t{r}_{b} = trits(w_data[{}:{lo}]);", lo + 7);
            }
        }
    }
    let _ = writeln!(v, "    wire fire = act_valid && w_valid && !reset;\n    assign act_ready = w_valid && !reset;\n    assign w_ready = act_valid && !reset;");
    // the direct sums, in the width of a slice sum, sign-extended
    let sw = crate::config::signed_bits_for((1u64 << (a - 1)) * l as u64);
    for r in 0..r_n {
        let terms: Vec<String> = (0..l).map(|j| term_expr(cfg, r, j, sw)).collect();
        let _ = writeln!(v, "    wire signed [{}:0] slice{r} = {};", sw - 1, terms.join("\n        + "));
        let _ = writeln!(v, "    wire signed [{}:0] sum{r} = slice{r};", wide - 1);
    }
    // the latency: `stages + 1` registers of (valid, last, sums) from the fire to the accumulator
    let _ = writeln!(v, "    reg [{stages}:0] pv;\n    reg [{stages}:0] pl;");
    for r in 0..r_n {
        let _ = writeln!(v, "    reg signed [{}:0] ps{r} [0:{stages}];\n    reg signed [{}:0] total{r};\n    reg signed [{0}:0] exact{r};", wide - 1, wide - 1);
    }
    let _ = writeln!(v, "    reg rv;\n    reg ovf;\n    reg [31:0] count;\n    integer i;");
    v.push_str("    always @(posedge clk) begin\n        pv <= reset ? 0 : {pv, fire};\n        pl <= {pl, act_last};\n");
    for r in 0..r_n {
        let _ = writeln!(v, "        ps{r}[0] <= sum{r};\n        for (i = 1; i <= {stages}; i = i + 1) ps{r}[i] <= ps{r}[i - 1];");
        let _ = writeln!(
            v,
            "        if (pv[{stages}]) begin\n            if (pl[{stages}]) begin exact{r} <= total{r} + ps{r}[{stages}]; total{r} <= 0; end\n            \
             else total{r} <= total{r} + ps{r}[{stages}];\n        end\n        if (reset) total{r} <= 0;"
        );
    }
    let _ = writeln!(
        v,
        "        rv <= !reset && pv[{stages}] && pl[{stages}];\n        \
         ovf <= !reset && (ovf || (fire && count >= {max_slices}));\n        \
         count <= (reset || (fire && act_last)) ? 0 : fire ? count + 1 : count;\n    end"
    );
    let res: Vec<String> = (0..r_n).rev().map(|r| format!("exact{r}[{}:0]", acc - 1)).collect();
    // the overflow guard: a result that does not fit `acc` bits must come with k_overflow
    let bound = 1u64 << (acc - 1);
    let fits: Vec<String> = (0..r_n).map(|r| format!("(exact{r} >= -{wide}'sd{bound} && exact{r} < {wide}'sd{bound})")).collect();
    let _ = writeln!(
        v,
        "    assign res_data = {{{}}};\n    assign res_valid = rv;\n    assign k_overflow = ovf || (rv && !({}));",
        res.join(", "),
        fits.join(" && ")
    );
    v.push_str("endmodule\n");
    v
}

/// The five (non-zero, negative) weight bits of every used base-3 code, enumerated from the
/// weights: `(code, nz, neg)` with weight i at bit i.
fn base3_table() -> Vec<(u8, u8, u8)> {
    let mut rows = vec![];
    for digits in 0..243u32 {
        // the weights of this tuple, counting in base 3 by repeated increments
        let mut w = [-1i32; 5];
        for _ in 0..digits {
            for t in w.iter_mut() {
                if *t < 1 {
                    *t += 1;
                    break;
                }
                *t = -1;
            }
        }
        let code: u32 = w.iter().enumerate().map(|(i, &t)| (t + 1) as u32 * 3u32.pow(i as u32)).sum();
        let bits = |f: fn(i32) -> bool| w.iter().enumerate().map(|(i, &t)| (f(t) as u8) << i).sum::<u8>();
        rows.push((code as u8, bits(|t| t != 0), bits(|t| t < 0)));
    }
    rows
}

/// A Verilog function `name(byte)` giving the 2-bit codes (`01` = +1, `11` = -1, `00` = 0) of
/// the first `trits` weights of a base-3 byte, weight i at bits `[2i +: 2]`, from
/// [`base3_table`]; unused codes give zeros.
fn codes_function(name: &str, trits: usize) -> String {
    let bits = 2 * trits;
    let mut v = format!("    function [{}:0] {name}(input [7:0] x);\n        case (x)\n", bits - 1);
    for (code, nz, neg) in base3_table() {
        let c: u32 = (0..trits).map(|i| ((((neg >> i) & 1) << 1 | ((nz >> i) & 1)) as u32) << (2 * i)).sum();
        let _ = writeln!(v, "            8'd{code}: {name} = {bits}'d{c};");
    }
    let _ = writeln!(v, "            default: {name} = {bits}'d0;\n        endcase\n    endfunction");
    v
}

/// Spec of the array's base-3 decoder for its first `trits` weights: ports `code`, `nz$i`,
/// `neg$i` as `decoder::Base3Decoder` emits them. Module [`BASE3_SPEC`].
pub fn base3_decoder_spec(trits: usize) -> String {
    let outs: String = (0..trits).map(|i| format!(",\n    output wire nz${i},\n    output wire neg${i}")).collect();
    let mut v = format!("module {BASE3_SPEC}(\n    input wire [7:0] code{outs}\n);\n    reg [4:0] nz;\n    reg [4:0] neg;\n    always @(*) begin\n        nz = 5'b0; neg = 5'b0;\n        case (code)\n");
    for (code, nz, neg) in base3_table() {
        let _ = writeln!(v, "            8'd{code}: begin nz = 5'b{nz:05b}; neg = 5'b{neg:05b}; end");
    }
    v.push_str("            default: begin nz = 5'b0; neg = 5'b0; end\n        endcase\n    end\n");
    for i in 0..trits {
        let _ = writeln!(v, "    assign nz${i} = nz[{i}];\n    assign neg${i} = neg[{i}];");
    }
    v.push_str("endmodule\n");
    v
}

/// Spec of the stream top's port decoder `tern_port_decode` (two bytes to their 2-bit
/// codes, weight i at bits `[2i +: 2]`, `00` = 0, `01` = +1, `11` = -1, registered once),
/// for `trits` weights per byte. Module [`PORT_DECODE_SPEC`].
pub fn port_decoder_spec(trits: usize) -> String {
    let m = 2 * trits - 1;
    let mut v = format!(
        "module {PORT_DECODE_SPEC}(\n    input wire clk,\n    input wire [7:0] a,\n    input wire [7:0] b,\n    \
         output reg [{m}:0] ca,\n    output reg [{m}:0] cb\n);\n"
    );
    v.push_str(&codes_function("codes", trits));
    v.push_str("    always @(posedge clk) begin\n        ca <= codes(a);\n        cb <= codes(b);\n    end\nendmodule\n");
    v
}

/// A module `name` with the ports of `tern_array` (slots 1) around `inner`, whose `res_data`
/// is passed on only while `res_valid` is high (zero otherwise).
pub fn masked_wrapper(cfg: &ArrayConfig, name: &str, inner: &str) -> String {
    let n = result_bus_bits(cfg);
    let mut v = stream_module_header(name, activation_bus_bits(cfg), weight_bus_bits(cfg), n, false);
    let _ = writeln!(
        v,
        "    wire [{}:0] res;\n    {inner} block(.clk(clk), .reset(reset), .act_data(act_data), .act_valid(act_valid), \
         .act_last(act_last), .act_ready(act_ready), .w_data(w_data), .w_valid(w_valid), .w_ready(w_ready), \
         .res_data(res), .res_valid(res_valid), .k_overflow(k_overflow));\n    \
         assign res_data = res & {{{n}{{res_valid}}}};\nendmodule",
        n - 1
    );
    v
}

/// Module name of [`argmax_spec`].
pub const ARGMAX_SPEC: &str = "tern_argmax_spec";

/// Spec of the LM head's running argmax at 8-bit logits and 4-bit indices: after `start`, the
/// first index of the largest logit so far (a "seen" flag marks the first, not the count),
/// and how many logits came.
pub fn argmax_spec() -> String {
    format!(
        "module {ARGMAX_SPEC}(\n    input wire clock,\n    input wire start,\n    input wire valid,\n    \
         input wire signed [7:0] logit,\n    output wire signed [7:0] best,\n    output wire [3:0] index,\n    \
         output wire [3:0] count\n);\n    reg signed [7:0] b;\n    reg [3:0] i;\n    reg [3:0] n;\n    reg seen;\n    \
         always @(posedge clock) begin\n        if (start) begin b <= 0; i <= 0; n <= 0; seen <= 0; end\n        \
         else if (valid) begin\n            if (!seen || logit > b) begin b <= logit; i <= n; end\n            \
         seen <= 1; n <= n + 1;\n        end\n    end\n    assign best = b;\n    assign index = i;\n    assign count = n;\nendmodule\n"
    )
}

/// A wrapper `name` around an argmax module `inner` that shows its outputs only within the
/// unit's contract, at most 16 logits (2^4 indices) after a start; zero after that. Both
/// sides of the proof get the same wrapper.
fn argmax_wrapper(name: &str, inner: &str) -> String {
    format!(
        "module {name}(\n    input wire clock,\n    input wire start,\n    input wire valid,\n    \
         input wire signed [7:0] logit,\n    output wire signed [7:0] best,\n    output wire [3:0] index,\n    \
         output wire [3:0] count\n);\n    wire signed [7:0] b;\n    wire [3:0] i;\n    wire [3:0] n;\n    \
         {inner} unit(.clock(clock), .start(start), .valid(valid), .logit(logit), .best(b), .index(i), .count(n));\n    \
         reg [4:0] taken;\n    reg beyond;\n    \
         always @(posedge clock) begin\n        if (start) begin taken <= 0; beyond <= 0; end\n        \
         else if (valid) begin if (taken == 5'd16) beyond <= 1; else taken <= taken + 1; end\n    end\n    \
         assign best = beyond ? 8'sd0 : b;\n    assign index = beyond ? 4'd0 : i;\n    assign count = beyond ? 4'd0 : n;\nendmodule\n"
    )
}

/// The two sides of the argmax proof (tops [`GOLD_TOP`], [`GATE_TOP`]).
pub fn argmax_proof() -> Result<[String; 2], HdlError> {
    let block = crate::argmax::argmax_verilog()?;
    Ok([
        argmax_spec() + &argmax_wrapper(GOLD_TOP, ARGMAX_SPEC),
        block + &argmax_wrapper(GATE_TOP, crate::argmax::ARGMAX_MODULE),
    ])
}

/// Top module of the specification side of a proof.
pub const GOLD_TOP: &str = "prove_gold";
/// Top module of the block side of a proof.
pub const GATE_TOP: &str = "prove_gate";

/// The two sides of the array's proof, `[gold, gate]`, tops [`GOLD_TOP`] and [`GATE_TOP`]:
/// the spec and the emitted `tern_array` (with `broken_lane`, row 0's lane of that index has
/// its sign flipped, see [`break_lane_sign`]), both behind [`masked_wrapper`].
pub fn array_proof(cfg: &ArrayConfig, broken_lane: Option<usize>) -> Result<[String; 2], HdlError> {
    let spec = array_spec(cfg)?;
    let mut block = crate::emit_verilog(cfg)?;
    if let Some(lane) = broken_lane {
        block = break_lane_sign(&block, cfg, lane)?;
    }
    Ok([
        spec + &masked_wrapper(cfg, GOLD_TOP, ARRAY_SPEC),
        block + &masked_wrapper(cfg, GATE_TOP, crate::verilog::TOP_MODULE),
    ])
}

/// The two sides of the proof of the array's base-3 decoder for `trits` weights.
pub fn base3_decoder_proof(trits: usize) -> Result<[String; 2], HdlError> {
    let block = crate::decoder::base3_decoder_verilog(trits)?;
    Ok([base3_decoder_spec(trits), block])
}

/// The two sides of the proof of the base-3 streaming top's port decoder.
pub fn port_decoder_proof(cfg: &ArrayConfig) -> Result<[String; 2], HdlError> {
    let block = crate::stream::port_decoder_verilog(cfg)?;
    Ok([port_decoder_spec(cfg.weights_per_port_byte()), block])
}

/// The emitted array with one lane's weight sign flipped (row 0, lane `lane`): a broken
/// block for checking that a proof finds a counterexample. Works on [`crate::emit_verilog`]'s
/// top-module wiring (2-bit and binary formats).
pub fn break_lane_sign(verilog: &str, cfg: &ArrayConfig, lane: usize) -> Result<String, HdlError> {
    let (from, to) = match (cfg.binary, cfg.packing) {
        (true, _) => (format!(".w1${lane}(w_data[{lane}])"), format!(".w1${lane}(~w_data[{lane}])")),
        (false, Packing::TwoBit) => {
            let (hi, lo) = (2 * lane + 1, 2 * lane);
            (format!(".w2${lane}(w_data[{hi}:{lo}])"), format!(".w2${lane}({{w_data[{hi}] ^ w_data[{lo}], w_data[{lo}]}})"))
        }
        (false, Packing::Base3) => return Err(HdlError::Weights("a broken lane is built for the 2bit and binary formats only".into())),
    };
    if lane >= cfg.lanes || !verilog.contains(&from) {
        return Err(HdlError::Weights(format!("lane {lane} is not a lane of row 0 of this {}x{} array", cfg.rows, cfg.lanes)));
    }
    Ok(verilog.replacen(&from, &to, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_the_base3_code() {
        let t = base3_table();
        assert_eq!(t.len(), 243);
        // all codes distinct, and they agree with the crate's decoder (independently built)
        let codes: std::collections::HashSet<u8> = t.iter().map(|r| r.0).collect();
        assert_eq!(codes.len(), 243);
        for (code, nz, neg) in t {
            let w = crate::decoder::base3_decode(code);
            for (i, &x) in w.iter().enumerate() {
                assert_eq!((nz >> i & 1 == 1, neg >> i & 1 == 1), (x != 0, x < 0), "code {code} weight {i}");
            }
        }
        assert_eq!(base3_table()[121], (121, 0, 0));
    }

    #[test]
    fn broken_lane_is_refused_where_it_cannot_be_built() {
        let cfg = ArrayConfig { rows: 2, lanes: 4, max_k: 16, accumulator_bits: 13, pipeline_depth: 2, ..ArrayConfig::default() };
        let v = crate::emit_verilog(&cfg).unwrap();
        let broken = break_lane_sign(&v, &cfg, 1).unwrap();
        assert_ne!(broken, v);
        assert!(broken.contains(".w2$1({w_data[3] ^ w_data[2], w_data[2]})"));
        assert!(break_lane_sign(&v, &cfg, 4).unwrap_err().to_string().contains("lane 4 is not a lane"));
        let b3 = ArrayConfig { packing: Packing::Base3, ..cfg };
        assert!(break_lane_sign(&v, &b3, 0).is_err());
    }
}
