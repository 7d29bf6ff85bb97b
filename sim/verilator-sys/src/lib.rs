//! Runtime Verilator builds loaded from Rust (being built: issue 4).
