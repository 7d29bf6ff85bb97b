//! # hdl: the ternary accumulate array in rust-hdl, emitted as multiplier-free Verilog
//!
//! An `R x L` array (R = `rows`, L = `lanes`) computes exact integer ternary matrix-vector
//! products. Every cycle one activation slice of L values is broadcast to all rows and each row
//! takes its own L weights in {-1, 0, +1} (or {-1, +1} with `binary`); each row accumulates
//! `sum_j w_j * x_j`. After `ceil(K / L)` slices a row holds the exact dot product of its
//! output (the tail of K is padded with zero weights). There is no multiplier in the RTL (no
//! `*` operator, checked by a test) nor after synthesis (no `$mul`, DSP48E1, SB_MAC16 or
//! MULT18X18D cells, checked on xc7, iCE40 and ECP5).
//!
//! ## Public API
//! * [`ArrayConfig`] (serde, `Default`, [`ArrayConfig::validate`]) drives everything; invalid
//!   configurations (zero sizes, an accumulator too narrow for `max_k`, binary with base 3,
//!   more segments than lanes, ...) are refused with a typed [`HdlError`].
//! * [`emit_verilog`]`(&ArrayConfig) -> Result<String, HdlError>`: the whole synthesizable
//!   Verilog; the top module is [`verilog::TOP_MODULE`] = `tern_array`.
//! * [`pack`]: `pack_activations`, `pack_weights`, `unpack_results` (the exact bus layouts
//!   below), `matvec_beats` (the beats of an N x K matvec), `reference_matvec`.
//! * [`ArrayConfig::matvec_cycles`]`(n, k)`: analytic cycle count (formula below).
//! * [`spec`]: the array's and decoders' math as plain behavioural Verilog, for `tern prove`
//!   (the fpga crate proves the generated RTL equal to it for every input sequence). The
//!   accumulator is sized for `max_k` rounded up to whole slices: `k_overflow` counts slices.
//! * [`ChipConfig`]: the whole chip's record (the array, vector-unit lanes, attention and head
//!   MACs, KV bits, the largest model shape served, vector RAM), derived from a model by
//!   [`ChipConfig::for_model`]; a model that does not fit is refused with the reason. Of the
//!   chip's units, [`argmax::Argmax`] (the LM head's running argmax, ties to the lower index)
//!   exists so far, checked Verilated against golden's integer argmax (`tests/argmax_sim.rs`).
//!
//! ## Architecture (per row)
//! ```text
//!  act_data ─► xin regs ─► per-segment delay (shared by a row group) ─┐
//!  w_data ──► win regs ─► decode (2bit: wires, base3: case table) ─► weight delay ─┐
//!                                                                                  ▼
//!   -128L ─► lane ─► lane ─► .. ─►[seg 0]─► lane ─► .. ─►[seg G-1]─► acc + sum ─► result
//! ```
//! * **Lane** ([`lane::Lane`]): adds `w*x` to the running sum with one carry chain:
//!   the product enters as the offset-binary byte `((x AND nz) XOR neg) XOR 0x80` with `neg`
//!   as carry-in, so the lane computes `pin + w*x + 128`. Bits 8 and up only ripple the carry,
//!   so a lane costs 8 LUT4 `(pin_j, x_j, nz, neg)` on xc7 whatever the accumulator width.
//! * **Chain** ([`chain::Chain`]): the L lanes of a row form one chain, cut into
//!   `pipeline_depth` = G systolic segments by registers; segment s sees its activations and
//!   weights s cycles late (activation delays are shared by a row group). Segment 0 starts from
//!   `-128 L`, cancelling the per-lane offset. This replaces an adder tree: no adder is spent
//!   on combining partial sums. A slice sum is at most `128 L` in magnitude, so only its low
//!   [`ArrayConfig::chain_bits`] bits (13 for 16 lanes) are kept and sign-extended into the
//!   accumulator; synthesis drops the chain's bits above them, so each lane's carry chain is
//!   13 bits long, not the accumulator's 22.
//! * **Accumulator** ([`accumulator::Accumulator`]): `acc + sum` (one LUT per bit), the
//!   registers use clock enable and synchronous clear (FDRE), so "add on valid" and "clear on
//!   last" are free.
//! * **Controller** ([`controller::Controller`]): stream join, valid/last pipeline,
//!   accumulator control, `k_overflow`. The input registers load every cycle (no enable):
//!   what they take in an idle cycle travels with `valid` low and is never accumulated.
//! * **Row groups** (`group_rows`, default 16): every group of rows has its own copy of the
//!   activation input registers and their delay lines, and every row its own copy of the
//!   controller's last stage, kept apart in synthesis (`(* keep *)`). Without them one
//!   register drives a bit of every row:
//!   a 64x16 array at depth 8 measured 69.7 MHz on ECP5-85F, its critical path 14.35 ns
//!   (1.42 cells + 12.93 routing, 2 logic levels) from the controller's last valid register
//!   to row 0's accumulator, all fanout.
//! * **Decoder** ([`decoder`]): 2-bit codes are wires; base-3 bytes go through a 243-entry
//!   case table.
//!
//! rust-hdl emits one module per instance; [`emit_verilog`] keeps one module per distinct body
//! (`tern_core$...` names) so a 64x64 array is ~40k lines instead of ~600k.
//!
//! ## Interface of `tern_array` (all synchronous to `clk`, rising edge)
//! | port | dir | width | meaning |
//! |---|---|---|---|
//! | `clk` | in | 1 | clock |
//! | `reset` | in | 1 | synchronous, active high: clears the pipeline valids, accumulators, `res_valid`, `k_overflow` |
//! | `ring` | in | 1 | only with `slots > 1`: add slice sums to the oldest slot of each row's accumulator ring (weight reuse, see [`accumulator`]); read when a sum reaches the accumulators, so hold it while slices are in flight |
//! | `act_data` | in | L*A | lane j at bits `[A*j +: A]`, two's complement, A = `activation_bits` |
//! | `act_valid` | in | 1 | `act_data` / `act_last` hold a slice |
//! | `act_last` | in | 1 | this slice is the last one of the dot product (the end of K) |
//! | `act_ready` | out | 1 | `= w_valid && !reset` |
//! | `w_data` | in | R*Wr | row r at bits `[Wr*r +: Wr]`, see weight layouts |
//! | `w_valid` | in | 1 | `w_data` holds the weights of the slice |
//! | `w_ready` | out | 1 | `= act_valid && !reset` |
//! | `res_data` | out | R*ACC | row r's dot product at `[ACC*r +: ACC]`, two's complement |
//! | `res_valid` | out | 1 | high for one cycle when `res_data` holds new results |
//! | `k_overflow` | out | 1 | sticky: a dot product had more than `ceil(max_k / L)` slices |
//!
//! Weight layouts (`Wr` bits per row): **2bit ternary** `Wr = 2L`, lane j at `[2j +: 2]`,
//! code = two's complement of w (`00` 0, `01` +1, `11` -1; `10` reads as 0). **Binary**
//! `Wr = L`, lane j at bit j, 1 = -1, 0 = +1. **Base 3** `Wr = 8 * ceil(L/5)`, byte b at
//! `[8b +: 8]` holds lanes `5b..5b+5` as `sum_i (w_{5b+i} + 1) * 3^i`; lanes past L must be 0
//! (digit 1); codes 243..255 decode to zeros.
//!
//! **Timing.** A slice is accepted in every cycle where `act_valid && w_valid && !reset` (both
//! streams move together; there is no other back-pressure, and no ready on the results: the
//! consumer must take `res_data` in the cycle `res_valid` is high, it stays until the next
//! result). If the last slice of a dot product is accepted in cycle t, `res_valid` is high in
//! cycle `t + latency` with `latency = pipeline_depth + 2` (input register, G segments,
//! accumulator), checked by the simulation tests. Slices of the next dot product can be
//! accepted from cycle t + 1 on: there are no bubbles between row tiles. K is signalled only by
//! `act_last`; tiles of a matvec with N > R rows re-send the activations.
//!
//! **Cycle count.** For an N x K matvec with both streams always valid:
//! `matvec_cycles = ceil(N/R) * ceil(K/L) - 1 + latency` cycles from the first accept to the
//! cycle the last results are valid.
//!
//! ## Measured resources (Yosys 0.23, `synth_xilinx`, LUT1..LUT6 + INV cells / (R*L))
//! Command: `yosys -p "read_verilog tern_array.v; synth_xilinx -top tern_array; flatten;
//! tee -o stat.json stat -json"` (the `flatten` after synthesis only merges the hierarchy for
//! counting), defaults otherwise (`pipeline_depth` 4, `accumulator_bits` 24, 2 more than `max_k`
//! 8192 needs):
//!
//! | 16x64 | structure | LUT/MAC | note |
//! |---|---|---|---|
//! | 2bit, generator | systolic offset-binary chain | **8.42** (8627 cells: 8194 LUT4, 405 LUT2, 17 LUT3, 10 LUT6, 1 INV); 8.39 (8595) with 22-bit accumulators | hierarchical synthesis; `fpga/tests/hdl_arrays.rs` asserts <= 12 |
//! | base3, generator | same + base-3 decoders | 16.02 (`fpga/tests/hdl_arrays.rs` output) | decode is ~38 LUTs per byte |
//!
//! Structures compared on one 64-lane row (hand-written Verilog in `hdl/experiments/`,
//! 20-bit accumulator, same command on `-top row`, hierarchical and flattened equal):
//! naive pipelined binary tree of signed products **34.98**, tree of 16-lane carry chains
//! **9.23**, systolic chain **8.31** LUT/MAC. The systolic chain won (by 0.92 over the tree of
//! chains, 26.7 over the binary tree): it pays 8 LUTs per lane plus the accumulator, the tree of
//! chains pays an extra adder tree, the binary tree pays for the negation and
//! every level. The remaining overhead over 8.0 is the accumulator adder (ACC LUTs per row).
//!
//! **Why 16x64 stays above 8 LUT/MAC: a floor, not a tuning gap.** On xc7 every adder bit is a
//! CARRY4 position, which adds two operand bits: its propagate input is their XOR, which a LUT
//! computes unless one of them is constant, and its generate input must be one of the two bits
//! as a signal. Yosys counts one cell per LUT output. A product bit `(w*x)_j` is a function of
//! three signals (the activation bit and the weight's two bits), not a wire, so each costs a
//! LUT: the propagate LUT where it meets the running sum (which also forms it), or, where two
//! products meet, a second LUT to form one of them for the generate input. That is 8 LUTs per
//! lane in any structure (the chain, the tree of chains and the binary tree below all pay them;
//! the trees pay more).
//! One LUT could serve two MACs only by adding one bit of a pre-added pair `w1*x + w2*y`,
//! chosen from `x, y, x+y, x-y` (sums shared by all rows): its propagate input then depends on
//! the partial-sum bit, four candidate bits, the choice among five (zero and the four) and the
//! sign, 9 inputs for a 6-input LUT. So the products alone cost 8 LUTs per MAC and everything
//! else lands above 8: `8 + (ACC x R + controller) / (R x L)`, 8.39 at 16x64 with the 22-bit
//! accumulators `max_k` 8192 needs (8,595 LUTs, `tern synth --target xc7 --rows 16 --lanes 64`;
//! the per-row copies of the accumulator controls are 31 of them), 8.18 modeled at 16x128
//! (`reports::luts`).
//!
//! The one structure measured under 8 moves the pair's choice out of the LUTs into flip-flop
//! resets (`hdl/experiments/pair_lanes_ff.v`): each row keeps four copies of the candidates per
//! pair, each zeroed by its synchronous reset unless the weights choose it, so a bit's LUT6 sees
//! (partial sum, sign, four candidates). One 64-lane row measures 468 LUTs with the sign taken
//! from the packing (500 with it decoded), plus 512 LUTs of pre-adders per row group: 7.81
//! LUT/MAC at 16 rows per group, exact in its testbench. It pays 40 flip-flops per pair and
//! row (20 per MAC; the generated 16x64 array has 8.4 per MAC in all) under four distinct
//! resets: 2,048 control sets in a 16x64 array. A 7-series slice holds 4 LUTs and 8
//! flip-flops of one control set, so a pair takes at least 6 slices where the chain takes 4.
//! It trades counted LUTs for uncounted area (2.47 times the chain's row in ASIC gates, where
//! flip-flops count: `hdl/experiments/README.md`), so the generator does not build it.
//!
//! **Fmax.** The critical path is a segment of the chain: its lanes ripple in series. On iCE40
//! HX8K a 4x16 array at `pipeline_depth` 4 (4 lanes per segment) closes at 83.9 MHz, its
//! critical path 11.91 ns (5.12 cells + 6.80 routing, 23 logic levels) from lane 8 to lane 11 of
//! one row (`tern synth --target ice40 --rows 4 --lanes 16 --max-k 2048`). On ECP5-85F speed 6
//! (`--target ecp5 --rows 4 --lanes 16 --max-k 2048 --pipeline-depth D`): 52.0 MHz at 8 lanes per
//! segment, 145.3 at 2, 197.3 at 1. A 16x64 at depth 4 (16 lanes per segment) measures 26.9 MHz;
//! at depth 32 (2 lanes per segment, `tern synth --target ecp5 --rows 16 --lanes 64
//! --pipeline-depth 32 --freq 200`) 110.6 MHz, its critical path 9.04 ns (2.78 cells + 6.25
//! routing, 13 logic levels) from a shared activation delay register to row 15's last segment
//! register, with 24,752 LUTs and 50,626 flip-flops (the delay lines grow with depth). The
//! 13-bit chain ([`ArrayConfig::chain_bits`]) cut the path's logic from 21 levels and 3.04 ns
//! (120.0 MHz with the 22-bit chain); its routing, one delay register fanning out to 16 rows,
//! grew from 5.30 ns in this placement. Tried, not kept: a kept copy of each lane's last
//! delay register for every 4 rows (192 registers, 1,536 flip-flops; the emitted Verilog edited
//! by hand and placed behind the same pin wrapper) measures 112.6 MHz, its critical path 8.88
//! ns (2.93 cells + 5.95 routing, 17 levels) from row 12-15's copy to row 15's last segment:
//! the rows' segments lie far apart even for a fanout of 4, so the routing stays.
//! More rows add broadcast fanout: 16x16 at depth 8 (2 lanes per segment) measures 124.9 MHz,
//! its critical path 8.00 ns (3.04 cells + 4.97 routing, 21 logic levels) from a shared
//! activation delay register to a row's last segment register.
//!
//! The 64x16 streaming top at depth 8 (`group_rows` 16, 4 slots, 16-tile FIFO, base 3)
//! measures **116.8 MHz** on ECP5-85F speed 6 (25,320 LUTs, 31,937 FFs, 103 of 208 block RAMs,
//! `tern synth --target ecp5 --stream --rows 64 --lanes 16 --packing base3 --pipeline-depth 8
//! --slots 4 --fifo-tiles 16 --max-k 8192 --freq 150`). Its critical path, 8.56 ns (2.32
//! cells and 6.24 routing, 22 levels), runs from the registered `prefill` pin (`prefill_q2`,
//! the slot ring's enable, one register for all 64 rows) to row 0's accumulator. That is
//! placer seed 1 (`tern synth --seed`, default 1); `--seed 2` places the same netlist at
//! 112.0 MHz, its critical path 8.93 ns (1.23 cells + 7.69 routing, 3 levels) from the
//! registered reset `rst` to `alast0`. Taking `rst` out of the activation buffers' enables
//! (they may load anything in a reset, as `acount` is cleared) was tried and not kept: 121.0
//! MHz at seed 1 but 110.3 at seed 2, both critical paths then from `prefill_q2` to a row's
//! accumulator. The 1M checkpoint's decode is array-bound (1,537 cycles per token: 1,152
//! slices plus 12 cycles from fire to result for each of its 32 dependent jobs), so its share
//! of the DDR4 roofline follows the clock: 0.935 at seed 1's 116.8 MHz, 0.896 at seed 2's.
//! How it got there, each step measured by the same command at seed 1:
//!
//! | design | Fmax | critical path |
//! |---|---|---|
//! | one block-RAM FIFO, one register stage | 87.0 MHz | FIFO block RAM to `w_q`, 11.49 ns |
//! | two register stages | 90.2 MHz | `stored` to the FIFO's read address, 11.09 ns (9.48 routing: one net to 57 block RAMs) |
//! | flags registered from the next counts | 82.9 MHz | a flag to a block-RAM address, 10.70 ns routing |
//! | one FIFO slice per row group | 101.5 MHz | FIFO block RAM to `w_q1`, 9.86 ns = 6.07 cells (the block RAM's clock to output without its output register) + 3.79 routing |
//! | FIFO in LUT RAM (async read at a registered pointer) | 113.2 MHz | a shared activation delay register to row 47's segment 2, 8.83 ns (3.11 + 5.73, 23 levels: two lanes of 22-bit carry chain) |
//! | chain kept at 13 bits ([`ArrayConfig::chain_bits`]) | 114.6 MHz | `prefill_q2` to the controller's `k_overflow` compare, 8.73 ns (2.83 + 5.89, 27 levels) |
//! | accumulator controls per row (landed) | **116.8 MHz** | `prefill_q2` to row 0's accumulator, 8.56 ns |
//!
//! Tried and not kept: a third register stage to the array (103.5 MHz with the block-RAM FIFO,
//! and a drain cycle for every dependent projection); a second fabric register after the
//! base-3 ROMs (108.3 MHz with the narrow chain: the ROM's block RAM to that register, 9.23 ns
//! = 5.83 cells + 3.40 routing; 92.8 MHz with the wide chain, where the control fanout to the
//! accumulators became critical); the ring flag pipelined with the slice and kept once per
//! row, which removes `prefill_q2`'s fanout (102.0 MHz: the placement moved and a shared
//! activation delay register to row 0's last segment became critical, 9.81 ns = 2.78 cells +
//! 7.02 routing). Every path out of a ROM's block RAM still carries its clock
//! to output, about 5.5 ns without the block's output register, which Yosys 0.23 does not infer.
//!
//! ## The streaming top ([`stream`])
//! [`emit_stream_verilog`]`(&ArrayConfig)` wraps a 2-bit `tern_array` in `tern_stream`: a
//! memory port of `port_bytes` bytes per cycle whose bytes are decoded as they arrive (base 3:
//! five weights per byte, one decoder per port byte, each a 256-entry ROM in block RAM, two
//! bytes per block), a gearbox that assembles weight tiles, a FIFO of `fifo_tiles` tiles in LUT
//! RAM (one slice per row group), two register stages to the array, a 2-entry activation
//! buffer, and the `prefill` pin that holds each tile for `slots` slices while the
//! accumulators rotate through their slot ring ([`accumulator`]): every weight read from memory
//! then serves `slots` tokens. The protocol is in [`stream`]; the sim crate drives it from a
//! DRAM model.
//!
//! ## The int8 baseline ([`baseline`])
//! [`baseline::emit_baseline_verilog`]`(&ArrayConfig)` emits `mac_array`
//! ([`baseline::TOP_MODULE`]): the same `R x L` shape and stream interface with int8 weights
//! (`w_data` is `R * L * 8` bits) and real multipliers (registered products, a pipelined
//! adder tree per row, the same accumulator and controller), so synthesis measures what
//! ternary weights save instead of claiming it. Its accumulator must hold
//! `128 * 128 * max_k` ([`baseline::min_accumulator_bits`]). It is plain Verilog from a Rust
//! generator (widths grow per tree level, awkward as rust-hdl const generics) and is checked
//! against exact integer dot products in Verilator (`tests/baseline_sim.rs`); the fpga
//! crate's tests synthesize it next to the ternary array.

pub mod accumulator;
pub mod argmax;
pub mod baseline;
pub mod array;
pub mod chain;
pub mod chip;
pub mod config;
pub mod controller;
pub mod decoder;
pub mod error;
pub mod lane;
pub mod pack;
pub mod reg;
pub mod row;
#[cfg(test)]
pub(crate) mod sim;
pub mod spec;
pub mod stream;
pub mod top;
pub mod verilog;

pub use chip::ChipConfig;
pub use config::{ArrayConfig, Packing};
pub use error::HdlError;
pub use stream::emit_stream_verilog;
pub use top::Top;
pub use verilog::emit_verilog;
