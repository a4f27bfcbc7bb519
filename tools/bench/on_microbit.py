# Host only. `micronn bench` on the emulated micro:bit: heap and time per call, measured by
# commands at its REPL, the largest nets that train there, and the largest served after a flash.
import ast
import contextlib

import micronn

from ..errors import BoardError, BoardExecError, LinkDamaged, LinkLost, NotAnswering
from .nets import BIG, SHAPES, export_name, exported, floor_weights, names, row, sources

# What serves() lets through: the board or its link failed, so no size was decided
BROKEN = (LinkDamaged, LinkLost, NotAnswering)

# QEMU's -seed for the emulated micro:bits: where their filesystems place files (random on a
# real board) then repeats, and with it the whole run
SEED = 1


def _free(link):
    return link.eval('gc.collect()or gc.mem_free()')  # short: near the limit, even this must parse


def _import_heap(link, module):
    """The heap that importing module takes on the board, collected before and after."""
    before = _free(link)
    link.exec('import %s\ngc.collect()' % module)
    return before - _free(link)


def _fresh(link, *modules):
    """Soft reset, then one import per command with a collect after each: on the micro:bit a
    module only compiles on an empty, unfragmented heap."""
    link.soft_reset()
    link.exec('import gc')
    for m in modules:
        link.exec('import %s\ngc.collect()' % m)


# On the micro:bit the blog's code leaves the heap so fragmented after ten training rows that
# the next command cannot even be parsed, and a helper module does not fit beside it. So each
# net gets a fresh board, is built by a short command, and is timed by a loop sent as one more
# command, at the REPL's top level; micronn and the floor are timed by the same loop.
SETUP = 'import random,time\nn=k=x=y=t=w=None\ngc.collect()'  # so the net's heap is just the net
BUILD = 'random.seed(1)\nn=%s.NeuralNet(%r)\nfor k in %r:n.add_layer(k)\ngc.collect()'
TIME = ('%s\nt=time.ticks_us()\nfor _ in range(%d):%s\n'
        'print(repr(time.ticks_diff(time.ticks_us(),t)/%d))')


def _time_on_board(link, call, n, warm=False):
    """Microseconds per call, timed by one command at the REPL's top level; warm: one call
    first, untimed (a first train_row allocates its buffers)."""
    return ast.literal_eval(link.exec(TIME % (call if warm else '', n, call, n)).strip())


# How many names a program has already made before `import micronn`: the interpreter keeps
# names in tables it allocates in doubling blocks, so what an import costs moves with how full
# the last block is. The goal's figure is at a fresh REPL, with none.
NAMES_BEFORE = (5, 10, 20, 30, 40, 60)


def _import_after_names(link, k):
    _fresh(link)
    link.exec('\n'.join('q%d=0' % i for i in range(k)) + '\ngc.collect()')
    return _import_heap(link, 'micronn')


def run_microbit(link, n=10):
    r = {('micronn', 'heap', 'import after names'):
         [_import_after_names(link, k) for k in NAMES_BEFORE]}
    for name in ('micronn', 'blog'):
        for s in SHAPES:
            _fresh(link)
            r[name, 'heap', 'import'] = _import_heap(link, name)
            if name == 'micronn':  # add_layer and backprop, imported now: later the heap is
                for m in ('micronn_backprop', 'micronn_build'):  # too fragmented
                    r[name, 'heap', 'import ' + m] = _import_heap(link, m)
            link.exec(SETUP)
            try:
                build = BUILD % (name, names(s[0]), s[1:])
                link.exec(build)
                # The net's heap is what dropping it frees. Building it also takes room that
                # stays: the interpreter's table of names grows by a block when the command's
                # new names fill the last one, which depends on all that was parsed before.
                built = _free(link)
                link.exec('n=None\ngc.collect()')
                r[name, str(s), 'heap'] = _free(link) - built
                link.exec(build)
                link.exec('x=%r\ny=%r' % row(s))
                r[name, str(s), 'predict'] = _time_on_board(link, 'n.predict(x)', n)
                r[name, str(s), 'train_row'] = _time_on_board(link, 'n.train_row(x,y)', n, True)
            except BoardError as e:
                if 'MemoryError' not in str(e):
                    raise
                r.setdefault((name, str(s), 'predict'), None)  # reported as out of memory
                r.setdefault((name, str(s), 'train_row'), None)
    # add_layer's module before bench_job: the largest compiles first, on the emptiest heap
    _fresh(link, 'micronn', 'micronn_build', 'bench_job')
    link.exec(SETUP)
    link.exec(BUILD % ('micronn', names(2), [2, 1]))
    link.exec('w=[v for r in n.layer_weights for v in r]\n'
              'x=[0.25,0.75]\ngc.collect()')
    r['floor', '[2, 2, 1]', 'predict'] = _time_on_board(link, 'bench_job.floor(x,w)', n)
    # on a fresh heap, as each export is timed: a call's new list costs more on a fuller heap
    _fresh(link, 'bench_job')
    link.exec(SETUP)
    link.exec('x=[0.25,0.75]\nf=bench_job.floor_locals(%r)\ngc.collect()' % floor_weights())
    r['floor locals', '[2, 2, 1]', 'predict'] = _time_on_board(link, 'f(x)', n)
    link.remove('blog.py')  # timed by now: its room goes to the largest exports
    for s in SHAPES + BIG:
        r.update(run_export(link, s, n))
    return r


def run_export(link, shape, n):
    """Heap of importing the exported net on a fresh board, and us per predict: called as
    p(x), p a global, as the floor f(x) is."""
    from ..link import checking
    name = export_name(shape)
    _fresh(link)  # a checked write needs room for the helper: not beside the last export
    with checking(link, True):  # a piece damaged on the way goes again
        link.write_file(name + '.py', exported(shape).encode())
    _fresh(link)
    try:
        r = {('export', str(shape), 'heap'): _import_heap(link, name)}
        link.exec(SETUP)
        link.exec('x=%r\np=%s.predict\ngc.collect()' % (row(shape)[0], name))
        r['export', str(shape), 'predict'] = _time_on_board(link, 'p(x)', n)
    except BoardError as e:
        if 'MemoryError' not in str(e):
            raise
        r = {('export', str(shape), 'heap'): None, ('export', str(shape), 'predict'): None}
    link.remove(name + '.py')
    return r


def trains(link, shape):
    """Whether micronn builds, trains and predicts a net of this shape on the board; the free
    heap left when it does, None when it runs out of memory."""
    x, y = row(shape)
    _fresh(link, 'micronn', 'micronn_train')
    try:
        link.exec("n=micronn.NeuralNet(%r)\nfor k in %r:n.add_layer(k)\ngc.collect()"
                  % (names(shape[0]), shape[1:]))
        link.exec('for i in range(3):n.train_row(%r,%r)\nn.predict(%r)\ngc.collect()' % (x, y, x))
        return _free(link)
    except BoardError as e:
        if 'MemoryError' in str(e):
            return None
        raise


# Below the heap's limit lies a band of sizes where the same net trains on some tries and not
# others: a size counts as failing only when every try fails, and BAND is wider than any band seen.
BAND = 6


def largest(link, shape, top=128, tries=6, say=None):
    """The largest H for which shape (a list with one 'H' in it) trains on the board in one of
    `tries` tries, and the heap left then; (0, None) if not even H = 1 does. say: a line per
    size tried, as it is decided."""
    # A size fails only when every try fails, and since the bisection can still stop inside
    # the band, the BAND sizes just above where it stopped are tried too.
    decided = {}  # a size the bisection found failing is not tried again above it

    def at(h):
        if h not in decided:
            decided[h] = tries_at(h)
        return decided[h]

    def tries_at(h):
        s = [h if k == 'H' else k for k in shape]
        for n in range(1, tries + 1):
            free = trains(link, s)
            if free is not None:
                if say:
                    say('  %-14s trains (try %d; %d B free after)' % (s, n, free))
                return free
        if say:
            say('  %-14s out of memory in %d tries of %d' % (s, tries, tries))
        return None
    lo, left, hi = 0, None, top + 1  # trains at lo (0: not known), fails at hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        free = at(mid)
        if free is None:
            hi = mid
        else:
            lo, left = mid, free
    for h in range(lo + 1, min(lo + BAND, top) + 1):
        free = at(h)
        if free is not None:
            lo, left = h, free
    return lo, left


def serves(board, shape, seed=1):
    """Whether `micronn flash` puts a net of this shape on the board and its line server then
    answers as the host does (within single precision)."""
    import micronn_boards as boards
    net = micronn.NeuralNet(names(shape[0]), seed=seed)
    for k in shape[1:]:
        net.add_layer(k)
    rows = [[0.25 * (i % 4) for i in range(shape[0])], [1.0] * shape[0]]
    try:
        board.put_model(net, say=lambda *a, **k: None)
        with board.serving():
            got = board.predict(rows)
    except BROKEN:
        raise  # no figure: the part fails
    except BoardError:  # refused for heap or room, out of memory, or taken back: not served
        return False
    tol = boards.TOLERANCE[board.float]
    return all(abs(p - q) <= tol for x, g in zip(rows, got) for p, q in zip(net.predict(x), g))


def largest_served(board, shape, top=64):
    """The largest H for which shape (with one 'H') is served after a flash; 0 if none."""
    lo, hi = 0, top + 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if serves(board, [mid if k == 'H' else k for k in shape]):
            lo = mid
        else:
            hi = mid
    return lo


def run_served(part, r):
    """The heap left by the line server's imports, and the largest nets served after a flash,
    each a part on an emulated micro:bit of its own: the timing run's files would crowd its
    filesystem, and after a search's many flashes the emulated one breaks files when it
    compacts its scattered free space, and then refuses every flash as too full."""
    from ..emulated.microbit import EmulatedMicrobit

    def heap():
        with EmulatedMicrobit(seed=SEED) as mb:
            with _board(mb.port) as board:
                if not serves(board, [2, 2, 1]):
                    raise BoardError('a [2, 2, 1] net was not served after a flash')
            r['serve', 'heap', 'free'] = line_server_heap(mb.port)
            r['serve', 'heap', 'headroom'] = boot_headroom(mb.port)

    def search(shape):
        name = str(shape).replace("'", '')
        part.say('searching the largest %s served after a flash' % name)
        with EmulatedMicrobit(seed=SEED) as mb, _board(mb.port) as board:
            r['micronn', name, 'served'] = largest_served(board, shape)
    part('the line server\'s heap', heap)
    for shape in ([2, 'H', 1], [4, 'H', 3]):
        part('the largest %s served' % str(shape).replace("'", ''), lambda: search(shape))


@contextlib.contextmanager
def _board(port):
    import micronn_boards as boards
    from ..board import Board
    from ..link import Link
    with Link(port, timeout=60) as link:
        yield Board(link, boards.get('microbit-emulated'))


# main.py's imports at boot to serve a model file, in its order, each collected after; a demo
# that does not import is passed over, as main.py passes it over
BOOT = ('import micronn_model', 'import micronn', 'import micronn_serve',
        'try:\n from micronn_demo import idle\nexcept Exception:\n idle=None',
        'import micronn_lines')
HEADROOM_STEP = 64  # bytes: boot_headroom's bisection stops within this


def _boot_imports(link, taken=0):
    """main.py's imports, as at boot but by commands at the REPL's top level: inside the
    checked link's exec() they nest too deep for the micro:bit (RuntimeError: maximum recursion
    depth exceeded). After a soft reset and, with taken, a bytearray of taken bytes that stays."""
    link.soft_reset()
    link.exec('import gc\ngc.collect()' + ('\nb=bytearray(%d)\ngc.collect()' % taken
                                            if taken else ''))
    for statement in BOOT:
        link.exec(statement + '\ngc.collect()')


def line_server_heap(port):
    """Heap free after the line server's imports, as at boot, on a board flashed with micronn."""
    from ..link import Link
    with Link(port, timeout=60, checked=False) as link:
        _boot_imports(link)
        return _free(link)


def boot_headroom(port, step=HEADROOM_STEP):
    """The margin the boot modules leave, on a board flashed with micronn: the most heap (to
    within step) that a bytearray made before main.py's imports can take, with the model file
    still loading after them; None if it does not load even with nothing taken. On the
    micro:bit each module compiles only in a free piece of heap of its own, so a change of a
    few bytes can stop a board serving."""
    from ..link import Link

    def boots(taken):
        try:
            _boot_imports(link, taken)
            return link.eval('micronn_serve.newest(micronn.NeuralNet)is not None')
        except BoardExecError as e:
            if 'MemoryError' not in e.traceback:
                raise  # not the margin: a module missing or broken
            return False
    with Link(port, timeout=60, checked=False) as link:
        _fresh(link)
        lo, hi = -step, _free(link) // step * step  # loads with lo taken (-step: not known)
        while hi - lo > step:
            mid = (lo + hi) // 2 // step * step
            if boots(mid):
                lo = mid
            else:
                hi = mid
        return lo if lo >= 0 else None


def run_microbit_all(part, r, n=10):
    """The micro:bit's results, filled into r as they come, in parts (bench.Parts): timing and
    the largest nets that train, on one board; if those ran, the line server's heap and the
    largest nets served, each on a board of its own. A part that fails keeps what was measured
    before it."""
    if part(None, lambda: _timed_and_searched(r, n, part.say)):
        run_served(part, r)


def _timed_and_searched(r, n, say):
    from ..emulated.microbit import EmulatedMicrobit
    from ..link import Link
    with EmulatedMicrobit(icount=True, seed=SEED) as mb:
        say('emulated micro:bit (QEMU, -icount shift=6) on %s: uploading' % mb.port)
        with Link(mb.port, timeout=120) as link:  # checked: a damaged piece is sent again
            for name, text in sources(exports=()).items():  # exports: one at a time, for room
                link.write_file(name, text.encode())
        # unchecked commands: see Link(checked=False)
        with Link(mb.port, timeout=120, checked=False) as link:
            _fresh(link)
            r['board', 'heap', 'free'] = _free(link)
            say('timing micronn and the blog on the board')
            r.update(run_microbit(link, n))
            for shape in ([2, 'H', 1], [4, 'H', 3]):
                say('searching the largest %s that trains on the board (bisection on H, then '
                    'the %d sizes above)' % (str(shape).replace("'", ''), BAND))
                h, left = largest(link, shape, say=say)
                r['micronn', str(shape).replace("'", ''), 'largest'] = (h, left)
