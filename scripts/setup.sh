#!/usr/bin/env bash
# Host only. Sets up a fresh Debian/Ubuntu machine for micronn: `bash scripts/setup.sh [demo|test]`.
#   demo: what `make demo` needs: the emulated micro:bit (QEMU and Debian's micro:bit MicroPython
#         firmware) and micronn itself, with its own dependencies only, in the project's .venv;
#   test: (the default; `make test`, `make test-all`, `make setup`) that, plus MicroPython
#         WebAssembly (npm, pinned by its package-lock.json) and micronn's `test` and `convert`
#         extras (pytest, hypothesis; scikit-learn, onnx, onnxruntime, pandas), the `studio`
#         extra (aiohttp), the `bench` extra (matplotlib, for `micronn train --plot` and the
#         bench's chart) and, for the studio's browser tests, Debian's chromium (playwright
#         drives it; playwright's own browser download is not used).
# Needs only the system python3: Debian 12+ and Ubuntu 23.04+ refuse `pip install` outside a
# virtual environment (PEP 668), so micronn goes into .venv whatever environment is active. Each
# step is skipped when already done; extras a .venv already has are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-test}" in
    demo) WHAT=demo; EXTRAS="" ;;
    test) WHAT=test; EXTRAS="test,convert,studio,bench" ;;
    *) echo "usage: bash scripts/setup.sh [demo|test]" >&2; exit 2 ;;
esac
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
PYTHON="${PYTHON:-python3}"

# Debian 13 no longer has firmware-microbit-micropython; Debian 12's (a hex file, for all
# architectures) installs as it is. apt fetches it with bookworm's package list kept in a
# temporary folder, so the system's apt sources stay as they are.
firmware_from_bookworm() {
    local d opts
    d=$(mktemp -d)
    chmod 755 "$d"  # apt downloads as its own user, _apt
    mkdir -p "$d/lists/partial" "$d/parts" "$d/cache/archives/partial"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main" > "$d/bookworm.list"
    opts=(-o "Dir::Etc::SourceList=$d/bookworm.list" -o "Dir::Etc::SourceParts=$d/parts"
          -o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache")
    echo "setup: firmware-microbit-micropython from Debian 12 (this system's apt has none)"
    [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] ||  # Ubuntu has it, not installed
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq debian-archive-keyring >/dev/null
    $SUDO apt-get "${opts[@]}" update -qq
    (cd "$d" && $SUDO apt-get "${opts[@]}" download firmware-microbit-micropython)
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$d"/firmware-microbit-micropython_*_all.deb >/dev/null
    $SUDO rm -rf "$d"
}

pkgs=""
command -v qemu-system-arm >/dev/null || pkgs="$pkgs qemu-system-arm"
[ -f /usr/share/firmware-microbit-micropython/firmware.hex ] || pkgs="$pkgs firmware-microbit-micropython"
if [ "$WHAT" = test ]; then  # MicroPython WebAssembly: the tests, not the demo
    # Node.js from NodeSource carries its own npm and conflicts with Debian's npm package
    command -v node >/dev/null || pkgs="$pkgs nodejs"
    command -v npm >/dev/null || pkgs="$pkgs npm"
    command -v chromium >/dev/null || pkgs="$pkgs chromium"  # the studio's browser tests
fi
# Debian and Ubuntu ship venv's pip bootstrap (ensurepip) apart from python3 itself
[ -x .venv/bin/python ] || "$PYTHON" -c 'import ensurepip' 2>/dev/null || pkgs="$pkgs python3-venv"
if [ -n "$pkgs" ]; then
    $SUDO apt-get update -qq
    firmware=""
    if [[ " $pkgs " == *" firmware-microbit-micropython "* ]] &&
            ! apt-cache show firmware-microbit-micropython >/dev/null 2>&1; then
        pkgs="${pkgs/ firmware-microbit-micropython/}"
        firmware=bookworm
    fi
    if [ -n "$pkgs" ]; then
        echo "setup: apt-get install$pkgs"
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $pkgs >/dev/null
    fi
    [ -z "$firmware" ] || firmware_from_bookworm
fi

NODE_DIR=tools/emulated/node
if [ "$WHAT" = test ] && { [ ! -f "$NODE_DIR/node_modules/.package-lock.json" ] ||
        [ "$NODE_DIR/package-lock.json" -nt "$NODE_DIR/node_modules/.package-lock.json" ]; }; then
    echo "setup: npm ci --prefix $NODE_DIR"
    npm ci --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error
fi

if [ ! -x .venv/bin/python ]; then
    echo "setup: $PYTHON -m venv .venv"
    "$PYTHON" -m venv .venv
fi
# .venv/.micronn-installed says micronn is installed, and holds its extras (comma-separated,
# sorted; empty for none). The extras asked for are added to those the .venv has: a .venv set up
# for the tests keeps them through `make demo`, and one with fewer (or none) gets the rest. A
# pyproject.toml newer than the marker installs again.
sorted_extras() { tr ', ' '\n\n' | sed '/^$/d' | LC_ALL=C sort -u | paste -sd, -; }
MARKER=.venv/.micronn-installed
HAVE=""
[ ! -f "$MARKER" ] || HAVE=$(sorted_extras < "$MARKER")
WANT=$(echo "$HAVE,$EXTRAS" | sorted_extras)
if [ ! -f "$MARKER" ] || [ pyproject.toml -nt "$MARKER" ] || [ "$WANT" != "$HAVE" ]; then
    SPEC="."
    [ -z "$WANT" ] || SPEC=".[$WANT]"
    echo "setup: .venv/bin/pip install -e \"$SPEC\""
    .venv/bin/python -m pip install -q -e "$SPEC"
    echo "$WANT" > "$MARKER"
fi
echo "setup: done; micronn is .venv/bin/micronn (or run \`source .venv/bin/activate\` first)"
