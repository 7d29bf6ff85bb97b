//! Shared helpers for the integration tests: the tiny designs and a flow with its own cache.

#![allow(dead_code)]

use fpga::{Cache, Flow, Tools};

pub const COUNTER: &str = include_str!("../designs/counter.v");
pub const MUL8: &str = include_str!("../designs/mul8.v");
pub const ADD8: &str = include_str!("../designs/add8.v");
pub const TREE4: &str = include_str!("../designs/tree4.v");
pub const REGFILE: &str = include_str!("../designs/regfile.v");
pub const WIDE_IO: &str = include_str!("../designs/wide_io.v");

/// A flow with the real tools (env overrides honoured) and caching off, so every
/// call really runs the tools.
pub fn uncached() -> Flow {
    Flow {
        tools: Tools::from_env(),
        cache: Cache::disabled(),
    }
}

/// Unwrap with the error's Display text (which names the install command for a
/// missing tool), so a missing tool fails the test with a clear message.
pub fn ok<T>(r: fpga::Result<T>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}
