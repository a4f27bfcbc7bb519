# micronn_act: runs on the board and on the host (CPython 3.9+, MicroPython 1.9.2+). Predicting
# with the activations beside the blog's sigmoid: relu, tanh and identity for any layer, softmax
# for the output layer. micronn imports this only for a net that has one, so a sigmoid net never
# compiles it; and it is kept to what a board serving such a net needs (its backprop is in
# micronn_act_train), since on a 16 KB micro:bit it compiles beside a loaded model.
import math

from micronn import check

NAMES = ('sigmoid', 'relu', 'tanh', 'identity', 'softmax')

try:
    from math import tanh
except ImportError:  # the micro:bit's math has none
    def tanh(s):
        e = math.exp(-2.0 * abs(s))  # <= 1: no overflow on any port
        e = (1.0 - e) / (1.0 + e)
        return e if s > 0 else -e


def use(net, names, layers):
    """ValueError unless names are the activations of `layers` layers (softmax last only);
    then net, if given, predicts here."""
    for i in range(layers):
        f = names[i] if len(names) == layers else 0
        if f not in NAMES or f == 'softmax' and i < layers - 1:
            raise ValueError('activations %r: want %d of %r, softmax last only'
                             % (names, layers, NAMES))
        if f != 'sigmoid' and net:
            # the net's own predict and train_row shadow NeuralNet's, whose sigmoid code is left
            # as it was: a sigmoid net pays nothing here, not even a test
            import micronn_act
            net._act = micronn_act
            net.predict = lambda x: predict(net, x)
            # straight to micronn_act_train: the micro:bit's stack holds few nested calls
            net.train_row = lambda x, y: __import__('micronn_act_train').train_row(net, x, y)


def predict(net, x):
    """NeuralNet.predict for a net with other activations than sigmoid."""
    v = net._v
    a = v[0]
    check(x, len(a), 'inputs')
    a[:] = x
    exp = math.exp
    i = 0
    for layer in net.layers[1:]:
        f = net.activations[i]
        i += 1
        out = v[i]
        j = 0
        for n in layer:
            s = n.bias
            k = 0
            for w in n.weights:
                s += w * a[k]
                k += 1
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
            j += 1
        if f == 'softmax':  # less the largest, so exp() only sees s <= 0
            m = max(out)
            for j in range(len(out)):
                out[j] = exp(out[j] - m)
            m = sum(out)
            for j in range(len(out)):
                out[j] /= m
        a = out
    return a[:]

