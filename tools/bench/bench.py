# Host only. `micronn bench`: what micronn costs, beside the blog's code and the interpreter's
# floor (bench_job.floor), on each runtime. The emulated micro:bit runs with QEMU's
# -icount shift=6, so its clock counts guest instructions and its figures repeat exactly.
# Goals are reported, never asserted: the command fails only when it cannot run.
import ast
import datetime
import os
import sys
import time

import micronn

from .. import blog_reference, export
from ..emulated import wasm
from . import bench_job
from ..errors import BoardError
from ..strip import strip_source

SHAPES = ([2, 2, 1], [2, 8, 1], [4, 8, 3])
BIG = ([2, 29, 1], [4, 16, 3])  # exports of bigger nets (issue 16 asked for these two)
HERE = os.path.dirname(os.path.abspath(__file__))
FIRMWARE = ('micronn', 'micronn_check', 'micronn_build', 'micronn_backprop', 'micronn_train')
# The goals of issues 15 (heap and speed on the micro:bit) and 16 (export). Each reads its figure
# from the micro:bit's results: (figure, met), or None while `micronn bench` does not measure it.
# QEMU's -seed for the emulated micro:bits: where their filesystems place files (random on a
# real board) then repeats, and with it the whole run (unseeded, one run of seven found the
# filesystem too full for the [2, 29, 1] export)
SEED = 1
TRAIN_ROW_BEFORE = 6440  # us: [2, 2, 1] train_row on the micro:bit when issue 15 was filed


def _at_most(key, limit, unit='B'):
    def goal(r):
        v = r.get(key)
        return None if v is None else ('{:,} {}'.format(v, unit), v <= limit)
    return goal


def _vs_floor_locals(who, limit):
    """[2, 2, 1] predict of who against the floor both issues count from: the forward pass
    with its weights as default arguments."""
    def goal(r):
        v = r.get((who, '[2, 2, 1]', 'predict'))
        floor = r.get(('floor locals', '[2, 2, 1]', 'predict'))
        return None if not (v and floor) else (_ratio(v, floor), v <= limit * floor)
    return goal


def _train_row(r):
    v = r.get(('micronn', '[2, 2, 1]', 'train_row'))
    return None if v is None else ('%.2f ms' % (v / 1000), v <= TRAIN_ROW_BEFORE)


def _trains_4_16_3(r):
    found = r.get(('micronn', '[4, H, 3]', 'largest'))
    return None if found is None else ('largest [4, H, 3]: H = %d' % found[0], found[0] >= 16)


def _served(r):
    two = r.get(('micronn', '[2, H, 1]', 'served'))
    four = r.get(('micronn', '[4, H, 3]', 'served'))
    return None if two is None or four is None else (
        'largest served: [2, %d, 1], [4, %d, 3]' % (two, four), two >= 24 and four >= 16)


GOALS = [  # (issue, goal, how its figure is read; None: not measured here)
    ('15', '`import micronn` takes at most 1,500 B of heap',
     _at_most(('micronn', 'heap', 'import'), 1500)),
    ('15', 'a [2, 2, 1] net takes at most 400 B of heap (what dropping it frees)',
     _at_most(('micronn', '[2, 2, 1]', 'heap'), 400)),
    ('15', '[2, 2, 1] predict at most 1.8x the default-argument floor',
     _vs_floor_locals('micronn', 1.8)),
    ('15', '[2, 2, 1] train_row no slower than when the issue was filed (6.44 ms)', _train_row),
    ('15', 'a [4, 16, 3] net trains', _trains_4_16_3),
    ('15', '[2, 24, 1] and [4, 16, 3] are served after `micronn flash`', _served),
    ('16', 'an exported [2, 2, 1] predict at most 1.15x the default-argument floor',
     _vs_floor_locals('export', 1.15)),
    ('16', 'the exported [2, 2, 1] module imports in at most 700 B of heap',
     _at_most(('export', '[2, 2, 1]', 'heap'), 700)),
]


class _Fixed(ast.NodeTransformer):
    """The reference with its fixes switched on for good, and without its demo: the blog's
    code as it must be to run, and small enough for the micro:bit to compile."""

    def visit_If(self, node):
        self.generic_visit(node)
        t = node.test
        if isinstance(t, ast.Name) and t.id == 'FIXED':
            return node.body
        if isinstance(t, ast.Compare) and getattr(t.left, 'id', None) == '__name__':
            return None
        return node

    def visit_FunctionDef(self, node):
        return None if node.name == 'train' else self.generic_visit(node)

    def visit_Import(self, node):
        node.names = [a for a in node.names if a.name != 'time']
        return node if node.names else None

    def visit_Assign(self, node):
        return None if getattr(node.targets[0], 'id', None) == 'FIXED' else node


def blog_source():
    with open(blog_reference.__file__) as f:
        tree = _Fixed().visit(ast.parse(f.read()))
    return strip_source(ast.unparse(tree))


def _source(name):
    from ..board import firmware_dir
    d = firmware_dir() if name in FIRMWARE else HERE
    with open(os.path.join(d, name + '.py')) as f:
        return strip_source(f.read())


def _export_name(shape):
    return 'mn_export_%s' % '_'.join(map(str, shape))


def exported(shape):
    """The host's net of this shape (random.seed(1)) as `micronn export` writes it."""
    return export.source(bench_job.build(micronn, shape), 'bench net %s' % shape)


def floor_weights():
    """The [2, 2, 1] export's weights, for the floor that takes them as default arguments."""
    n = bench_job.build(micronn, [2, 2, 1])
    return [v for layer in n.layers[1:] for u in layer for v in [u.bias] + u.weights]


def sources(exports=SHAPES):
    """{file name: source} of everything the benchmark puts on a runtime."""
    files = {m + '.py': _source(m) for m in FIRMWARE + ('bench_job',)}
    files['blog.py'] = blog_source()
    for s in exports:
        files[_export_name(s) + '.py'] = exported(s)
    return files


def _row(shape):
    """The same input row and target for every runtime and both networks."""
    return [0.25 + 0.5 * (i % 2) for i in range(shape[0])], [1] * shape[-1]


# Runs on CPython and on MicroPython WebAssembly: one process, same inputs, best of R rounds.
HOSTED = '''
import bench_job as J, micronn, blog
r = {}
for s, (x, y) in ROWS:
    for name, mod in (('micronn', micronn), ('blog', blog)):
        n = J.build(mod, s)
        n.train_row(x, y)
        r[name, str(s), 'predict'] = min([J.t1(n.predict, x, N) for _ in range(R)])
        r[name, str(s), 'train_row'] = min([J.t2(n.train_row, x, y, N) for _ in range(R)])
    e = __import__(EXPORTS[str(s)]).predict
    r['export', str(s), 'predict'] = min([J.t1(e, x, N) for _ in range(R)])
n = J.build(micronn, [2, 2, 1])
w = [v for r in n.layer_weights for v in r]  # per neuron: bias, then weights
r['floor', '[2, 2, 1]', 'predict'] = min([J.t2(J.floor, [0.25, 0.75], w, N) for _ in range(R)])
f = J.floor_locals(W)
r['floor locals', '[2, 2, 1]', 'predict'] = min([J.t1(f, [0.25, 0.75], N) for _ in range(R)])
print(repr(r))
'''


def _hosted(run, n, rounds):
    rows = [(s, _row(s)) for s in SHAPES]
    names = {str(s): _export_name(s) for s in SHAPES}
    code = ('ROWS = %r\nN = %d\nR = %d\nEXPORTS = %r\nW = %r\n'
            % (rows, n, rounds, names, floor_weights()) + HOSTED)
    return ast.literal_eval(run(code).strip().splitlines()[-1])


def run_cpython(n=20000, rounds=5):
    import types
    files = sources()
    mods = {}
    for name in ('bench_job', 'blog') + tuple(_export_name(s) for s in SHAPES):
        m = types.ModuleType(name)
        exec(compile(files[name + '.py'], name + '.py', 'exec'), m.__dict__)
        mods[name] = m

    def run(code):
        saved = {k: sys.modules.get(k) for k in mods}
        sys.modules.update(mods)
        out = []
        try:
            exec(code, {'print': out.append, '__name__': 'bench'})
        finally:
            for k, v in saved.items():
                if v is None:
                    sys.modules.pop(k)
                else:
                    sys.modules[k] = v
        return '\n'.join(map(str, out))
    return _hosted(run, n, rounds)


def run_wasm(n=10000, rounds=3):
    return _hosted(lambda code: wasm.run(code, sources()), n, rounds)


def _free(link):
    return link.eval('gc.collect()or gc.mem_free()')  # short: near the limit, even this must parse


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


def _names(k):
    return ['x%d' % i for i in range(k)]


def _time_on_board(link, call, n, warm=False):
    """Microseconds per call, timed by one command at the REPL's top level; warm: one call
    first, untimed (a first train_row allocates its buffers)."""
    return ast.literal_eval(link.exec(TIME % (call if warm else '', n, call, n)).strip())


def run_microbit(link, n=10):
    r = {}
    for name in ('micronn', 'blog'):
        for s in SHAPES:
            _fresh(link)
            before = _free(link)
            link.exec('import %s\ngc.collect()' % name)
            r[name, 'heap', 'import'] = before - _free(link)
            if name == 'micronn':  # add_layer and backprop, imported now: later the heap is
                for m in ('micronn_backprop', 'micronn_build'):  # too fragmented
                    before = _free(link)
                    link.exec('import %s\ngc.collect()' % m)
                    r[name, 'heap', 'import ' + m] = before - _free(link)
            link.exec(SETUP)
            try:
                build = BUILD % (name, _names(s[0]), s[1:])
                link.exec(build)
                # The net's heap is what dropping it frees. Building it also takes room that
                # stays: the interpreter's table of names grows by a block when the command's
                # new names fill the last one, which depends on all that was parsed before.
                built = _free(link)
                link.exec('n=None\ngc.collect()')
                r[name, str(s), 'heap'] = _free(link) - built
                link.exec(build)
                link.exec('x=%r\ny=%r' % _row(s))
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
    link.exec(BUILD % ('micronn', _names(2), [2, 1]))
    link.exec('w=[v for r in n.layer_weights for v in r]\n'
              'x=[0.25,0.75]\ngc.collect()')
    r['floor', '[2, 2, 1]', 'predict'] = _time_on_board(link, 'bench_job.floor(x,w)', n)
    # on a fresh heap, as each export is timed: a call's new list costs more on a fuller heap
    _fresh(link, 'bench_job')
    link.exec(SETUP)
    link.exec('x=[0.25,0.75]\nf=bench_job.floor_locals(%r)\ngc.collect()' % floor_weights())
    r['floor locals', '[2, 2, 1]', 'predict'] = _time_on_board(link, 'f(x)', n)
    for s in SHAPES + BIG:
        r.update(run_export(link, s, n))
    return r


def run_export(link, shape, n):
    """Heap of importing the exported net on a fresh board, and us per predict: called as
    p(x), p a global, as the floor f(x) is."""
    name = _export_name(shape)
    link.write_file(name + '.py', exported(shape).encode())
    _fresh(link)
    before = _free(link)
    try:
        link.exec('import %s\ngc.collect()' % name)
        r = {('export', str(shape), 'heap'): before - _free(link)}
        link.exec(SETUP)
        link.exec('x=%r\np=%s.predict\ngc.collect()' % (_row(shape)[0], name))
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
    x, y = _row(shape)
    _fresh(link, 'micronn', 'micronn_train')
    try:
        link.exec("n=micronn.NeuralNet(%r)\nfor k in %r:n.add_layer(k)\ngc.collect()"
                  % (_names(shape[0]), shape[1:]))
        link.exec('for i in range(3):n.train_row(%r,%r)\nn.predict(%r)\ngc.collect()' % (x, y, x))
        return _free(link)
    except BoardError as e:
        if 'MemoryError' in str(e):
            return None
        raise


# Below the heap's limit lies a band of sizes where the same net trains on some tries and not
# others. On the emulated micro:bit [2, 25..29, 1] trained 14 to 18 times in 20 in one session
# and [2, 29, 1] 3 times in 10 in another; [4, 19..23, 3] 9 to 15 in 20; [2, 30, 1] and
# [4, 24, 3] and up never. BAND is wider than any band seen.
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
    net = micronn.NeuralNet(_names(shape[0]), seed=seed)
    for k in shape[1:]:
        net.add_layer(k)
    rows = [[0.25 * (i % 4) for i in range(shape[0])], [1.0] * shape[0]]
    try:
        board.put_model(net, say=lambda *a, **k: None)
        with board.serving():
            got = board.predict(rows)
    except BoardError:  # refused, out of memory, or taken back: not served
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


def run_served(say=print):
    """Heap left by the line server's imports, and the largest nets served after a flash, on
    an emulated micro:bit of their own (the timing run's files would crowd its filesystem)."""
    import micronn_boards as boards
    from ..board import Board
    from ..emulated.microbit import EmulatedMicrobit
    from ..link import Link
    r = {}
    with EmulatedMicrobit(seed=SEED) as mb, Link(mb.port, timeout=60) as link:
        board = Board(link, boards.get('microbit-emulated'))
        say('searching the largest nets served after a flash')
        for shape in ([2, 'H', 1], [4, 'H', 3]):
            r['micronn', str(shape).replace("'", ''), 'served'] = largest_served(board, shape)
        try:
            link.soft_reset()
            for m in ('micronn', 'micronn_model', 'micronn_serve', 'micronn_demo'):
                link.exec('import %s' % m, alone=True)  # as main.py imports at boot
            r['serve', 'heap', 'free'] = _free(link)
        except BoardError as e:  # the imports by command leave less heap than boot's
            say('the line server\'s heap was not measured: %s' % e)
    return r


def run_microbit_all(n=10, say=print, r=None):
    """The micro:bit's results, filled into r as they come: a failure part way keeps them."""
    from ..emulated.microbit import EmulatedMicrobit
    from ..link import Link
    r = {} if r is None else r
    # unchecked commands: see Link(checked=False)
    with EmulatedMicrobit(icount=True, seed=SEED) as mb, \
            Link(mb.port, timeout=120, checked=False) as link:
        say('emulated micro:bit (QEMU, -icount shift=6) on %s: uploading' % mb.port)
        for name, text in sources(exports=()).items():  # exports: one at a time, for room
            link.write_file(name, text.encode())
        _fresh(link)
        r['board', 'heap', 'free'] = _free(link)
        say('timing micronn and the blog on the board')
        r.update(run_microbit(link, n))
        for shape in ([2, 'H', 1], [4, 'H', 3]):
            say('searching the largest %s that trains on the board (bisection on H, then the %d '
                'sizes above)' % (str(shape).replace("'", ''), BAND))
            h, left = largest(link, shape, say=say)
            r['micronn', str(shape).replace("'", ''), 'largest'] = (h, left)
    r.update(run_served(say))
    return r


# Report ------------------------------------------------------------------------------------

def _ratio(a, b):
    return '%.2fx' % (a / b) if a and b else '-'


def speed_table(r, unit_ms=False):
    def f(v):
        if v is None:
            return 'out of memory'
        return '%.2f' % (v / 1000 if unit_ms else v)
    unit = 'ms' if unit_ms else 'us'
    floor = r.get(('floor', '[2, 2, 1]', 'predict'))
    local = r.get(('floor locals', '[2, 2, 1]', 'predict'))
    lines = ['| net | call | micronn %s | blog %s | export %s | blog / micronn | micronn / floor '
             '| export / floor locals |' % (unit, unit, unit),
             '|---|---|---:|---:|---:|---:|---:|---:|']
    for s in SHAPES:
        for call in ('predict', 'train_row'):
            m, b = r[('micronn', str(s), call)], r[('blog', str(s), call)]
            e = r.get(('export', str(s), call), '')
            small = s == [2, 2, 1]
            lines.append('| %s | %s | %s | %s | %s | %s | %s | %s |' % (
                s, call, f(m), f(b), e if e == '' else f(e), _ratio(b, m),
                _ratio(m, floor) if small else '',
                _ratio(e, local) if small and e != '' else ''))
    lines.append('| [2, 2, 1] | floor predict | %s | | | | 1.00x | |' % f(floor))
    lines.append('| [2, 2, 1] | floor locals predict | %s | | | | %s | 1.00x |'
                 % (f(local), _ratio(local, floor)))
    return '\n'.join(lines)


def heap_table(r):
    def b(key):
        v = r.get(key)
        return 'out of memory' if v is None else '%d' % v
    lines = ['| heap on the micro:bit (bytes) | micronn | blog |', '|---|---:|---:|',
             '| import | %s | %s |' % (b(('micronn', 'heap', 'import')), b(('blog', 'heap', 'import'))),
             '| import micronn_backprop (backprop; first add_layer) | %s | - |'
             % b(('micronn', 'heap', 'import micronn_backprop')),
             '| import micronn_build (add_layer; first add_layer) | %s | - |'
             % b(('micronn', 'heap', 'import micronn_build'))]
    if ('serve', 'heap', 'free') in r:
        lines.append('| line server as at boot (micronn, micronn_model, micronn_bytes, '
                     'micronn_serve, the demo): free after | %s | - |'
                     % b(('serve', 'heap', 'free')))
    for s in SHAPES:
        lines.append('| %s net (freed when dropped) | %s | %s |'
                     % (s, b(('micronn', str(s), 'heap')), b(('blog', str(s), 'heap'))))
    lines.append('| import of the [2, 2, 1] export (`micronn export`) | %s | - |'
                 % b(('export', '[2, 2, 1]', 'heap')))
    for s in SHAPES[1:] + BIG:
        t = r.get(('export', str(s), 'predict'))
        lines.append('| import of the %s export (%s per predict) | %s | - |' % (
            s, 'out of memory' if t is None else '%.2f ms' % (t / 1000),
            b(('export', str(s), 'heap'))))
    for shape in ('[2, H, 1]', '[4, H, 3]'):
        if ('micronn', shape, 'largest') not in r:
            continue  # the run stopped before this search
        h, left = r['micronn', shape, 'largest']
        lines.append('| largest %s that trains | H = %d (%s B free after) | - |'
                     % (shape, h, left))
        if ('micronn', shape, 'served') in r:
            lines.append('| largest %s served after `micronn flash` | H = %d | - |'
                         % (shape, r['micronn', shape, 'served']))
    return '\n'.join(lines)


def _timed(r):
    """Whether a runtime's results hold the whole timing (the floor is timed last)."""
    return bool(r) and ('floor', '[2, 2, 1]', 'predict') in r


def goals_table(mb):
    """Each goal of GOALS, met or missed on the micro:bit's figures, or not measured."""
    lines = ['| issue | goal on the emulated micro:bit | figure | |', '|---|---|---|---|']
    for issue, goal, read in GOALS:
        got = read(mb or {}) if read else None
        if got is None:
            figure = 'not measured by `micronn bench`' if read is None else 'not measured in this run'
            verdict = '-'
        else:
            figure, verdict = got[0], 'met' if got[1] else '**missed**'
        lines.append('| %s | %s | %s | %s |' % (issue, goal, figure, verdict))
    return '\n'.join(lines)


def report(results, command, today=None, failed=(), seconds=None):
    """The Markdown report. failed: [(runtime, why)] for runtimes that stopped part way (what
    they measured before is shown); seconds: how long the whole run took."""
    today = today or datetime.date.today().isoformat()
    took = ' in %d min %02d s' % divmod(round(seconds), 60) if seconds is not None else ''
    out = ['# Benchmarks', '',
           'Measured %s with `%s` (python -m micronn_tools.cli bench)%s. Each table compares '
           'micronn with the blog\'s code (tools/blog_reference.py with its fixes on, so it runs) '
           'and with the floor: the [2, 2, 1] forward pass written as one straight-line function '
           'of local floats (tools/bench/bench_job.py; "floor locals" takes its nine weights as '
           'default arguments, so every name in it is a local). "export" is the module '
           '`micronn export` writes for the same net (on MicroPython WebAssembly the nets '
           'differ: its random.seed(1) draws other weights than CPython\'s). Same nets '
           '(random.seed(1), the blog\'s draw order), same inputs, same process.'
           % (today, command, took), '']
    for key, why in failed:
        out += ['**%s stopped part way: %s.** Its figures below are those measured before.'
                % (key, why), '']
    out += ['## Goals', '', goals_table(results.get('microbit')), '']
    mb = results.get('microbit')
    if _timed(mb):
        floor = mb['floor', '[2, 2, 1]', 'predict']
        out += ['## Emulated micro:bit (MicroPython 1.9.2, QEMU -icount shift=6: 64 ns per guest '
                'instruction, ~ a real 16 MHz Cortex-M0; figures repeat exactly)', '',
                speed_table(mb, unit_ms=True), '',
                'train_row [2, 2, 1] / floor predict: %s. Free heap after boot: %d B.'
                % (_ratio(mb['micronn', '[2, 2, 1]', 'train_row'], floor),
                   mb['board', 'heap', 'free']), '', heap_table(mb), '']
    for key, title in (('cpython', 'CPython %s' % sys.version.split()[0]),
                       ('wasm', 'MicroPython 1.27 WebAssembly (Node %s)' % _node_version())):
        if _timed(results.get(key)):
            out += ['## ' + title, '', speed_table(results[key]), '']
    if results.get('chart'):
        out += ['![micronn and the blog: us per call](%s)' % results['chart'], '']
    return '\n'.join(out)


def _node_version():
    import subprocess
    try:
        return subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()
    except OSError:
        return '?'


def chart(results, path):
    """PNG: time per predict and per train_row across the three nets, micronn vs the blog;
    False, and no file, when no runtime was timed."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    runs = [(k, t, u) for k, t, u in (('microbit', 'micro:bit (emulated), ms', 1000.0),
                                      ('cpython', 'CPython, us', 1.0),
                                      ('wasm', 'MicroPython WebAssembly, us', 1.0))
            if _timed(results.get(k))]
    if not runs:
        return False
    fig, axes = plt.subplots(len(runs), 2, figsize=(10, 3.2 * len(runs)), squeeze=False)
    names = [str(s) for s in SHAPES]
    for row, (key, title, unit) in zip(axes, runs):
        r = results[key]
        for ax, call in zip(row, ('predict', 'train_row')):
            for i, (who, colour) in enumerate((('micronn', '#1f77b4'), ('blog', '#ff7f0e'))):
                xs = [j + 0.4 * i for j in range(len(names))]
                vals = [r[who, s, call] for s in names]
                ax.bar(xs, [(v or 0) / unit for v in vals], 0.4, label=who, color=colour)
                for xpos, v in zip(xs, vals):
                    if v is None:
                        ax.text(xpos, 0, 'out of\nmemory', ha='center', va='bottom', fontsize=7)
            ax.set_xticks([j + 0.2 for j in range(len(names))])
            ax.set_xticklabels(names)
            ax.set_title('%s: %s' % (title.split(',')[0], call))
            ax.set_ylabel(title.split(', ')[1] + ' per call')
            ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


RUNTIMES = ('microbit', 'cpython', 'wasm')


def main(runtimes=RUNTIMES, out='BENCHMARKS.md', chart_path='benchmarks.png', say=print):
    """Run the benchmark on each runtime, print the tables, write out and chart_path. A runtime
    that is not installed is an error (BoardError): the tables must not silently shrink. A
    runtime that fails part way still gets what it measured before into the report, which is
    written; then its error is raised."""
    from ..emulated import microbit as emulator
    unknown = [k for k in runtimes if k not in RUNTIMES]
    if unknown:
        raise BoardError('unknown runtime %s in --runtime: choose from %s'
                         % (', '.join(unknown), ','.join(RUNTIMES)))
    for key, why in (('microbit', emulator.missing()), ('wasm', wasm.missing())):
        if key in runtimes and why:
            raise BoardError('cannot benchmark on %s: %s (or leave it out with --runtime)'
                             % (key, why))
    started = time.monotonic()
    results = {}
    failed = []
    error = None
    for key, title, run in (('cpython', 'timing on CPython', run_cpython),
                            ('wasm', 'timing on MicroPython WebAssembly', run_wasm),
                            ('microbit', None, None)):
        if key not in runtimes:
            continue
        if title:
            say(title)
        results[key] = {}
        try:
            if run:
                results[key].update(run())
            else:
                run_microbit_all(say=say, r=results[key])
        except Exception as e:  # kept to raise once what was measured is written
            failed.append((key, str(e).splitlines()[0] if str(e) else type(e).__name__))
            say('%s failed: %s; the report keeps what was measured before' % (key, failed[-1][1]))
            error = error or e
    if chart_path:
        try:
            if chart(results, chart_path) is not False:  # False: no timings to draw
                results['chart'] = os.path.basename(chart_path)
        except ImportError:
            say('no chart: matplotlib is missing (pip install -e ".[bench]")')
    text = report(results, 'micronn bench' + ('' if tuple(runtimes) == RUNTIMES else
                                              ' --runtime ' + ','.join(runtimes)),
                  failed=failed, seconds=time.monotonic() - started)
    say(text)
    if out:
        with open(out, 'w') as f:
            f.write(text)
        say('wrote %s%s' % (out, ' and ' + chart_path if results.get('chart') else ''))
    if error is not None:
        raise error
    return results
