# micronn_train: runs on the board and on the host. Backprop (NeuralNet.train_row calls it) and
# the loop over a data set that the blog wrote inline: epochs, shuffling, accuracy. Kept out of
# micronn.py so a board that only predicts never compiles it.
import math
import random

from micronn import BAD, check


def train_row(net, x, y):
    """One gradient step on cross-entropy for net; returns the row's loss."""
    p = net.predict(x)
    if not isinstance(y, (list, tuple)):
        y = [y]
    if len(y) != len(p):
        check(y, len(p), 'targets')
    v = net._v
    e = net._e
    if not e:  # built on the first step: a board that only predicts never pays for it
        e = net._e = []
        for a in v:
            e.append([0.0] * len(a))
    d = e[-1]
    loss = 0.0
    log = math.log
    for j in range(len(p)):
        t = y[j]
        q = p[j]
        try:
            ok = 0 <= t <= 1  # False for nan
        except TypeError:
            check(y, len(p), 'targets')
        if not ok:
            raise ValueError(BAD % ('targets in [0, 1]', len(p), y))
        d[j] = q - t  # cross-entropy through the sigmoid: no division by q or 1 - q
        # a log costs as much as a whole layer on a micro:bit: skip the one a 0/1 target zeroes
        if t:
            loss -= t * log(q if q > 1e-12 else 1e-12)
        if t != 1:
            q = 1.0 - q
            loss -= (1 - t) * log(q if q > 1e-12 else 1e-12)
    r = net.learning_rate
    i = len(v) - 1
    while i:
        # errors flow to layer i-1 through the weights as they were before this step; the
        # inputs' errors would never be used, so the first hidden layer skips them
        a = v[i - 1]
        d = e[i]
        b = e[i - 1]
        back = i > 1
        if back:
            for k in range(len(b)):
                b[k] = 0.0
        j = 0
        for n in net.layers[i]:
            g = d[j]
            j += 1
            n.bias -= r * g
            w = n.weights
            if back:
                for k in range(len(w)):
                    b[k] += g * w[k]
                    w[k] -= r * (g * a[k])
            else:
                for k in range(len(w)):
                    w[k] -= r * (g * a[k])
        if back:
            for k in range(len(b)):
                q = a[k]
                b[k] = b[k] * q * (1.0 - q)
        i -= 1
    return loss


def accuracy(net, rows):
    """Fraction of rows whose every output lands on the right side of 0.5."""
    ok = 0
    for x, y in rows:
        if not isinstance(y, (list, tuple)):
            y = [y]
        p = net.predict(x)
        for j in range(len(p)):
            if (p[j] > 0.5) != (y[j] > 0.5):
                break
        else:
            ok += 1
    return ok / len(rows)


def fit(net, rows, epochs=1, shuffle=True, seed=None, report=None):
    """Train on rows [(x, y), ...] for whole epochs; returns the last epoch's mean loss.

    shuffle reorders a copy each epoch (Fisher-Yates, so it needs only random.randint,
    which every port has); report(epoch, loss, accuracy) is called after each epoch.
    """
    if not rows:
        raise ValueError('fit: no rows to train on')
    if seed is not None:
        random.seed(seed)
    order = list(rows)
    loss = 0.0
    for epoch in range(1, epochs + 1):
        if shuffle:
            for i in range(len(order) - 1, 0, -1):
                j = random.randint(0, i)
                order[i], order[j] = order[j], order[i]
        loss = 0.0
        for x, y in order:
            loss += net.train_row(x, y)
        loss /= len(order)
        if report:
            report(epoch, loss, accuracy(net, rows))
    return loss
