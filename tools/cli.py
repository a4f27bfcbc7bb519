# Host only. The `micronn` command: train on the PC, flash to a board, predict and verify there.
# Expected failures are BoardError or ValueError, printed as one line `micronn: ...` with exit
# status 1, as mpremote does; only main() prints them.
import argparse
import os
import sys

import micronn
import micronn_boards as boards
import micronn_save
import micronn_train

from . import data, modelfile
from .options import Parser, layers, number, rate, whole
from .errors import BoardError

XOR_HIDDEN = '3'  # [2, 2, 1] from the blog's [0, 1) weights gets stuck on many seeds; 3 doesn't
XOR_EPOCHS = 10000


def say(*a, **k):
    if k.get('end') == '\r' and not sys.stdout.isatty():
        return  # progress lines only on a terminal; logs get the final line of each file
    try:
        print(*a, **k)
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader went away (`micronn flash m.mn | head`): the flash goes on, unheard
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _dataset(args, outputs=None, classes=None):
    """(input names, rows, classes or None). A CSV without --outputs: a label column of
    classes (those given, a model's), or when outputs is given, that many target columns."""
    if args.data:
        return data.load_csv(args.data, args.outputs or (None if classes else outputs), classes)
    if args.outputs:
        raise ValueError('--outputs %d needs --data CSV: the default data, XOR, has one output; '
                         'give --data CSV, or leave --outputs out' % args.outputs)
    return ['x1', 'x2'], data.XOR, None


def _fmt(v):
    return ' '.join('%.6f' % p for p in v)


def _table(header, rows):
    """Lines of a table whose columns are as wide as their widest cell, for any net's shape."""
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    return ['  '.join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [header] + rows]


def _shape(net):
    return ' '.join(str(len(layer)) for layer in net.layers)


def cmd_train(args):
    if args.data and args.data.lower().endswith('.json'):  # a CreateAI gesture dataset
        from . import gestures
        return gestures.train_command(args, say)
    if args.window:
        raise ValueError('--window is for a gesture dataset (.json): a CSV row is one sample')
    args.layers = args.layers or layers(XOR_HIDDEN)
    args.epochs = args.epochs or XOR_EPOCHS
    names, rows, classes = _dataset(args)
    net = micronn.NeuralNet(names, args.rate, seed=args.seed)
    sizes = args.layers + [len(rows[0][1])]
    for i, n in enumerate(sizes):
        net.add_layer(n, data.activation(classes) if i == len(sizes) - 1 else 'sigmoid')
    say('training %s on %d rows: layers %s, rate %g, %d epochs, seed %d'
        % ('XOR' if not args.data else args.data, len(rows), [len(names)] + sizes, args.rate,
           args.epochs, args.seed))
    if classes:
        say('  ' + data.describe(classes))
    every = max(1, args.epochs // 10)

    def report(epoch, loss, acc):
        if epoch % every == 0 or epoch == args.epochs:
            acc = data.right_classes(net, rows, classes) / len(rows) if classes else acc
            say('  epoch %6d  loss %.6f  accuracy %5.1f%%' % (epoch, loss, 100 * acc))
    micronn_train.fit(net, rows, args.epochs, seed=args.seed, report=report)
    for line in _table(['inputs', 'target', 'predicted'],
                       [[_fmt(x), _fmt(y), _fmt(net.predict(x))] for x, y in rows[:20]]):
        say(line)
    try:  # what flash would refuse is refused here, before a file is written
        modelfile.loads(micronn_save.dumps(net))
    except ValueError as e:
        raise ValueError('training with --rate %g went astray (%s); use a smaller --rate'
                         % (args.rate, e))
    net.save(args.output)
    side = data.write_classes(args.output, classes)  # or a stale one removed, without classes
    say('wrote %s (accuracy %.1f%%)' % (args.output, 100 * micronn_train.accuracy(net, rows))
        if not classes else 'wrote %s and %s (%s)' % (args.output, side,
                                                      data.class_accuracy(net, rows, classes)))
    return net


def _connect(args, emulate=False, port=None, say=say):
    from .board import connect  # serial and QEMU only where a board is used
    if port is None and args.port:
        if len(args.port) > 1 or getattr(args, 'all', False):
            raise ValueError('`micronn %s` works with one board: give one --port'
                             % args.command)
        port = args.port[0]
    return connect(port, args.board, emulate=emulate, say=say, timeout=args.timeout)


def _ports(args):
    """The ports a board command goes to: every USB board micronn finds with --all, and each
    --port; [None] for the one board found, as before."""
    ports = list(args.port or [])
    if args.all:
        from .board import detect
        found = [p for p, _ in detect()]
        if not found and not ports:
            raise BoardError('no boards attached (--all takes every USB board attached): plug '
                             'them in, or give --port for each')
        ports = found + [p for p in ports if p not in found]
    return list(dict.fromkeys(ports)) or [None]


def _each_board(args, job, before=None):
    """job(board, say, alone) on the command's board, or on each of several at once, with one
    table for all of them (tools/classroom.py: what job and before return)."""
    ports = _ports(args)
    if len(ports) == 1:
        with _connect(args, port=ports[0]) as board:
            job(board, say, True)
        return
    from . import classroom

    def connect(port, psay):
        return _connect(args, port=port, say=psay)
    classroom.run(ports, lambda board, psay: job(board, psay, False), connect, say=say,
                  before=before)


def _flash(board, net, export=False, say=say):
    say('flashing %sto %s on %s (%d bytes of heap free)'
        % ('an export ' if export else '', board.profile['name'], board.link.port, board.free))
    return board.put_export(net, say) if export else board.put(net, say)


def cmd_flash(args):
    net = modelfile.read(args.model)  # a bad file is refused before any board is touched

    def job(board, say, alone):
        return 'ok: model seq %d' % _flash(board, net, args.export, say)
    from .classroom import held  # one boot more, for the room's table only
    _each_board(args, job, before=held)


def cmd_predict(args):
    def job(board, say, alone):
        got, seq = _predict(board, args)
        if alone:
            say('%s   (model seq %d on %s)' % (got, seq, board.link.port))
        return 'seq %d' % seq, got
    _each_board(args, job)


def _predict(board, args):
    """(the board's answer in words, its model's seq)."""
    with board.serving() as (seq, _):
        if len(args.inputs) != board.layers[0]:
            raise ValueError('the board\'s model (seq %d, layers %s) takes %d inputs, not %d: '
                             'give %d numbers' % (seq, ' '.join(map(str, board.layers)),
                                                  board.layers[0], len(args.inputs),
                                                  board.layers[0]))
        classes = args.classes and data.read_classes(args.classes, board.layers, seq)
        got = board.predict([args.inputs])[0]
    return _fmt(got) + (classes and '   ' + data.class_of(got, classes) or ''), seq


def _verify(board, net, rows, model='the model', say=say, table=True):
    """Every row on the board and on the host, side by side (table: the rows too, else only
    the summary); the summary, or BoardError naming the rows that differ."""
    xs = [x for x, _ in rows]
    with board.serving() as (seq, _):
        if board.layers != [len(layer) for layer in net.layers]:
            raise BoardError('the board holds another model (seq %d, layers %s), not %s (layers '
                             '%s): flash it first with `micronn flash %s`'
                             % (seq, ' '.join(map(str, board.layers)), model, _shape(net), model))
        got = board.predict(xs)
    tol = boards.TOLERANCE[board.float]
    worst = 0.0
    bad = []
    rows_out = []
    for i, (x, b) in enumerate(zip(xs, got)):
        h = net.predict(x)
        d = max(abs(p - q) for p, q in zip(h, b))
        worst = max(worst, d)
        if d > tol:
            bad.append(i + 1)
        rows_out.append([_fmt(x), _fmt(h), _fmt(b), '%.2e' % d, '<-- differs' if d > tol else ''])
    if table:
        for line in _table(['inputs', 'host', 'board', 'max diff', ''], rows_out):
            say(line)
    summary = ('largest difference %.2e (tolerance %.0e for %s-precision floats)'
               % (worst, tol, board.float))
    if table:
        say(summary)
    if bad:
        raise BoardError('the board disagrees with the host on row(s) %s: flash the model again'
                         % ', '.join(map(str, bad)))
    return 'seq %d' % seq, 'ok: ' + summary.split(' (')[0]


def cmd_verify(args):
    if args.data and args.data.lower().endswith('.json'):  # a gesture dataset
        from . import live
        return live.verify(args)
    net = modelfile.read(args.model)
    ins, outs = len(net.layers[0]), len(net.layers[-1])
    side = data.classes_path(args.model)
    _, rows, _ = _dataset(args, outs, not args.outputs and os.path.exists(side) and
                          data.read_classes(side))
    if (len(rows[0][0]), len(rows[0][1])) != (ins, outs):  # before any board is touched
        if not args.data:
            raise ValueError('%s takes %d inputs and gives %d outputs, XOR has 2 and 1: give '
                             '--data CSV, the data it was trained on' % (args.model, ins, outs))
        raise ValueError('%s has %d feature and %d label columns, but %s takes %d inputs and '
                         'gives %d outputs: give the CSV it was trained on%s'
                         % (args.data, len(rows[0][0]), len(rows[0][1]), args.model, ins, outs,
                            '' if args.outputs is None else ', with --outputs %d' % outs))
    def job(board, say, alone):
        return _verify(board, net, rows, args.model, say, table=alone)
    _each_board(args, job)


def cmd_demo(args):
    if args.data or args.outputs or args.window:
        raise ValueError('demo trains XOR and takes no --data, --outputs or --window; for your '
                         'CSV run `micronn train --data CSV`, then `micronn flash model.mn` and '
                         '`micronn verify model.mn --data CSV`')
    net = cmd_train(args)
    with _connect(args, emulate=True) as board:
        _flash(board, net)
        _verify(board, net, data.XOR, args.output)
        demo = board.profile['demo']
    say('the board answers XOR like the host: done')
    say('on the board itself: %s' % demo)


def cmd_convert(args):
    from . import convert  # scikit-learn and onnx only for this command
    net, what = convert.convert(args.input)
    net.save(args.output)
    data.write_classes(args.output, None)  # the files of the model it replaces go
    say('%s: %s' % (args.input, what))
    say('inputs %s; layers %s; activations %s'
        % (' '.join(n.name for n in net.layers[0]), [len(l) for l in net.layers],
           ' '.join(net.activations)))
    say('wrote %s' % args.output)


def cmd_boards(args):
    from .board import detect, usb_name, usb_serial
    usb = usb_serial()
    known = dict(detect(usb))
    say('USB serial devices attached:' if usb else 'no USB serial devices attached')
    for p in usb:
        say('  %-14s %s' % (p.device, ' or '.join(b['name'] for b in known[p.device])
                            if p.device in known else 'no profile knows %s: used as a generic '
                            'board, from what it reports' % usb_name(p)))
    say('board profiles:')
    for p in boards.profiles().values():
        say('  %-18s %s; %s' % (p['name'], p['title'], 'floats, heap, file API and .mpy as it '
                                'reports them' if p.get('generic') else '%s floats, ~%d B heap'
                                % (p['float'], p['heap'])))
        say('  %-18s demo: %s' % ('', p['demo']))
        say('  %-18s tried: %s' % ('', p.get('tried') or 'not yet tried on hardware'))
    ports = [p.device for p in usb] + (args.port or [])
    if ports:  # last, so that a board that does not answer is named at the end
        say('what each board serves:')
        from .classroom import inventory
        args.board = None  # each board by what it reports
        inventory(list(dict.fromkeys(ports)),
                  lambda port, psay: _connect(args, port=port, say=psay), say=say)


def cmd_emulator(args):
    from .board import emulator
    profile = boards.get(args.board)
    with emulator(profile) as mb:
        say('%s on %s; use --port %s --board %s; Ctrl-C stops it (its files go with it)'
            % (profile['title'], mb.port, mb.port, profile['name']))
        try:
            mb.proc.wait()
        except KeyboardInterrupt:
            pass


def cmd_export(args):
    from . import export
    text = export.export(args.model, args.output)
    say('wrote %s (%d bytes): import it on the board and call predict(x); it needs only math'
        % (args.output, len(text)))


def cmd_bench(args):
    from .bench import bench
    bench.main([r for r in args.runtime.split(',') if r], args.output, args.chart, say=say)


def _version():
    from importlib import metadata
    try:
        return metadata.version('micronn')
    except metadata.PackageNotFoundError:
        return 'unknown (not installed)'


def parser():
    p = Parser(prog='micronn', description=__doc__ or
                'Train a tiny neural net on the PC, run it on a MicroPython board.')
    p.add_argument('--version', action='version', version='micronn %s' % _version())
    sub = p.add_subparsers(dest='command', required=True)

    def board_args(s, all_boards=False):
        s.add_argument('--port', action='append',
                       help='serial port of the board (default: the one board attached); '
                            'flash, predict and verify take it once per board')
        if all_boards:
            s.add_argument('--all', action='store_true',
                           help='every board attached, at once, with one table at the end')
        s.add_argument('--board', choices=sorted(boards.profiles()),
                       help='board profile, when detection cannot tell; generic: any board, '
                            'from what it reports (default: the profile that names what the '
                            'board reports, else generic)')
        s.add_argument('--timeout', type=float, default=10.0,
                       help='seconds to wait for the board to answer a command')

    def train_args(s, data=True):
        s.add_argument('--data', help='CSV: feature columns, then a class column; or a '
                       'CreateAI gesture dataset, .json (default: XOR)'
                       if data else argparse.SUPPRESS)
        s.add_argument('--outputs', type=whole('--outputs 2'),
                       help='K: the CSV ends in K columns of targets in [0, 1] (one-hot), an '
                       'output each (default: one column of classes)'
                       if data else argparse.SUPPRESS)
        s.add_argument('--window', type=whole('--window 50'),
                       help='gesture dataset: train on each recording\'s first N samples (50: '
                       'the board\'s live window; default: the whole recording)'
                       if data else argparse.SUPPRESS)
        s.add_argument('--layers', type=layers,
                       help='hidden layer sizes, e.g. "8 4" (default: %s; 16 for a gesture '
                            'dataset)' % XOR_HIDDEN)
        s.add_argument('--rate', type=rate, default=0.1, help='learning rate (the blog\'s: 0.1)')
        s.add_argument('--epochs', type=whole('--epochs 10000'),
                       help='passes over the data (default: %d; 160, as CreateAI, for a '
                            'gesture dataset)' % XOR_EPOCHS)
        s.add_argument('--seed', type=int, default=1,
                       help='seed of the initial weights and the shuffling')
        s.add_argument('-o', '--output', default='model.mn', help='model file to write')

    s = sub.add_parser('train', help='train on the PC and write a model file')
    train_args(s)
    s.add_argument('--plot', help='PNG to draw a gesture dataset\'s loss curve and confusion '
                   'matrix in (needs matplotlib, the bench extra; default: none)')
    s.set_defaults(func=cmd_train)
    s = sub.add_parser('flash', help='put firmware and MODEL on a board, checked there')
    s.add_argument('model', help='model file written by `micronn train`')
    s.add_argument('--export', action='store_true',
                   help='put it there as `micronn export` writes it: served without micronn, '
                        'so bigger nets fit a small board')
    board_args(s, all_boards=True)
    s.set_defaults(func=cmd_flash)  # live.add_parser wraps it: a gesture model runs live at boot
    s = sub.add_parser('predict', help='a prediction computed on the board')
    s.add_argument('inputs', nargs='+', type=number,
                   help='one number per input of the model on the board, e.g. 0 1')
    s.add_argument('--classes', help='class file `micronn train` wrote beside the model on the '
                   'board (iris.classes for iris.mn), to print the class (default: the outputs '
                   'only)')
    board_args(s, all_boards=True)
    s.set_defaults(func=cmd_predict)
    s = sub.add_parser('verify', help='every row on the board and on the host, side by side')
    s.add_argument('model', help='model file the board was flashed with')
    s.add_argument('--data', help='CSV to verify on (default: XOR)')
    s.add_argument('--outputs', type=whole('--outputs 2'),
                   help='target columns at the end of the CSV (default: a class column if '
                   'MODEL has a class file beside it, else the model\'s outputs)')
    board_args(s, all_boards=True)
    s.set_defaults(func=cmd_verify)
    s = sub.add_parser('demo', help='train XOR, flash, verify (emulated micro:bit if no board)')
    train_args(s, data=False)  # --data, --outputs, --window only to refuse them with a reason
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
    s = sub.add_parser('boards', help='attached boards, what each serves, and board profiles')
    s.add_argument('--port', action='append',
                   help='a board to list beside the USB ones (an emulated board\'s, say), '
                        'once per board (default: the USB ones only)')
    s.add_argument('--timeout', type=float, default=10.0,
                   help='seconds to wait for each board to answer a command')
    s.set_defaults(func=cmd_boards)
    s = sub.add_parser('emulator', help='run an emulated board until Ctrl-C')
    s.add_argument('--board', default='microbit-emulated',
                   choices=sorted(n for n, p in boards.profiles().items() if p.get('emulator')),
                   help='which emulated board (default microbit-emulated)')
    s.set_defaults(func=cmd_emulator)
    s = sub.add_parser('export', help='MODEL as a standalone module with predict(x)')
    s.add_argument('model', help='model file written by `micronn train`')
    s.add_argument('-o', '--output', required=True,
                   help='module to write, e.g. xor.py (no default: name it)')
    s.set_defaults(func=cmd_export)
    s = sub.add_parser('bench', help='speed and heap of micronn vs the blog, per runtime')
    s.add_argument('--runtime', default='microbit,cpython,wasm,room',
                   help='comma-separated: microbit (emulated, -icount), cpython, wasm, room '
                        '(one flash to 1 and to 5 emulated micro:bits)')
    s.add_argument('-o', '--output', default='BENCHMARKS.md', help='Markdown report to write')
    s.add_argument('--chart', default='benchmarks.png', help='PNG chart to write')
    s.set_defaults(func=cmd_bench)
    from . import live, record  # the gesture commands; verify --data DATASET.json: live.verify
    record.add_parser(sub, board_args, whole)
    live.add_parser(sub, board_args, whole)
    from . import studio  # the page; aiohttp only when it runs
    studio.add_parser(sub)
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
