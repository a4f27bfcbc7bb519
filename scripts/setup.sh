#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine for micronn: the emulated micro:bit (QEMU and Debian's
# micro:bit MicroPython firmware), MicroPython WebAssembly (npm, pinned by tools/node/package-lock.json),
# and micronn itself with its test tools.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
pkgs=""
command -v qemu-system-arm >/dev/null || pkgs="$pkgs qemu-system-arm"
[ -f /usr/share/firmware-microbit-micropython/firmware.hex ] || pkgs="$pkgs firmware-microbit-micropython"
# Node.js from NodeSource carries its own npm and conflicts with Debian's npm package
command -v node >/dev/null || pkgs="$pkgs nodejs"
command -v npm >/dev/null || pkgs="$pkgs npm"
if [ -n "$pkgs" ]; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $pkgs >/dev/null
fi
npm ci --prefix tools/node --no-audit --no-fund --loglevel=error
python -m pip install -q -e ".[test,bench]"
