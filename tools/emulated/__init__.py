# Host only. Boards without hardware: the emulated micro:bit (QEMU), MicroPython WebAssembly under
# Node, and that WebAssembly behind a pty as a modern board. Tests, the demo and the benchmark
# start them; the rest of the tool talks to them as to any serial board.
