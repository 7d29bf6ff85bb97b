//! `tern_stream`: the array behind a memory port. Packed weights arrive from DRAM, are
//! decoded at the port's full rate, assembled into tiles and buffered; activations are
//! double-buffered; results leave without back-pressure.
//!
//! ```text
//!  m_data (P bytes) ─► P decoders ─► gearbox (TB/P beats) ─► tile FIFO (F tiles) ─┐  hold D fires
//!                      (base 3: 5 weights/byte)                                   ▼  when prefill
//!  act_data ─► 2-entry activation buffer ─────────────────────────────────► tern_array (2-bit) ─► res_data
//! ```
//!
//! **Memory port.** `m_data` is `8 * P` bits (`P = ArrayConfig::port_width()`), byte `q` at
//! bits `[8q +: 8]`, with `m_valid` / `m_ready`. The stream is a sequence of tiles, each
//! `TB = ArrayConfig::tile_bytes()` bytes ([`crate::pack::pack_stream_tile`]): the tile's
//! `rows x lanes` weights row-major (`w[r][j]` is weight `r * lanes + j`), five per byte in
//! base 3 (`sum_i (w_i + 1) 3^i`) or four per byte as 2-bit codes, padded with zero weights.
//! A tile takes `TB / P` beats; beat `n` carries tile bytes `nP .. nP + P`. Every byte is
//! decoded as it arrives (P decoders), so decoding never limits the port. A base-3 decoder is
//! a 256-entry ROM in block RAM with a registered output, two port bytes per ROM (its two read
//! ports), then a fabric register: no logic per byte, two cycles from the port to the gearbox.
//! A tile reserves its FIFO entry when its last beat is accepted and is stored two cycles
//! later. `m_ready = fifo_count < F` depends on registers only: a DRAM model may sample
//! it after a clock edge and drive the next beat. The FIFO is read asynchronously at a
//! registered pointer (`head = mem[rd]`) into the first register stage toward the array, so
//! Yosys maps it to LUT RAM on ECP5 (TRELLIS_DPR16X4, 16 x 4 bits each) and xc7, where it sits
//! among the rows: no block RAM's clock-to-out (about 5.5 ns on ECP5 without the block's
//! output register) is on the path from the FIFO to the array. iCE40 has no LUT RAM: there
//! the stage becomes the block RAM's read register. A stored tile becomes the head the cycle
//! after it is written. The FIFO is one slice per row group (`ArrayConfig::group_rows`), each
//! with its own write and read pointers and its own copies of the reset, the push and the
//! three registered flags the fire decision reads (`w_nz`, `a_nz`, `hold_last`), kept apart in
//! synthesis: one address net reaches one group's memory only. All copies compute the same
//! pops. The fired slice, tile and fire go through [`FIRE_TO_ARRAY_REGS`] registers before the
//! array (`act_q1`, `w_q1`, `fire_q1`, ...): the fire decision then drives only the buffers
//! beside it and the last stage sits beside the rows. The stream logic and the array take
//! their reset from registers of their own (`rst`, `rst_array` and one copy per FIFO slice,
//! one cycle after `reset`), so the reset input drives flip-flops only; `m_ready` and
//! `act_ready` stay low while `rst` is high.
//!
//! **Schedule.** Each accepted slice ("fire") takes the head tile of the FIFO and the head
//! activation slice. With `prefill` low (decode) the tile is popped after one fire: a tile
//! of R rows x L lanes is used once, as a batch-1 matrix-vector product needs. With
//! `prefill` high the tile is held for `D = slots` fires and the accumulators rotate
//! (`ring`): the activation stream interleaves D token vectors (slice k of token 0 .. token
//! D-1, then slice k + 1), so every weight read from memory serves D tokens.
//!
//! **Activations** go through a 2-entry buffer (`act_ready = count < 2`): the next slice is
//! taken while the current one is in use, so the host streams one slice per cycle. Results
//! (`res_data`, `res_valid`) are those of `tern_array` and never stall the weight stream.

use std::fmt::Write;

use crate::config::{ArrayConfig, Packing};
use crate::decoder::base3_decode;
use crate::error::HdlError;

/// Name of the streaming top module.
pub const TOP_MODULE: &str = "tern_stream";

/// Registers between the fire decision and the array's inputs (`act_q1`, `w_q1`, `fire_q1`,
/// then `act_q2`, ...).
pub const FIRE_TO_ARRAY_REGS: usize = 2;

/// The configuration of the `tern_array` inside `tern_stream`: 2-bit weights (the port
/// decodes), everything else as `cfg`.
pub fn core_config(cfg: &ArrayConfig) -> ArrayConfig {
    // the port width is the stream top's: the core takes whole decoded tiles
    ArrayConfig { packing: Packing::TwoBit, port_bytes: 0, ..cfg.clone() }
}

/// Bits of one decoded port byte: 5 (base 3) or 4 (2-bit) weights of 2 bits.
fn decoded_bits(cfg: &ArrayConfig) -> usize {
    2 * cfg.weights_per_port_byte()
}

/// The ports of [`TOP_MODULE`] as `(name, is_input, width)`.
pub fn stream_ports(cfg: &ArrayConfig) -> Vec<(&'static str, bool, usize)> {
    vec![
        ("clk", true, 1),
        ("reset", true, 1),
        ("prefill", true, 1),
        ("m_data", true, 8 * cfg.port_width()),
        ("m_valid", true, 1),
        ("m_ready", false, 1),
        ("act_data", true, cfg.lanes * cfg.activation_bits),
        ("act_valid", true, 1),
        ("act_last", true, 1),
        ("act_ready", false, 1),
        ("res_data", false, cfg.rows * cfg.accumulator_bits),
        ("res_valid", false, 1),
        ("k_overflow", false, 1),
        ("fifo_count", false, fifo_count_bits(cfg)),
    ]
}

fn fifo_count_bits(cfg: &ArrayConfig) -> usize {
    bits_for(cfg.fifo_tiles)
}

/// Bits of an unsigned register that holds every value in `0..=max` (at least 1).
fn bits_for(max: usize) -> usize {
    ((usize::BITS - max.leading_zeros()) as usize).max(1)
}

/// The whole Verilog of the streaming top: `tern_array` (2-bit, from rust-hdl) and
/// `tern_stream` around it.
pub fn emit_stream_verilog(cfg: &ArrayConfig) -> Result<String, HdlError> {
    cfg.validate()?;
    if cfg.binary {
        return Err(HdlError::Stream("the memory port carries ternary weights; binary arrays use tern_array".into()));
    }
    let mut out = crate::emit_verilog(&core_config(cfg))?;
    out.push_str(&stream_module(cfg));
    Ok(out)
}

fn stream_module(cfg: &ArrayConfig) -> String {
    let p = cfg.port_width();
    let beats = cfg.tile_bytes() / p;
    let db = decoded_bits(cfg);
    let beat_bits = p * db;
    let tile_bits = 2 * cfg.rows * cfg.lanes;
    let f = cfg.fifo_tiles;
    let cb = fifo_count_bits(cfg);
    let ab = cfg.lanes * cfg.activation_bits;
    let ptr = bits_for(f - 1);
    let slots = cfg.slots;
    let hb = bits_for(slots.max(2));
    let ports: Vec<String> = stream_ports(cfg)
        .into_iter()
        .map(|(name, input, width)| {
            let range = if width == 1 { String::new() } else { format!("[{}:0] ", width - 1) };
            format!("    {} wire {range}{name}", if input { "input" } else { "output" })
        })
        .collect();
    let mut v = String::new();
    let _ = write!(
        v,
        "\n\n// {TOP_MODULE}: {r}x{l} array, {pk} memory port of {p} bytes, {beats} beat(s) per {tb}-byte tile,\n\
         // {f}-tile FIFO, {slots} accumulator slot(s). See hdl::stream for the protocol.\n\
         module {TOP_MODULE}(\n{}\n);\n",
        ports.join(",\n"),
        r = cfg.rows,
        l = cfg.lanes,
        pk = cfg.packing.name(),
        tb = cfg.tile_bytes(),
    );
    // the reset, registered twice over: one copy for the stream logic, one for the array
    v.push_str("    reg rst, rst_array;\n    (* keep *) always @(posedge clk) rst <= reset;\n    (* keep *) always @(posedge clk) rst_array <= reset;\n");
    // stage 1: the beat decoded, registered in the block RAM. Base 3: ROMs of 256 x 10 bits,
    // two port bytes per ROM (its two read ports); 2-bit: the bytes themselves. Stage 2: a
    // fabric register, so no block RAM output drives logic.
    let _ = writeln!(v, "    wire m_fire = m_valid && m_ready;");
    let _ = writeln!(v, "    // verilator lint_off UNUSEDSIGNAL\n    wire [{}:0] dec_rom;\n    reg [{0}:0] dec;", beat_bits - 1);
    let _ = writeln!(v, "    always @(posedge clk) dec <= dec_rom;");
    match cfg.packing {
        Packing::TwoBit => {
            let _ = writeln!(v, "    reg [{}:0] dec_q;\n    always @(posedge clk) dec_q <= m_data;\n    assign dec_rom = dec_q;", beat_bits - 1);
        }
        Packing::Base3 => {
            let byte = |q: usize| format!("m_data[{}:{}]", 8 * q + 7, 8 * q);
            let codes = |q: usize| format!("dec_rom[{}:{}]", db * q + db - 1, db * q);
            for q in (0..p).step_by(2) {
                let (b, cb) = if q + 1 < p { (byte(q + 1), codes(q + 1)) } else { ("8'd0".into(), "dec_spare".into()) };
                if q + 1 == p {
                    let _ = writeln!(v, "    wire [{}:0] dec_spare;", db - 1);
                }
                let _ = writeln!(v, "    tern_port_decode d{q}(.clk(clk), .a({}), .b({b}), .ca({}), .cb({cb}));", byte(q), codes(q));
            }
        }
    }
    if beats == 1 {
        let _ = writeln!(v, "    wire last_beat = 1'b1;\n    wire [{}:0] tile_in = dec[{}:0];", tile_bits - 1, tile_bits - 1);
        v.push_str("    // verilator lint_on UNUSEDSIGNAL\n");
    } else {
        let gb = beats * beat_bits;
        let bc = bits_for(beats - 1);
        let _ = writeln!(v, "    reg [{}:0] gear;\n    reg [{}:0] beat;\n    reg dfire_rom, dfire;", gb - beat_bits - 1, bc - 1);
        let _ = writeln!(v, "    wire last_beat = beat == {bc}'d{};", beats - 1);
        let _ = writeln!(v, "    wire [{}:0] whole = {{dec, gear}};", gb - 1);
        let _ = writeln!(v, "    wire [{}:0] tile_in = whole[{}:0];", tile_bits - 1, tile_bits - 1);
        v.push_str("    // verilator lint_on UNUSEDSIGNAL\n");
        let shift = if beats > 2 { format!("{{dec, gear[{}:{}]}}", gb - beat_bits - 1, beat_bits) } else { "dec".into() };
        let _ = writeln!(
            v,
            "    always @(posedge clk) begin\n        dfire_rom <= !rst && m_fire;\n        dfire <= !rst && dfire_rom;\n        if (rst) beat <= 0;\n        \
             else if (m_fire) beat <= last_beat ? {bc}'d0 : beat + 1'b1;\n        if (dfire) gear <= {shift};\n    end"
        );
    }
    // a tile reserves its FIFO entry when its last beat is accepted and is stored two cycles later
    let _ = writeln!(v, "    reg dlast_rom, dlast;\n    wire reserve = m_fire && last_beat;\n    wire push = dlast;");
    let _ = writeln!(v, "    always @(posedge clk) begin\n        dlast_rom <= !rst && reserve;\n        dlast <= !rst && dlast_rom;\n    end");
    // count: tiles reserved (stored or on their way), for m_ready; stored: tiles written at
    // least one edge before `head` read them, so `head` holds the oldest
    let _ = writeln!(v, "    reg [{cb1}:0] count, stored;\n    reg [{}:0] held;\n    reg push_d;", hb - 1, cb1 = cb - 1);
    let _ = writeln!(v, "    reg [{}:0] abuf0, abuf1;\n    reg alast0, alast1;\n    reg [1:0] acount;", ab - 1);
    // the fire decision reads three flags registered from the next counts (every FIFO slice
    // below has its own copies), one LUT level from flip-flops
    let _ = writeln!(v, "    reg w_nz, a_nz, hold_last;");
    let _ = writeln!(v, "    wire a_push = act_valid && act_ready;");
    let _ = writeln!(v, "    wire fire = w_nz && a_nz && !rst;");
    let _ = writeln!(v, "    wire pop = fire && (!prefill || hold_last);");
    let _ = writeln!(v, "    wire [{}:0] stored_next = stored + (push_d ? 1'b1 : 1'b0) - (pop ? 1'b1 : 1'b0);", cb - 1);
    let _ = writeln!(v, "    wire [{}:0] held_next = !fire ? held : pop ? {hb}'d0 : held + 1'b1;", hb - 1);
    let _ = writeln!(v, "    wire [1:0] acount_next = acount + (a_push ? 2'd1 : 2'd0) - (fire ? 2'd1 : 2'd0);");
    let _ = writeln!(v, "    assign m_ready = !rst && count < {cb}'d{f};\n    assign act_ready = !rst && acount < 2'd2;\n    assign fifo_count = count;");
    // `hold_last`'s next value and its value in reset, for the flag and each of its copies
    let hold_last = format!("held_next == {hb}'d{}", slots - 1);
    let hold_last_reset = (slots == 1) as u8;
    let _ = writeln!(
        v,
        "    always @(posedge clk) begin\n        if (rst) begin\n            count <= 0; stored <= 0; held <= 0; push_d <= 0; w_nz <= 0; hold_last <= 1'b{};\n        \
         end else begin\n            push_d <= push;\n            count <= count + (reserve ? 1'b1 : 1'b0) - (pop ? 1'b1 : 1'b0);\n            \
         stored <= stored_next; w_nz <= stored_next != 0;\n            held <= held_next; hold_last <= {hold_last};\n        end\n    end",
        hold_last_reset,
    );
    // the tile FIFO, one slice per row group, each read asynchronously at its pointer into its
    // part of `head` (LUT RAM where the target has it). Every slice has its own pointers and its
    // own copies of the reset, the push and the fire flags (kept apart in synthesis), so no
    // flip-flop drives the address of more than one group's memory. The write port has no
    // reset: `push` is low one cycle into a reset.
    let wrap = |name: &str| format!("({name} == {ptr}'d{}) ? {ptr}'d0 : {name} + 1'b1", f - 1);
    let row_bits = 2 * cfg.lanes;
    let mut heads = vec![];
    for g in 0..cfg.row_groups() {
        let lo = row_bits * g * cfg.group_rows;
        let hi = row_bits * ((g + 1) * cfg.group_rows).min(cfg.rows);
        let _ = writeln!(
            v,
            "    reg [{w}:0] mem{g} [0:{}];\n    reg [{p}:0] wr{g}, rd{g};\n    wire [{w}:0] head{g} = mem{g}[rd{g}];\n    \
             reg rst{g}, push{g}, w_nz{g}, a_nz{g}, hold_last{g};\n    \
             wire pop{g} = w_nz{g} && a_nz{g} && !rst{g} && (!prefill || hold_last{g});\n    \
             wire [{p}:0] rd_next{g} = !pop{g} ? rd{g} : {};\n    \
             always @(posedge clk) if (push{g}) mem{g}[wr{g}] <= tile_in[{}:{lo}];\n    \
             (* keep *) always @(posedge clk) begin\n        rst{g} <= reset; push{g} <= !rst && dlast_rom;\n        \
             if (rst) begin wr{g} <= 0; rd{g} <= 0; w_nz{g} <= 0; a_nz{g} <= 0; hold_last{g} <= 1'b{}; end\n        \
             else begin\n            if (push{g}) wr{g} <= {};\n            rd{g} <= rd_next{g}; w_nz{g} <= stored_next != 0; \
             a_nz{g} <= acount_next != 0; hold_last{g} <= {hold_last};\n        end\n    end",
            f - 1,
            wrap(&format!("rd{g}")),
            hi - 1,
            hold_last_reset,
            wrap(&format!("wr{g}")),
            w = hi - lo - 1,
            p = ptr - 1,
        );
        heads.push(format!("head{g}"));
    }
    heads.reverse();
    let _ = writeln!(v, "    wire [{}:0] head = {{{}}};", tile_bits - 1, heads.join(", "));
    // activation double buffer: abuf0 is the head
    let _ = writeln!(
        v,
        "    always @(posedge clk) begin\n        if (rst) begin acount <= 0; a_nz <= 0; end\n        else begin\n            \
         acount <= acount_next; a_nz <= acount_next != 0;\n            \
         if (fire) begin\n                abuf0 <= (acount == 2'd2) ? abuf1 : act_data; alast0 <= (acount == 2'd2) ? alast1 : act_last;\n            \
         end else if (a_push && acount == 2'd0) begin\n                abuf0 <= act_data; alast0 <= act_last;\n            end\n            \
         if (a_push && (acount == 2'd2 || (acount == 2'd1 && !fire))) begin\n                abuf1 <= act_data; alast1 <= act_last;\n            \
         end\n        end\n    end"
    );
    // the fired slice and tile, registered FIRE_TO_ARRAY_REGS times more: the fire decision
    // drives only the buffers beside it, and the registers carry the slice to the rows
    let mut staged = vec![("act_q", ab, "abuf0"), ("w_q", tile_bits, "head"), ("alast_q", 1, "alast0"), ("fire_q", 1, "fire")];
    if slots > 1 {
        staged.push(("prefill_q", 1, "prefill"));
    }
    for (name, width, from) in staged {
        let range = if width == 1 { String::new() } else { format!("[{}:0] ", width - 1) };
        let stages: Vec<String> = (1..=FIRE_TO_ARRAY_REGS).map(|i| format!("{name}{i}")).collect();
        let _ = writeln!(v, "    reg {range}{};", stages.join(", "));
        let mut src = from;
        v.push_str("    always @(posedge clk) begin");
        for st in &stages {
            let _ = write!(v, " {st} <= {src};");
            src = st;
        }
        v.push_str(" end\n");
    }
    let last = |name: &str| format!("{name}{FIRE_TO_ARRAY_REGS}");
    let ring = if slots > 1 { format!("        .ring({}),\n", last("prefill_q")) } else { String::new() };
    let _ = writeln!(
        v,
        "    // verilator lint_off UNUSEDSIGNAL\n    wire unused_act_ready, unused_w_ready;\n    // verilator lint_on UNUSEDSIGNAL\n    tern_array array(\n        .clk(clk),\n        .reset(rst_array),\n{ring}        \
         .act_data({}),\n        .act_valid({fire}),\n        .act_last({}),\n        .act_ready(unused_act_ready),\n        \
         .w_data({}),\n        .w_valid({fire}),\n        .w_ready(unused_w_ready),\n        .res_data(res_data),\n        \
         .res_valid(res_valid),\n        .k_overflow(k_overflow)\n    );\nendmodule // {TOP_MODULE}",
        last("act_q"),
        last("alast_q"),
        last("w_q"),
        fire = last("fire_q"),
    );
    v.push_str(&decoder_module(cfg));
    v
}

/// The port decoder `tern_port_decode` of a base-3 streaming top alone (for its proof).
pub fn port_decoder_verilog(cfg: &ArrayConfig) -> Result<String, HdlError> {
    if cfg.packing != Packing::Base3 {
        return Err(HdlError::Stream("the port decoder exists in base3 packing only".into()));
    }
    Ok(decoder_module(cfg))
}

/// Two port bytes to their 2-bit weight codes (weight i at bits [2i +: 2]), read from a
/// 256-entry ROM with a registered output: one block RAM, its two read ports. Bytes 243..=255
/// are unused codes and give zero weights, as [`base3_decode`].
fn decoder_module(cfg: &ArrayConfig) -> String {
    if cfg.packing != Packing::Base3 {
        return String::new();
    }
    let db = decoded_bits(cfg);
    let mut v = format!(
        "\n\nmodule tern_port_decode(\n    input wire clk,\n    input wire [7:0] a,\n    input wire [7:0] b,\n    \
         output reg [{m}:0] ca,\n    output reg [{m}:0] cb\n);\n    (* ram_style = \"block\" *) reg [{m}:0] rom [0:255];\n    \
         initial begin\n",
        m = db - 1
    );
    for byte in 0..=255u8 {
        let code: u16 = base3_decode(byte).iter().enumerate().map(|(i, &w)| ((w as u8 & 3) as u16) << (2 * i)).sum();
        let _ = writeln!(v, "        rom[{byte}] = {db}'h{code:03x};");
    }
    v.push_str("    end\n    always @(posedge clk) begin\n        ca <= rom[a];\n        cb <= rom[b];\n    end\nendmodule\n");
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_port_width_belongs_to_the_stream_top_not_the_core() {
        // 1x64 base 3: a 13-byte tile; 16x64: 205 bytes = 5 x 41. Neither width divides the
        // 2-bit core's tile (16 and 256 bytes), which never sees the port.
        for (rows, port) in [(1, 13), (16, 41)] {
            let c = ArrayConfig { rows, lanes: 64, packing: Packing::Base3, port_bytes: port, ..ArrayConfig::default() };
            let v = emit_stream_verilog(&c).unwrap();
            assert!(v.contains(&format!("memory port of {port} bytes")), "{rows}x64 port {port}");
            assert_eq!(core_config(&c).port_bytes, 0);
        }
        let bad = ArrayConfig { rows: 16, lanes: 64, packing: Packing::Base3, port_bytes: 64, ..ArrayConfig::default() };
        assert!(emit_stream_verilog(&bad).unwrap_err().to_string().contains("port_bytes 64 does not divide the 205-byte weight tile"));
    }
}
