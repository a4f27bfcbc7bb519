# micronn_act_train: runs on the board and on the host. Backprop's share of the activations in
# micronn_act (micronn_train calls it for a net that has one): the output layer's loss and
# each hidden layer's slope. Every output's error is p - y, whichever of sigmoid and softmax
# (both with cross-entropy) or identity (squared error) it has, so little is needed here.
import math

from micronn import BAD, check


def slope(f, a, b):
    """Multiply the errors b of a hidden layer of activation f by its slope at its outputs a."""
    for k in range(len(b)):
        q = a[k]
        if f == 'sigmoid':
            b[k] *= q * (1.0 - q)
        elif f == 'tanh':
            b[k] *= 1.0 - q * q
        elif f == 'relu' and q <= 0:
            b[k] = 0.0


def loss(f, p, y, d):
    """The loss of outputs p for targets y through output activation f (softmax or identity);
    the errors go in d."""
    n = len(p)
    check(y, n, 'targets')
    t = 0.0
    if f == 'identity':  # squared error: any finite targets
        for j in range(n):
            d[j] = p[j] - y[j]
            t += 0.5 * d[j] * d[j]
        return t
    if f != 'softmax':
        raise ValueError('train_row: an output layer of %s has no loss here; give the output '
                         'layer sigmoid, softmax or identity' % f)
    for j in range(n):
        t += y[j]
    e = 0.0
    for j in range(n):
        q = y[j]
        if not 0 <= q <= 1:
            raise ValueError(BAD % ('targets in [0, 1]', n, y))
        d[j] = p[j] * t - q  # cross-entropy through softmax; p - y when the targets sum to 1
        if q:
            e -= q * math.log(p[j] if p[j] > 1e-12 else 1e-12)
    return e
