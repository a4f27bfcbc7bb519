# Host only. Data sets for `micronn train` and `verify`: XOR, or a CSV whose columns are the
# features and then the labels. Rows are (x list, y list).
import csv
import math

XOR = [([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])]


def load_csv(path, outputs=1):
    """(input names, rows). A first row that is not all numbers is taken as the header."""
    try:
        with open(path, newline='') as f:
            table = [r for r in csv.reader(f) if r and any(c.strip() for c in r)]
    except OSError as e:
        raise ValueError('cannot read %s: %s' % (path, e.strerror))
    if not table:
        raise ValueError('%s is empty: give feature columns then %d label column(s)' % (path, outputs))
    names = None
    try:
        [float(c) for c in table[0]]
    except ValueError:
        names = [c.strip().replace(' ', '_') for c in table[0][:-outputs]]
        table = table[1:]
    width = len(table[0]) if table else 0
    if width < 2:
        raise ValueError('%s: rows have %d column(s); give feature columns, then label columns'
                         % (path, width))
    if width <= outputs:
        raise ValueError('%s: rows have %d columns, and --outputs %d leaves no feature column; '
                         'give --outputs from 1 to %d' % (path, width, outputs, width - 1))
    rows = []
    for n, r in enumerate(table, 2 if names else 1):
        if len(r) != width:
            raise ValueError('%s line %d: %d columns, the first row has %d' % (path, n, len(r), width))
        try:
            v = [float(c) for c in r]
        except ValueError:
            raise ValueError('%s line %d: not all numbers: %s' % (path, n, ','.join(r)))
        if not all(math.isfinite(c) for c in v):
            raise ValueError('%s line %d: nan or inf' % (path, n))
        y = v[-outputs:]
        if not all(0 <= c <= 1 for c in y):
            raise ValueError('%s line %d: labels must lie in [0, 1] (sigmoid outputs)' % (path, n))
        rows.append((v[:-outputs], y))
    return names or ['x%d' % (i + 1) for i in range(width - outputs)], rows
