# Host only. A session with one board: find it (a given port, a detected USB board, or the
# emulated micro:bit), identify it against its profile, put firmware and models on it so that
# no cut link can leave it without a working model, and ask it for predictions.
import contextlib
import os
import re

import micronn
import micronn_save
import micronn_boards as boards
from serial.tools import list_ports

from . import files
from .emulator import EmulatedMicrobit
from .errors import BoardError, BoardExecError
from .link import Link, adler32
from .strip import strip_source

# Libraries before main.py: a board reset half way through still boots old or new code whole.
FIRMWARE = ('micronn.py', 'micronn_model.py', 'micronn_serve.py', 'micronn_train.py',
            'micronn_save.py', 'main.py')
# only with a net that has relu, tanh, identity or softmax layers: a sigmoid flash is unchanged
ACT_FIRMWARE = ('micronn_act.py', 'micronn_act_train.py')
DEMO = 'micronn_demo.py'  # main.py imports it when the board's profile has a standalone demo
SLOTS = ('model_a.mn', 'model_b.mn')  # must match micronn_serve.SLOTS
# Heap the board needs, an estimate made on the emulated micro:bit: the imports of micronn,
# micronn_model, micronn_serve and the demo (6,464 B: 9,744 free after boot, 3,280 after them)
# with room to read the file, and per weight (a loaded [2, 3, 1] net, 13 weights, took 720 B).
# It lets through [2, 10, 1], the first net that board cannot load, so only sizes at the edge
# are written and then taken back (the check after writing is the one that counts).
HEAP_FIXED = 7300
HEAP_PER_WEIGHT = 56
# And micronn_act, which a net with relu, tanh, identity or softmax layers imports: 992 B once
# compiled, but on the emulated micro:bit its compile beside the server's imports failed (a
# 784-byte block with about 3,000 B free), so no such net loaded there, not even [2, 3, 1].
# This keeps them all off a 16 KB micro:bit, refused before anything is written.
HEAP_ACT = 2500

# Single precision has 24 bits, so 1 + 1e-12 rounds to 1 there.
DOUBLE = '1.0 + 1e-12 != 1.0'
# What a board says about itself, in one command: os.uname's sysname and machine, its
# MicroPython version and .mpy version, and whether its floats are double.
REPORT = ("(__import__('os').uname()[0], __import__('os').uname()[4], "
          "__import__('sys').implementation[1], "
          "getattr(__import__('sys').implementation, '_mpy', 0), %s)" % DOUBLE)


def detect():
    """[(port, [profiles])] for serial ports whose USB VID:PID is a known board's."""
    found = []
    for p in list_ports.comports():
        if p.vid is not None:
            match = boards.by_usb(p.vid, p.pid)
            if match:
                found.append((p.device, match))
    return found


def firmware_dir():
    return os.path.dirname(os.path.abspath(micronn.__file__))


def device_source(name, profile):
    with open(os.path.join(firmware_dir(), name)) as f:
        text = f.read()
    return (strip_source(text) if profile['strip'] else text).encode()


def weights_of(net):
    return sum(len(n.weights) + 1 for layer in net.layers[1:] for n in layer)


class Board:
    """A board in the raw REPL, identified: .profile, and what it reports of itself: .machine,
    .version, .mpy, .float ('single' or 'double') and .free (heap bytes after a soft reset)."""

    def __init__(self, link, profile):
        self.link = link
        link.soft_reset()
        # first, and alone: a command's own code and names take heap
        self.free = link.eval("__import__('gc').collect() or __import__('gc').mem_free()")
        sysname, machine, version, mpy, double = link.eval(REPORT)
        self.machine = machine
        self.version = tuple(version)
        self.mpy = files.mpy_tag(mpy)
        self.float = 'double' if double else 'single'
        seen = boards.by_uname(sysname, machine)
        if profile is None:
            if seen is None:
                raise BoardError('unknown board (os.uname says %s, %s): pick a profile with '
                                 '--board; `micronn boards` lists them' % (sysname, machine))
            profile = seen
        elif profile['sysname'] != sysname:
            raise BoardError('--board %s expects a %s board, but this one reports %s: pick the '
                             'right --board' % (profile['name'], profile['sysname'], sysname))
        self.profile = profile
        self.fs = files.for_profile(profile)

    def differences(self):
        """What the board reports that its profile does not expect, one line each. None of it
        stops the tool, which goes by what the board reports: its floats set verify's
        tolerance, its free heap the fit check."""
        p = self.profile
        out = []
        if p['machine'] not in self.machine:
            out.append('the board calls itself %r, not a %s: its demo pins may differ'
                       % (self.machine, p['machine']))
        if self.float != p['float']:
            out.append('it has %s-precision floats, the %s profile says %s: verify allows for %s'
                       % (self.float, p['name'], p['float'], self.float))
        if self.free < p['heap'] * 0.8:
            out.append('it has %d bytes of heap free, the %s profile plans for about %d: models '
                       'are checked against %d' % (self.free, p['name'], p['heap'], self.free))
        return out

    def firmware(self, net=None):
        """[(name on the board, bytes)]: source without comments for small boards, and .mpy
        compiled for the board's own .mpy version where its profile says it imports them."""
        # (name on the host, name on the board); the board's own demo goes in before main.py
        names = [(n, n) for n in FIRMWARE]
        if net is not None and net._act:
            names[-1:-1] = [(n, n) for n in ACT_FIRMWARE]
        if self.profile.get('demo_module'):
            names.insert(-1, (self.profile['demo_module'], DEMO))
        missing = [n for n, _ in names if not os.path.exists(os.path.join(firmware_dir(), n))]
        if missing:
            raise BoardError('firmware files missing on the host: %s; install micronn from its '
                             'source tree with `pip install -e .`' % ', '.join(missing))
        out = []
        for source, name in names:
            data = device_source(source, self.profile)
            if self.profile['mpy'] and self.mpy and name != 'main.py':  # boot runs main.py only
                name, data = name[:-3] + '.mpy', files.compile_mpy(name, data, self.mpy)
            out.append((name, data))
        return out

    def stale(self, firmware):
        """[(name, bytes, temporary name or None)] for the firmware files whose copy on the
        board differs, checked by their sums there. A file already there is replaced through a
        checked temporary copy; a new one is written directly, since a half-written new file
        replaces nothing that worked (and the micro:bit's small filesystem is spared a copy)."""
        out = []
        for name, data in firmware:
            got = self.link.file_sum(name)
            if got != (len(data), adler32(data)):
                out.append((name, data, got and name.rsplit('.', 1)[0] + '.new'))
        return out

    def put_firmware(self, stale, say=print):
        link = self.link
        for name, data, tmp in stale:

            def progress(done, total, name=name):
                say('  %-18s %5d/%d bytes' % (name, done, total), end='\r')
            link.write_file(tmp or name, data, progress)
            if tmp:
                link.exec(self.fs.replace(tmp, name))
            if link.file_sum(name) != (len(data), adler32(data)):
                raise BoardError('%s did not copy intact on the board: flash again' % name)
            # a module's .py is imported before its .mpy: keep only the one just written
            other = name[:-3] + ('py' if name.endswith('.mpy') else 'mpy')
            if other.startswith('micronn'):
                link.remove(other)
            say('  %-18s %5d bytes, checked on the board' % (name, len(data)))

    def check_fits(self, net):
        if self.version < (1, 9):
            raise BoardError('MicroPython %s on this board is too old: micronn needs 1.9 or '
                             'newer; update its firmware' % '.'.join(map(str, self.version)))
        need = HEAP_FIXED + HEAP_PER_WEIGHT * weights_of(net)
        why = 'use fewer neurons'
        if net._act:
            need += HEAP_ACT
            why += ', or sigmoid layers only (%s layers need micronn_act: about %d bytes)' % (
                '/'.join(sorted(set(net.activations) - {'sigmoid'})), HEAP_ACT)
        if need > self.free:
            raise BoardError('the model needs about %d bytes of heap and this %s has %d free: '
                             '%s' % (need, self.profile['name'], self.free, why))

    def _import_serve(self):
        # A clean heap, then one module per command, biggest first: on a 16 KB micro:bit they
        # only fit when each compiles on an unfragmented heap with no other command held.
        # The old parser gives up rather than collect, so collect after each step. The demo
        # too, as main.py imports it: a model the tool loads here is one boot can load.
        self.link.soft_reset()
        for m in ('import micronn', 'import micronn_model', 'import micronn_serve'):
            self.link.exec('%s\nimport gc\ngc.collect()' % m)
        # what went wrong starting the demo, if anything: main.py serves without it then
        self.demo_error = self.link.exec(
            'try:\n from micronn_demo import idle\nexcept Exception as e:\n idle = None\n'
            ' print(repr(e))\nimport gc\ngc.collect()').strip()

    def newest(self):
        self._import_serve()
        return self.link.eval('micronn_serve.newest()')

    def put_model(self, net, say=print):
        """Write net to the older slot with the next sequence number; return that number."""
        self.check_fits(net)
        self.link.soft_reset()  # a clean heap: what ran before may have filled a small one
        stale = self.stale(self.firmware(net))
        # Room for it all is checked before anything is written. The slot written is not
        # known until the new firmware runs, so count the smaller slot as the one replaced.
        room = self.fs.room(self.link.eval(self.fs.LIST))
        steps = [(n, len(d), tmp) for n, d, tmp in stale]
        size = len(micronn_save.dumps(net, 10 ** 9))  # a sequence number longer than any
        steps.append((min(SLOTS, key=lambda s: room.sizes.get(s, 0)), size, None))
        files.check_room(self.fs, room, steps)
        self.put_firmware(stale, say)
        cur = self.newest()
        slot = SLOTS[1] if cur and cur[1] == SLOTS[0] else SLOTS[0]
        seq = cur[0] + 1 if cur else 1
        data = micronn_save.dumps(net, seq)

        def progress(done, total):
            say('  %-18s %5d/%d bytes' % (slot, done, total), end='\r')
        self.link.soft_reset()  # free what newest() imported: the upload needs the heap
        self.link.write_file(slot, data, progress)
        try:
            with self.serving() as got:  # what the board does at boot
                pass
        except BoardExecError as e:  # it read the file, then ran out of heap building the net
            if 'MemoryError' not in e.traceback:
                raise
            got = None
        if got != seq:  # its sum checked out: the board had no heap to load it
            # taken back, or the board would try it at every boot and serve nothing
            self.link.remove(slot)
            raise BoardError('this %s has too little heap to load the new model (%d bytes in '
                             'its file): it keeps the model it had (seq %s); use fewer neurons'
                             % (self.profile['name'], len(data), cur and cur[0]))
        say('  %-18s %5d bytes, model seq %d, checked on the board' % (slot, len(data), seq))
        if self.profile.get('demo_module') and self.demo_error:
            say('note: the standalone demo cannot start on this board (%s); it serves over '
                'serial without it' % self.demo_error)
        return seq

    @contextlib.contextmanager
    def serving(self):
        """with board.serving() as seq: the board runs its own line server (micronn_serve.main,
        what main.py runs at boot) on its newest model; predict() talks to it. Once a model is
        loaded a 16 KB board has too little heap left to compile commands, and this way none
        are: only lines go in and numbers come out."""
        self._import_serve()
        about = self.link.start('micronn_serve.main(idle)')
        found = re.search(r'micronn seq (\d+) layers', about)
        if not found:
            raise BoardError('no model on the board: flash one with `micronn flash MODEL`')
        try:
            yield int(found.group(1))
        finally:
            self.link.enter()  # Ctrl-C ends the server: back to the raw REPL

    def predict(self, rows):
        """The board's predictions for each input row, inside serving()."""
        out = []
        for x in rows:
            line = ' '.join(repr(float(v)) for v in x)
            answer = (self.link.ask(line)[:-len('> ')].strip().splitlines() or [''])[-1]
            try:
                out.append([float(v) for v in answer.split()])  # the line after the echo
            except ValueError:
                raise BoardError('the board answered %s with %r' % (line, answer[:80]))
        return out


@contextlib.contextmanager
def connect(port=None, board=None, emulate=False, say=print, timeout=10.0):
    """with connect(...) as b: b is a Board. No port: the one detected USB board, else (with
    emulate=True) a freshly started emulated micro:bit."""
    profile = boards.get(board) if board else None
    with contextlib.ExitStack() as stack:
        if port is None:
            found = detect()
            if len(found) > 1:
                raise BoardError('several boards found (%s): pick one with --port'
                                 % ', '.join(p for p, _ in found))
            if found:
                port = found[0][0]
                say('using %s on %s' % (found[0][1][0]['title'], port))
            elif emulate:
                say('no board attached: starting the emulated micro:bit (QEMU)')
                port = stack.enter_context(EmulatedMicrobit()).port
                profile = profile or boards.get('microbit-emulated')
            else:
                raise BoardError('no board found: plug one in, or give --port; `micronn demo` '
                                 'runs on an emulated micro:bit')
        link = stack.enter_context(Link(port, timeout=timeout))
        board = Board(link, profile)
        for line in board.differences():
            say('note: ' + line)
        yield board
