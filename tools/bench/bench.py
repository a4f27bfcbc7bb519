# Host only. `micronn bench`: what micronn costs, beside the blog's code and the interpreter's
# floor (bench_job.floor), on each runtime. The emulated micro:bit runs with QEMU's
# -icount shift=6, so its clock counts guest instructions and its figures repeat exactly.
# Goals are reported, never asserted: the command fails only when it cannot run.
import ast
import os
import sys
import time

from ..emulated import wasm
from ..errors import BoardError
from .nets import SHAPES, export_name, floor_weights, row, sources
from .on_microbit import run_microbit_all
from .report import chart, report


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
