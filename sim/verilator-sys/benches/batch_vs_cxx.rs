//! Rust batch path vs a plain C++ loop driving the same Verilated model with the same
//! stimulus, side by side in one run (measured, wall clock, best of several repetitions).
//!
//!     cargo bench -p verilator-sys --bench batch_vs_cxx [-- CYCLES REPS]
//!
//! Defaults: 20 000 cycles, best of 21 interleaved runs. Short runs and many of them make
//! the best-of robust on a shared, loaded machine (a long run is always preempted).
//!
//! The design is a small ternary dot-product array (LANES int8 activations times LANES
//! ternary weights per cycle, accumulated over 8 cycles): the shape of tern's array, with
//! an activation bus of LANES x 8 bits. Both paths' output records are compared; the run
//! fails if they differ.

use std::time::Instant;
use verilator_sys::{BatchOutput, BatchPlan, BatchSpec, BuildSpec, CxxHarness, Design};

fn tdot_verilog(lanes: usize) -> String {
    format!(
        r#"
module tdot(
    input clk,
    input rst,
    input in_valid,
    input last,
    input [{act_msb}:0] act,
    input [{w_msb}:0] w,
    output reg signed [31:0] acc,
    output reg out_valid
);
    // Weight code per lane: 0 -> -1, 1 -> 0, 2 -> +1 (3 unused, read as 0).
    integer i;
    reg signed [31:0] sum;
    always @* begin
        sum = 32'sd0;
        for (i = 0; i < {lanes}; i = i + 1)
            case (w[2*i +: 2])
                2'd0: sum = sum - {{{{24{{act[8*i+7]}}}}, act[8*i +: 8]}};
                2'd2: sum = sum + {{{{24{{act[8*i+7]}}}}, act[8*i +: 8]}};
                default: ;
            endcase
    end
    reg signed [31:0] running;
    always @(posedge clk) begin
        if (rst) begin
            running <= 32'sd0;
            acc <= 32'sd0;
            out_valid <= 1'b0;
        end else begin
            out_valid <= in_valid && last;
            if (in_valid) begin
                if (last) begin
                    acc <= running + sum;
                    running <= 32'sd0;
                end else begin
                    running <= running + sum;
                end
            end
        end
    end
endmodule
"#,
        act_msb = lanes * 8 - 1,
        w_msb = lanes * 2 - 1,
    )
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn stimulus(plan: &BatchPlan, lanes: usize, cycles: usize) -> Vec<u64> {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut stim = plan.stimulus(cycles);
    let act_words = (lanes * 8).div_ceil(64);
    let w_bits = lanes * 2;
    for c in 0..cycles {
        plan.put(&mut stim, c, "rst", &[(c == 0) as u64]).unwrap();
        plan.put(&mut stim, c, "in_valid", &[1]).unwrap();
        plan.put(&mut stim, c, "last", &[(c % 8 == 7) as u64])
            .unwrap();
        let act: Vec<u64> = (0..act_words).map(|_| rng.next()).collect();
        plan.put(&mut stim, c, "act", &act).unwrap();
        // Codes 0..2 only (3 is unused): draw each 2-bit lane separately.
        let mut w = vec![0u64; w_bits.div_ceil(64)];
        for lane in 0..lanes {
            let code = rng.next() % 3;
            w[lane * 2 / 64] |= code << (lane * 2 % 64);
        }
        plan.put(&mut stim, c, "w", &w).unwrap();
    }
    stim
}

/// Best times of the Rust batch and the C++ harness, runs interleaved so that load from
/// other processes on the machine hits both alike. Returns (rust s, C++ s, outputs).
fn best_times(
    design: &Design,
    harness: &CxxHarness,
    plan: &BatchPlan,
    stim: &[u64],
    cycles: u64,
    reps: u32,
) -> (f64, f64, BatchOutput, BatchOutput) {
    let mut out = BatchOutput::new();
    let (mut rust, mut cxx) = (f64::INFINITY, f64::INFINITY);
    let mut cxx_out = BatchOutput::new();
    // Untimed warm-up: fault in the library's code and the output buffer once.
    design
        .instantiate()
        .unwrap()
        .run_batch_into(plan, stim, cycles, &mut out)
        .unwrap();
    for _ in 0..reps {
        let mut model = design.instantiate().unwrap();
        let t = Instant::now();
        model.run_batch_into(plan, stim, cycles, &mut out).unwrap();
        rust = rust.min(t.elapsed().as_secs_f64());
        // Best of two in-process loops: the first one warms the harness up the same way.
        let run = harness.run(stim, cycles, 2).unwrap();
        cxx = cxx.min(run.best_seconds);
        cxx_out = run.output;
    }
    (rust, cxx, out, cxx_out)
}

fn per_call_seconds(design: &Design, plan: &BatchPlan, stim: &[u64], cycles: usize) -> f64 {
    let mut model = design.instantiate().unwrap();
    let names: Vec<(String, std::ops::Range<usize>)> = plan
        .input_ports()
        .iter()
        .map(|(p, r)| (p.name.clone(), r.clone()))
        .collect();
    let stride = plan.input_stride();
    let t = Instant::now();
    for c in 0..cycles {
        let rec = &stim[c * stride..(c + 1) * stride];
        for (name, range) in &names {
            model.set(name, &rec[range.clone()]).unwrap();
        }
        model.tick("clk").unwrap();
        if model.get_u64("out_valid").unwrap() != 0 {
            std::hint::black_box(model.get("acc").unwrap());
        }
    }
    t.elapsed().as_secs_f64()
}

fn main() {
    // `cargo bench` passes `--bench`; take the first two numeric arguments.
    let nums: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let cycles = nums.first().copied().unwrap_or(20_000);
    let reps = nums.get(1).copied().unwrap_or(21) as u32;
    println!("measured: Rust batch (run_batch_into) vs generated plain C++ loop, same model, same stimulus");
    println!(
        "cycles per run {cycles}, best of {reps} interleaved runs each, fresh model per run\n"
    );
    println!(
        "{:<28} {:>14} {:>14} {:>10} {:>16}",
        "design / plan", "Rust cyc/s", "C++ cyc/s", "Rust/C++", "per-call cyc/s"
    );
    let mut worst: f64 = 0.0;
    for lanes in [16usize, 64] {
        let t = Instant::now();
        let design = Design::build(&BuildSpec::from_verilog("tdot", &tdot_verilog(lanes))).unwrap();
        eprintln!(
            "tdot lanes={lanes}: {} in {:.2} s ({})",
            if design.cache_hit() {
                "cache hit"
            } else {
                "built"
            },
            t.elapsed().as_secs_f64(),
            design.cache_entry().display()
        );
        for (label, outputs, valid) in [
            ("gated on out_valid", &["acc"][..], Some("out_valid")),
            ("every cycle", &["acc", "out_valid"][..], None),
        ] {
            let plan = design
                .batch_plan(&BatchSpec {
                    clock: "clk",
                    inputs: &["rst", "in_valid", "last", "act", "w"],
                    outputs,
                    valid,
                })
                .unwrap();
            let stim = stimulus(&plan, lanes, cycles as usize);
            let harness = CxxHarness::build(&design, &plan).unwrap();
            let (rust_s, cxx_s, rust_out, cxx_out) =
                best_times(&design, &harness, &plan, &stim, cycles, reps);
            assert_eq!(
                rust_out.words(),
                cxx_out.words(),
                "Rust and C++ outputs differ"
            );
            assert_eq!(
                rust_out.cycles(),
                cxx_out.cycles(),
                "Rust and C++ record cycles differ"
            );
            let per_call_cycles = (cycles as usize).min(20_000);
            let per_call = per_call_seconds(
                &design,
                &plan,
                &stim[..per_call_cycles * plan.input_stride()],
                per_call_cycles,
            );
            let ratio = rust_s / cxx_s;
            worst = worst.max(ratio);
            println!(
                "{:<28} {:>14.0} {:>14.0} {:>10.3} {:>16.0}",
                format!("lanes={lanes} {label}"),
                cycles as f64 / rust_s,
                cycles as f64 / cxx_s,
                ratio,
                per_call_cycles as f64 / per_call
            );
        }
    }
    println!("\nworst Rust/C++ time ratio: {worst:.3} (target <= 1.15)");
}
