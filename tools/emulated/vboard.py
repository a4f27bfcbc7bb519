# Host only. A virtual modern board: MicroPython 1.27 WebAssembly (the pinned npm port) run by
# Node behind a real pty, answering as a board does over USB serial (friendly and raw REPL,
# Ctrl-C, Ctrl-D soft reset running boot.py and main.py, a filesystem kept until it stops).
# vboard.mjs is its firmware loop and says what it supplies that the port lacks.
import json
import os
import select
import subprocess
import tempfile
import time
import tty

from . import wasm
from . import child
from ..errors import BoardError

RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'vboard.mjs')
# What a board can be built without, for the tests of port differences; each is taken away
# inside MicroPython as the board starts (see vboard.mjs), not faked by the host tool.
FEATURES = ('uname', 'statvfs', 'rename', 'ticks_us', 'mpy')


def missing():
    """What is missing to run the virtual board, or None when it can run."""
    return wasm.missing()


class VirtualBoard(child.Board):
    """with VirtualBoard() as vb: vb.port is a pty to hand to micronn or mpremote.

    without: names from FEATURES the board is built without. heap: its MicroPython heap (the
    port grows it on demand: gc.mem_free() says about 134 MB). flash: its filesystem's size.
    report: (platform, machine), what it says it is (sys.platform, sys.implementation._machine
    and os.uname()) instead of "webassembly", "JS with Emscripten": a board of a port that no
    profile in boards/ names, with the same MicroPython answering. accel: a recording file (a
    CreateAI dataset or a CSV of x, y, z in g) that a simulated accelerometer replays: on the
    board, vboard_accel.read() returns its next sample (x, y, z) in g, as a user's sensor
    function would, and starts again after the last."""

    def __init__(self, without=(), heap=256 * 1024, flash=256 * 1024, boot_timeout=30,
                 report=None, accel=None):
        unknown = set(without) - set(FEATURES)
        if unknown:
            raise ValueError('unknown feature(s) %s; known: %s'
                             % (', '.join(sorted(unknown)), ', '.join(FEATURES)))
        self.without = tuple(without)
        self.report = list(report) if report else None
        self.heap = heap
        self.flash = flash
        self.boot_timeout = boot_timeout
        self.accel = accel
        self.proc = None
        self.port = None

    def start(self):
        why = missing()
        if why:
            raise BoardError('cannot start the virtual modern board: ' + why)
        samples = None
        if self.accel:
            from ..recording_files import dump_samples, samples as read_samples
            stream = read_samples(self.accel)  # ValueError for a bad file, before Node starts
            fd, samples = tempfile.mkstemp(prefix='micronn-accel-', suffix='.json')
            os.close(fd)
            dump_samples(samples, stream)
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no newline translation: bytes pass as over a UART
        os.set_blocking(master, False)
        self.port = os.ttyname(slave)
        cmd = ['node', RUNNER, wasm.entry(), str(master), str(slave),
               json.dumps({'heap': self.heap, 'flash': self.flash,
                           'without': list(self.without), 'report': self.report,
                           'accel': samples})]
        try:
            self.proc = child.start(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, pass_fds=(master, slave))
        finally:
            os.close(master)
            os.close(slave)
        try:
            self._wait_ready()  # Node has read the samples by then
        except BaseException:
            self.stop()
            raise
        finally:
            if samples:
                os.remove(samples)
        return self

    def _wait_ready(self):
        end = time.monotonic() + self.boot_timeout
        fd = self.proc.stdout.fileno()
        seen = b''
        while time.monotonic() < end and b'\n' not in seen:
            if select.select([fd], [], [], 0.5)[0]:
                chunk = os.read(fd, 4096)
                if not chunk:
                    break
                seen += chunk
        if not seen.startswith(b'ready\n'):
            raise BoardError('the virtual modern board did not start: %s'
                             % (seen.decode(errors='replace').strip()[-300:] or 'no answer'))
