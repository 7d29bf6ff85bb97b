#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs the tools the tests need (Verilator, Chromium, Slurm,
# Yosys, nextpnr; only what is missing), then runs every test of the workspace.
# Tests read the real checkpoints in ../shared (or $TERN_SHARED_DIR) and fail without them.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "test: $*"; }

command -v cargo >/dev/null || { echo "test: cargo is missing; install Rust (https://rustup.rs) and run again" >&2; exit 1; }
say "checking external tools (scripts/install-tools.sh)"
bash scripts/install-tools.sh
say "cargo clippy -p golden (the int profile's forward pass and ops deny float arithmetic)"
cargo clippy -p golden --quiet
say "cargo test --workspace (first run compiles everything: several minutes on 2 cores)"
cargo test --workspace --quiet --no-fail-fast
