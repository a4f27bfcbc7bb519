# micronn_act_train: runs on the board and on the host. train_row for a net with relu, tanh,
# identity or softmax layers (micronn_act gives such a net this train_row in place of
# micronn_train's). It is micronn_train's backprop with each layer's own slope and the output's
# own loss, kept apart so that micronn_train compiles as small as before (on a 16 KB micro:bit
# its train_row is one block of about 2 KB, and a larger one did not find room after micronn)
# and so that training such a net there does not need micronn_train at all.
# Every output's error is p - y, whichever of sigmoid and softmax (with cross-entropy) and
# identity (with squared error) it has.
import math

from micronn import BAD, check
from micronn_act import predict


def train_row(net, x, y):
    """One gradient step; returns the row's loss."""
    p = predict(net, x)  # not net.predict: one nested call fewer
    if not isinstance(y, (list, tuple)):
        y = [y]
    n = len(p)
    check(y, n, 'targets')
    v = net._v
    e = net._e
    if not e:
        e = net._e = []
        for a in v:
            e.append([0.0] * len(a))
    loss = _loss(net.activations[-1], p, y, e[-1])
    r = net.learning_rate
    i = len(v) - 1
    while i:
        # as in micronn_train: errors flow back through the weights as they were before
        a = v[i - 1]
        d = e[i]
        b = e[i - 1]
        back = i > 1
        if back:
            for k in range(len(b)):
                b[k] = 0.0
        j = 0
        for u in net.layers[i]:
            g = d[j]
            j += 1
            u.bias -= r * g
            w = u.weights
            for k in range(len(w)):
                if back:
                    b[k] += g * w[k]
                w[k] -= r * (g * a[k])
        if back:
            _slope(net.activations[i - 2], a, b)
        i -= 1
    return loss


def _slope(f, a, b):
    """Multiply the errors b of a hidden layer of activation f by its slope at its outputs a."""
    for k in range(len(b)):
        q = a[k]
        if f == 'sigmoid':
            b[k] *= q * (1.0 - q)
        elif f == 'tanh':
            b[k] *= 1.0 - q * q
        elif f == 'relu' and q <= 0:
            b[k] = 0.0


def _loss(f, p, y, d):
    """The loss of outputs p for targets y through output activation f; the errors go in d."""
    n = len(p)
    t = 0.0
    if f == 'identity':  # squared error, halved: any finite targets
        for j in range(n):
            d[j] = p[j] - y[j]
            t += 0.5 * d[j] * d[j]
        return t
    if f not in ('sigmoid', 'softmax'):
        raise ValueError('train_row: an output layer of %s has no loss here; give the output '
                         'layer sigmoid, softmax or identity' % f)
    for j in range(n):
        t += y[j]
    e = 0.0
    log = math.log
    for j in range(n):
        q = y[j]
        if not 0 <= q <= 1:
            raise ValueError(BAD % ('targets in [0, 1]', n, y))
        if f == 'sigmoid':  # cross-entropy of each output on its own
            d[j] = p[j] - q
            if q != 1:
                e -= (1 - q) * log(1.0 - p[j] if 1.0 - p[j] > 1e-12 else 1e-12)
        else:  # cross-entropy through softmax; p - y when the targets sum to 1
            d[j] = p[j] * t - q
        if q:
            e -= q * log(p[j] if p[j] > 1e-12 else 1e-12)
    return e
