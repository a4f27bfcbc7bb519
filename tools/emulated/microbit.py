# Host only. An emulated BBC micro:bit: QEMU's `microbit` machine running Debian's micro:bit
# MicroPython firmware, its UART on a pty. The tool uses it as the default board and the
# tests use it as a real one; nothing about it is faked.
import os
import re
import shutil
import subprocess
import time

import serial

from . import child
from ..errors import BoardError

FIRMWARE = '/usr/share/firmware-microbit-micropython/firmware.hex'
INSTALL_HINT = ('install it with: sudo apt-get install qemu-system-arm '
                'firmware-microbit-micropython')



def missing():
    """What is missing to run the emulator, or None when it can run."""
    if not shutil.which('qemu-system-arm'):
        return 'qemu-system-arm is not installed; ' + INSTALL_HINT
    if not os.path.exists(FIRMWARE):
        return 'the micro:bit firmware (%s) is not installed; %s' % (FIRMWARE, INSTALL_HINT)
    return None


class EmulatedMicrobit(child.Board):
    """with EmulatedMicrobit() as mb: mb.port is a pty to hand to micronn or mpremote.

    icount=True makes the board's clock count guest instructions (64 ns each), so timings
    on it repeat exactly; use it for benchmarks. seed: QEMU's -seed, which fixes the board's
    random numbers, among them where its filesystem starts placing files, so that what a
    test does to the filesystem happens the same way in every run.
    """

    def __init__(self, icount=False, boot_timeout=20, seed=None):
        self.icount = icount
        self.seed = seed
        self.boot_timeout = boot_timeout
        self.proc = None
        self.port = None

    def start(self):
        why = missing()
        if why:
            raise BoardError('cannot start the emulated micro:bit: ' + why)
        cmd = ['qemu-system-arm', '-M', 'microbit', '-nographic', '-monitor', 'null',
               '-serial', 'pty', '-device', 'loader,file=' + FIRMWARE]
        if self.icount:
            cmd[3:3] = ['-icount', 'shift=6']
        if self.seed is not None:
            cmd[3:3] = ['-seed', str(self.seed)]
        self.proc = child.start(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        try:
            self.port = self._read_port()
            self._wait_for_repl()
        except BaseException:
            self.stop()
            raise
        return self

    def _read_port(self):
        # QEMU names the pty on its first line: "char device redirected to /dev/pts/N (label serial0)"
        line = self.proc.stdout.readline().decode(errors='replace')
        m = re.search(r'(/dev/pts/\d+)', line)
        if not m:
            raise BoardError('QEMU did not start the micro:bit: %s' % (line.strip() or 'no output'))
        return m.group(1)

    def _wait_for_repl(self):
        deadline = time.monotonic() + self.boot_timeout
        with serial.Serial(self.port, 115200, timeout=0.2) as s:
            seen = b''
            while time.monotonic() < deadline:
                s.write(b'\r\x03')
                seen += s.read(256)
                if b'>>> ' in seen:
                    return
        raise BoardError('the emulated micro:bit did not reach its REPL within %ds'
                         % self.boot_timeout)
