//! A pin wrapper for place and route: a generated array has thousands of port bits, far more
//! than any package has pins. [`serial_wrapper`] puts the design behind three pins: every
//! input bit comes from a serial shift chain, and every output is captured into a register
//! that shifts out (loaded when the chain's last bit says so). All logic stays observable, so
//! synthesis keeps it, and the wrapper adds only flip-flop to flip-flop paths of one mux, so
//! the Fmax measured is the design's own. The wrapper's flip-flops are counted in the P&R
//! utilization; LUT counts for LUT/MAC come from synthesizing the design itself.

use std::fmt::Write;

/// A port of the wrapped module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrapPort {
    pub name: String,
    pub input: bool,
    pub width: usize,
}

impl From<(&str, bool, usize)> for WrapPort {
    /// (name, is input, width), as `hdl` lists a top's ports.
    fn from((name, input, width): (&str, bool, usize)) -> Self {
        WrapPort { name: name.into(), input, width }
    }
}

/// Top module of the wrapper.
pub const WRAP_TOP: &str = "tern_pnr_wrap";

/// The wrapper's Verilog (append it to the design's): module [`WRAP_TOP`] with ports
/// `clk`, `sin`, `sout`. `clock` names the design's clock input, fed by `clk`.
pub fn serial_wrapper(top: &str, ports: &[WrapPort], clock: &str) -> String {
    let inputs: Vec<&WrapPort> = ports.iter().filter(|p| p.input && p.name != clock).collect();
    let outputs: Vec<&WrapPort> = ports.iter().filter(|p| !p.input).collect();
    let win: usize = inputs.iter().map(|p| p.width).sum::<usize>().max(1);
    let wout: usize = outputs.iter().map(|p| p.width).sum::<usize>().max(1);
    let mut v = String::new();
    let _ = writeln!(v, "\nmodule {WRAP_TOP}(input wire clk, input wire sin, output wire sout);");
    let _ = writeln!(v, "    reg [{}:0] chain = 0;", win - 1);
    let _ = writeln!(v, "    always @(posedge clk) chain <= {{chain[{}:0], sin}};", win.saturating_sub(2));
    let _ = writeln!(v, "    wire [{}:0] outs;", wout - 1);
    let _ = writeln!(v, "    reg [{}:0] cap = 0;", wout - 1);
    let _ = writeln!(v, "    always @(posedge clk) cap <= chain[{}] ? outs : (cap >> 1);", win - 1);
    let _ = writeln!(v, "    assign sout = cap[0];");
    let mut conns = vec![format!(".{clock}(clk)")];
    let mut at = 0;
    for p in &inputs {
        conns.push(format!(".{}(chain[{}:{}])", p.name, at + p.width - 1, at));
        at += p.width;
    }
    at = 0;
    for p in &outputs {
        conns.push(format!(".{}(outs[{}:{}])", p.name, at + p.width - 1, at));
        at += p.width;
    }
    if outputs.is_empty() {
        let _ = writeln!(v, "    assign outs = 1'b0;");
    }
    let _ = writeln!(v, "    {top} dut(\n        {}\n    );\nendmodule", conns.join(",\n        "));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wires_every_port_once() {
        let ports = [
            WrapPort { name: "clk".into(), input: true, width: 1 },
            WrapPort { name: "a".into(), input: true, width: 3 },
            WrapPort { name: "b".into(), input: true, width: 2 },
            WrapPort { name: "y".into(), input: false, width: 4 },
        ];
        let v = serial_wrapper("dut_top", &ports, "clk");
        assert!(v.contains("reg [4:0] chain = 0;"), "{v}");
        assert!(v.contains(".a(chain[2:0])") && v.contains(".b(chain[4:3])") && v.contains(".y(outs[3:0])"), "{v}");
        assert!(v.contains("cap <= chain[4] ? outs : (cap >> 1);"), "{v}");
        assert!(v.contains(".clk(clk)"));
    }
}
