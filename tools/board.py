# Host only. A session with one board: find it (a given port, a detected USB board, or the
# emulated micro:bit), identify it against its profile, put firmware and models on it so that
# no cut link can leave it without a working model, and ask it for predictions.
import contextlib
import importlib.resources
import os
import re

import micronn_save
import micronn_boards as boards
from serial.tools import list_ports

from . import files, modelfile
from .files import adler32
from .emulated.microbit import EmulatedMicrobit
from .errors import BoardError, BoardExecError, NoModel, NotMicronn, NotWhole
from .emulated.vboard import VirtualBoard
from .link import Link, is_virtual
from .strip import strip_source

# Libraries before main.py: a board reset half way through still boots old or new code whole.
# Not micronn_layers (the blog's net.layers view, 13 of the micro:bit's 120 filesystem chunks):
# a convenience for the host; on a board, net.layer_weights holds the same numbers.
FIRMWARE = ('micronn.py', 'micronn_build.py', 'micronn_bytes.py', 'micronn_model.py',
            'micronn_serve.py', 'micronn_model1.py', 'micronn_backprop.py', 'micronn_train.py',
            'micronn_save.py', 'micronn_check.py', 'main.py')
# Modules boot does not import for a sigmoid model in today's format (micronn_model1 reads only
# files of version 1). A flash removes their old copies first and writes them last, so that the
# old and new copies of what boot does import fit side by side on a micro:bit (40 and 40 of its
# 120 filesystem chunks): nearly full, its filesystem damages files when it compacts.
OFF_BOOT = ('micronn_build', 'micronn_backprop', 'micronn_train', 'micronn_save', 'micronn_check',
            'micronn_model1', 'micronn_act_train')
# Only with a net that has relu, tanh, identity or softmax layers (a sigmoid flash writes what it
# wrote before): micronn_act, which boot imports to read such a net, and its backprop.
ACT_FIRMWARE = ('micronn_act.py', 'micronn_act_train.py')
# Boot imports micronn_build too for such a net. Where micronn_act is written or already on the
# board (a slot may hold such a net), it is switched in with the boot files, not removed first.
# (Such nets never fit a micro:bit: see HEAP_ACT.)
ACT_BOOT = ('micronn_build',)
DEMO = 'micronn_demo.py'  # main.py imports it when the board's profile has a standalone demo
SLOTS = ('model_a.mn', 'model_b.mn')  # must match micronn_serve.SLOTS
EXPORT_SLOTS = ('mnx_a.py', 'mnx_b.py')  # must match micronn_servex.SLOTS
SERVEX = 'micronn_servex.py'  # on a board only while it serves an export
# what serves model files and nothing else: a board serving an export has no use for them
MICRONN_ONLY = ('micronn', 'micronn_build', 'micronn_bytes', 'micronn_model', 'micronn_serve',
                'micronn_model1', 'micronn_backprop', 'micronn_train', 'micronn_save',
                'micronn_act', 'micronn_act_train', 'micronn_check')
# Heap the board needs, an estimate fitted on the emulated micro:bit, where a net's weights
# (4 B each, in its layers' lists) come after the imports of micronn, micronn_model (with
# micronn_bytes), micronn_serve and the demo. The tool measures free heap through a checked
# command (8,976 B free then). The largest nets served there, one at a time, were [2, 57, 1]
# and [4, 32, 3] (beyond that the filesystem was full); this lets through up to [2, 60, 1] and
# [4, 30, 3], so sizes near the edge are written and, if the board cannot load them, taken
# back: the check after writing, a boot, is the one that counts. What loads depends on the
# largest list a net needs in one piece more than on its total.
HEAP_FIXED = 8000
HEAP_PER_WEIGHT = 4
# And what boot imports for a net with relu, tanh, identity or softmax layers: micronn_build
# (1,824 B once compiled on the emulated micro:bit) and micronn_act (about 1,100 B). There no
# such net loaded after a flash, not even [2, 1, 1] with a relu layer (boot ran out of heap),
# so this keeps them all off a 16 KB micro:bit, refused before anything is written.
HEAP_ACT = 3500

# Single precision has 24 bits, so 1 + 1e-12 rounds to 1 there.
DOUBLE = '1.0 + 1e-12 != 1.0'
# What a board says about itself, in one command, from what every port has (sys.platform,
# sys.implementation) and os.uname() only where a port has it: its platform, machine,
# MicroPython version, .mpy version (0: it imports none), whether its floats are double, and
# which of the optional functions the tool can use it has.
OPTIONAL = (('os', 'statvfs'), ('os', 'rename'), ('time', 'ticks_us'))
REPORT = ("(lambda s,o:(s.platform,getattr(s.implementation,'_machine','') or "
          "(o.uname()[4] if hasattr(o,'uname') else ''),s.implementation[1],"
          "getattr(s.implementation,'_mpy',0),%s,[n for m,n in %r if hasattr(__import__(m),n)]))"
          "(__import__('sys'),__import__('os'))" % (DOUBLE, OPTIONAL))
# What the tool does where a port lacks one of them, said in a `note:` line.
WITHOUT = {
    'statvfs': 'it has no os.statvfs, so the room left cannot be counted before writing: a full '
               'filesystem is caught as it is written, and the previous model stays',
    'rename': 'it has no os.rename: changed firmware files are replaced by a copy made on the '
              'board, as on the micro:bit',
    'ticks_us': 'it has no time.ticks_us: nothing micronn runs on the board needs it',
    'mpy': 'it imports no .mpy files (no sys.implementation._mpy): the firmware goes as source',
}


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
    """The folder of the files that go to boards: firmware/ in the source tree, the package
    micronn_firmware in an installed micronn (pip installs it as a plain folder)."""
    return str(importlib.resources.files('micronn_firmware'))


def device_source(name, profile):
    with open(os.path.join(firmware_dir(), name)) as f:
        text = f.read()
    return (strip_source(text) if profile['strip'] else text).encode()


def _module(name):
    return name.rsplit('.', 1)[0]


def _temporary(name):
    return _module(name) + '.new'


def _twin(name):
    """micronn.py for micronn.mpy, and the other way round."""
    return _module(name) + ('.py' if name.endswith('.mpy') else '.mpy')


def weights_of(net):
    return sum(len(n.weights) + 1 for layer in net.layers[1:] for n in layer)


class Board:
    """A board in the raw REPL, identified: .profile, and what it reports of itself: .machine,
    .version, .mpy, .float ('single' or 'double') and .free (heap bytes after a soft reset)."""

    def __init__(self, link, profile):
        self.link = link  # entered with a clean heap
        # first, and alone: a command's own code and names take heap
        self.free = link.eval("__import__('gc').collect() or __import__('gc').mem_free()",
                              alone=True)
        platform, machine, version, mpy, double, has = link.eval(REPORT)
        self.platform = platform
        self.machine = machine
        self.version = tuple(version)
        self.mpy = files.mpy_tag(mpy)
        self.float = 'double' if double else 'single'
        seen = boards.by_uname(platform, machine)
        if profile is None:
            if seen is None:
                raise BoardError('unknown board (sys.platform %r, machine %r): pick a profile '
                                 'with --board; `micronn boards` lists them' % (platform, machine))
            profile = seen
        elif profile['sysname'] != platform:
            raise BoardError('--board %s expects a %s board, but this one reports %s: pick the '
                             'right --board' % (profile['name'], profile['sysname'], platform))
        self.profile = profile
        if profile.get('pace'):
            link.piece, link.pause = profile['pace']
        # what a board of its file API would have and this one lacks; the tool works around each
        self.missing = [n for _, n in OPTIONAL if n not in has]
        if profile['mpy'] and not self.mpy:
            self.missing.append('mpy')
        if profile['files'] == 'microbit':  # that API never has these: nothing to say
            self.missing = [n for n in self.missing if n not in ('statvfs', 'rename')]
        self.fs = files.for_profile(profile, self.missing)

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
        return out + [WITHOUT[n] for n in self.missing]

    def firmware(self, net=None, export=False):
        """[(name on the board, bytes)]: source without comments for small boards, and .mpy
        compiled for the board's own .mpy version where its profile says it imports them.
        net: with what its activations need; export: what a board serving an export needs,
        and only that."""
        # (name on the host, name on the board); the board's own demo goes in before main.py
        names = [(n, n) for n in ((SERVEX, 'main.py') if export else FIRMWARE)]
        if net is not None and net._act and not export:  # an export computes its own
            names[-1:-1] = [(n, n) for n in ACT_FIRMWARE]
        if self.profile.get('demo_module'):
            names.insert(-1, (self.profile['demo_module'], DEMO))
        missing = [n for n, _ in names if not os.path.exists(os.path.join(firmware_dir(), n))]
        if missing:
            raise BoardError('firmware files missing on the host (%s): %s; reinstall micronn '
                             '(pip install .)' % (firmware_dir(), ', '.join(missing)))
        out = []
        for source, name in names:
            data = device_source(source, self.profile)
            if self.profile['mpy'] and self.mpy and name != 'main.py':  # boot runs main.py only
                name, data = name[:-3] + '.mpy', files.compile_mpy(name, data, self.mpy)
            out.append((name, data))
        return out

    def firmware_steps(self, firmware, sizes):
        """The flash's firmware steps, in order: ('write', name, bytes), ('remove', name,
        None), ('move', name, temporary). Files boot imports that differ from the board's
        copies (by their sums there) are all written as checked temporaries first, then
        switched in by one command, which no cut link or killed tool can stop half way: the
        board boots either the old firmware or the new, never a mix. sizes: what the board
        lists."""
        on_board = self.link.file_sums([n for n, _ in firmware])
        self.before = on_board  # to tell a file the filesystem damaged from an old one
        stale = [(n, d) for n, d in firmware if on_board[n] != (len(d), adler32(d))]
        act = any(_module(n) == 'micronn_act' for n in list(sizes) + [n for n, _ in firmware])
        off = [m for m in OFF_BOOT if not (act and m in ACT_BOOT)]
        late = [(n, d) for n, d in stale if _module(n) in off]
        # a file the board does not have goes straight in: no old firmware imports it
        new = [(n, d) for n, d in stale if _module(n) not in off and n not in sizes]
        boot = [(n, d) for n, d in stale if _module(n) not in off and n in sizes]
        # first go leftovers of a flash cut short and the old copies of what is written last;
        # with the switch, the .py/.mpy twins of what is written (.py is imported first)
        first = [n for n in sizes if n.endswith('.new')] + [n for n, _ in late if n in sizes]
        twins = [t for t in (_twin(n) for n, _ in stale) if t in sizes]
        return ([('remove', n, None) for n in first]
                + [('write', n, d) for n, d in new]
                + [('write', _temporary(n), d) for n, d in boot]
                + [('remove', n, None) for n in twins]
                + [('move', n, _temporary(n)) for n, _ in boot]
                + [('write', n, d) for n, d in late])

    def put_firmware(self, steps, say=print):
        """Carry out firmware_steps(): each run of removes and moves as one command. A file
        missing on the way may be one the filesystem damaged: then that is what it says."""
        try:
            self._put_firmware(steps, say)
        except BoardExecError as e:
            if 'OSError' in e.traceback:
                # each file may be as it was before the flash, or as written, or gone
                known = {n: [s] for n, s in self.before.items()}
                for op, n, d in steps:
                    if op == 'write':
                        known.setdefault(n, []).append((len(d), adler32(d)))
                    elif op == 'move':  # d: the temporary written before
                        known[n] = known.get(n, []) + known[d]
                self.link.soft_reset()
                now = self.link.file_sums(sorted(known))
                self._say_damaged([n for n in sorted(known)
                                   if now[n] is not None and now[n] not in known[n]])
            raise

    def _put_firmware(self, steps, say):
        link = self.link
        sums = {n: (len(d), adler32(d)) for op, n, d in steps if op == 'write'}
        run = []
        for op, name, arg in steps + [('write', None, None)]:
            if op != 'write':
                run.append((op, name, arg))
                continue
            if run:
                moves = [(tmp, n) for o, n, tmp in run if o == 'move']
                link.exec(self.fs.replace(moves, [n for o, n, _ in run if o == 'remove']),
                          timeout=max(link.timeout, 60))
                link.soft_reset()  # a clean heap for one long command: copying fragmented it
                now = link.file_sums([n for _, n in moves])
                for tmp, n in moves:
                    if now[n] != sums[tmp]:
                        raise BoardError('%s did not copy intact on the board: flash again' % n)
                    say('  %-18s in use' % n)
                run = []
            if name:
                def progress(done, total, name=name):
                    say('  %-18s %5d/%d bytes' % (name, done, total), end='\r')
                link.write_file(name, arg, progress)
                say('  %-18s %5d bytes, checked on the board' % (name, len(arg)))

    def check_intact(self, written):
        """Every file of the flash, read back once all are written. Each was checked as it
        was written, but a filesystem that moves files to make room can damage those it
        already held: the emulated micro:bit's does, when it compacts its scattered free
        chunks (host_tests/test_faults.py shows it)."""
        self.link.soft_reset()  # a clean heap for one long command: writing fragmented it
        sums = self.link.file_sums([n for n, _ in written])
        self._say_damaged([n for n, d in written if sums[n] != (len(d), adler32(d))])

    def _say_damaged(self, damaged):
        if damaged:
            raise BoardError('files on the board changed after they were written and checked '
                             '(%s): its filesystem damaged them while making room. %s, then '
                             'flash again' % (', '.join(damaged), self._erase_advice()))

    def _erase_advice(self):
        if self.profile.get('emulated') or is_virtual(self.link.port):
            return 'Restart the emulated board (it starts with no files)'
        if self.profile['files'] == 'microbit':
            return ('Copy MicroPython\'s .hex onto the MICROBIT drive again: that erases the '
                    'board\'s files, and only that repairs its filesystem')
        return 'Erase the board\'s filesystem (e.g. mpremote rm each file)'

    def check_fits(self, net, export=False):
        if self.version < (1, 9):
            raise BoardError('MicroPython %s on this board is too old: micronn needs 1.9 or '
                             'newer; update its firmware' % '.'.join(map(str, self.version)))
        if export:
            return  # no estimate: whether the board compiles the export is seen at boot
        need = HEAP_FIXED + HEAP_PER_WEIGHT * weights_of(net)
        why = 'use fewer neurons'
        if net._act:
            need += HEAP_ACT
            why += ', or sigmoid layers only (%s layers need micronn_act: about %d bytes)' % (
                '/'.join(sorted(set(net.activations) - {'sigmoid'})), HEAP_ACT)
        if need > self.free:
            raise BoardError('the model needs about %d bytes of heap and this %s has %d free: '
                             '%s' % (need, self.profile['name'], self.free, why))

    def newest(self):
        """(seq, slot) of the model the board serves when it boots, or None."""
        try:
            with self.serving() as served:
                return served
        except NoModel:
            return None

    def put_model(self, net, say=print):
        """Write net to the older slot with the next sequence number; return that number."""
        self.check_fits(net)
        self.link.soft_reset()  # a clean heap: what ran before may have filled a small one
        # Room for it all is checked before anything is written. The slot written is not
        # known until the new firmware runs, so count the smaller slot as the one replaced.
        room = self.fs.room(self.link.eval(self.fs.LIST))
        firmware = self.firmware(net)
        # A board serving an export: the export it served before goes first, to make room,
        # and the server of exports, so that boot goes to micronn with all the heap there is.
        # The export served now stays: if the model file does not serve, that server is put
        # back, and the board serves what it served before.
        exports = [n for n in EXPORT_SLOTS if n in room.sizes]
        served = self.newest() if exports else None
        older = [n for n in exports if not served or n != served[1]]
        servex = [f for f in self.firmware(export=True) if f[0] == SERVEX] if exports else []
        # and a server of exports with none to serve (a first --export that failed) goes too:
        # boot would compile it first, into the heap micronn needs
        idle = [SERVEX] if SERVEX in room.sizes and not exports else []
        steps = ([('remove', n, None) for n in older + [n for n, _ in servex] + idle]
                 + self.firmware_steps(firmware, room.sizes))
        size = len(micronn_save.dumps(net, 10 ** 9))  # a sequence number longer than any
        self._check_room(room, steps,
                         [('write', min(SLOTS, key=lambda s: room.sizes.get(s, 0)), size)])
        self.put_firmware(steps, say)
        cur = served or self.newest()  # (with its server gone, an export no longer serves)
        slot = SLOTS[1] if cur and cur[1] == SLOTS[0] else SLOTS[0]  # not the one in use
        seq = cur[0] + 1 if cur else 1  # above every other slot's: the newest serves
        self._put_slot(slot, micronn_save.dumps(net, seq), seq, cur, firmware, say,
                       restore=servex)
        self.link.remove(*EXPORT_SLOTS)  # the export served before is no fallback now
        self._note_demo(say)
        return seq

    def put_export(self, net, say=print):
        """Write net as a module of its own (`micronn export`), which the board serves without
        micronn, so nets too big for micronn there serve; return its sequence number. The
        model file the board served is first put into the other export slot, converted on the
        host: then micronn's own files, not needed to serve an export, make room on a small
        board, and a failed flash still leaves the previous model serving."""
        self.check_fits(net, export=True)
        self.link.soft_reset()
        room = self.fs.room(self.link.eval(self.fs.LIST))
        cur = self.newest() if 'main.py' in room.sizes else None
        keep = []  # (slot, bytes) of the model served now, as an export
        if cur and cur[1] in SLOTS:
            old = self.link.eval('open(%r,"rb").read()' % cur[1], alone=True)
            keep = [(EXPORT_SLOTS[1], self._export_data(modelfile.loads(old)[1], cur[0]))]
        slot = EXPORT_SLOTS[1] if cur and cur[1] == EXPORT_SLOTS[0] else EXPORT_SLOTS[0]
        seq = cur[0] + 1 if cur else 1
        data = self._export_data(net, seq)
        firmware = self.firmware(export=True)
        steps = self.firmware_steps(firmware, room.sizes)
        gone = [n for n in room.sizes if n in SLOTS or _module(n) in MICRONN_ONLY]
        self._check_room(room, steps, [('write', n, len(d)) for n, d in keep]
                         + [('remove', n, None) for n in gone] + [('write', slot, len(data))])
        self.put_firmware(steps, say)
        for name, old in keep:
            self.link.write_file(name, old)
            say('  %-18s %5d bytes, the model served till now as an export' % (name, len(old)))
        self.link.remove(*gone)
        self._put_slot(slot, data, seq, cur, firmware + keep, say, export=True)
        self._note_demo(say)
        return seq

    def _check_room(self, room, steps, then):
        """Before anything is written: room on the board for firmware_steps' steps, then for
        the (op, name, size) in then. BoardError, naming what to remove, if there is none."""
        files.check_room(self.fs, room, [(op, n, len(a) if op == 'write' else a)
                                         for op, n, a in steps] + then)

    @staticmethod
    def _export_data(net, seq):
        """An export slot's bytes: the module, after a first line that micronn_servex checks."""
        from .export import source
        body = source(net, 'a net flashed by micronn').encode()
        return b'# micronn seq %d sum %s layers %s\n' % (
            seq, adler32(body).encode(), ' '.join(str(len(k)) for k in net.layers).encode()) + body

    def _put_slot(self, slot, data, seq, cur, written, say, export=False, restore=()):
        """Write a model's slot, check every file of the flash, then boot: the model must be
        the one served, or its slot is taken back (and the files in restore written back) so
        that the board serves what it served before."""
        def progress(done, total):
            say('  %-18s %5d/%d bytes' % (slot, done, total), end='\r')
        self.link.write_file(slot, data, progress)
        self.check_intact(written + [(slot, data)])
        failed = None
        try:
            with self.serving() as got:  # what the board does at boot
                pass
        except (BoardExecError, NoModel, NotWhole) as e:  # out of heap building it, or worse
            failed, got = e, None
        if not got or got[0] != seq:  # its sum checked out: the board could not load it
            # taken back, or the board would try it at every boot and serve nothing
            self.link.remove(slot)
            for name, old in restore:
                self.link.write_file(name, old)
            # not the heap: the board's own error (an export that does not compile is passed
            # over at boot, with no error to show, and micronn's reader skips a file that
            # does not fit, saying only that it has no model)
            kept = 'it keeps the model it had (seq %d)' % cur[0] if cur else 'it has no model'
            if not export and (isinstance(failed, NotWhole) or isinstance(
                    failed, BoardExecError) and 'MemoryError' not in failed.traceback):
                raise BoardError('%s; %s' % (failed, kept))
            raise BoardError('this %s has too little heap to load the new model (%d bytes in '
                             'its file): %s; use fewer neurons%s'
                             % (self.profile['name'], len(data), kept,
                                '' if export else ', or flash it with --export'))
        say('  %-18s %5d bytes, model seq %d, checked on the board' % (slot, len(data), seq))

    def _note_demo(self, say):
        problem = self.profile.get('demo_module') and self.demo_problem()
        if problem:
            say('note: the standalone demo cannot start on this board (%s); it serves over '
                'serial without it' % problem)

    def demo_problem(self):
        """Why the board's standalone demo cannot start ('' if it can): main.py serves
        without it then, and says nothing."""
        return self.link.exec(
            'try:\n import micronn_demo\nexcept Exception as e:\n print(repr(e))').strip()

    def _start_by_command(self):
        """Start micronn's server as main.py would, one import per command (each compiles
        best on a clean heap); what it printed."""
        link = self.link
        link.enter()
        link.soft_reset()
        try:
            for m in ('micronn', 'micronn_model', 'micronn_serve'):
                link.exec('import %s\ngc.collect()' % m, alone=True)
        except BoardExecError as e:
            # out of heap, or of C stack: a checked command's exec, then the import's compile
            if 'MemoryError' in e.traceback or 'maximum recursion depth' in e.traceback:
                raise BoardError('the board runs a main.py that is not micronn\'s, and has too '
                                 'little memory to start micronn\'s server by command (%s): '
                                 '`micronn flash MODEL` puts micronn\'s main.py back' % e)
            if 'ImportError' not in e.traceback:
                raise
            return e.traceback
        return link.start('micronn_serve.main()')

    @contextlib.contextmanager
    def serving(self):
        """with board.serving() as (seq, slot): the board boots as at power-up, main.py
        serving its newest model that loads over serial, and predict() talks to that server.
        So what the tool checks is what boot does, and no command is compiled once the model
        is loaded: a 16 KB board has no heap left for one. .layers: the served model's layer
        sizes."""
        try:
            booted = self.link.boot().decode(errors='replace')
        except NotMicronn:
            # a main.py of someone else's, running on: micronn's server is started instead
            booted = self._start_by_command()
        try:
            if not booted.endswith('\n> '):  # main.py ended, or there is none
                raise _boot_failed(booted, self.link.port)
            found = re.search(r'micronn seq (\d+) layers ([\d ]+) slot (\S+)', booted)
            self.layers = [int(n) for n in found.group(2).split()]
            yield int(found.group(1)), found.group(3)
        finally:
            # Ctrl-C ends the server, then a clean heap: the raw REPL as before
            self.link.enter()
            self.link.soft_reset()

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


def _boot_failed(booted, port):
    """The error that says why main.py ended at boot."""
    if 'micronn: no model' in booted:
        return NoModel('no model on the board: flash one with `micronn flash MODEL`')
    if 'Traceback' not in booted:
        return BoardError('nothing was flashed to this board yet (it has no micronn '
                          'firmware): run `micronn flash MODEL`')
    text = booted[booted.index('Traceback'):].strip()
    last = text.splitlines()[-1]
    if last.startswith('ImportError'):
        return NotWhole('micronn is not whole on the board on %s (%s): put it there with '
                        '`micronn flash MODEL`' % (port, last))
    if last.startswith('MemoryError'):
        return BoardExecError('the board ran out of memory at boot (%s): use a smaller model, '
                              'or a board with more RAM' % last, text)
    return BoardExecError('the board raised %s at boot' % last, text)


EMULATORS = {'qemu-microbit': EmulatedMicrobit, 'vboard': VirtualBoard}


def emulator(profile):
    """The emulated board a profile names (its "emulator"), to start with `with`."""
    kind = profile.get('emulator')
    if kind not in EMULATORS:
        raise BoardError('--board %s is a real board, not an emulated one: emulated boards are '
                         '%s' % (profile['name'], ', '.join(
                             n for n, p in boards.profiles().items() if p.get('emulator'))))
    return EMULATORS[kind]()


@contextlib.contextmanager
def connect(port=None, board=None, emulate=False, say=print, timeout=10.0):
    """with connect(...) as b: b is a Board. No port: the one detected USB board, else (with
    emulate=True) a freshly started emulated board: the one `board` names if it is emulated,
    else the emulated micro:bit."""
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
                profile = profile or boards.get('microbit-emulated')
                say('no board attached: starting the %s' % profile['title'])
                port = stack.enter_context(emulator(profile)).port
            else:
                raise BoardError('no board found: plug one in, or give --port; `micronn demo` '
                                 'runs on an emulated micro:bit')
        link = stack.enter_context(Link(port, timeout=timeout))
        board = Board(link, profile)
        for line in board.differences():
            say('note: ' + line)
        yield board
