# micronn: runs on the board and on the host (CPython 3.9+, MicroPython 1.9.2+).
# Pollithy's blog network ("A neural network in plain python") made small enough for a 16 KB
# micro:bit: each neuron keeps its weights in a list in parent order, and predict/train_row
# reuse buffers built with the net. Every byte here is compiled into the board's heap, so
# the rest lives elsewhere: the file format in micronn_model and micronn_save, backprop and
# the epoch loop in micronn_train. No f-strings and no imports beyond math and random: old ports lack them.
import math
import random

BAD = '%s: expected %d finite numbers, got %r'


def _wh(s):
    # Wichmann-Hill: its products stay below 2**30, so every port draws the same stream
    s = [s % 30268 + 1, s // 30268 % 30306 + 1, s // 917290 % 30322 + 1]

    def rnd():
        s[0] = s[0] * 171 % 30269
        s[1] = s[1] * 172 % 30307
        s[2] = s[2] * 170 % 30323
        return (s[0] / 30269 + s[1] / 30307 + s[2] / 30323) % 1.0
    return rnd


def check(x, n, what):
    bad = len(x) != n
    for t in x:
        if not isinstance(t, (int, float)):
            raise TypeError(BAD % (what, n, x))
        bad = bad or t - t  # t - t is nan for nan and inf
    if bad:
        raise ValueError(BAD % (what, n, x))


class Neuron:
    """A unit: .weights in parent order and .bias; input neurons have a .name instead."""
    bias = 0.0
    weights = ()


class NeuralNet:
    """The blog's API: NeuralNet(['x1', 'x2']), add_layer(n), predict(x), train_row(x, y).

    With no seed, weights come from random.random() in the blog's order; with seed=k, from
    a generator of our own, so the same k builds the same net on every port.
    add_layer(n, activation) also takes relu, tanh, identity and softmax (micronn_act).
    """
    _act = None  # micronn_act, once a layer is not sigmoid: a sigmoid net never compiles it

    def __init__(self, inputs, learning_rate=0.1, seed=None):
        if not inputs:
            raise ValueError('no inputs')
        self.learning_rate = learning_rate
        self._rnd = random.random if seed is None else _wh(seed)
        self.layers = [[]]
        for k in inputs:
            n = Neuron()
            n.name = k
            self.layers[0].append(n)
        self._v = [[0.0] * len(inputs)]  # each layer's outputs
        self._e = None  # each layer's errors: built by the first train_row
        self.activations = []  # one name per layer after the inputs

    def add_layer(self, number_neurons, activation='sigmoid'):
        if activation != 'sigmoid' or self._act:
            import micronn_act
            micronn_act.use(self, self.activations + [activation], len(self.layers))
        if number_neurons < 1:
            raise ValueError('add_layer: 1 or more')
        r = self._rnd
        m = len(self._v[-1])
        # plain loops: each comprehension would compile to one more code object on the board
        new = []
        for _ in range(number_neurons):
            n = Neuron()
            n.bias = r()
            new.append(n)
        for n in new:
            n.weights = w = [0.0] * m
            for k in range(m):
                w[k] = r()
        self.layers.append(new)
        self._v.append([0.0] * number_neurons)
        self._e = None
        self.activations.append(activation)

    def predict(self, x):
        """The output layer's values for inputs x, as a new list."""
        # One function, no calls inside: on a micro:bit a Python call costs about as much as
        # an exp(), so the checks and the sigmoid are written in line.
        v = self._v
        a = v[0]
        ok = 0
        try:
            for t in x:
                if t - t:  # nan for nan and inf
                    break
            else:
                ok = len(x) == len(a) and len(v) > 1
        except TypeError:
            pass
        if not ok:  # something is wrong: say what
            check(x, len(a), 'inputs')
            raise ValueError('no layers: add_layer() first')
        a[:] = x
        exp = math.exp
        i = 1
        for layer in self.layers[1:]:
            out = v[i]
            i += 1
            j = 0
            for n in layer:
                s = n.bias
                k = 0
                for w in n.weights:
                    s += w * a[k]
                    k += 1
                # the sigmoid; exp() only ever sees s <= 0, so it cannot overflow on any port
                if s < 0:
                    s = exp(s)
                    out[j] = s / (1.0 + s)
                else:
                    out[j] = 1.0 / (1.0 + exp(-s))
                j += 1
            a = out
        return a[:]

    def train_row(self, x, y):
        """One gradient step on cross-entropy; y is a number, or a list for several outputs.
        Returns the row's loss. Backprop lives in micronn_train: predicting never compiles it."""
        import micronn_train
        return micronn_train.train_row(self, x, y)

    # the file format lives in its own modules, so a board that never saves doesn't compile it
    def save(self, path):
        import micronn_save
        micronn_save.save(self, path)

    @classmethod
    def load(cls, path):
        import micronn_model
        return micronn_model.load(path, cls)
