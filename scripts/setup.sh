#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine for micronn: the emulated micro:bit (QEMU and Debian's
# micro:bit MicroPython firmware), MicroPython WebAssembly (npm, pinned by package-lock.json),
# and micronn itself with its test tools.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v qemu-system-arm >/dev/null || [ ! -f /usr/share/firmware-microbit-micropython/firmware.hex ] \
   || ! command -v node >/dev/null; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq qemu-system-arm \
        firmware-microbit-micropython nodejs npm >/dev/null
fi
npm ci --no-audit --no-fund --loglevel=error
python -m pip install -q -e ".[test,bench]"
