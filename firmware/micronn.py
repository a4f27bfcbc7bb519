# micronn: runs on the board and on the host (CPython 3.9+, MicroPython 1.9.2+).
# Pollithy's blog network ("A neural network in plain python") made small enough for a 16 KB
# micro:bit. Each layer keeps its numbers in one flat list, per neuron its bias then one weight
# per parent (parent order), and one list for its outputs: a few large objects instead of one
# per neuron, so a net costs little heap and reading a model file fragments nothing.
# net.layers[i][j].weights and .bias, the blog's view of them, are built on demand by
# micronn_layers. Every byte here is compiled into the board's heap, so the rest lives
# elsewhere too: the file format in micronn_model and micronn_save, backprop in micronn_backprop, the
# epoch loop in micronn_train, activations other than the sigmoid in micronn_act.
# No f-strings and no imports beyond math and random: old ports lack them.
import math

BAD = '%s: expected %d finite numbers, got %r'


def check(x, n, what):
    """TypeError or ValueError unless x is n finite numbers."""
    if len(x) != n:
        raise ValueError(BAD % (what, n, x))
    for value in x:
        if not isinstance(value, (int, float)):
            raise TypeError(BAD % (what, n, x))
        if value - value:  # nan for nan and inf, 0 for a finite number
            raise ValueError(BAD % (what, n, x))


class NeuralNet:
    """The blog's API: NeuralNet(['x1', 'x2']), add_layer(n), predict(x), train_row(x, y).

    With no seed, weights come from random.random() in the blog's order; with seed=k, from
    a generator of our own, so the same k builds the same net on every port.
    """
    _act = None  # micronn_act, once a layer is not sigmoid: a sigmoid net never compiles it

    def __init__(self, inputs, learning_rate=0.1, seed=None):
        if not inputs:
            raise ValueError('no inputs')
        self.inputs = list(inputs)  # their names
        self.learning_rate = learning_rate
        self.layer_weights = []  # per layer after the inputs: [bias, weight per parent] * n
        self.outputs = []  # per layer after the inputs: its neurons' outputs, reused
        self.activations = []  # per layer after the inputs: its activation's name
        self.seed = seed  # None: weights from random.random(); see micronn_build

    def __getattr__(self, name):
        # the blog's net.layers[i][j], built only when asked for: predicting never needs it
        if name == 'layers':
            import micronn_layers
            return micronn_layers.layers(self)
        raise AttributeError(name)

    def add_layer(self, number_neurons, activation='sigmoid'):
        """A layer fully connected to the last one, its weights drawn as the blog draws them."""
        import micronn_build
        micronn_build.add_layer(self, number_neurons, activation)

    def predict(self, inputs):
        """The output layer's values for inputs, as a new list."""
        # One function, no calls inside but one: on a micro:bit a Python call costs about as
        # much as an exp(), so the check and the sigmoid are written in line. sum() raises
        # TypeError for what is not a number, and is nan or inf if any input is.
        try:
            total = sum(inputs)
        except TypeError:
            total = None
        if len(inputs) != len(self.inputs) or total is None or total - total \
                or not self.outputs:
            check(inputs, len(self.inputs), 'inputs')  # says what is wrong, if anything is
            if not self.outputs:
                raise ValueError('no layers: add_layer() first')
        exp = math.exp
        values = inputs
        layer = 0
        for row in self.layer_weights:
            out = self.outputs[layer]
            if self._act and self.activations[layer] != 'sigmoid':
                # relu, tanh, identity or softmax: micronn_act computes such a layer
                self._act.layer(self.activations[layer], row, values, out)
            else:
                at = 0  # where the neuron's bias is in row
                j = 0
                while j < len(out):
                    s = row[at]
                    at += 1
                    for value in values:
                        s += row[at] * value
                        at += 1
                    # the sigmoid, where exp() only sees s <= 0: no overflow on any port
                    if s < 0:
                        s = exp(s)
                        out[j] = s / (1.0 + s)
                    else:
                        out[j] = 1.0 / (1.0 + exp(-s))
                    j += 1
            layer += 1
            values = out
        return values[:]

    def train_row(self, x, y):
        """One gradient step on cross-entropy; y is a number, or a list for several outputs.
        Returns the row's loss. Backprop lives in micronn_backprop: predicting never compiles it."""
        import micronn_backprop
        return micronn_backprop.train_row(self, x, y)

    # the file format lives in its own modules, so a board that never saves doesn't compile it
    def save(self, path):
        import micronn_save
        micronn_save.save(self, path)

    @classmethod
    def load(cls, path):
        import micronn_model
        return micronn_model.load(path, cls)
