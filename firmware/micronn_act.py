# micronn_act: runs on the board and on the host (CPython 3.9+, MicroPython 1.9.2+). The
# activations beside the blog's sigmoid: relu, tanh and identity for any layer, softmax for the
# output layer. micronn imports this only for a net that has one (NeuralNet._act), so a sigmoid
# net never compiles it; a board compiles it beside a loaded model, so it holds only what
# predicting needs, and the losses and slopes of training are micronn_act_train's.
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


def forward(net, values):
    """NeuralNet.predict for a net with a layer that is not sigmoid: the same pass, each layer
    through its own activation."""
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


def loss(f, p, y, d):
    """micronn_act_train.loss, which micronn_backprop calls for an output layer of f. The
    first call puts micronn_act_train's loss and slope here in place of these two, so that
    later steps call them directly: the micro:bit's C stack holds only a few nested calls."""
    global loss, slope
    import micronn_act_train
    loss = micronn_act_train.loss
    slope = micronn_act_train.slope
    return loss(f, p, y, d)


def slope(f, p, d):
    """micronn_act_train.slope (the output layer's loss, called first, puts it here)."""
    import micronn_act_train
    return micronn_act_train.slope(f, p, d)
