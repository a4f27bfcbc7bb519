# Host only. A held-out evaluation on a CreateAI dataset, any user's own export:
#
#   python -m micronn_tools.bench.createai DATASET.json [--folds 3] [--port PORT ...]
#
# The split: K folds by each recording's position within its action in the file; fold f
# holds out the recordings at positions f, f + K, f + 2K... of every action and trains on
# the rest, so over the K folds every recording is held out exactly once, and the same file
# always splits the same way. Per fold, micronn trains as `micronn train --data` does (on the
# training part written as a dataset file), and a scikit-learn MLPClassifier (one hidden layer
# of 16 relu, as CreateAI's net and micronn's) learns from the same 24 features with the same
# min/max scaling, fitted on the training part only. Given ports, each board replays the
# held-out recordings through its own features and net (live.replay, as `micronn verify
# --data` does). Figures are printed; no goal is asserted.
import argparse
import os
import sys
import tempfile
import warnings

from .. import gesture_data, gesture_features, gestures, live
from ..errors import BoardError

FOLDS = 3
SKLEARN = dict(hidden_layer_sizes=(16,), activation='relu', max_iter=2000)


def split(actions, folds, fold):
    """(training [Action], held-out [(action index, position, recording)]) of one fold: the
    recordings at positions fold, fold + folds, ... of each action are held out."""
    train, held = [], []
    for k, a in enumerate(actions):
        keep = [r for i, r in enumerate(a.recordings) if i % folds != fold]
        held += [(k, i, r) for i, r in enumerate(a.recordings) if i % folds == fold]
        train.append(gesture_data.Action(a.name, keep))
    return train, held


def check(actions, folds):
    """ValueError naming what makes the split impossible."""
    if folds < 2:
        raise ValueError('--folds %d: give 2 or more (each fold holds out 1/K of the '
                         'recordings)' % folds)
    few = [a.name for a in actions if len(a.recordings) < 2]
    if few:
        raise ValueError('action(s) %s have one recording: a held-out test needs 2 or more per '
                         'action, one to train on and one to test' % ', '.join(few))


def sklearn_predictions(train, held, seed):
    """The classes a scikit-learn MLP predicts for the held-out recordings, trained on the
    same features and scaling as micronn."""
    try:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier
    except ImportError:
        raise ValueError('the scikit-learn comparison needs scikit-learn: pip install '
                         '"micronn[convert]", or pip install scikit-learn')
    xs, labels = gestures.dataset_rows(train)
    low, high = gestures.fit_scaling(xs)
    clf = MLPClassifier(random_state=seed, **SKLEARN)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', ConvergenceWarning)
        clf.fit([gestures.scale(x, low, high) for x in xs], labels)
    rows = [gestures.scale(gesture_features.features(*r), low, high) for _, _, r in held]
    return [int(c) for c in clf.predict(rows)]


def run_fold(actions, folds, fold, workdir, epochs, seed, say):
    """One fold: {'held': [(action, position, recording)], 'model': path, 'host': [outputs],
    'sklearn': [class]}."""
    train, held = split(actions, folds, fold)
    path = os.path.join(workdir, 'fold%d.json' % (fold + 1))
    with open(path, 'w') as f:
        f.write(gesture_data.dumps(train))
    model = os.path.join(workdir, 'fold%d.mn' % (fold + 1))
    net = gestures.train(path, epochs=epochs, seed=seed, output=model, say=say)
    host = [net.predict(gesture_features.features(*r)) for _, _, r in held]
    return {'held': held, 'model': model, 'host': host,
            'sklearn': sklearn_predictions(train, held, seed)}


def on_boards(results, ports, timeout, say):
    """{port: [outputs per held-out recording, fold after fold]}: each fold's model, then its
    held-out recordings replayed through the board's own features and net."""
    from ..board import connect
    out = {}
    longest = max(len(rec[0]) for r in results for _, _, rec in r['held'])
    for port in ports:
        got = []
        with connect(port, None, say=say, timeout=timeout) as board:
            for r in results:
                # the last fold's net and window leave a micro:bit no heap to write a model
                board.link.soft_reset()
                try:
                    got += live.replay(board, r['model'], [rec for _, _, rec in r['held']], say)
                except BoardError as e:
                    if 'out of memory' not in str(e) or longest <= gesture_features.SAMPLES:
                        raise
                    raise BoardError('%s; the recordings hold up to %d samples: --window %d '
                                     'replays the board\'s own window'
                                     % (e, longest, gesture_features.SAMPLES))
        out[port] = got
    return out


def evaluate(path, folds=FOLDS, epochs=gestures.EPOCHS, seed=1, ports=(), timeout=10.0,
             window=None, say=print, quiet=True):
    """The figures: {'actions': [names], 'labels': [action of each held-out recording],
    'positions': [its position among its action's recordings, from 0],
    'micronn': [class], 'sklearn': [class], 'boards': {port: {'classes': [...],
    'agree': count, 'largest': largest output difference from the host}}}."""
    actions = gesture_data.load(path)
    if window:
        actions = gestures.cut(actions, window)
    check(actions, folds)
    lengths = sorted(len(r[0]) for a in actions for r in a.recordings)
    say('%s: %d actions (%s), %d recordings of %d to %d samples; %d folds: fold f holds out '
        'each action\'s recordings f, f+%d, ... (by position in the file, from 1)'
        % (path, len(actions), ', '.join(a.name for a in actions), len(lengths), lengths[0],
           lengths[-1], folds, folds))
    with tempfile.TemporaryDirectory(prefix='micronn-createai-') as workdir:
        results = []
        for fold in range(folds):
            results.append(run_fold(actions, folds, fold, workdir, epochs, seed,
                                    (lambda *a, **k: None) if quiet else say))
            r = results[-1]
            say('  fold %d: trained on %d, held out %d: micronn %d right, scikit-learn %d'
                % (fold + 1, len(lengths) - len(r['held']), len(r['held']),
                   sum(gestures.argmax(o) == h[0] for o, h in zip(r['host'], r['held'])),
                   sum(c == h[0] for c, h in zip(r['sklearn'], r['held']))))
        boards = on_boards(results, ports, timeout, say) if ports else {}
    labels = [k for r in results for k, _, _ in r['held']]
    positions = [i for r in results for _, i, _ in r['held']]
    host = [o for r in results for o in r['host']]
    figures = {'actions': [a.name for a in actions], 'labels': labels, 'positions': positions,
               'micronn': [gestures.argmax(o) for o in host],
               'sklearn': [c for r in results for c in r['sklearn']], 'boards': {}}
    for port, outputs in boards.items():
        classes = [gestures.argmax(o) for o in outputs]
        figures['boards'][port] = {
            'classes': classes,
            'agree': sum(c == h for c, h in zip(classes, figures['micronn'])),
            'largest': max(abs(b - h) for bo, ho in zip(outputs, host)
                           for b, h in zip(bo, ho))}
    return figures


def lines(figures):
    """The report: accuracy on the held-out recordings, then each board's."""
    labels = figures['labels']
    n = len(labels)

    def accuracy(classes):
        right = sum(c == t for c, t in zip(classes, labels))
        return '%d/%d (%.1f%%)' % (right, n, 100.0 * right / n)
    out = ['held out, over all folds:',
           '  micronn (host)          %s' % accuracy(figures['micronn']),
           '  scikit-learn MLP        %s' % accuracy(figures['sklearn'])]
    for port, b in figures['boards'].items():
        out.append('  board on %s  %s; same class as the host on %d/%d, outputs within %.2g'
                   % (port, accuracy(b['classes']), b['agree'], n, b['largest']))
    names = figures['actions']
    for who in ('micronn', 'sklearn'):
        wrong = ['%s #%d as %s' % (names[t], i + 1, names[c]) for c, t, i in
                 zip(figures[who], labels, figures['positions']) if c != t]
        if wrong:
            out.append('  %s wrong on: %s' % (who, ', '.join(wrong)))
    k = len(names)
    counts = [[0] * k for _ in range(k)]
    for c, t in zip(figures['micronn'], labels):
        counts[t][c] += 1
    return out + ['micronn\'s held-out confusion:'] + [
        '  ' + line for line in gestures.confusion_lines(counts, figures['actions'])]


def main(argv=None):
    p = argparse.ArgumentParser(
        prog='python -m micronn_tools.bench.createai',
        description='held-out accuracy of micronn on a CreateAI dataset, beside a '
                    'scikit-learn MLP on the same features, and on boards given --port')
    p.add_argument('data', help='a CreateAI dataset ("Save data samples"), JSON')
    p.add_argument('--folds', type=int, default=FOLDS,
                   help='K: fold f holds out each action\'s recordings f, f+K, ... (default 3)')
    p.add_argument('--epochs', type=int, default=gestures.EPOCHS,
                   help='micronn\'s epochs, as `micronn train --data` (default %d)'
                   % gestures.EPOCHS)
    p.add_argument('--seed', type=int, default=1, help='both nets\' seed (default 1)')
    p.add_argument('--window', type=int,
                   help='use only each recording\'s first N samples, for training and testing '
                   '(50: the board\'s live window; default: the whole recording)')
    p.add_argument('--port', action='append', default=[],
                   help='a board to replay the held-out recordings on (repeat for more)')
    p.add_argument('--timeout', type=float, default=10.0,
                   help='seconds to wait for a board to answer a command')
    p.add_argument('--verbose', action='store_true', help='print micronn\'s training too')
    args = p.parse_args(argv)
    try:
        figures = evaluate(args.data, args.folds, args.epochs, args.seed, args.port,
                           args.timeout, args.window, quiet=not args.verbose)
    except (ValueError, BoardError) as e:
        print('micronn: %s' % e, file=sys.stderr)
        return 1
    for line in lines(figures):
        print(line)
    return 0


if __name__ == '__main__':
    sys.exit(main())
