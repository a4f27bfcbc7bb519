# Host only. A gesture model's features and predict on the emulated micro:bit V1, timed there:
#
#   python -m micronn_tools.bench.live_time
#
# The board gets the gesture firmware and the model as `micronn live` puts them (live.start:
# the net read by micronn_gmodel, then micronn_features, micronn_live and micronn_record
# imported), then times with its own time.ticks_us(), under QEMU -icount shift=6 (64 ns per
# guest instruction, about a real 16 MHz Cortex-M0): CreateAI's
# features of a 50-sample window (micronn_features.features), the net's predict on them
# (micronn_live.predict), and both in one call, as the live loop makes them, for several made-up
# windows. The nets, [24, 16, 3] and [24, 16, 5] (relu, then softmax), have micronn's random
# initial weights (seed 1): predict does the same work whatever the weights. Also the heap free
# with each net, a window and the live loop's modules loaded. Figures are printed beside the
# goal; no goal is asserted.
import contextlib
import os
import tempfile

import micronn

from .. import gesture_board, gesture_features, live
from .on_microbit import SEED, _board

GOAL_MS = 250  # features plus predict for a [24, 16, 3] net, on the micro:bit V1
ABOUT = ('On a board of its own, with the gesture firmware and model put as `micronn live` puts '
         'them, timed with the board\'s `time.ticks_us()` (`python -m '
         'micronn_tools.bench.live_time` measures this part alone). The nets have `micronn '
         'train --data`\'s layout with micronn\'s initial weights (seed 1); six made-up '
         '50-sample windows, each timed %d times. Under -icount these repeat to within a few '
         'milliseconds, not exactly: a call\'s time moves with when the host\'s command '
         'arrives, and with how the heap lies.')
SHAPES = ([24, 16, 3], [24, 16, 5])

# Windows made on the board by a short command, so that no long list of samples has to be
# parsed beside the net (a micro:bit has no heap for it): per kind, x, y and z in g of sample
# i at phase p, with s = math.sin. Still: flat, a little noise; shake: fast along x; circle:
# slow in x and y. Each kind at two phases.
KINDS = (
    ('still', ('.01*s(i*7.3)', '.01*s(i*5.1+1)', '-1+.01*s(i*3.7+2)')),
    ('shake', ('1.5*s(i*1.3+p)', '.1+.05*s(i*5.1)', '-1+.05*s(i*3.7)')),
    ('circle', ('.8*s(.1257*i+p)', '.8*s(.1257*i+p+1.571)', '-.6+.03*s(i*4.3)')),
)
PHASES = (0.0, 2.0)
# Even under -icount a call's time varies by a millisecond or two with the moment the host's
# command arrives (the board's timer interrupts fall differently against it); the calls after
# it in one command repeat. So each window is timed this many times in one command, and the
# means repeat from run to run to within a few milliseconds (probably as a run's heap, as
# the link's commands and the firmware's writes leave it, need not be the last run's).
REPEAT = 3
ABOUT %= REPEAT
WINDOW = ('p=%r\nfor i in range(%d):x[i]=%s;y[i]=%s;z[i]=%s\n'
          'i=p=None\ngc.collect()')

# Each call timed alone, after a collect, so that a collection the call before left due does
# not land in it: per window, features, predict on those features, and both as the live loop
# calls them, r times. A function compiled once: a command this long, parsed again for each
# window, finds no room beside a [24, 16, 5] net once the calls have cut the heap up.
TIME = ('def M(x,y,z,r,T=time.ticks_us,D=time.ticks_diff,F=micronn_features.features,'
        'P=micronn_live.predict,c=gc.collect):\n'
        ' for _ in range(r):\n'
        '  c();t=T();f=F(x,y,z);a=D(T(),t)\n'
        '  c();t=T();P(n,f);b=D(T(),t)\n'
        '  c();t=T();P(n,F(x,y,z));e=D(T(),t)\n'
        '  print(a,b,e)\n'
        'gc.collect()')
CALLS = ('features', 'predict', 'features+predict')


def model(shape, path):
    """A gesture model file of this shape, as `micronn train --data` lays it out (CreateAI's
    24 features in, relu hidden layers, softmax out), with micronn's initial weights."""
    net = micronn.NeuralNet(gesture_features.NAMES, seed=1)
    for k in shape[1:-1]:
        net.add_layer(k, 'relu')
    net.add_layer(shape[-1], 'softmax')
    net.save(path)
    return path


def on_board(board, path, say):
    """({call: [ms of each timed call]}, heap free with the net and the modules, and with a
    window too)."""
    # a net and window left from before leave the board no heap to check and write files
    board.link.soft_reset()
    live.start(board, path, say)
    n = gesture_features.SAMPLES
    with gesture_board.unchecked(board.link) as link:
        bare = link.eval('gc.collect()or gc.mem_free()')
        lists = 'x=[0.0]*%d\ny=[0.0]*%d\nz=[0.0]*%d\ngc.collect()' % (n, n, n)
        link.exec(lists)
        link.exec('import math\ns=math.sin\n' + WINDOW % ((PHASES[0], n) + KINDS[1][1]))
        free = link.eval('gc.collect()or gc.mem_free()')
        # the timing function compiled without the window, which leaves no piece of heap
        # large enough for it; the window's lists made again after it
        link.exec('x=y=z=None\ngc.collect()')
        link.exec('import time\n' + TIME)
        link.exec(lists)
        ms = dict((c, []) for c in CALLS)
        for _, axes in KINDS:
            for p in PHASES:
                link.exec(WINDOW % ((p, n) + axes))
                for line in link.exec('M(x,y,z,%d)' % REPEAT).splitlines():
                    for c, us in zip(CALLS, line.split()):
                        ms[c].append(int(us) / 1000.0)
    return ms, bare, free


def run_live_time(say=print, port=None):
    """The figures, on an emulated micro:bit of its own (or the board on port, an emulated one
    under -icount): {(shape, call): {'mean', 'min', 'max': ms, 'calls': how many were
    timed}} for each shape and call in CALLS; (shape, 'heap free'): bytes free with the net,
    a window and the live loop's modules, (shape, 'heap free, no window'): before the window;
    'goal ms': GOAL_MS."""
    from ..emulated.microbit import EmulatedMicrobit
    r = {'goal ms': GOAL_MS}
    with contextlib.ExitStack() as stack:
        d = stack.enter_context(tempfile.TemporaryDirectory(prefix='micronn-live-time-'))
        if not port:
            port = stack.enter_context(EmulatedMicrobit(icount=True, seed=SEED)).port
        board = stack.enter_context(_board(port))
        say('gesture features and predict on the emulated micro:bit on %s (QEMU -icount '
            'shift=6)' % port)
        for shape in SHAPES:
            say('  %s: the gesture firmware and the model on the board, then %d windows, '
                'each timed %d times' % (shape, len(KINDS) * len(PHASES), REPEAT))
            ms, bare, free = on_board(board, model(shape, os.path.join(d, 'g%d.mn' % shape[-1])),
                                lambda *a, **k: None)
            for c in CALLS:
                r[str(shape), c] = {'mean': sum(ms[c]) / len(ms[c]), 'min': min(ms[c]),
                                    'max': max(ms[c]), 'calls': len(ms[c])}
            r[str(shape), 'heap free'] = free
            r[str(shape), 'heap free, no window'] = bare
    return r


def lines(r):
    """The figures as text, the goal beside."""
    out = ['| net | call | mean ms | min ms | max ms | calls timed |',
           '|---|---|---:|---:|---:|---:|']
    for shape in SHAPES:
        for c in CALLS:
            f = r[str(shape), c]
            out.append('| %s | %s | %.1f | %.1f | %.1f | %d |'
                       % (shape, c, f['mean'], f['min'], f['max'], f['calls']))
    worst = r[str(SHAPES[0]), 'features+predict']['max']
    out.append('')
    out.append('Goal: features plus predict for a %s net take at most %d ms on the micro:bit '
               'V1: %.1f ms at most (%s).' % (SHAPES[0], r['goal ms'], worst,
                                              'met' if worst <= r['goal ms'] else 'missed'))
    for shape in SHAPES:
        out.append('Free heap with the %s net, a %d-sample window and the live loop\'s modules '
                   'loaded: %d B (%d B before the window).'
                   % (shape, gesture_features.SAMPLES, r[str(shape), 'heap free'],
                      r[str(shape), 'heap free, no window']))
    return out


def main(argv=None):
    import argparse
    a = argparse.ArgumentParser(prog='python -m micronn_tools.bench.live_time',
                                description='time a gesture model\'s features and predict on '
                                'the emulated micro:bit V1 (QEMU -icount)')
    a.add_argument('--port', help='an emulated micro:bit already running under -icount '
                   '(default: start one)')
    args = a.parse_args(argv)
    r = run_live_time(port=args.port)
    for line in lines(r):
        print(line)
    return r


if __name__ == '__main__':
    main()
