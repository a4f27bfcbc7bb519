# Host only. `micronn bench`'s report: its goals, met or missed on the micro:bit's figures,
# and the tables and chart of what each runtime measured.
import datetime
import sys

from . import live_time
from .nets import BIG, SHAPES
from .on_microbit import HEADROOM_STEP, NAMES_BEFORE
from .room import room_table

TRAIN_ROW_BEFORE = 6440  # us: [2, 2, 1] train_row on the micro:bit before its heap was trimmed


def _at_most(key, limit, unit='B'):
    def goal(r):
        v = r.get(key)
        return None if v is None else ('{:,} {}'.format(v, unit), v <= limit)
    return goal


def _vs_floor_locals(who, limit):
    """[2, 2, 1] predict of who against the floor the goals count from: the forward pass
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


def _live(r):
    live = r.get('live')
    if not live:
        return None
    worst = live[str(live_time.SHAPES[0]), 'features+predict']['max']
    return '%.1f ms at most' % worst, worst <= live['goal ms']


GOALS = [  # (goal, how its figure is read; None: not measured here)
    ('`import micronn` takes at most 1,500 B of heap',
     _at_most(('micronn', 'heap', 'import'), 1500)),
    ('a [2, 2, 1] net takes at most 400 B of heap (what dropping it frees)',
     _at_most(('micronn', '[2, 2, 1]', 'heap'), 400)),
    ('[2, 2, 1] predict at most 1.8x the default-argument floor',
     _vs_floor_locals('micronn', 1.8)),
    ('[2, 2, 1] train_row no slower than before the heap was trimmed (6.44 ms)', _train_row),
    ('a [4, 16, 3] net trains', _trains_4_16_3),
    ('[2, 24, 1] and [4, 16, 3] are served after `micronn flash`', _served),
    ('an exported [2, 2, 1] predict at most 1.15x the default-argument floor',
     _vs_floor_locals('export', 1.15)),
    ('the exported [2, 2, 1] module imports in at most 700 B of heap',
     _at_most(('export', '[2, 2, 1]', 'heap'), 700)),
    ('features plus predict of a [24, 16, 3] gesture net take at most %d ms'
     % live_time.GOAL_MS, _live),
]


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


def _spread(figures):
    """'min to max, mean M' of heap figures; '-' without them."""
    if not figures:
        return '-'
    return '%d to %d, mean %d' % (min(figures), max(figures), sum(figures) / len(figures))


def heap_table(r):
    def b(key):
        v = r.get(key)
        return 'out of memory' if v is None else '%d' % v
    lines = ['| heap on the micro:bit (bytes) | micronn | blog |', '|---|---:|---:|',
             '| import | %s | %s |' % (b(('micronn', 'heap', 'import')),
                                       b(('blog', 'heap', 'import'))),
             '| import after %s names made first (doubling tables of names) | %s | - |'
             % ('%d to %d' % (NAMES_BEFORE[0], NAMES_BEFORE[-1]),
                _spread(r.get(('micronn', 'heap', 'import after names')))),
             '| import micronn_backprop (backprop; first add_layer) | %s | - |'
             % b(('micronn', 'heap', 'import micronn_backprop')),
             '| import micronn_build (add_layer; first add_layer) | %s | - |'
             % b(('micronn', 'heap', 'import micronn_build'))]
    if ('serve', 'heap', 'free') in r:
        lines.append('| line server as at boot (micronn, micronn_model, micronn_bytes, '
                     'micronn_serve, the demo, micronn_lines): free after | %s | - |'
                     % b(('serve', 'heap', 'free')))
    if ('serve', 'heap', 'headroom') in r:
        lines.append('| line server as at boot: heap that can be taken before its imports with '
                     'a [2, 2, 1] model file still loading after them (its margin; bisection, '
                     '%d B steps) | %s | - |' % (HEADROOM_STEP, b(('serve', 'heap', 'headroom'))))
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
    lines = ['| goal on the emulated micro:bit | figure | |', '|---|---|---|']
    for goal, read in GOALS:
        got = read(mb or {}) if read else None
        if got is None:
            figure = ('not measured by `micronn bench`' if read is None
                      else 'not measured in this run')
            verdict = '-'
        else:
            figure, verdict = got[0], 'met' if got[1] else '**missed**'
        lines.append('| %s | %s | %s |' % (goal, figure, verdict))
    return '\n'.join(lines)


def report(results, command, today=None, failed=(), seconds=None):
    """The Markdown report. failed: [(part, why)] for the parts that failed (what was measured
    before is shown); seconds: how long the whole run took."""
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
        out += ['**%s failed: %s.** The figures below are what was measured; its own are '
                'missing.' % (key, why), '']
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
    if mb and mb.get('live'):
        out += ['### Gesture features and predict on the board', '',
                live_time.ABOUT, ''] + live_time.lines(mb['live']) + ['']
    for key, title in (('cpython', 'CPython %s' % sys.version.split()[0]),
                       ('wasm', 'MicroPython 1.27 WebAssembly (Node %s)' % _node_version())):
        if _timed(results.get(key)):
            out += ['## ' + title, '', speed_table(results[key]), '']
    room = room_table(results.get('room') or {})
    if room:
        out += ['## Many boards at once', '', room, '']
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
