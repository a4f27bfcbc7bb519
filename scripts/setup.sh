#!/usr/bin/env bash
# Host only. Sets up a fresh Debian/Ubuntu machine for micronn, as `make demo` and `make test`
# run it: the emulated micro:bit (QEMU and Debian's micro:bit MicroPython firmware), MicroPython
# WebAssembly (npm, pinned by its package-lock.json), and micronn itself with its test and
# benchmark tools in the project's own .venv. Needs only the system python3: Debian 12+ and
# Ubuntu 23.04+ refuse `pip install` outside a virtual environment (PEP 668), so micronn goes
# into .venv whatever environment is active. Each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
PYTHON="${PYTHON:-python3}"

pkgs=""
command -v qemu-system-arm >/dev/null || pkgs="$pkgs qemu-system-arm"
[ -f /usr/share/firmware-microbit-micropython/firmware.hex ] || pkgs="$pkgs firmware-microbit-micropython"
# Node.js from NodeSource carries its own npm and conflicts with Debian's npm package
command -v node >/dev/null || pkgs="$pkgs nodejs"
command -v npm >/dev/null || pkgs="$pkgs npm"
# Debian and Ubuntu ship venv's pip bootstrap (ensurepip) apart from python3 itself
[ -x .venv/bin/python ] || "$PYTHON" -c 'import ensurepip' 2>/dev/null || pkgs="$pkgs python3-venv"
if [ -n "$pkgs" ]; then
    echo "setup: apt-get install$pkgs"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $pkgs >/dev/null
fi

# The npm manifest lives in tools/node (older trees: the repository's root)
NODE_DIR=tools/node
[ -f "$NODE_DIR/package-lock.json" ] || NODE_DIR=.
if [ ! -f "$NODE_DIR/node_modules/.package-lock.json" ] ||
        [ "$NODE_DIR/package-lock.json" -nt "$NODE_DIR/node_modules/.package-lock.json" ]; then
    echo "setup: npm ci --prefix $NODE_DIR"
    npm ci --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error
fi

if [ ! -x .venv/bin/python ]; then
    echo "setup: $PYTHON -m venv .venv"
    "$PYTHON" -m venv .venv
fi
if [ ! -f .venv/.micronn-installed ] || [ pyproject.toml -nt .venv/.micronn-installed ]; then
    echo "setup: .venv/bin/pip install -e \".[test,bench]\""
    .venv/bin/python -m pip install -q -e ".[test,bench]"
    touch .venv/.micronn-installed
fi
echo "setup: done; micronn is .venv/bin/micronn (or run \`source .venv/bin/activate\` first)"
