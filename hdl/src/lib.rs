//! Ternary accumulate array in rust-hdl (being built: issue 3).
