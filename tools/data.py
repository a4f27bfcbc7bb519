# Host only. Data sets for `micronn train` and `verify`: XOR, or a CSV of feature columns, then
# either one label column of classes, names or whole numbers (the common shape, as iris.csv
# has its species last), or with --outputs K, K columns of targets in [0, 1] (one-hot, or
# sigmoid targets). A CSV that reads more than one way is refused, naming the fix: a net trained
# on the wrong reading reports a fine accuracy all the same. Rows are (x list, y list).
import csv
import math
import os

XOR = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]
MAX_CLASSES = 20  # more distinct labels than this, or than half the rows: not classes


def load_csv(path, outputs=None, classes=None):
    """(input names, rows, classes). outputs K: the last K columns are targets in [0, 1], and
    classes is None. Else the last column holds class labels: classes are its distinct labels
    in order (or the given classes, a model's), y is one-hot over them, or [0] or [1] for two
    classes (one sigmoid output). A first row with no number among the features is the header."""
    table = _read(path)
    labels = outputs or 1
    width = len(table[0])
    if width < 2:
        raise ValueError('%s: rows have %d column(s); give feature columns, then the label '
                         'column' % (path, width))
    if width <= labels:
        raise ValueError('%s: rows have %d columns, and --outputs %d leaves no feature column; '
                         'give --outputs from 1 to %d' % (path, width, outputs, width - 1))
    names = None
    if all(_number(c) is None for c in table[0][:-labels]):
        names = ['_'.join(c.split()) or 'x%d' % (i + 1) for i, c in enumerate(table[0][:-labels])]
        table = table[1:]
        if not table:
            raise ValueError('%s has a header and no rows' % path)
    first = 2 if names else 1
    xs, ys = [], []
    for n, r in enumerate(table, first):
        if len(r) != width:
            raise ValueError('%s line %d: %d columns, the first row has %d' % (path, n, len(r), width))
        xs.append([_feature(path, n, i, c, names) for i, c in enumerate(r[:-labels])])
        ys.append(r[-labels:])
    names = names or ['x%d' % (i + 1) for i in range(width - labels)]
    if outputs:
        return names, [(x, _targets(path, n, y, outputs))
                       for n, (x, y) in enumerate(zip(xs, ys), first)], None
    _no_one_hot(path, xs, ys)
    classes, ks = _classes(path, [y[0] for y in ys], first, classes)
    return names, [(x, one_hot(k, len(classes))) for x, k in zip(xs, ks)], classes


def one_hot(k, n):
    """The targets of class k of n: one sigmoid output for two classes, else one each."""
    return [float(k)] if n == 2 else [1.0 if j == k else 0.0 for j in range(n)]


def class_of(p, classes):
    """The class outputs p stand for (as one_hot makes them)."""
    if len(p) == 1:
        return classes[p[0] > 0.5]
    return classes[max(range(len(p)), key=lambda j: p[j])]


def activation(classes):
    """The output layer's: softmax over 3 classes or more, so the outputs sum to 1."""
    return 'softmax' if classes and len(classes) > 2 else 'sigmoid'


def describe(classes):
    return 'classes: %s (%s)' % (', '.join(classes), 'one softmax output each' if len(classes) > 2
                                 else 'one sigmoid output: above 0.5 is ' + classes[1])


def right_classes(net, rows, classes):
    """How many rows net gives the right class (the largest output, not each above 0.5)."""
    return sum(class_of(net.predict(x), classes) == class_of(y, classes) for x, y in rows)


def class_accuracy(net, rows, classes):
    right = right_classes(net, rows, classes)
    return 'accuracy %.1f%%: the right class for %d rows of %d' % (100.0 * right / len(rows),
                                                                   right, len(rows))


# The class file: beside the model, since the model file's reader (on the board too) takes no
# other header lines. One class a line, in the order of the outputs.

def classes_path(model):
    """iris.mn -> iris.classes."""
    return (model[:-3] if model.endswith('.mn') else model) + '.classes'


def write_classes(model, classes):
    """The class file of model, written; without classes, None. The files beside the model
    this one replaces go: its class file, and a gesture model's gesture file, with which
    `micronn flash` would take this model for a gesture model."""
    from .gestures import gesture_path
    path = classes_path(model)
    for stale in [gesture_path(model)] + ([] if classes else [path]):
        if os.path.exists(stale):
            os.remove(stale)
    if not classes:
        return None
    with open(path, 'w') as f:
        f.write(''.join(c + '\n' for c in classes))
    return path


def read_classes(path, layers=None, seq=None):
    """The classes in a class file; ValueError unless they fit a model of these layers (a
    board's, its model's seq)."""
    try:
        with open(path) as f:
            classes = [line.rstrip('\n') for line in f if line.strip()]
    except OSError as e:
        raise ValueError('cannot read class file %s: %s' % (path, e.strerror))
    if len(classes) < 2:
        raise ValueError('%s names %d class(es): a class file has one class a line, two or '
                         'more; `micronn train` writes it beside the model' % (path, len(classes)))
    if layers and len(one_hot(0, len(classes))) != layers[-1]:
        raise ValueError('%s names %d classes, but the board\'s model (seq %d, layers %s) gives %d '
                         'output(s): give the class file of the model on the board'
                         % (path, len(classes), seq, ' '.join(map(str, layers)), layers[-1]))
    return classes


def _read(path):
    try:
        with open(path, newline='') as f:
            table = [[c.strip() for c in r] for r in csv.reader(f) if r and any(c.strip() for c in r)]
    except OSError as e:
        raise ValueError('cannot read %s: %s' % (path, e.strerror))
    except (UnicodeDecodeError, csv.Error) as e:
        raise ValueError('%s is not a CSV text file (%s): give feature columns, then the label '
                         'column' % (path, e))
    if not table:
        raise ValueError('%s is empty: give feature columns, then the label column' % path)
    return table


def _number(cell):
    try:
        return float(cell)
    except ValueError:
        return None


def _feature(path, n, i, cell, names):
    v = _number(cell)
    if v is None and n == 1:
        raise ValueError('%s line 1 mixes text and numbers in its feature columns: a header '
                         'names every column, a row of data has numbers in all but the last'
                         % path)
    if v is None:
        raise ValueError('%s line %d, column %d%s: %r is not a number; feature columns hold '
                         'numbers only, and the label column comes last: move a label column '
                         'to the end, and remove text columns'
                         % (path, n, i + 1, ' (%s)' % names[i] if names else '', cell))
    if not math.isfinite(v):
        raise ValueError('%s line %d: nan or inf' % (path, n))
    return v


def _targets(path, n, cells, outputs):
    y = [_number(c) for c in cells]
    if None in y:
        raise ValueError('%s line %d: label %r is not a number, and %d column(s) of targets '
                         'in [0, 1] were expected: a column of class names takes no --outputs '
                         '(and verify, the model\'s .classes file beside it)'
                         % (path, n, cells[y.index(None)], outputs))
    if not all(math.isfinite(c) for c in y):
        raise ValueError('%s line %d: nan or inf' % (path, n))
    if not all(0 <= c <= 1 for c in y):
        raise ValueError('%s line %d: labels must lie in [0, 1] (sigmoid outputs)' % (path, n))
    return y


def _no_one_hot(path, xs, ys):
    """Refuse trailing columns that read as one-hot labels: taken as one label column, all
    but one of them would be learnt as features, and give the answer away."""
    width = len(xs[0]) + 1
    for k in range(width - 1, 1, -1):  # the widest such run, leaving a feature column
        cols = [x[1 - k:] + [_number(y[0])] for x, y in zip(xs, ys)]
        if all(set(c) <= {0.0, 1.0} and sum(c) == 1 for c in cols):
            raise ValueError('%s: the last %d columns look one-hot (one 1 in each row): give '
                             '--outputs %d if they are the labels, or --outputs 1 if only the '
                             'last one is; or put the class in one column (a name or a number)'
                             % (path, k, k))


def _classes(path, labels, first, known):
    """(classes, each row's class index) of the label column."""
    for n, c in enumerate(labels, first):
        if not c:
            raise ValueError('%s line %d: no label in the last column; give every row its class'
                             % (path, n))
    nums = [_number(c) for c in labels]
    text = [n for n, v in enumerate(nums, first) if v is None]
    if text and len(text) < len(labels):
        num = next(n for n, v in enumerate(nums, first) if v is not None)
        raise ValueError('%s: the label column mixes numbers (line %d: %s) and names (line %d: '
                         '%s); give every row a class name, or every row a whole number'
                         % (path, num, labels[num - first], text[0], labels[text[0] - first]))
    if not text:
        for n, v in enumerate(nums, first):
            if not math.isfinite(v) or v != int(v):
                raise ValueError('%s line %d: label %s is not a whole number, so not a class; '
                                 'give --outputs 1 if the last column holds targets in [0, 1]; '
                                 'micronn learns classes and such targets, not other measurements'
                                 % (path, n, labels[n - first]))
        labels = ['%d' % v for v in nums]
    found = sorted(set(labels), key=(lambda c: c) if text else float)
    if known is None:
        if len(found) < 2:
            raise ValueError('%s: every row has the class %s; a classifier needs rows of two '
                             'classes or more' % (path, found[0]))
        if len(found) > MAX_CLASSES or 2 * len(found) > len(labels):
            raise ValueError('%s: the last column has %d distinct values in %d rows (%s, ...): '
                             'too many to be classes (at most %d, and 2 rows a class or more on '
                             'average); for K target columns in [0, 1], give --outputs K'
                             % (path, len(found), len(labels), ', '.join(found[:3]), MAX_CLASSES))
        known = found
    index = {c: k for k, c in enumerate(known)}
    for n, c in enumerate(labels, first):
        if c not in index:
            raise ValueError('%s line %d: class %s is not one of the model\'s (%s); give the '
                             'data the model was trained on' % (path, n, c, ', '.join(known)))
    return list(known), [index[c] for c in labels]
