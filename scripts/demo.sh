#!/usr/bin/env bash
# The main job, from a fresh clone: synthetic model -> Verilog -> Verilator co-simulation ->
# synthesis -> report, all in reports/demo/. No download and no ../shared needed: the model is
# the built-in synthetic one. Installs only what is missing (Verilator, Yosys, nextpnr, Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n== demo: %s\n' "$*"; }
out=reports/demo
rows=16 lanes=64 model=synthetic:tinystories-1m

command -v cargo >/dev/null || { echo "demo: cargo is missing; install Rust (https://rustup.rs) and run again" >&2; exit 1; }
say "checking external tools (scripts/install-tools.sh)"
bash scripts/install-tools.sh --no-chromium
say "building tern (cargo build --release; crates come from crates.io on the first run)"
cargo build --release --quiet --bin tern
tern=target/release/tern
mkdir -p "$out"

say "1. the model: $model (deterministic synthetic weights, llama2.c architecture), in software"
"$tern" generate --model "$model" --prompt "the cat" --steps 40 --seed 7

say "2. the hardware: a ${rows}x${lanes} ternary accumulate array as Verilog ($out/tern_array.v)"
"$tern" hdl --rows $rows --lanes $lanes --max-k 256 --out "$out/tern_array.v" | tail -n 1

say "3. co-simulation: every BitLinear of 32 tokens on the Verilated array, checked against golden"
"$tern" generate --model "$model" --prompt "the cat" --steps 32 --seed 7 --print-ids \
    --backend verilator --rows $rows --lanes $lanes --record "$out/run.json"

say "3b. memory-bound decode: the array behind its memory port (tern_stream), weights from a DDR4 model"
"$tern" generate --model "$model" --steps 12 --temperature 0 --print-ids --backend stream --packing base3 --slots 4 \
    --rows $rows --lanes $lanes --dram ddr4 --clock-mhz 150 --record "$out/stream.json"

say "4. synthesis: Yosys for xc7 (LUTs, no multipliers)"
"$tern" synth --target xc7 --rows $rows --lanes $lanes --max-k 256

say "5. the report: latency, roofline, energy, area, scaling ($out/report.html)"
"$tern" report --model "$model" --rows $rows --lanes $lanes --record "$out/run.json" --stream-record "$out/stream.json" --target xc7,asic --out "$out"

say "done: open $out/report.html"
