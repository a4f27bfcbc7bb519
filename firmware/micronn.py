# micronn: runs on the board and on the host (CPython 3.9+, MicroPython 1.9.2+).
# The blog's NeuralNet ("A neural network in plain python"), small enough for a 16 KB micro:bit.
# Each layer keeps its numbers in one flat list (per neuron its bias, then one weight per
# parent) and one list for its outputs: a few large objects, not one per neuron, so a net
# costs little heap. What predicting never needs is in modules a method imports when first
# called: a board that only serves a model never compiles training or the file writer.
# Each name this file makes costs the board heap, and the interpreter's first table holds 20:
# `import micronn` at a fresh REPL stays within it (docs/design.md). So the methods pass *args
# on to their module, whose functions carry the blog's signatures (train_row, called for every
# row, takes its two under names in ROM instead), and paths a board seldom takes import their
# module from a string (one over 10 characters is not made a name).
# No f-strings and no imports beyond math: old ports lack them.
import math


class NeuralNet:
    """NeuralNet(['x1', 'x2']), then add_layer(n), train_row(x, y), predict(x), save(path),
    NeuralNet.load(path); net.layers is the blog's view of the weights.

    With no seed, weights come from random.random() in the blog's order; with seed=k, from a
    generator of micronn's own, so the same k builds the same net on every port.
    """
    _act = None  # micronn_act, once a layer is not sigmoid

    def __init__(self, inputs, learning_rate=0.1, seed=None):
        self.inputs = list(inputs)  # their names
        self.learning_rate = learning_rate
        self.layer_weights = []  # per layer after the inputs: [bias, weight per parent] * n
        self.outputs = []  # per layer after the inputs: its neurons' outputs, reused
        self.activations = []  # per layer after the inputs: its activation's name
        self.seed = seed

    def add_layer(self, *args, **kwargs):
        """add_layer(number_neurons, activation='sigmoid'): a layer fully connected to the
        last one, its weights drawn as the blog draws them."""
        import micronn_build
        micronn_build.add_layer(self, *args, **kwargs)

    def train_row(self, a, b):  # a: the inputs, b: the targets
        """train_row(x, y): one step of backprop on cross-entropy; returns the row's loss."""
        import micronn_backprop
        return micronn_backprop.train_row(self, a, b)

    def predict(self, inputs, exp=math.exp, len=len, sum=sum):
        """The output layer's values for inputs, as a new list."""
        # One function with no call in the neuron loop but exp(): on a micro:bit a call costs
        # about an exp(). Builtins come in as default arguments, since locals are found
        # fastest. sum() checks the row in one go: TypeError for a non-number, nan or inf
        # (times 0.0: nan) for a value that is not finite.
        try:
            bad = len(inputs) != len(self.inputs) or sum(inputs) * 0.0
        except TypeError:
            bad = True
        outputs = self.outputs
        if bad or not outputs:  # says what is wrong, if anything is
            __import__('micronn_check').check(inputs, len(self.inputs), 'inputs', False, outputs)
        if self._act:  # a layer that is not sigmoid: micronn_act runs the whole pass
            return self._act.predict(self, inputs)
        values = inputs
        layer = 0
        for row in self.layer_weights:
            out = outputs[layer]
            layer += 1
            at = 0  # where the neuron's bias is in row
            j = 0
            n = len(out)
            while j < n:
                s = row[at]
                at += 1
                for value in values:
                    s += row[at] * value
                    at += 1
                # the sigmoid, written so that exp() only sees s <= 0: no overflow on any port
                if s < 0:
                    s = exp(s)
                    out[j] = s / (1.0 + s)
                else:
                    out[j] = 1.0 / (1.0 + exp(-s))
                j += 1
            values = out
        return values[:]

    def save(self, *args, **kwargs):
        """save(path): write the net to a model file (format in micronn_model)."""
        __import__('micronn_save').save(self, *args, **kwargs)

    @classmethod
    def load(cls, *args, **kwargs):
        """NeuralNet.load(path): the net in a model file, checked whole before it is built."""
        import micronn_model
        return micronn_model.load(cls, *args, **kwargs)

    try:  # the blog's net.layers, views onto the weights, where the port has property()
        layers = property(lambda *args: __import__('micronn_layers').layers(*args))  # args: in ROM
    except NameError:  # the micro:bit's MicroPython 1.9.2: net.layer_weights holds the numbers
        pass
