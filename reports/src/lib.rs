//! # reports: latency, energy, area and scaling of a ternary array, as report files
//!
//! Reads what the other crates produce (a [`golden::ModelConfig`], the array shape, a
//! co-simulation [`sim::RunRecord`], fpga [`fpga::SynthRecord`]s and a [`fpga::PnrRecord`]),
//! applies the models below, and writes `report.json`, `report.md`, a self-contained
//! `report.html` and SVG plots. It never runs Yosys, nextpnr or Verilator itself.
//!
//! ```no_run
//! use reports::{array, build, write_all, ReportInputs};
//! let config = golden::synthetic::shape("2b4t")?.config;
//! let inputs = ReportInputs::new("2b4t", config, array(16, 64, 6912));
//! let report = build(&inputs)?;
//! write_all(&report, std::path::Path::new("report"))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Every number is a [`Figure`]
//! `Figure { value, unit, kind, source }` with `kind` one of
//! * **measured**: counted by a tool run on this design: Verilator cycles ([`sim::RunRecord`]),
//!   Yosys cells, nextpnr Fmax. A record counts as measured only if its own `source` starts
//!   with "measured" ([`Figure::from_record`]), so a hand-built record can never pass for one;
//! * **modeled**: computed by the formulas below from the config and the constants table;
//!   a figure computed from a measured and a modeled one is modeled ([`Figure::derived`]);
//! * **cited**: a published number quoted as is (the BitNet b1.58 paper's Table 1, the
//!   LUTs per MAC of other designs).
//!
//! ## Models, formulas and constants
//! * **Cycles** ([`cycles`]): `v x ceil(N/rows) x ceil(K/lanes) - 1 + (pipeline_depth + 2)`
//!   per BitLinear call of `v` vectors: hdl's `matvec_cycles`, and the sim driver's schedule
//!   (tile by tile, vector by vector, one drain per call). [`cycles::check_cycles`] compares it
//!   with a run per (layer, projection): exact on every layer of the 1M checkpoint
//!   (`tests/cycles_vs_cosim.rs`).
//! * **Roofline** ([`roofline`]): DRAM bytes per decode token at context position P =
//!   ternary weights x bits/8 (2-bit 2, base-3 1.6, FP16 16) + head (vocab rows) + one
//!   embedding row + FP16 norm weights + K and V of P positions read and one written; head,
//!   embedding and KV cache in FP16 under `float`, in int8 (int4 KV) with scales under `int`
//!   ([`roofline::Storage`]). compute-bound = clock / cycles per token, memory-bound = bandwidth / bytes,
//!   achieved = the smaller, and the report names the bound that binds. Prefill reads the
//!   weights once per prompt (a weight tile buffer re-streams them), so it is mostly
//!   compute-bound. Bandwidth presets: DDR4-2400 x64 19.2 GB/s, LPDDR5-6400 x64 51.2 GB/s,
//!   one HBM2E stack 460.8 GB/s (JEDEC speed grades x bus width).
//! * **Energy** ([`energy`]): per decode token, ternary adds (nonzero MACs x INT8 add),
//!   skipped zeros (0 pJ), accumulator updates (N x ceil(K/lanes) x 32-bit add), the FP16
//!   head and attention (FP16 mul + add each, both designs), SRAM activation and result
//!   traffic (Horowitz SRAM read of the smallest listed size that holds an activation
//!   vector) and DRAM traffic (1300 pJ / 64 bit). The FP16 baseline is the same array with
//!   an FP16 multiply and add per MAC and 2-byte weights. The paper's 71.4x is
//!   `(0.16 + 0.34) / 0.007` from the table ([`energy::paper_ratio_figure`]).
//! * **LUTs** ([`luts`]): `8 x rows x lanes + rows x accumulator_bits (+ 8 x rows x lanes for
//!   base-3 decoders) + 20`, derived block by block from the hdl architecture (8 LUT4 per lane
//!   for the low byte of its carry chain, one LUT per accumulator bit, 4 LUT6 per 8-input
//!   decoder output, the controller measured once on a shape outside the test set). Checked
//!   against Yosys `synth_xilinx` on 8 other arrays (`tests/luts_vs_yosys.rs`).
//! * **Area** ([`area`]): logic from the fpga crate's ASIC estimate (Yosys gate counts x
//!   NanGate45/ASAP7 NAND2-equivalent areas) plus SRAM bitcells for the activation, result
//!   and weight tile buffers (6T cells: 0.37 um^2 at 45 nm, Nii et al. ISQED 2013; 0.027
//!   um^2 at 7 nm, Wu et al. IEDM 2016; bitcells only, a lower bound).
//! * **Scaling** ([`scaling`]): 700M, 1.3B, 3B, 7B, 13B, 70B: memory, decode latency and J/token
//!   of the ternary and the FP16 design at the same array, clock and bandwidth, beside the
//!   paper's Table 1 ratios (700M 2.08/1.18 vs 0.80/0.96 GB/ms; 1.3B 3.34/1.62 vs 1.14/0.97;
//!   3B 7.89/5.07 vs 2.22/1.87; 70B 4.1x faster, 7.16x less memory).
//! * **Sweep** ([`sweep`]): many arrays, each with its LUTs (Yosys or the model),
//!   clock (nextpnr Fmax or the given clock), decode tokens/s per bandwidth and J/token, and the
//!   Pareto front per target and bandwidth.
//! * **Sizing** ([`size`]): the array with the fewest modeled xc7 LUTs whose own decode rate
//!   (clock / modeled cycles) reaches the weight-stream roofline (bandwidth / ternary weight
//!   bytes per token), with its memory port and tile FIFO sized (`tern size`).
//! * **Die cost** ([`wafer`]): per node (45, 28, 16, 7 nm) the NAND2 and SRAM bitcell areas,
//!   wafer price (CSET 2020) and defect density; dies per 300 mm wafer, negative binomial yield
//!   and $ per good die.
//!
//! All constants, each with its source, are in [`constants::table`], which the report
//! reproduces. Per-operation energies: BitNet, arXiv 2310.11453, Table 2 (FP32 add/mul 0.9/3.7
//! pJ at 45 nm, 0.38/1.31 at 7 nm; FP16 0.4/1.1, 0.16/0.34; INT8 0.03/0.2, 0.007/0.07). Memory
//! and integer adders: Horowitz, ISSCC 2014, 45 nm (SRAM 8 KB 10, 32 KB 20, 1 MB 100 pJ per 64
//! bits; DRAM 1300-2600; 16-bit add 0.05 pJ, 32-bit add 0.1 pJ). Two values are derived and
//! marked modeled: the 7 nm 32-bit add (0.1 x 0.007/0.03) and the use of the 45 nm memory
//! energies at 7 nm.
//!
//! ## Known limits
//! The roofline assumes weights stream at full bandwidth with no stall, and runs the FP16
//! head, attention and norms beside the array (bytes counted, cycles not). Energy is dynamic
//! only (no leakage or static power), so across array shapes it barely changes. The LUT model
//! is for xc7 only.

pub mod area;
pub mod array;
pub mod constants;
pub mod cycles;
pub mod energy;
pub mod error;
pub mod figure;
pub mod luts;
pub mod plots;
pub mod report;
pub mod roofline;
pub mod scaling;
pub mod size;
pub mod stream;
pub mod sweep;
pub mod wafer;
pub mod write;

pub use array::{array, ArrayConfig, Packing};
pub use error::{ReportError, Result};
pub use figure::{Figure, Kind};
pub use report::{build, Report, ReportInputs};
pub use roofline::{bandwidth, presets, Bandwidth};
pub use write::{write_all, write_sweep};
