# micronn_act: runs on the board and on the host (CPython 3.9+, MicroPython 1.9.2+). The
# activations beside the blog's sigmoid: relu, tanh and identity for any layer, softmax for the
# output layer; the pass through them, and what backprop needs of them. A net imports this
# only once it has such a layer (NeuralNet._act), so a sigmoid net never compiles it.
import math

NAMES = ('sigmoid', 'relu', 'tanh', 'identity', 'softmax')

try:
    from math import tanh
except ImportError:  # the micro:bit's math has none
    def tanh(s):
        e = math.exp(-2.0 * abs(s))  # <= 1: no overflow on any port
        e = (1.0 - e) / (1.0 + e)
        return e if s > 0 else -e


def check(before, name):
    """This module, for a net whose layers have the activations in list before, then name;
    ValueError unless there may be such a layer there (softmax is the output layer's only)."""
    if name not in NAMES or 'softmax' in before:
        raise ValueError('activation %r after %r: use one of %s; softmax for the output layer '
                         'only' % (name, before, ', '.join(NAMES)))
    import micronn_act
    return micronn_act


def predict(net, values):
    """NeuralNet.predict for a net with a layer that is not sigmoid: the same pass, each layer
    through its own activation. Named as the method is, so micronn.py makes no new name."""
    exp = math.exp
    layer = 0
    for row in net.layer_weights:
        out = net.outputs[layer]
        f = net.activations[layer]
        layer += 1
        at = 0  # where the neuron's bias is in row
        for j in range(len(out)):
            s = row[at]
            at += 1
            for value in values:
                s += row[at] * value
                at += 1
            if f == 'sigmoid':  # as micronn's: exp() only sees s <= 0
                if s < 0:
                    s = exp(s)
                    s = s / (1.0 + s)
                else:
                    s = 1.0 / (1.0 + exp(-s))
            elif f == 'relu':
                if s < 0:
                    s = 0.0
            elif f == 'tanh':
                s = tanh(s)
            out[j] = s
        if f == 'softmax':  # less the largest, so exp() only sees s <= 0
            m = max(out)
            for j in range(len(out)):
                out[j] = exp(out[j] - m)
            m = sum(out)
            for j in range(len(out)):
                out[j] /= m
        values = out
    return values[:]


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
    """The loss of outputs p for targets y through output activation f (softmax with
    cross-entropy, identity with squared error); each output's error, p - y, goes in d."""
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
