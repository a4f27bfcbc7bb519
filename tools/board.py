# Host only. A session with one board: find it (a given port, a detected USB board, or an
# emulated board), identify it against its profile, flash it (plan.py plans the steps, flash.py
# carries them out), and ask the model it serves for predictions.
import contextlib
import re

import micronn_boards as boards
from serial.tools import list_ports

from . import files, plan
from . import firmware as fw
from .emulated.microbit import EmulatedMicrobit
from .emulated.vboard import VirtualBoard
from .errors import BoardError, BoardExecError, NoModel, NotMicronn, NotWhole, TooBig
from .flash import Flash
from .link import Link, is_virtual

# Heap a model needs on the board: an estimate fitted on the emulated micro:bit, a fixed part
# for what boot imports and 4 B per weight, which lets sizes near the edge through: the boot
# after writing is the check that counts, and a model the board cannot load is taken back.
HEAP_FIXED = 8000
HEAP_PER_WEIGHT = 4
# What boot imports besides for a net whose layers are not all sigmoid: no such net loads on a
# 16 KB micro:bit, so this refuses them there before anything is written.
HEAP_ACT = 3500
# The same for an export (`micronn flash --export`): its server is smaller than micronn, but
# each weight is a constant the board compiles into its own float object. Fitted, as generous,
# on the emulated micro:bit, where the largest exports that compile have about 180-195 weights.
HEAP_EXPORT_FIXED = 4000
HEAP_EXPORT_PER_WEIGHT = 24

# Single precision has 24 bits, so 1 + 1e-12 rounds to 1 there.
DOUBLE = '1.0 + 1e-12 != 1.0'
# What a board says about itself, in one command, from what every port has (sys.platform,
# sys.implementation) and os.uname() only where a port has it: its platform, machine,
# MicroPython version, .mpy version (0: it imports none), whether its floats are double, and
# which of the optional functions the tool can use it has, and of the file functions.
OPTIONAL = (('os', 'statvfs'), ('os', 'rename'), ('time', 'ticks_us'))
FILE_API = (('os', 'listdir'), ('os', 'remove'), ('os', 'stat'))
REPORT = ("(lambda s,o:(s.platform,getattr(s.implementation,'_machine','') or "
          "(o.uname()[4] if hasattr(o,'uname') else ''),s.implementation[1],"
          "getattr(s.implementation,'_mpy',0),%s,[n for m,n in %r if hasattr(__import__(m),n)]))"
          "(__import__('sys'),__import__('os'))" % (DOUBLE, OPTIONAL + FILE_API))
# What the tool does where a port lacks one of them, said in a `note:` line.
WITHOUT = {
    'statvfs': 'it has no os.statvfs, so the room left cannot be counted before writing: a full '
               'filesystem is caught as it is written, and the previous model stays',
    'rename': 'it has no os.rename: changed firmware files are replaced by a copy made on the '
              'board, as on the micro:bit',
    'ticks_us': 'it has no time.ticks_us: nothing micronn runs on the board needs it',
    'mpy': 'it imports no .mpy files (no sys.implementation._mpy): the firmware goes as source',
}


def usb_serial():
    """The USB serial devices attached, as mpremote's `connect auto` sees them: every serial
    port with a USB VID:PID, by name."""
    return sorted((p for p in list_ports.comports() if p.vid is not None and p.pid is not None),
                  key=lambda p: p.device)


def detect(ports=None):
    """[(port, [profiles])] for USB serial ports (default: those attached) whose VID:PID is a
    known board's."""
    found = []
    for p in usb_serial() if ports is None else ports:
        match = boards.by_usb(p.vid, p.pid)
        if match:
            found.append((p.device, match))
    return found


def usb_name(p):
    """A USB serial device as `micronn boards` and the tool name it: its USB ID and product."""
    return '%04x:%04x%s' % (p.vid, p.pid, ' ' + p.product if p.product else '')


def pick(ports):
    """(port, what to say) of the board to use among USB serial ports, or (None, None): the one
    whose VID:PID a profile knows, else, as mpremote's `connect auto` finds a board, the one USB
    serial device there is. Several of either are refused: which one is the user's to say."""
    found = detect(ports)
    if len(found) > 1:
        raise BoardError('several boards found (%s): pick one with --port'
                         % ', '.join(p for p, _ in found))
    if found:
        return found[0][0], 'using %s on %s' % (found[0][1][0]['title'], found[0][0])
    if len(ports) > 1:
        raise BoardError('no known board, but several USB serial devices (%s): pick the board '
                         'with --port' % ', '.join('%s %s' % (p.device, usb_name(p))
                                                   for p in ports))
    if ports:
        return ports[0].device, ('using %s, the only USB serial device (%s): no profile knows '
                                 'its USB ID, so the board is known by what it reports'
                                 % (ports[0].device, usb_name(ports[0])))
    return None, None


def weights_of(net):
    return sum(len(n.weights) + 1 for layer in net.layers[1:] for n in layer)


def heap_need(net, export=False, sizes=None):
    """The heap the estimate says net needs on a board, as a model file or as an export; sizes:
    its layer sizes in place of its own, for a net of another shape."""
    sizes = sizes or [len(layer) for layer in net.layers]
    weights = sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))
    if export:
        return HEAP_EXPORT_FIXED + HEAP_EXPORT_PER_WEIGHT * weights
    return HEAP_FIXED + HEAP_PER_WEIGHT * weights + (HEAP_ACT if net._act else 0)


def largest_fitting(net, free, export=False):
    """net's layer sizes with every hidden layer as wide as fits free bytes of heap by the
    estimate, or None when not even one neuron a layer fits (or it has no hidden layer)."""
    sizes = [len(layer) for layer in net.layers]
    if len(sizes) < 3:
        return None
    fits = [h for h in range(1, max(sizes[1:-1]) + 1)
            if heap_need(net, export, [sizes[0]] + [h] * (len(sizes) - 2) + [sizes[-1]]) <= free]
    if not fits:
        return None
    return [sizes[0]] + [fits[-1]] * (len(sizes) - 2) + [sizes[-1]]


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
        # an emulated board reports what the board it emulates does: a pty tells them apart
        seen = boards.by_uname(platform, machine, emulated=is_virtual(link.port))
        self.unprofiled = profile is None and seen is None
        profile = profile or seen or boards.get('generic')
        if profile.get('generic'):
            profile = self._generic(platform, machine, has)
        elif profile['sysname'] != platform:
            raise BoardError('--board %s expects a %s board, but this one reports %s: pick the '
                             'right --board, or --board generic to use it from what it reports'
                             % (profile['name'], profile['sysname'], platform))
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

    def _generic(self, platform, machine, has):
        """The generic profile, from what the board reports; refused where its os lacks a file
        function the tool needs."""
        lacks = [n for _, n in FILE_API if n not in has]
        if lacks:
            raise BoardError('this board (sys.platform %r) has no %s, which micronn needs on a '
                             'board it knows only by what it reports: %s'
                             % (platform, ', '.join('os.' + n for n in lacks),
                                'add a profile for it in boards/ (see docs/boards.md)'
                                if self.unprofiled else 'leave out --board generic'))
        return boards.generic(platform, machine, self.free, self.float, bool(self.mpy),
                              'modern')

    def differences(self):
        """What the board reports that its profile does not expect, one line each. None of it
        stops the tool, which goes by what the board reports: its floats set verify's
        tolerance, its free heap the fit check."""
        p = self.profile
        out = []
        if self.unprofiled:
            out.append('no profile for sys.platform %r (machine %r): using it as a generic '
                       'board from what it reports (%s-precision floats, %d bytes of heap free, '
                       '%s); it has no standalone demo'
                       % (self.platform, self.machine, self.float, self.free,
                          '.mpy %s' % self.mpy if self.mpy else 'no .mpy import'))
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
        names = fw.files('export' if export else 'model',
                         act=net is not None and bool(net._act) and not export,
                         demo=self.profile.get('demo_module'))
        out = []
        for source, name in names:
            data = fw.device_source(source, self.profile)
            if self.profile['mpy'] and self.mpy and name != 'main.py':  # boot runs main.py only
                name, data = name[:-3] + '.mpy', files.compile_mpy(name, data, self.mpy)
            out.append((name, data))
        return out

    def check_fits(self, net, export=False):
        """Refuse, before anything is written, a net the heap estimate says the board cannot
        load as a model file (or as an export), saying what would fit."""
        if self.version < (1, 9):
            raise BoardError('MicroPython %s on this board is too old: micronn needs 1.9 or '
                             'newer; update its firmware' % '.'.join(map(str, self.version)))
        need = heap_need(net, export)
        if need > self.free:
            raise TooBig('the model needs about %d bytes of heap as %s and this %s has %d free: '
                         'use fewer neurons%s' % (need, 'an export' if export else 'a model file',
                                                  self.profile['name'], self.free,
                                                  self._would_fit(net, export)))

    def form_that_fits(self, net):
        """'model' or 'export': the form in which the heap estimate says net loads on the board,
        a model file where both do (micronn can then train it further on the board). Where
        neither does, refused before anything is written, saying what would fit."""
        try:
            self.check_fits(net)
            return 'model'
        except TooBig:
            try:
                self.check_fits(net, export=True)
                return 'export'
            except TooBig:
                pass
        raise TooBig('the model needs about %d bytes of heap as a model file and about %d as an '
                     'export, and this %s has %d free: use fewer neurons%s%s'
                     % (heap_need(net), heap_need(net, True), self.profile['name'], self.free,
                        self._would_fit(net, True), self._would_fit(net)))

    def _would_fit(self, net, export=False):
        """What would fit in that form, for a refusal: the widest hidden layers, and for a model
        file what its activations cost."""
        fits = largest_fitting(net, self.free, export)
        out = '; layers %s fit as %s' % (fits, 'an export' if export else 'a model file') \
            if fits else ''
        if net._act and not export:
            out += ('; as a model file its %s layers need micronn_act, about %d bytes: sigmoid '
                    'layers only need none' % ('/'.join(sorted(set(net.activations) -
                                                                {'sigmoid'})), HEAP_ACT))
        return out

    def newest(self):
        """(seq, slot) of the model the board serves when it boots, or None."""
        try:
            with self.serving() as served:
                return served
        except NoModel:
            return None

    def put(self, net, say=print):
        """Flash net in the form that fits: a model file, else an export, with a note; return
        its sequence number (flash.Flash.put)."""
        return Flash(self, say).put(net)

    def put_model(self, net, say=print):
        """Flash net as a model file, in the older slot with the next sequence number; return
        that number (flash.Flash.put_model)."""
        return Flash(self, say).put_model(net)

    def put_export(self, net, say=print):
        """Flash net as an export, a module the board serves without micronn; return its
        sequence number (flash.Flash.put_export)."""
        return Flash(self, say).put_export(net)

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
            live = plan.live_named(link.eval('open("main.py","rb").read()', alone=True))
        except BoardExecError:  # no main.py
            live = None
        if live:
            # micronn's files left beside the loop may hold a model it no longer boots
            raise BoardError('this %s runs the gesture model %s at boot, not a model micronn '
                             'serves: classify with `micronn live MODEL` or check it with '
                             '`micronn verify MODEL --data DATASET.json`; `micronn flash` a '
                             'plain model file to predict with it' % (self.profile['name'], live))
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
        return link.start('micronn_serve.main(micronn_serve.newest(micronn.NeuralNet))')

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
    if profile.get('generic'):
        raise BoardError('no board found for --board generic, which uses an attached board: '
                         'plug one in, or give --port')
    if kind not in EMULATORS:
        raise BoardError('--board %s is a real board, not an emulated one: emulated boards are '
                         '%s' % (profile['name'], ', '.join(
                             n for n, p in boards.profiles().items() if p.get('emulator'))))
    return EMULATORS[kind]()


@contextlib.contextmanager
def connect(port=None, board=None, emulate=False, say=print, timeout=10.0):
    """with connect(...) as b: b is a Board. No port: the board pick() finds on USB, else (with
    emulate=True) a freshly started emulated board: the one `board` names if it is emulated,
    else the emulated micro:bit."""
    profile = boards.get(board) if board else None
    with contextlib.ExitStack() as stack:
        if port is None:
            port, how = pick(usb_serial())
            if port:
                say(how)
            elif emulate:
                profile = profile or boards.get('microbit-emulated')
                started = emulator(profile)
                say('no board attached: starting the %s' % profile['title'])
                port = stack.enter_context(started).port
            else:
                raise BoardError('no board found: plug one in, or give --port; `micronn demo` '
                                 'runs on an emulated micro:bit')
        link = stack.enter_context(Link(port, timeout=timeout))
        board = Board(link, profile)
        for line in board.differences():
            say('note: ' + line)
        yield board
