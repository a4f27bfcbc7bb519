# micronn_act_train: runs on the board and on the host. What backprop (micronn_backprop) needs
# for layers that are not sigmoid (it does sigmoid's itself): the output layer's loss and
# errors, a hidden layer's slope. Apart from micronn_act so that a board that only serves such a
# net never compiles it. Each output's error is p - y, for softmax (with cross-entropy) as for
# identity (with squared error).
import math


def slope(f, p, d):
    """Multiply the errors d of a hidden layer of activation f (relu, tanh or identity) by
    its slope at its outputs p."""
    for k in range(len(d)):
        q = p[k]
        if f == 'tanh':
            d[k] *= 1.0 - q * q
        elif f == 'relu' and q <= 0:
            d[k] = 0.0


def loss(f, p, y, d):
    """The loss of outputs p for targets y through output activation f; the errors go in d.
    Checks in line, calling check only to say what is wrong: a call fewer on the C stack."""
    n = len(p)
    t = 0.0
    if f == 'identity':  # squared error, halved: any finite targets
        for j in range(n):
            try:
                d[j] = p[j] - y[j]
            except TypeError:
                d[j] = None
            if d[j] is None or d[j] - d[j]:  # nan for nan and inf
                import micronn_check
                micronn_check.check(y, n, 'targets')  # says what is wrong
            t += 0.5 * d[j] * d[j]
        return t
    if f != 'softmax':
        raise ValueError('train_row: an output layer of %s has no loss here; give the output '
                         'layer sigmoid, softmax or identity' % f)
    for j in range(n):
        q = y[j]
        try:
            ok = 0 <= q <= 1  # False for nan
        except TypeError:
            ok = False
        if not ok:
            import micronn_check
            micronn_check.check(y, n, 'targets', True)  # says what is wrong
        t += q
    e = 0.0
    log = math.log
    for j in range(n):
        q = y[j]
        d[j] = p[j] * t - q  # cross-entropy through softmax: p - y when the targets sum to 1
        if q:
            e -= q * log(p[j] if p[j] > 1e-12 else 1e-12)
    return e
