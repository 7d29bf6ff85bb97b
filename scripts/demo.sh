#!/usr/bin/env bash
# The main job, from a fresh clone: build tern and run the demo on the built-in synthetic
# model (no download, no ../shared needed). Installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "demo: $*"; }

command -v cargo >/dev/null || { echo "demo: cargo is missing; install Rust (https://rustup.rs) and run again" >&2; exit 1; }
say "building tern (cargo build --release; crates come from crates.io on the first run)"
cargo build --release --quiet --bin tern
tern=target/release/tern

say "synthetic model 'tiny' (llama2.c architecture, deterministic weights): tern generate"
"$tern" generate --model synthetic:tiny --prompt "the cat" --steps 48 --seed 7
say "the same model, greedy, as token ids"
"$tern" generate --model synthetic:tiny --steps 24 --temperature 0 --print-ids
say "done"
