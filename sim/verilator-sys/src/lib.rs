//! Verilog in, a loaded and callable Verilated model out.
//!
//! `verilator-sys` runs Verilator 5 on a Verilog design, compiles the generated C++ with a
//! small generated C ABI shim into a shared library, caches that library by content, and
//! loads it with [`libloading`]. The `sim` crate drives the tern accumulate array through it.
//!
//! # Example
//!
//! ```
//! use verilator_sys::{BatchSpec, BuildSpec, Design};
//!
//! let verilog = "module acc(input clk, input en, input [7:0] x, output reg [15:0] sum);
//!     always @(posedge clk) if (en) sum <= sum + {8'b0, x};
//! endmodule";
//! let design = Design::build(&BuildSpec::from_verilog("acc", verilog))?;
//! let mut model = design.instantiate()?;
//!
//! // One cycle at a time (one FFI call per operation):
//! model.set_u64("en", 1)?;
//! model.set_u64("x", 3)?;
//! model.tick("clk")?;
//! assert_eq!(model.get_u64("sum")?, 3);
//!
//! // Many cycles in one FFI call:
//! let plan = model.batch_plan(&BatchSpec { clock: "clk", inputs: &["en", "x"], outputs: &["sum"], valid: None })?;
//! let mut stim = plan.stimulus(1000);
//! for c in 0..1000 {
//!     plan.put(&mut stim, c, "en", &[1])?;
//!     plan.put(&mut stim, c, "x", &[c as u64 % 256])?;
//! }
//! let out = model.run_batch(&plan, &stim, 1000)?;
//! let expected = (3 + (0..1000u64).map(|c| c % 256).sum::<u64>()) % (1 << 16);
//! assert_eq!(out.record(999)[0], expected); // `sum` after the last cycle
//! # Ok::<(), verilator_sys::VerilatorError>(())
//! ```
//!
//! # Why a run-time build and not `build.rs`
//!
//! The Verilog is generated at run time, per array configuration (lanes, accumulator
//! width, pipelining), by the `hdl` crate: a build script or the `cc` crate runs when *this*
//! crate is compiled and cannot know designs that do not exist yet. So the build happens
//! when a program asks for a design, its result is cached on disk, and the library is opened
//! with `dlopen` (through `libloading`).
//!
//! # The build
//!
//! 1. `verilator --cc -O3 --x-assign fast --x-initial fast --noassert -Wno-fatal [--trace]
//!    [extra flags] --top-module TOP --Mdir obj SOURCES` ([`DEFAULT_FLAGS`]). Lint
//!    warnings do not fail the build (`-Wno-fatal`); they stay in the entry's `build.log`.
//! 2. The ports are read from the generated `obj/V<top>.h` (`VL_IN8(&clk,0,0);`,
//!    `VL_INW(&bus,199,0,7);`, ...): name, direction, width and storage class
//!    (`CData` <= 8 bits, `SData` <= 16, `IData` <= 32, `QData` <= 64, `VlWide<N>` of 32-bit
//!    words above 64). Unpacked-array ports are refused with a clear error.
//! 3. A C++ shim `obj/tern_shim.cpp` is generated for exactly those ports, plus `obj/tern.mk`,
//!    which includes Verilator's own `V<top>.mk` (so the usual flags and runtime objects are
//!    used), sets `OPT_FAST`/`OPT_GLOBAL` to [`BuildSpec::cxx_opt`] (default `-O2`), adds
//!    `-fPIC -fvisibility=hidden`, and links `tern_model.so` (`make -j` [`BuildSpec::jobs`]).
//!    This is what `verilator --build` does, split in two so the shim can be generated
//!    between verilation and compilation. Only the shim's `tern_*` functions are exported,
//!    so several designs (even with the same top name) coexist in one process.
//! 4. The Verilator runtime objects (`verilated.o`, `verilated_threads.o`, and
//!    `verilated_vcd_c.o` with `--trace`) are most of a small design's compile time and do
//!    not depend on the design, so they are compiled once per distinct compile command into
//!    a shared `runtime-<hash>` cache entry and copied into each design's build. A small
//!    design then builds in about 2 s of compiler time (measured: the counter of the tests).
//!
//! # Driving a clocked design in batch
//!
//! 1. Make a [`BatchPlan`] once: [`Design::batch_plan`] with a [`BatchSpec`] naming the
//!    clock, the input ports read each cycle, the ports sampled each cycle, and optionally a
//!    `valid` port that gates sampling.
//! 2. Pack the stimulus: `cycles * plan.input_stride()` u64 words, one record per cycle,
//!    each input at [`BatchPlan::input_range`] ([`BatchPlan::put`] does it for you, or write
//!    the words directly).
//! 3. [`Model::run_batch`] (or [`Model::run_batch_into`] to reuse buffers) runs all cycles in
//!    one FFI call: per cycle, write the inputs, clock low + eval, clock high + eval, sample.
//! 4. Read [`BatchOutput::record`] / [`BatchOutput::cycle`]; the model keeps its state, so
//!    batches, `set`/`tick`/`get` calls and more batches can be mixed freely.
//!
//! [`CxxHarness`] compiles a plain C++ loop for the same plan and model, to measure the
//! Rust path against (`cargo bench -p verilator-sys --bench batch_vs_cxx`).
//!
//! # The C ABI (generated shim)
//!
//! Ports are addressed by index (declaration order in `V<top>.h`); values travel as
//! little-endian u64 words (bit `i` in word `i / 64`), which on a little-endian machine is
//! also the layout of Verilator's `VlWide` 32-bit words, so wide ports are one `memcpy`.
//!
//! | function | does |
//! |---|---|
//! | `tern_abi_version()`, `tern_traced()` | shim version, built with `--trace` |
//! | `tern_port_count()`, `tern_port_name/dir/width(i)` | the port table (the library describes itself) |
//! | `tern_new(vcd_path, err, err_len)` | new `VerilatedContext` + model, inputs zeroed, one `eval`; VCD opened if a path is given |
//! | `tern_free(m)` | `final()`, close the VCD, free |
//! | `tern_set(m, i, words)`, `tern_get(m, i, words)` | drive / read one port (inputs are masked to their width) |
//! | `tern_eval(m)`, `tern_tick(m, clock)` | one eval; one cycle (clock low + eval, high + eval) |
//! | `tern_flush(m)` | flush the VCD |
//! | `tern_batch(m, TernBatch*)` | many cycles: see [`batch`] |
//!
//! Inside `tern_batch` a port is a precomputed `{pointer, storage kind, words, mask}` slot:
//! each cycle is a typed store (or one `memcpy` for wide ports) per input, two `eval`s, and a
//! typed load per sampled port; no name lookups and no allocation per cycle.
//!
//! # The cache
//!
//! Directory: `$TERN_CACHE_DIR` if set, else `target/tern-cache` in the workspace this crate
//! was compiled in (if it still exists), else `$HOME/.cache/tern` ([`default_cache_dir`]);
//! [`BuildSpec::cache_dir`] overrides all of them. Entries live in `<cache>/verilator/`:
//!
//! - `<top>-<hash>/` with `tern_model.so`, `build.log`, `spec.txt` and Verilator's `obj/`.
//!   The hash is SHA-256 over the shim ABI version, the Verilator `--version` line, the top
//!   name, every Verilator flag (so `--trace` builds are separate entries), the C++
//!   optimization, and every source's name and contents. Files pulled in with `` `include``
//!   are not hashed: pass them as sources, or change a flag, when they change.
//! - `runtime-<hash>/`: the shared runtime objects (step 4); the hash covers the Verilator
//!   version and the exact compile commands make would run for them.
//! - `harness-<hash>/`: a compiled [`CxxHarness`].
//! - `<name>.lock`: empty lock files, one per entry ever built (harmless, never removed).
//! - `tool-<hash>.version`: the remembered `verilator --version` answer for a binary of a
//!   given path, size and mtime, so a cache hit does not start Verilator's Perl wrapper.
//!
//! A present entry is used without locking (a cache hit costs a `stat`, hashing the sources
//! and a `dlopen`: milliseconds). Otherwise the builder takes an exclusive lock on
//! `<entry>.lock` (threads and processes alike), checks again, builds in a fresh
//! `.tmp-...` directory and renames it into place, so nobody ever sees half an entry. Delete
//! the directory to clear the cache.
//!
//! # Loading and instances
//!
//! A library is opened once per process and stays loaded (closing C++ code that may have
//! registered thread-local destructors is unsafe); every [`Model`] owns its own
//! `VerilatedContext` and model object, so any number of instances of any number of designs
//! coexist. A `Model` is `Send` (not `Sync`); dropping it runs `final`, closes its VCD and
//! frees it.
//!
//! # VCD
//!
//! Build with [`BuildSpec::trace`] = true, then [`Design::instantiate_with_vcd`]. Every
//! `eval` is half a clock period of 5 time units (Verilator's default timescale, 1 ps);
//! the file is complete when the model is dropped (or after [`Model::flush_vcd`]). Scopes:
//! `TOP` holds the ports, `TOP.<top>` every signal of the design.
//!
//! # Environment
//!
//! - `VERILATOR`: the Verilator binary (path or command name); default `verilator` on the
//!   PATH. [`BuildSpec::verilator`] overrides it.
//! - `TERN_CACHE_DIR`: the cache directory (above).
//!
//! # Errors
//!
//! Everything returns [`VerilatorError`]: a missing or pre-5 Verilator names
//! `apt-get install verilator`; Verilator and C++ failures quote the tail of the tool output;
//! an unknown top, an unknown port, a value wider than its port, or a port used in the wrong
//! direction each have their own variant. Nothing here panics on bad input.
//!
//! Only little-endian targets are supported (the word layout above relies on it).

#[cfg(target_endian = "big")]
compile_error!("verilator-sys passes port words by memcpy and needs a little-endian target");

pub mod batch;
mod builder;
mod cache;
mod error;
mod harness;
mod model;
mod ports;
mod shim;
mod spec;
mod tool;

pub use batch::{BatchOutput, BatchPlan, BatchSpec};
pub use cache::{default_cache_dir, CACHE_ENV};
pub use error::{Result, VerilatorError, INSTALL_HINT};
pub use harness::{CxxHarness, HarnessRun};
pub use model::{Design, Model};
pub use ports::{Direction, Port};
pub use spec::{BuildSpec, VerilogSource, DEFAULT_FLAGS};
pub use tool::{installed, Verilator, VERILATOR_ENV};
