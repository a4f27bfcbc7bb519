# Host only. `micronn record`: labelled windows of the board's accelerometer over serial, into
# CreateAI's dataset JSON (a project moves freely between CreateAI and micronn: the actions and
# recordings already in the file, and CreateAI's own fields in them, are kept) and a CSV for
# other tools. The board streams each sample as it reads it (micronn_record); the host counts
# down, shows each axis as the window fills, and picks the action: by --action, or by key,
# or by button A on a micro:bit.
import json
import os
import select
import sys
import time

from . import gesture_board, gesture_data, gesture_features, recording_files

BAR = 10  # characters per axis in the live view, for -2 g to 2 g: a line fits 80 columns


def add_parser(sub, board_args, positive):
    s = sub.add_parser('record', help='labelled sensor windows from the board, as a CreateAI '
                       'dataset and a CSV')
    s.add_argument('--action', help='record this action --count times, then stop (default: '
                   'pick actions by key as you go)')
    s.add_argument('--count', type=positive('--count 5'), default=1,
                   help='windows to record of --action')
    s.add_argument('--actions', help='the actions keys 1 to 9 pick, comma-separated, e.g. '
                   'still,shake (default: the dataset\'s)')
    s.add_argument('-o', '--output', default='dataset.json',
                   help='CreateAI dataset to add the recordings to (made if missing)')
    s.add_argument('--csv', help='CSV of every sample to write (default: beside the dataset)')
    s.add_argument('--samples', type=positive('--samples 50'),
                   default=gesture_features.SAMPLES, help='samples per window')
    s.add_argument('--period', type=positive('--period 20'),
                   default=gesture_features.PERIOD_MS, help='milliseconds between samples')
    s.add_argument('--countdown', type=int, default=3, help='seconds counted down before each '
                   'window (0: none)')
    s.add_argument('--sensor', help=gesture_board.SENSOR_HELP)
    board_args(s)
    s.set_defaults(func=cmd_record)


def read_dataset(path):
    """The dataset's JSON list of actions, or [] when the file does not exist yet."""
    if not os.path.exists(path):
        return []
    with open(path) as f:
        try:
            data = json.load(f)
        except ValueError as e:
            raise ValueError('%s is not a JSON file (%s): give a CreateAI dataset, or a new '
                             'name with -o' % (path, e))
    data = data.get('data') if isinstance(data, dict) else data
    if not isinstance(data, list):
        raise ValueError('%s is not a CreateAI dataset (a JSON list of actions): give a new '
                         'name with -o' % path)
    if len(data) >= 2:
        gesture_data.parse(data, path)  # what train would refuse is refused now
    return data


def add(data, name, rec):
    """Append the recording (x, y, z) to the action of that name, made if missing."""
    ids = [a.get('ID', a.get('id', 0)) for a in data] + [0]
    action = next((a for a in data if a.get('name') == name), None)
    if action is None:
        action = {'ID': max(i for i in ids if isinstance(i, int)) + 1, 'name': name,
                  'recordings': []}
        data.append(action)
    action['recordings'].append({'ID': int(time.time() * 1000) + len(action['recordings']),
                                 'data': dict(zip(gesture_features.AXES, rec))})


def save(data, path, csv_path, period):
    with open(path, 'w') as f:
        json.dump(data, f)
    actions = [gesture_data.Action(a['name'], [tuple(r['data'][k] for k in 'xyz')
                                               for r in a['recordings']]) for a in data]
    recording_files.write_csv(csv_path, actions, period)


def to_g(line, per_g):
    try:
        sample = [float(v) / per_g for v in line.split()]
    except ValueError:
        sample = []
    if len(sample) != 3:
        raise ValueError('the board\'s sensor gave %r, not a sample x y z: its function must '
                         'return three numbers' % line[:60])
    if per_g == 1 and max(abs(v) for v in sample) > gesture_data.G_LIMIT:
        raise ValueError('the sensor function returned %s: samples are in g (about -2 to 2); '
                         'if it returns milli-g, divide by 1000 in it' % line)
    return [round(v, 6) for v in sample]


def view(sample):
    """One line of bars, one per axis, for a terminal."""
    out = []
    for axis, v in zip('xyz', sample):
        n = max(0, min(BAR, int((v + 2) / 4 * BAR)))
        out.append('%s %+.2f [%s%s]' % (axis, v, '#' * n, ' ' * (BAR - n)))
    return '  '.join(out)


def window(board, args, say):
    """One window from the board, in g, shown per axis as it fills."""
    live = sys.stdout.isatty()
    for k in range(args.countdown, 0, -1):
        say('  %d...' % k, end='\r' if live else '\n')
        time.sleep(1)
    samples = []
    per_g = 1 if args.sensor else 1000

    def on_line(line):
        samples.append(to_g(line, per_g))
        if live:
            sys.stdout.write('\r  ' + view(samples[-1]) + ' ')
            sys.stdout.flush()
    code = 'micronn_record.window(%d,%d,%r)' % (args.samples, args.period, args.sensor)
    gesture_board.stream(board, code, on_line, board.link.timeout
                         + args.samples * args.period / 1000.0)
    if live:
        sys.stdout.write('\n')
    if len(samples) != args.samples:
        raise ValueError('the board gave %d samples of %d' % (len(samples), args.samples))
    return [list(axis) for axis in zip(*samples)]


def cmd_record(args):
    from .cli import _connect as connect, say
    if args.samples < gesture_features.MIN_SAMPLES:
        raise ValueError('--samples %d: CreateAI\'s features need %d or more'
                         % (args.samples, gesture_features.MIN_SAMPLES))
    data = read_dataset(args.output)
    csv_path = args.csv or os.path.splitext(args.output)[0] + '.csv'
    names = ([n.strip() for n in args.actions.split(',') if n.strip()] if args.actions
             else [a['name'] for a in data])
    if not args.action and not names:
        raise ValueError('nothing to record: give --action NAME (with --count N), or '
                         '--actions a,b,c to pick them by key')
    with connect(args) as board:
        gesture_board.check_sensor(board, args.sensor)
        gesture_board.put_firmware(board, say)
        board.link.exec('import gc\nimport micronn_record\ngc.collect()', alone=True)
        if args.action:
            for i in range(args.count):
                say('recording %s, %d of %d: %d samples at %d ms'
                    % (args.action, i + 1, args.count, args.samples, args.period))
                add(data, args.action, window(board, args, say))
                save(data, args.output, csv_path, args.period)
        else:
            _pick(board, args, data, names, csv_path, say)
    counts = ', '.join('%s %d' % (a['name'], len(a['recordings'])) for a in data)
    say('wrote %s and %s (%s)' % (args.output, csv_path, counts))


def _pick(board, args, data, names, csv_path, say):
    """Keys 1 to 9 record an action; button A (a micro:bit's) the last one again; q stops."""
    import termios
    import tty
    say('keys: %s; q to stop%s' % (', '.join('%d %s' % (i + 1, n) for i, n in
                                              enumerate(names[:9])),
                                    '; button A records the last action again'
                                    if gesture_board.is_microbit(board) else ''))
    fd = sys.stdin.fileno()
    old = termios.tcgetattr(fd)
    last = None
    try:
        tty.setcbreak(fd)
        while True:
            key = sys.stdin.read(1) if select.select([fd], [], [], 0.2)[0] else ''
            if key in ('q', '\x04'):
                return
            if key.isdigit() and 1 <= int(key) <= len(names[:9]):
                last = names[int(key) - 1]
            elif not (last and gesture_board.is_microbit(board)
                      and board.link.exec('micronn_record.pressed(200)').strip() == 'A'):
                continue
            say('recording %s' % last)
            add(data, last, window(board, args, say))
            save(data, args.output, csv_path, args.period)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)
