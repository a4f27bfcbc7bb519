# Host only. `micronn train --data DATASET.json`: a gesture classifier from a CreateAI dataset.
# Each recording becomes CreateAI's 24 features (gesture_features); each feature is scaled to
# [0, 1] by the smallest and largest value it takes in the dataset; a net of micronn's own
# learns one softmax output per action. The scaling is then folded into the net's first layer,
# so the model file takes the features as the board computes them (micronn_features) and
# serves, verifies and exports like any other. The rest a board needs to classify live (the
# window, the actions' names, the scaling for the record) goes in a small text file beside it.
import os
import zlib

import micronn
import micronn_save
import micronn_train

from . import gesture_data, gesture_features, modelfile

EPOCHS = 160  # CreateAI's mlSettings.numEpochs
HIDDEN = [16]  # CreateAI's one dense layer of 16, relu as theirs
FLAT = 1e-3  # a feature whose range in the dataset is smaller is shifted to 0, not stretched
VERSION = 'micronn-gesture 1'


def dataset_rows(actions):
    """([features], [action index]) of every recording, in the dataset's order."""
    xs, labels = [], []
    for k, action in enumerate(actions):
        for rec in action.recordings:
            xs.append(gesture_features.features(*rec))
            labels.append(k)
    return xs, labels


def cut(actions, window):
    """Each recording's first window samples: the board's live loop classifies CreateAI's 50
    (1 s at 20 ms), while older CreateAI recordings hold about 90 (1.8 s)."""
    if window < gesture_features.MIN_SAMPLES:
        raise ValueError('--window %d: CreateAI\'s features need %d samples or more'
                         % (window, gesture_features.MIN_SAMPLES))
    return [gesture_data.Action(a.name, [tuple(axis[:window] for axis in r)
                                         for r in a.recordings]) for a in actions]


def fit_scaling(xs):
    """(low, high) of each feature over the rows xs: min/max scaling maps them to 0 and 1."""
    columns = list(zip(*xs))
    return [min(c) for c in columns], [max(c) for c in columns]


def _span(lo, hi):
    return hi - lo if hi - lo >= FLAT else 1.0


def scale(x, low, high):
    return [(v - lo) / _span(lo, hi) for v, lo, hi in zip(x, low, high)]


def fold(net, low, high):
    """A copy of net that takes features unscaled: weight w on a scaled input becomes
    w / span on the raw one, and the bias takes -w * low / span."""
    out = micronn.NeuralNet(net.inputs, net.learning_rate)
    out.layer_weights = [list(row) for row in net.layer_weights]
    out.outputs = [list(o) for o in net.outputs]
    out.activations = list(net.activations)
    out._act = net._act
    row = out.layer_weights[0]
    n = len(net.inputs)
    for at in range(0, len(row), n + 1):  # per neuron: its bias, then a weight per input
        for i in range(n):
            w = row[at + 1 + i] / _span(low[i], high[i])
            row[at + 1 + i] = w
            row[at] -= w * low[i]
    return out


def argmax(p):
    return max(range(len(p)), key=lambda j: p[j])


def confusion(net, xs, labels, k):
    """counts[true action][predicted action]."""
    counts = [[0] * k for _ in range(k)]
    for x, t in zip(xs, labels):
        counts[t][argmax(net.predict(x))] += 1
    return counts


def length_note(lengths, window=None):
    """What to say when the recordings trained on (lengths, sorted, before any cut to window)
    are not about as long as the board's window; None when they are."""
    used = lengths[len(lengths) // 2]
    if window:
        used = min(used, window)
    if abs(used - gesture_features.SAMPLES) <= 10:
        return None
    return ('the recordings trained on hold about %d samples; the board classifies windows of '
            '%d at %d ms%s' % (used, gesture_features.SAMPLES, gesture_features.PERIOD_MS,
                               ' (--window %d trains on the first %d of each)'
                               % (gesture_features.SAMPLES, gesture_features.SAMPLES)
                               if used > gesture_features.SAMPLES else ''))


def train_command(args, say):
    """`micronn train --data X.json`."""
    if args.outputs:
        raise ValueError('--outputs is for a CSV; a gesture dataset\'s outputs are its '
                         'actions: leave --outputs out')
    return train(args.data, args.layers, args.rate, args.epochs or EPOCHS, args.seed,
                 args.output, args.plot, say=say, window=args.window)


def train(path, layers=None, rate=0.1, epochs=EPOCHS, seed=1, output='model.mn', plot=None,
          say=print, window=None):
    """Train on the dataset at path (window: each recording's first window samples), write
    output and its gesture file; returns the net."""
    actions = gesture_data.load(path)
    recorded = sorted(len(rec[0]) for a in actions for rec in a.recordings)
    if window:
        actions = cut(actions, window)
    xs, labels = dataset_rows(actions)
    k = len(actions)
    low, high = fit_scaling(xs)
    rows = [(scale(x, low, high), [1.0 if j == t else 0.0 for j in range(k)])
            for x, t in zip(xs, labels)]
    sizes = [len(gesture_features.NAMES)] + list(layers or HIDDEN) + [k]
    net = micronn.NeuralNet(gesture_features.NAMES, rate, seed=seed)
    for n in sizes[1:-1]:
        net.add_layer(n, 'relu')
    net.add_layer(k, 'softmax')
    say('training on %s: %d actions (%s), %d recordings of %d to %d samples%s'
        % (path, k, ', '.join(a.name for a in actions), len(rows), recorded[0], recorded[-1],
           ', each cut to its first %d' % window if window and window < recorded[-1] else ''))
    note = length_note(recorded, window)
    if note:
        say('  note: ' + note)
    say('features: CreateAI\'s %d (%s per axis), min/max scaled; layers %s, relu then '
        'softmax, rate %g, %d epochs, seed %d'
        % (len(gesture_features.NAMES), ' '.join(gesture_features.FILTERS), sizes, rate,
           epochs, seed))
    losses = []
    every = max(1, epochs // 10)

    def report(epoch, loss, _):
        losses.append(loss)
        if epoch % every == 0 or epoch == epochs:
            right = sum(argmax(net.predict(x)) == y.index(1.0) for x, y in rows)
            say('  epoch %5d  loss %.6f  accuracy %5.1f%%'
                % (epoch, loss, 100.0 * right / len(rows)))
    micronn_train.fit(net, rows, epochs, seed=seed, report=report)
    served = fold(net, low, high)
    try:  # what flash would refuse is refused here, before a file is written
        modelfile.loads(micronn_save.dumps(served))
    except ValueError as e:
        raise ValueError('training with --rate %g went astray (%s); use a smaller --rate'
                         % (rate, e))
    counts = confusion(served, xs, labels, k)
    right = sum(counts[t][t] for t in range(k))
    served.save(output)
    side = write_gesture_file(output, [a.name for a in actions], low, high)
    for line in confusion_lines(counts, [a.name for a in actions]):
        say(line)
    say('wrote %s and %s (accuracy %d/%d on the dataset)' % (output, side, right, len(rows)))
    if plot:
        draw(plot, losses, counts, [a.name for a in actions])
        say('wrote %s' % plot)
    return served


def confusion_lines(counts, names):
    width = max(len(n) for n in names + ['action'])
    head = ' ' * width + '  ' + ' '.join('%6s' % n[:6] for n in names) + '   <- predicted'
    return [head] + ['%-*s  %s' % (width, n, ' '.join('%6d' % c for c in row))
                     for n, row in zip(names, counts)]


# The gesture file --------------------------------------------------------------------------

def gesture_path(model):
    """xor.mn -> xor.gesture: the gesture file beside a model file."""
    return (model[:-3] if model.endswith('.mn') else model) + '.gesture'


def write_gesture_file(model, actions, low, high):
    """Text, read line by line (the micro:bit has no json), an Adler-32 last as in a model."""
    lines = [VERSION,
             'window %d %d' % (gesture_features.SAMPLES, gesture_features.PERIOD_MS),
             'features ' + ' '.join(gesture_features.NAMES)]
    lines += ['action ' + a for a in actions]
    lines += ['low ' + ' '.join(repr(v) for v in low), 'high ' + ' '.join(repr(v) for v in high)]
    body = ('\n'.join(lines) + '\n').encode('utf-8')
    path = gesture_path(model)
    with open(path, 'wb') as f:
        f.write(body + b'sum %08x\n' % zlib.adler32(body))
    return path


def read_gesture_file(path):
    """{'window': (samples, ms), 'features': [...], 'actions': [...], 'low': [...],
    'high': [...]}; ValueError naming the file and what is wrong."""
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError as e:
        raise ValueError('cannot read gesture file %s: %s' % (path, e.strerror))
    body, _, last = data.rstrip(b'\n').rpartition(b'\n')
    body += b'\n'
    if last != b'sum %08x' % zlib.adler32(body):
        raise ValueError('%s: checksum wrong (not a file micronn wrote, or changed since: '
                         'train again)' % path)
    out = {'actions': []}
    lines = body.decode('utf-8').splitlines()
    if lines[0] != VERSION:
        raise ValueError('%s: not "%s"' % (path, VERSION))
    for line in lines[1:]:
        key, _, value = line.partition(' ')
        if key == 'action':
            out['actions'].append(value)
        elif key == 'window':
            out['window'] = tuple(int(v) for v in value.split())
        elif key == 'features':
            out['features'] = value.split()
        elif key in ('low', 'high'):
            out[key] = [float(v) for v in value.split()]
    missing = [k for k in ('window', 'features', 'low', 'high') if k not in out]
    if missing or len(out['actions']) < 2:
        raise ValueError('%s: no %s line' % (path, (missing or ['second action'])[0]))
    return out


# --plot ---------------------------------------------------------------------------------

def draw(path, losses, counts, names):
    """The loss per epoch and the confusion matrix, side by side, as a PNG."""
    try:
        import matplotlib
    except ImportError:
        raise ValueError('--plot needs matplotlib: pip install "micronn[bench]", or leave '
                         '--plot out')
    matplotlib.use('Agg')  # no display needed
    from matplotlib import pyplot
    fig, (left, right) = pyplot.subplots(1, 2, figsize=(10, 4))
    left.semilogy(range(1, len(losses) + 1), losses)
    left.set_xlabel('epoch')
    left.set_ylabel('mean loss (cross-entropy)')
    left.set_title('training loss')
    right.imshow(counts, cmap='Blues')
    ticks = range(len(names))
    right.set_xticks(list(ticks))
    right.set_xticklabels(names, rotation=30, ha='right')
    right.set_yticks(list(ticks))
    right.set_yticklabels(names)
    right.set_xlabel('predicted')
    right.set_ylabel('recorded')
    right.set_title('confusion on the dataset')
    top = max(max(r) for r in counts) or 1
    for i, row in enumerate(counts):
        for j, c in enumerate(row):
            right.text(j, i, str(c), ha='center', va='center',
                       color='white' if c > top / 2 else 'black')
    fig.tight_layout()
    fig.savefig(path)
    pyplot.close(fig)
    return os.path.abspath(path)
