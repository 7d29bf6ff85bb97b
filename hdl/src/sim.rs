//! Small drivers for rust-hdl's own simulation engine ([`simulate`]), used by the block tests.
//!
//! Combinational blocks are settled with [`settle`]; clocked blocks get one rising edge per
//! [`tick`]. This is rust-hdl's event loop run directly, without the threaded testbench.

use rust_hdl::prelude::*;

/// Iterations allowed for a design to settle after an input change.
const MAX_ITERS: usize = 10_000;

/// Connect a block for stand-alone simulation (all its inputs driven by the test).
pub fn prepare<B: Block>(uut: &mut B) {
    uut.connect_all();
    settle(uut);
}

/// Propagate input changes until nothing changes. Panics (test-only) if the logic oscillates.
pub fn settle<B: Block>(uut: &mut B) {
    assert!(simulate(uut, MAX_ITERS), "design did not settle: combinational loop?");
}

/// One full clock period: settle with the clock low, then raise it and settle again.
pub fn tick<B: Block>(uut: &mut B, clock: impl Fn(&mut B) -> &mut Signal<In, Clock>) {
    clock(uut).next = Clock { clk: false };
    settle(uut);
    clock(uut).next = Clock { clk: true };
    settle(uut);
}
