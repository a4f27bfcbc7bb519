# Host only. `micronn bench`: what micronn costs, beside the blog's code and the interpreter's
# floor (bench_job.floor), on each runtime. The emulated micro:bit runs with QEMU's
# -icount shift=6, so its clock counts guest instructions and its figures repeat exactly.
# Goals are reported, never asserted: the command fails when a part of it could not run (its
# figures would be missing), never when a goal is missed.
import ast
import os
import sys
import time

from ..emulated import wasm
from ..errors import BoardError
from .nets import SHAPES, export_name, floor_weights, row, sources
from .live_time import run_live_time
from .on_microbit import run_microbit_all
from .report import chart, report
from .room import BOARDS, run_room


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
    rows = [(s, row(s)) for s in SHAPES]
    names = {str(s): export_name(s) for s in SHAPES}
    code = ('ROWS = %r\nN = %d\nR = %d\nEXPORTS = %r\nW = %r\n'
            % (rows, n, rounds, names, floor_weights()) + HOSTED)
    return ast.literal_eval(run(code).strip().splitlines()[-1])


def run_cpython(n=20000, rounds=5):
    import types
    files = sources()
    mods = {}
    for name in ('bench_job', 'blog') + tuple(export_name(s) for s in SHAPES):
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


RUNTIMES = ('microbit', 'cpython', 'wasm', 'room')
KEPT = '## A real CreateAI project'


def run_microbit(part, r):
    """micronn on the micro:bit, then a gesture model's live loop (its own board)."""
    run_microbit_all(part, r)
    part('gesture features and predict', lambda: r.update(live=run_live_time(say=part.say)))


def runners():
    """(runtime, title said first, run(part, results)) in the order they run; part(name, fn)
    runs one part of the runtime's measurement (bench.main's Parts)."""
    def hosted(run):
        return lambda part, r: part(None, lambda: r.update(run()))
    return [('cpython', 'timing on CPython', hosted(run_cpython)),
            ('wasm', 'timing on MicroPython WebAssembly', hosted(run_wasm)),
            ('microbit', None, run_microbit),
            ('room', 'one flash to 1 and to %d emulated micro:bits' % BOARDS, run_room)]


class Parts:
    """Runs the parts of a runtime's measurement. A part that raises is recorded as
    (its name, why) and said, and the bench goes on: what was measured goes into the report,
    and main fails at the end, naming every part that failed."""

    def __init__(self, say):
        self.say = say
        self.failed = []  # [(part, why)]
        self.runtime = None

    def __call__(self, name, fn):
        """fn(); False if it raised. name: the part's, after the runtime's (None: the runtime
        as a whole)."""
        part = self.runtime + ('' if name is None else ' (%s)' % name)
        try:
            fn()
            return True
        except Exception as e:
            why = str(e).splitlines()[0] if str(e) else type(e).__name__
            self.failed.append((part, why))
            self.say('%s failed: %s; the report keeps what was measured before' % (part, why))
            return False


def kept(path):
    """What the report at path holds from KEPT on, measured by other means (the CreateAI
    held-out figures: python -m micronn_tools.bench.createai): written again as it was."""
    try:
        with open(path) as f:
            old = f.read()
    except OSError:
        return ''
    at = old.find('\n' + KEPT)
    return old[at:] if at >= 0 else ''


def main(runtimes=RUNTIMES, out='BENCHMARKS.md', chart_path='benchmarks.png', say=print):
    """Run the benchmark on each runtime, print the tables, write out and chart_path. A runtime
    that is not installed is an error (BoardError): the tables must not silently shrink. A
    part that fails still leaves what was measured before in the report, which is written;
    then BoardError names each part that failed and where the report is."""
    from ..emulated import microbit as emulator
    unknown = [k for k in runtimes if k not in RUNTIMES]
    if unknown:
        raise BoardError('unknown runtime %s in --runtime: choose from %s'
                         % (', '.join(unknown), ','.join(RUNTIMES)))
    for key, why in (('microbit', emulator.missing()), ('room', emulator.missing()),
                     ('wasm', wasm.missing())):
        if key in runtimes and why:
            raise BoardError('cannot benchmark on %s: %s (or leave it out with --runtime)'
                             % (key, why))
    started = time.monotonic()
    results = {}
    part = Parts(say)
    for key, title, run in runners():
        if key not in runtimes:
            continue
        if title:
            say(title)
        results[key] = {}
        part.runtime = key
        run(part, results[key])
    if chart_path:
        try:
            if chart(results, chart_path) is not False:  # False: no timings to draw
                results['chart'] = os.path.basename(chart_path)
        except ImportError:
            say('no chart: matplotlib is missing (pip install -e ".[bench]")')
    text = report(results, 'micronn bench' + ('' if tuple(runtimes) == RUNTIMES else
                                              ' --runtime ' + ','.join(runtimes)),
                  failed=part.failed, seconds=time.monotonic() - started)
    say(text)
    if out:
        text += kept(out)
        with open(out, 'w') as f:
            f.write(text)
        say('wrote %s%s' % (out, ' and ' + chart_path if results.get('chart') else ''))
    if part.failed:
        raise BoardError('the bench failed in %d part(s): %s; %s'
                         % (len(part.failed), '; '.join('%s: %s' % f for f in part.failed),
                            'the report of what was measured is in %s' % out if out
                            else 'no report written (-o was empty)'))
    return results
