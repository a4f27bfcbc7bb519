# Host only. A gesture model on the board's own sensor and code. `micronn live MODEL` puts the
# model file and the gesture firmware on the board and starts micronn_live there, which
# classifies the sensor's last window several times a second and prints `action confidence`
# (a micro:bit also shows the action's first letter); the host prints those lines until Ctrl-C
# or --count. `micronn verify MODEL --data DATASET.json` replays each recording's raw samples
# through the board's features and net and compares the board's class with the host's.
import os

from . import files, firmware, gesture_board, gesture_data, gesture_features, gestures, \
    modelfile
from .errors import BoardError

EVERY_MS = 250  # CreateAI predicts 4 times a second
LINE = 10  # samples per line typed to the board's replay
# The heap the live loop takes at boot (its modules, per weight, per sample of its window, a
# margin), fitted to what the emulated micro:bit V1 measured: docs/gestures.md gives the figures
HEAP_LIVE_MODULES = 3040 + 632
HEAP_LIVE_PER_WEIGHT = 7
HEAP_LIVE_PER_SAMPLE = 14.4
HEAP_LIVE_MARGIN = 512


def add_parser(sub, board_args, positive):
    s = sub.add_parser('live', help='classify gestures live on the board\'s sensor')
    s.add_argument('model', help='gesture model written by `micronn train --data '
                   'DATASET.json`, its .gesture file beside it')
    s.add_argument('--every', type=positive('--every 250'), default=EVERY_MS,
                   help='milliseconds of samples between predictions')
    s.add_argument('--count', type=positive('--count 10'),
                   help='stop after this many predictions (default: run until Ctrl-C)')
    s.add_argument('--sensor', help=gesture_board.SENSOR_HELP)
    board_args(s)
    s.set_defaults(func=cmd_live)
    # `micronn flash` of a gesture model runs this loop at boot: its options, and the flash
    # that tells a gesture model from any other, are here beside live's
    s = sub.choices['flash']
    s.add_argument('--every', type=positive('--every 250'),
                   help='a gesture model: milliseconds of samples between predictions '
                   '(default: %d)' % EVERY_MS)
    s.add_argument('--sensor', help='a gesture model: ' + gesture_board.SENSOR_HELP)
    plain = s.get_default('func')
    s.set_defaults(func=lambda args: cmd_flash(args, plain))


def read_model(path):
    """(net, gesture file's contents) of a gesture model; ValueError if it is not one."""
    net = modelfile.read(path)
    side = gestures.gesture_path(path)
    try:
        gesture = gestures.read_gesture_file(side)
    except ValueError as e:
        raise ValueError('%s; a gesture model is trained with `micronn train --data '
                         'DATASET.json`, which writes it beside the model' % e)
    if gesture['actions'] != [] and len(gesture['actions']) != len(net.layers[-1]):
        raise ValueError('%s names %d actions, but %s has %d outputs: train again'
                         % (side, len(gesture['actions']), path, len(net.layers[-1])))
    if [n.name for n in net.layers[0]] != gesture_features.NAMES:
        raise ValueError('%s does not take CreateAI\'s %d features as its inputs: train it '
                         'with `micronn train --data DATASET.json`'
                         % (path, len(gesture_features.NAMES)))
    return net, gesture


def start(board, path, say, live=True):
    """The gesture firmware and the model on the board, the net loaded there as n; live: and
    the sampler, for the live loop."""
    gesture_board.put_firmware(board, say)
    name = gesture_board.put_model(board, path)
    # the net first, on the emptiest heap (its first layer is one list of 400 weights or
    # more); its reader runs from a dict that is then dropped, not imported (a micro:bit has
    # no sys.modules to unload it from), leaving its room to the features and the loop
    # Unchecked, on the heap as boot leaves it: the link's helper and the checked commands
    # take room a micro:bit does not have beside a net. (A command damaged on the way fails
    # as a bad name or syntax, and the link sends it again.)
    board.link.soft_reset()
    with gesture_board.unchecked(board.link) as link:
        link.exec("import gc\ng={}\nexec(open('micronn_gmodel.py').read(),g)\ngc.collect()")
        link.exec('n=g[%r](%r)\ng=None\ngc.collect()' % ('load', name))
        for m in ['micronn_replay'] * (not live) + ['micronn_features', 'micronn_live'] + [
                'micronn_record'] * live:
            link.exec('import %s\ngc.collect()' % m)


def cmd_live(args):
    from .cli import _connect, say
    net, gesture = read_model(args.model)
    samples, ms = gesture['window']
    with _connect(args) as board:
        gesture_board.check_sensor(board, args.sensor)
        start(board, args.model, say)
        say('classifying the last %d samples (%d ms apart) every %d ms on %s%s'
            % (samples, ms, args.every, board.link.port,
               '' if args.count else '; Ctrl-C stops'))
        code = 'micronn_live.run(n,%r,%d,%d,%d,%r,%d)' % (
            tuple(gesture['actions']), samples, ms, args.every, args.sensor, args.count or 0)
        deadline = (60 + 5 * (samples * ms + args.count * args.every) / 1000.0
                    if args.count else 1e9)
        gesture_board.stream(board, code, say, board.link.timeout + deadline)


def cmd_flash(args, plain):
    """`micronn flash MODEL`: a gesture model (its .gesture file beside it) to run live at
    boot on each board; any other model as plain(args) flashes it."""
    if not os.path.exists(gestures.gesture_path(args.model)):
        if args.every or args.sensor:
            raise ValueError('--every and --sensor are for a gesture model, and %s has no %s '
                             'beside it: train one with `micronn train --data DATASET.json`'
                             % (args.model, gestures.gesture_path(args.model)))
        return plain(args)
    if args.export:
        raise ValueError('%s is a gesture model: it is flashed with its live loop, which runs '
                         'the net without micronn; leave out --export' % args.model)
    from .cli import _each_board
    gesture = read_model(args.model)[1]

    def job(board, say, alone):
        return 'ok: live %s' % flash(board, args, gesture, say)
    _each_board(args, job)


def flash(board, args, gesture, say):
    """Flash a gesture model so that the board classifies live at boot (flash_live.put_live);
    returns the slot it is in. Refused before anything is written where the estimate says the
    live loop would not boot in the board's heap, or its files do not fit, saying what would."""
    from .flash import Flash
    from .flash_live import put_live
    net = modelfile.read(args.model)
    samples, ms = gesture['window']
    need = live_heap_need(weights(net), samples)
    if need > board.free:
        raise BoardError(
            'this %s (%d bytes of heap free) cannot run this gesture model at boot: the live '
            'loop needs about %d bytes with its net. Nothing was written. %s'
            % (board.profile['name'], board.free, need,
               live_would_fit(net, lambda w: live_heap_need(w, samples) <= board.free,
                              'classify from the PC with `micronn live MODEL`')))
    gesture_board.check_sensor(board, args.sensor)
    actions = tuple(gesture['actions'])
    every = args.every or EVERY_MS
    with open(args.model, 'rb') as f:
        model = f.read()
    say('flashing a gesture model to %s on %s: at boot it classifies the last %d samples '
        '(%d ms apart) every %d ms' % (board.profile['name'], board.link.port, samples, ms,
                                      every))

    def main(slot):
        return ('m = %r\na = %r\nw = (%d, %d, %d, %r)\n' % (
            slot, actions, samples, ms, every, args.sensor)).encode() + firmware.device_source(
                firmware.LIVE_MAIN, board.profile)

    def check(lines):
        """What is wrong with main.py's first lines at boot ('' if nothing)."""
        said = [line for line in lines if gesture_board.PREDICTION.match(line)]
        if said and said[0].rpartition(' ')[0] in actions:
            say('  at boot: %s' % ' / '.join(lines[-2:]))
            return ''
        return 'the board did not classify at boot (it printed %r): %s' % (
            '\n'.join(lines[-3:]), 'train it with fewer hidden units (--layers)' if any(
                'MemoryError' in line for line in lines) else
            'run `micronn live %s` to see its error' % args.model)

    def fits(room, plan):
        """What would fit in the board's filesystem, for its refusal."""
        def room_for(w):
            if live_heap_need(w, samples) > board.free:
                return False
            size = len(model) + 8 * (w - weights(net))
            try:
                files.check_room(board.fs, room, [(op, n, size if n == slot else a)
                                                  for op, n, a in plan])
                return True
            except BoardError:
                return False
        slot = [n for op, n, _ in plan if n in firmware.LIVE_SLOTS][-1]
        return 'the live loop\'s files and the model file take the room there is. ' + \
            live_would_fit(net, room_for)
    return put_live(Flash(board, say), model, main, check, fits)


def weights(net, sizes=None):
    """How many weights (with biases) net has, or a net of its inputs and layer sizes."""
    sizes = sizes or [len(k) for k in net.layers]
    return sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))


def live_heap_need(count, samples):
    """The heap the live loop needs at boot with a net of count weights and a window of
    samples (an estimate from measured figures)."""
    return int(HEAP_LIVE_MODULES + HEAP_LIVE_PER_WEIGHT * count + HEAP_LIVE_PER_SAMPLE * samples
               + HEAP_LIVE_MARGIN)


def live_would_fit(net, ok, other=None):
    """What to do, for a refusal: the most hidden units, then the most actions, with which
    ok(weights) holds, the rest of the net as it is; other: what else would do."""
    sizes = [len(k) for k in net.layers]
    out = []
    if len(sizes) == 3:
        fit = [h for h in range(1, sizes[1]) if ok(weights(None, [sizes[0], h, sizes[2]]))]
        if fit:
            out.append('%d hidden units instead of %d (train with --layers %d)'
                       % (fit[-1], sizes[1], fit[-1]))
        fit = [k for k in range(2, sizes[2]) if ok(weights(None, sizes[:2] + [k]))]
        if fit:
            out.append('%d actions instead of %d' % (fit[-1], sizes[2]))
    more = '; or %s' % other if other else ''
    if not out:
        return 'Use fewer hidden units%s' % more
    return 'It would fit with %s%s' % (' or '.join(out), more)


def verify(args):
    """`micronn verify MODEL --data DATASET.json`."""
    from .cli import _connect, say, _table
    net, gesture = read_model(args.model)
    names = gesture['actions']
    actions = gesture_data.load(args.data)
    rows = [(a.name, rec) for a in actions for rec in a.recordings]
    unknown = sorted(set(a.name for a in actions) - set(names))
    if unknown:
        say('note: %s has no action %s: its recordings count as wrong'
            % (args.model, ', '.join(unknown)))
    table, right, differ = [], 0, []
    with _connect(args) as board:
        outputs = replay(board, args.model, [rec for _, rec in rows], say)
    for i, ((name, rec), got) in enumerate(zip(rows, outputs), 1):
        host = gestures.argmax(net.predict(gesture_features.features(*rec)))
        k = gestures.argmax(got)
        right += names[k] == name
        if k != host:
            differ.append(i)
        table.append([str(i), name, names[host], names[k], '%.3f' % got[k],
                      '<-- differs' if k != host else ''])
    for line in _table(['recording', 'action', 'host', 'board', 'confidence', ''], table):
        say(line)
    say('accuracy %d/%d' % (right, len(rows)))
    if differ:
        raise BoardError('the board\'s class differs from the host\'s on recording(s) %s: '
                         'flash the firmware again (`micronn live` rewrites it)'
                         % ', '.join(map(str, differ)))


def replay(board, model, recs, say):
    """The board's outputs for each recording (x, y, z), through its own features and the
    model's net: what `micronn verify --data` and the CreateAI benchmark compare."""
    start(board, model, say, live=False)
    with gesture_board.unchecked(board.link) as link:
        link.start('micronn_replay.replay(n,micronn_features.features,micronn_live.predict)')
    outputs = [on_board(board, rec) for rec in recs]
    board.link.enter()  # Ctrl-C ends replay
    return outputs


def on_board(board, rec):
    """The board's outputs for one recording's raw samples, typed to micronn_replay in lines
    the board echoes (one damaged on the way is typed again: each line is whole in itself)."""
    link = board.link
    link.ask('n %d' % len(rec[0]))
    for k, axis in enumerate(rec):
        for at in range(0, len(axis), LINE):
            link.ask('%d %d %s' % (k, at, ' '.join(repr(v) for v in axis[at:at + LINE])))
    out = link.ask('p')[:-len('> ')].split()
    try:
        return [float(v) for v in out]
    except ValueError:
        raise BoardError('the board answered %r to a window, not its outputs' % ' '.join(out))
