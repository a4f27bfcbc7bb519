# Host only. The studio's dataset and training: XOR, a CSV (read by data.load_csv, as `micronn
# train --data CSV`) or a gesture dataset (CreateAI's JSON, read and written by gesture_data),
# trained by micronn_train.fit on micronn's own net, as the CLI trains. What the page adds is
# seeing it: the loss and accuracy every few epochs, the decision boundary of a 2-input net,
# and a confusion matrix at the end.
import json
import os
import tempfile

import micronn
import micronn_save
import micronn_train

from .. import data, gesture_data, gesture_features, gestures, modelfile
from ..cli import XOR_EPOCHS, XOR_HIDDEN  # the CLI's defaults, the studio's too

POINTS = 100  # loss and accuracy points sent to the page per training
GRID = 24  # the decision boundary: predictions on GRID x GRID inputs


class Stop(Exception):
    """The page asked to stop training."""


class Dataset:
    """kind 'xor', 'csv' or 'gestures'; names, rows and classes for a table, actions for
    gestures."""

    def __init__(self):
        self.set_xor()

    def set_xor(self):
        self.kind, self.source = 'xor', 'XOR'
        self.names, self.rows, self.classes, self.actions = ['x1', 'x2'], data.XOR, None, None
        self.text = 'x1,x2,y\n' + ''.join('%d,%d,%d\n' % (x[0], x[1], y[0]) for x, y in data.XOR)

    def set_csv(self, filename, text):
        """A CSV as `micronn train --data` reads it (a class column last)."""
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, os.path.basename(filename) or 'data.csv')
            with open(path, 'w', encoding='utf-8') as f:
                f.write(text)
            try:
                names, rows, classes = data.load_csv(path)
            except ValueError as e:
                raise ValueError(str(e).replace(path, filename))
        self.kind, self.source, self.text = 'csv', filename, text
        self.names, self.rows, self.classes, self.actions = names, rows, classes, None

    def set_gestures(self, filename, text):
        """A CreateAI dataset (or what `micronn record` writes)."""
        try:
            parsed = json.loads(text)
        except ValueError as e:
            raise ValueError('%s is not a JSON file (%s); give the dataset CreateAI exports or '
                             '`micronn record` writes' % (filename, e))
        self.kind, self.source = 'gestures', filename
        self.actions = gesture_data.parse(parsed, filename)
        self.names, self.rows, self.classes = gesture_features.NAMES, None, None

    def start_gestures(self):
        """An empty gesture dataset, to record into."""
        self.kind, self.source, self.actions = 'gestures', 'recorded', []
        self.names, self.rows, self.classes = gesture_features.NAMES, None, None

    def add_recording(self, action, rec):
        if self.kind != 'gestures':
            self.start_gestures()
        action = _action_name(action)
        for a in self.actions:
            if a.name == action:
                a.recordings.append(rec)
                return
        self.actions.append(gesture_data.Action(action, [rec]))

    def delete(self, action, index):
        a = self._action(action)
        del a.recordings[index]
        if not a.recordings:
            self.actions.remove(a)

    def relabel(self, action, index, to):
        rec = self._action(action).recordings[index]
        self.delete(action, index)
        self.add_recording(to, rec)

    def _action(self, name):
        for a in self.actions or ():
            if a.name == name:
                return a
        raise ValueError('no action "%s" in the dataset' % name)

    def download(self):
        """(file name, bytes) in the CLI's format: the CSV, or CreateAI's JSON."""
        if self.kind == 'gestures':
            return 'gestures.json', gesture_data.dumps(self.actions).encode('utf-8')
        name = 'xor.csv' if self.kind == 'xor' else os.path.basename(self.source)
        return name, self.text.encode('utf-8')

    def state(self):
        out = {'kind': self.kind, 'source': self.source, 'inputs': len(self.names)}
        if self.kind == 'gestures':
            out['actions'] = [{'name': a.name, 'recordings': [
                {'samples': len(r[0]), 'x': r[0], 'y': r[1], 'z': r[2]} for r in a.recordings]}
                for a in self.actions]
        else:
            out['names'] = self.names
            out['classes'] = self.classes
            out['rows'] = [[x, y] for x, y in self.rows[:500]]
            out['count'] = len(self.rows)
        return out


def _action_name(name):
    name = (name or '').strip()
    if not name or '\n' in name:
        raise ValueError('give the action a name on one line, e.g. "shake"')
    return name


class Model:
    """The trained (or uploaded) net and what goes beside it: a class file's classes or a
    gesture file's actions and scaling."""

    def __init__(self, net, classes=None, gesture=None):
        self.net = net
        self.classes = classes
        self.gesture = gesture  # (actions, low, high)

    def layers(self):
        return [len(layer) for layer in self.net.layers]

    def files(self):
        """{file name: bytes}: the model file and its class or gesture file, as the CLI
        writes them."""
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'model.mn')
            self.net.save(path)
            if self.classes:
                data.write_classes(path, self.classes)
            if self.gesture:
                gestures.write_gesture_file(path, *self.gesture)
            out = {}
            for name in sorted(os.listdir(d)):
                with open(os.path.join(d, name), 'rb') as f:
                    out[name] = f.read()
            return out

    def state(self):
        names = self.classes or (self.gesture and self.gesture[0])
        return {'layers': self.layers(), 'activations': list(self.net.activations),
                'inputs': [n.name for n in self.net.layers[0]], 'classes': names or None,
                'gesture': bool(self.gesture)}


def _read_beside(name, raw, read):
    """read(path) of an uploaded file, its errors naming it as the user did."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, os.path.basename(name))
        with open(path, 'wb') as f:
            f.write(raw)
        try:
            return read(path)
        except ValueError as e:
            raise ValueError(str(e).replace(path, os.path.basename(name)))


def attach(model, name, raw):
    """A class file (.classes) or gesture file (.gesture) uploaded for model, checked against
    it as `micronn predict --classes` and `micronn live` check theirs."""
    if model is None:
        raise ValueError('upload the model file (.mn) first, then %s' % name)
    if name.endswith('.classes'):
        classes = _read_beside(name, raw, data.read_classes)
        if len(data.one_hot(0, len(classes))) != model.layers()[-1]:
            raise ValueError('%s names %d classes, but the model gives %d output(s): give the '
                             'class file written beside it' % (name, len(classes),
                                                               model.layers()[-1]))
        model.classes = classes
    elif name.endswith('.gesture'):
        g = _read_beside(name, raw, gestures.read_gesture_file)
        if len(g['actions']) != model.layers()[-1] or \
                [n.name for n in model.net.layers[0]] != g['features']:
            raise ValueError('%s is not the gesture file of this model (%d actions for %d '
                             'outputs): give the one written beside it'
                             % (name, len(g['actions']), model.layers()[-1]))
        model.gesture = (g['actions'], g['low'], g['high'])
    else:
        raise ValueError('%s: give a model file (.mn), or the .classes or .gesture file '
                         'written beside it' % name)
    return model


def upload_model(raw):
    """A model file's bytes, as `micronn flash` reads them."""
    try:
        return Model(modelfile.loads(raw)[1])
    except ValueError as e:
        raise ValueError('not a micronn model file (%s): give a .mn file `micronn train` '
                         'wrote' % e)


def train(dataset, emit, layers=None, rate=0.1, epochs=None, seed=1, stop=lambda: False):
    """Train on dataset as `micronn train` does, emitting progress ('epoch' events); return
    the Model."""
    if dataset.kind == 'gestures':
        return _train_gestures(dataset, emit, layers, rate, epochs or gestures.EPOCHS, seed,
                               stop)
    names, rows, classes = dataset.names, dataset.rows, dataset.classes
    layers = layers or [int(n) for n in XOR_HIDDEN.split()]
    epochs = epochs or XOR_EPOCHS
    net = micronn.NeuralNet(names, rate, seed=seed)
    sizes = list(layers) + [len(rows[0][1])]
    for i, n in enumerate(sizes):
        net.add_layer(n, data.activation(classes) if i == len(sizes) - 1 else 'sigmoid')
    emit('training', layers=[len(names)] + sizes, epochs=epochs, rate=rate, seed=seed)
    boundary = len(names) == 2 and _box(rows)
    _fit(net, rows, epochs, seed, emit, stop, boundary=boundary)
    _check(net, rate)
    labels = (classes or ['0', '1']) if len(rows[0][1]) == 1 else classes
    if labels:
        truth = [_label(y) for _, y in rows]
        emit('confusion', names=labels, counts=_counts(
            truth, [_label(net.predict(x)) for x, _ in rows], len(labels)))
    return Model(net, classes)


def _train_gestures(dataset, emit, layers, rate, epochs, seed, stop):
    """As gestures.train: CreateAI's features, min/max scaled, relu then softmax; the scaling
    folded into the first layer so the board takes raw features."""
    actions = dataset.actions
    if len(actions) < 2:
        raise ValueError('%d action(s) recorded: a classifier needs 2 or more; record another '
                         'action' % len(actions))
    xs, labels = gestures.dataset_rows(actions)
    k = len(actions)
    low, high = gestures.fit_scaling(xs)
    rows = [(gestures.scale(x, low, high), [1.0 if j == t else 0.0 for j in range(k)])
            for x, t in zip(xs, labels)]
    sizes = [len(gesture_features.NAMES)] + list(layers or gestures.HIDDEN) + [k]
    net = micronn.NeuralNet(gesture_features.NAMES, rate, seed=seed)
    for n in sizes[1:-1]:
        net.add_layer(n, 'relu')
    net.add_layer(k, 'softmax')
    emit('training', layers=sizes, epochs=epochs, rate=rate, seed=seed)
    _fit(net, rows, epochs, seed, emit, stop)
    served = gestures.fold(net, low, high)
    _check(served, rate)
    names = [a.name for a in actions]
    emit('confusion', names=names, counts=gestures.confusion(served, xs, labels, k))
    return Model(served, gesture=(names, low, high))


def _fit(net, rows, epochs, seed, emit, stop, boundary=None):
    every = max(1, epochs // POINTS)

    def report(epoch, loss, acc):
        if stop():
            raise Stop()
        if epoch % every == 0 or epoch == epochs:
            out = {'epoch': epoch, 'loss': loss, 'accuracy': acc}
            if boundary:
                out['boundary'] = _grid(net, boundary)
            emit('epoch', **out)
    micronn_train.fit(net, rows, epochs, seed=seed, report=report)


def _check(net, rate):
    """What flash would refuse is refused here, as `micronn train` does."""
    try:
        modelfile.loads(micronn_save.dumps(net))
    except ValueError as e:
        raise ValueError('training with rate %g went astray (%s); use a smaller rate'
                         % (rate, e))


def _box(rows):
    """The inputs' range, a margin around it: where the boundary is drawn."""
    box = []
    for i in range(2):
        lo, hi = min(x[i] for x, _ in rows), max(x[i] for x, _ in rows)
        pad = (hi - lo) * 0.1 or 0.5
        box.append((lo - pad, hi + pad))
    return box


def _grid(net, box):
    """{'box': [[x0, x1], [y0, y1]], 'values': GRID rows of GRID classes, each the class the
    net picks there, and 'confidence' of it}."""
    (x0, x1), (y0, y1) = box
    values, confidence = [], []
    for j in range(GRID):
        y = y0 + (y1 - y0) * j / (GRID - 1)
        row, conf = [], []
        for i in range(GRID):
            p = net.predict([x0 + (x1 - x0) * i / (GRID - 1), y])
            k = _label(p)
            row.append(k)
            conf.append(round(p[0] if len(p) == 1 else p[k], 3))
        values.append(row)
        confidence.append(conf)
    return {'box': box, 'values': values, 'confidence': confidence}


def _label(p):
    """The class an output picks: above 0.5 for one sigmoid output, else the largest."""
    if len(p) == 1:
        return int(p[0] > 0.5)
    return max(range(len(p)), key=lambda j: p[j])


def _counts(truth, picked, k):
    counts = [[0] * k for _ in range(k)]
    for t, p in zip(truth, picked):
        counts[t][p] += 1
    return counts
