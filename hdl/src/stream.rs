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
//! decoded as it arrives (P decoders), so decoding never limits the port.
//! `m_ready = fifo_count < F` depends on registers only: a DRAM model may sample it after a
//! clock edge and drive the next beat.
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
    // decoders: one per port byte
    // the decoded padding of a tile's last byte is dropped
    let _ = writeln!(v, "    // verilator lint_off UNUSEDSIGNAL\n    wire [{}:0] dec;", beat_bits - 1);
    for q in 0..p {
        let _ = writeln!(v, "    tern_port_decode d{q}(.b(m_data[{}:{}]), .codes(dec[{}:{}]));", 8 * q + 7, 8 * q, db * q + db - 1, db * q);
    }
    // gearbox
    let _ = writeln!(v, "    wire m_fire = m_valid && m_ready;");
    if beats == 1 {
        let _ = writeln!(v, "    wire push = m_fire;\n    wire [{}:0] tile_in = dec[{}:0];", tile_bits - 1, tile_bits - 1);
        v.push_str("    // verilator lint_on UNUSEDSIGNAL\n");
    } else {
        let gb = beats * beat_bits;
        let bc = bits_for(beats - 1);
        let _ = writeln!(v, "    reg [{}:0] gear;\n    reg [{}:0] beat;", gb - beat_bits - 1, bc - 1);
        let _ = writeln!(v, "    wire last_beat = beat == {bc}'d{};", beats - 1);
        let _ = writeln!(v, "    wire push = m_fire && last_beat;");
        let _ = writeln!(v, "    wire [{}:0] whole = {{dec, gear}};", gb - 1);
        let _ = writeln!(v, "    wire [{}:0] tile_in = whole[{}:0];", tile_bits - 1, tile_bits - 1);
        v.push_str("    // verilator lint_on UNUSEDSIGNAL\n");
        let shift = if beats > 2 { format!("{{dec, gear[{}:{}]}}", gb - beat_bits - 1, beat_bits) } else { "dec".into() };
        let _ = writeln!(
            v,
            "    always @(posedge clk) begin\n        if (reset) beat <= 0;\n        else if (m_fire) begin\n            \
             beat <= last_beat ? {bc}'d0 : beat + 1'b1;\n            gear <= {shift};\n        end\n    end"
        );
    }
    // tile FIFO and hold counter
    let _ = writeln!(v, "    reg [{}:0] mem [0:{}];", tile_bits - 1, f - 1);
    let _ = writeln!(v, "    reg [{}:0] wr, rd;\n    reg [{}:0] count;\n    reg [{}:0] held;", ptr - 1, cb - 1, hb - 1);
    let _ = writeln!(v, "    reg [{}:0] abuf0, abuf1;\n    reg alast0, alast1;\n    reg [1:0] acount;", ab - 1);
    let _ = writeln!(v, "    wire w_valid = count != 0;\n    wire a_valid = acount != 0;");
    let _ = writeln!(v, "    wire fire = w_valid && a_valid && !reset;");
    let _ = writeln!(v, "    wire pop = fire && (!prefill || held == {hb}'d{});", slots - 1);
    let _ = writeln!(v, "    wire a_push = act_valid && act_ready;");
    let _ = writeln!(v, "    assign m_ready = count < {cb}'d{f};\n    assign act_ready = acount < 2'd2;\n    assign fifo_count = count;");
    let wrap = |name: &str| format!("{name} <= ({name} == {ptr}'d{}) ? {ptr}'d0 : {name} + 1'b1;", f - 1);
    let _ = writeln!(
        v,
        "    always @(posedge clk) begin\n        if (reset) begin\n            wr <= 0; rd <= 0; count <= 0; held <= 0;\n        \
         end else begin\n            if (push) begin mem[wr] <= tile_in; {} end\n            \
         if (pop) {}\n            count <= count + (push ? 1'b1 : 1'b0) - (pop ? 1'b1 : 1'b0);\n            \
         if (fire) held <= pop ? {hb}'d0 : held + 1'b1;\n        end\n    end",
        wrap("wr"),
        wrap("rd")
    );
    // activation double buffer: abuf0 is the head
    let _ = writeln!(
        v,
        "    always @(posedge clk) begin\n        if (reset) acount <= 0;\n        else begin\n            \
         acount <= acount + (a_push ? 2'd1 : 2'd0) - (fire ? 2'd1 : 2'd0);\n            \
         if (fire) begin\n                abuf0 <= (acount == 2'd2) ? abuf1 : act_data; alast0 <= (acount == 2'd2) ? alast1 : act_last;\n            \
         end else if (a_push && acount == 2'd0) begin\n                abuf0 <= act_data; alast0 <= act_last;\n            end\n            \
         if (a_push && (acount == 2'd2 || (acount == 2'd1 && !fire))) begin\n                abuf1 <= act_data; alast1 <= act_last;\n            \
         end\n        end\n    end"
    );
    let ring = if slots > 1 { "        .ring(prefill),\n" } else { "" };
    let _ = writeln!(
        v,
        "    // verilator lint_off UNUSEDSIGNAL\n    wire unused_act_ready, unused_w_ready;\n    // verilator lint_on UNUSEDSIGNAL\n    tern_array array(\n        .clk(clk),\n        .reset(reset),\n{ring}        \
         .act_data(abuf0),\n        .act_valid(a_valid),\n        .act_last(alast0),\n        .act_ready(unused_act_ready),\n        \
         .w_data(mem[rd]),\n        .w_valid(w_valid),\n        .w_ready(unused_w_ready),\n        .res_data(res_data),\n        \
         .res_valid(res_valid),\n        .k_overflow(k_overflow)\n    );\nendmodule // {TOP_MODULE}"
    );
    v.push_str(&decoder_module(cfg));
    v
}

/// One port byte to its 2-bit weight codes (weight i at bits [2i +: 2]).
fn decoder_module(cfg: &ArrayConfig) -> String {
    let db = decoded_bits(cfg);
    let mut v = format!("\n\nmodule tern_port_decode(input wire [7:0] b, output reg [{}:0] codes);\n", db - 1);
    match cfg.packing {
        Packing::TwoBit => v.push_str("    always @(*) codes = b;\n"),
        Packing::Base3 => {
            v.push_str("    always @(*) begin\n        case (b)\n");
            for byte in 0u16..243 {
                let code: u16 = base3_decode(byte as u8).iter().enumerate().map(|(i, &w)| ((w as u8 & 3) as u16) << (2 * i)).sum();
                let _ = writeln!(v, "            8'd{byte}: codes = {db}'h{code:03x};");
            }
            let _ = writeln!(v, "            default: codes = {db}'h000;\n        endcase\n    end");
        }
    }
    v.push_str("endmodule\n");
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
