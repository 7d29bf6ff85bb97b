//! Designs and helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::PathBuf;
use verilator_sys::{BuildSpec, Design};

/// A 200-bit input bus, a 72-bit accumulator and outputs of every storage class.
pub const WIDE_ACC: &str = r#"
module wide_acc(
    input clk,
    input rst,
    input en,
    input [199:0] bus,
    output reg [71:0] total,
    output [199:0] rotated,
    output [40:0] mid,
    output [15:0] low16,
    output [31:0] word1,
    output [7:0] top8,
    output parity
);
    always @(posedge clk)
        if (rst) total <= 72'd0;
        else if (en) total <= total + {8'd0, bus[63:0]} + {8'd0, bus[127:64]} + {64'd0, bus[199:192]};
    assign rotated = {bus[99:0], bus[199:100]};
    assign mid = bus[140:100];
    assign low16 = bus[15:0];
    assign word1 = bus[63:32];
    assign top8 = bus[199:192];
    assign parity = ^bus;
endmodule
"#;

/// A counter that offers `value` with `valid` every third cycle and adds `step` when the
/// offer is taken (`valid && ready`).
pub const COUNTER: &str = r#"
module counter(
    input clk,
    input rst,
    input ready,
    input [7:0] step,
    output reg [31:0] value,
    output reg valid
);
    reg [1:0] phase;
    always @(posedge clk) begin
        if (rst) begin
            value <= 32'd0;
            valid <= 1'b0;
            phase <= 2'd0;
        end else begin
            phase <= (phase == 2'd2) ? 2'd0 : phase + 2'd1;
            valid <= (phase == 2'd2);
            if (valid && ready) value <= value + {24'd0, step};
        end
    end
endmodule
"#;

/// Rust reference of `counter`: the registers after one clock edge.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CounterRef {
    pub value: u32,
    pub valid: bool,
    pub phase: u8,
}

impl CounterRef {
    pub fn cycle(&mut self, rst: bool, ready: bool, step: u8) {
        if rst {
            *self = CounterRef::default();
            return;
        }
        let taken = self.valid && ready;
        self.valid = self.phase == 2;
        self.phase = if self.phase == 2 { 0 } else { self.phase + 1 };
        if taken {
            self.value = self.value.wrapping_add(step as u32);
        }
    }
}

pub fn counter() -> Design {
    Design::build(&BuildSpec::from_verilog("counter", COUNTER)).expect("counter builds")
}

pub fn wide_acc() -> Design {
    Design::build(&BuildSpec::from_verilog("wide_acc", WIDE_ACC)).expect("wide_acc builds")
}

/// A fresh directory under the system temp dir.
pub fn temp_dir(tag: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "vsys-{tag}-{}-{nanos}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Bit `i` of a little-endian word vector.
pub fn bit(words: &[u64], i: usize) -> bool {
    words.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
}

/// Bits `lo..lo + width` of `words` as a new little-endian word vector.
pub fn bits(words: &[u64], lo: usize, width: usize) -> Vec<u64> {
    let mut out = vec![0u64; width.div_ceil(64)];
    for i in 0..width {
        if bit(words, lo + i) {
            out[i / 64] |= 1 << (i % 64);
        }
    }
    out
}
