# Host only. The `micronn` command: train on the PC, flash to a board, predict and verify there.
# Expected failures are BoardError or ValueError, printed as one line `micronn: ...` with exit
# status 1, as mpremote does; only main() prints them.
import argparse
import sys

import micronn
import micronn_boards as boards
import micronn_train

from . import data, modelfile
from .errors import BoardError

XOR_HIDDEN = '3'  # [2, 2, 1] from the blog's [0, 1) weights gets stuck on many seeds; 3 doesn't


def say(*a, **k):
    if k.get('end') == '\r' and not sys.stdout.isatty():
        return  # progress lines only on a terminal; logs get the final line of each file
    print(*a, **k)
    sys.stdout.flush()


def _dataset(args):
    if args.data:
        return data.load_csv(args.data, args.outputs)
    return ['x1', 'x2'], data.XOR


def _fmt(v):
    return ' '.join('%.6f' % p for p in v)


def cmd_train(args):
    names, rows = _dataset(args)
    net = micronn.NeuralNet(names, args.rate, seed=args.seed)
    sizes = [int(s) for s in args.layers.split()] + [len(rows[0][1])]
    for n in sizes:
        net.add_layer(n)
    say('training %s on %d rows: layers %s, rate %g, %d epochs, seed %d'
        % ('XOR' if not args.data else args.data, len(rows), [len(names)] + sizes, args.rate,
           args.epochs, args.seed))
    every = max(1, args.epochs // 10)

    def report(epoch, loss, acc):
        if epoch % every == 0 or epoch == args.epochs:
            say('  epoch %6d  loss %.6f  accuracy %5.1f%%' % (epoch, loss, 100 * acc))
    micronn_train.fit(net, rows, args.epochs, seed=args.seed, report=report)
    say('%-24s %-12s %s' % ('inputs', 'target', 'predicted'))
    for x, y in rows[:20]:
        say('%-24s %-12s %s' % (_fmt(x), _fmt(y), _fmt(net.predict(x))))
    net.save(args.output)
    say('wrote %s (accuracy %.1f%%)' % (args.output, 100 * micronn_train.accuracy(net, rows)))
    return net


def _connect(args, emulate=False):
    from .board import connect  # serial and QEMU only where a board is used
    return connect(args.port, args.board, emulate=emulate, say=say, timeout=args.timeout)


def _flash(board, net):
    say('flashing to %s on %s (%d bytes of heap free)'
        % (board.profile['name'], board.link.port, board.free))
    return board.put_model(net, say)


def cmd_flash(args):
    net = modelfile.read(args.model)  # a bad file is refused before any board is touched
    with _connect(args) as board:
        _flash(board, net)


def cmd_predict(args):
    with _connect(args) as board:
        with board.serving() as seq:
            got = board.predict([args.inputs])[0]
        say('%s   (model seq %d on %s)' % (_fmt(got), seq, board.link.port))


def _verify(board, net, rows):
    xs = [x for x, _ in rows]
    with board.serving():
        got = board.predict(xs)
    tol = boards.TOLERANCE[board.float]
    worst = 0.0
    bad = []
    say('%-24s %-24s %-24s %s' % ('inputs', 'host', 'board', 'max diff'))
    for i, (x, b) in enumerate(zip(xs, got)):
        h = net.predict(x)
        d = max(abs(p - q) for p, q in zip(h, b))
        worst = max(worst, d)
        if d > tol:
            bad.append(i + 1)
        say('%-24s %-24s %-24s %.2e%s' % (_fmt(x), _fmt(h), _fmt(b), d, '  <-- differs' if d > tol else ''))
    say('largest difference %.2e (tolerance %.0e for %s-precision floats)'
        % (worst, tol, board.float))
    if bad:
        raise BoardError('the board disagrees with the host on row(s) %s: flash the model again'
                         % ', '.join(map(str, bad)))


def cmd_verify(args):
    net = modelfile.read(args.model)
    _, rows = _dataset(args)
    with _connect(args) as board:
        _verify(board, net, rows)


def cmd_demo(args):
    args.data = None
    net = cmd_train(args)
    with _connect(args, emulate=True) as board:
        _flash(board, net)
        _verify(board, net, data.XOR)
        demo = board.profile['demo']
    say('the board answers XOR like the host: done')
    say('on the board itself: %s' % demo)


def cmd_convert(args):
    from . import convert  # scikit-learn and onnx only for this command
    net, what = convert.convert(args.input)
    net.save(args.output)
    say('%s: %s' % (args.input, what))
    say('inputs %s; layers %s; activations %s'
        % (' '.join(n.name for n in net.layers[0]), [len(l) for l in net.layers],
           ' '.join(net.activations)))
    say('wrote %s' % args.output)


def cmd_boards(args):
    from .board import detect
    found = detect()
    say('serial boards attached:' if found else 'no serial boards attached')
    for port, profs in found:
        say('  %-14s %s' % (port, ' or '.join(p['name'] for p in profs)))
    say('board profiles:')
    for p in boards.profiles().values():
        say('  %-18s %s; %s floats, ~%d B heap' % (p['name'], p['title'], p['float'], p['heap']))
        say('  %-18s demo: %s' % ('', p['demo']))


def cmd_emulator(args):
    from .emulator import EmulatedMicrobit
    with EmulatedMicrobit() as mb:
        say('emulated micro:bit on %s; use --port %s; Ctrl-C stops it (its files go with it)'
            % (mb.port, mb.port))
        try:
            mb.proc.wait()
        except KeyboardInterrupt:
            pass


def cmd_bench(args):
    from . import bench
    bench.main([r for r in args.runtime.split(',') if r], args.output, args.chart, say=say)


def parser():
    p = argparse.ArgumentParser(prog='micronn', description=__doc__ or
                                'Train a tiny neural net on the PC, run it on a MicroPython board.')
    sub = p.add_subparsers(dest='command', required=True)

    def board_args(s):
        s.add_argument('--port', help='serial port of the board (default: the one attached)')
        s.add_argument('--board', choices=sorted(boards.profiles()),
                       help='board profile, when detection cannot tell')
        s.add_argument('--timeout', type=float, default=10.0,
                       help='seconds to wait for the board to answer a command (default 10)')

    def train_args(s):
        s.add_argument('--data', help='CSV: feature columns, then label columns (default: XOR)')
        s.add_argument('--outputs', type=int, default=1, help='label columns in the CSV')
        s.add_argument('--layers', default=XOR_HIDDEN,
                       help='hidden layer sizes, e.g. "8 4" (default "%s")' % XOR_HIDDEN)
        s.add_argument('--rate', type=float, default=0.1, help='learning rate (blog: 0.1)')
        s.add_argument('--epochs', type=int, default=10000)
        s.add_argument('--seed', type=int, default=1)
        s.add_argument('-o', '--output', default='model.mn', help='model file to write')

    s = sub.add_parser('train', help='train on the PC and write a model file')
    train_args(s)
    s.set_defaults(func=cmd_train)
    s = sub.add_parser('flash', help='put firmware and MODEL on a board, checked there')
    s.add_argument('model')
    board_args(s)
    s.set_defaults(func=cmd_flash)
    s = sub.add_parser('predict', help='a prediction computed on the board')
    s.add_argument('inputs', nargs='+', type=float)
    board_args(s)
    s.set_defaults(func=cmd_predict)
    s = sub.add_parser('verify', help='every row on the board and on the host, side by side')
    s.add_argument('model')
    s.add_argument('--data', help='CSV to verify on (default: XOR)')
    s.add_argument('--outputs', type=int, default=1)
    board_args(s)
    s.set_defaults(func=cmd_verify)
    s = sub.add_parser('demo', help='train XOR, flash, verify (emulated micro:bit if no board)')
    train_args(s)
    s.set_defaults(output='xor.mn')
    board_args(s)
    s.set_defaults(func=cmd_demo)
    s = sub.add_parser(
        'convert', help='a scikit-learn or ONNX model as a micronn model file',
        description='Convert a model trained elsewhere: a scikit-learn MLPClassifier or '
        'MLPRegressor saved with joblib (.joblib, .pkl), or an ONNX file of Linear layers '
        'with ReLU, Tanh, Sigmoid or Softmax (.onnx, as torch.onnx.export writes them). '
        'Loading a joblib or pickle file runs code from it: convert only files you trust. '
        'Only the file named is loaded. Needs: pip install "micronn[convert]".')
    s.add_argument('input', help='the model to convert (.joblib, .pkl or .onnx)')
    s.add_argument('-o', '--output', default='model.mn', help='model file to write')
    s.set_defaults(func=cmd_convert)
    s = sub.add_parser('boards', help='attached boards and known board profiles')
    s.set_defaults(func=cmd_boards)
    s = sub.add_parser('emulator', help='run an emulated micro:bit until Ctrl-C')
    s.set_defaults(func=cmd_emulator)
    s = sub.add_parser('bench', help='speed and heap of micronn vs the blog, per runtime')
    s.add_argument('--runtime', default='microbit,cpython,wasm',
                   help='comma-separated: microbit (emulated, -icount), cpython, wasm')
    s.add_argument('-o', '--output', default='BENCHMARKS.md', help='Markdown report to write')
    s.add_argument('--chart', default='benchmarks.png', help='PNG chart to write')
    s.set_defaults(func=cmd_bench)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        args.func(args)
    except (BoardError, ValueError) as e:
        print('micronn: %s' % e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print('micronn: interrupted; the board keeps its previous model', file=sys.stderr)
        return 130
    return 0


if __name__ == '__main__':
    sys.exit(main())
