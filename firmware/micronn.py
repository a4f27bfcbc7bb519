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

class NeuralNet:
    """The blog's API: NeuralNet(['x1', 'x2']), add_layer(n), predict(x), train_row(x, y);
    also save(path) and NeuralNet.load(path).

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
        # add_layer, train_row, save and the blog's net.layers[i][j]: what predicting never
        # needs is compiled only when first asked for, by micronn_build. (Measured on the
        # micro:bit: as methods here they took 416 B of the heap a served model needs.)
        import gc
        gc.collect()  # each module compiles into the free heap, not around garbage
        import micronn_build
        return micronn_build.attribute(self, name)

    def predict(self, inputs, exp=math.exp, len=len, sum=sum):
        """The output layer's values for inputs, as a new list."""
        # One function, no calls in the neuron loop but exp(): on a micro:bit a Python call
        # costs about as much as an exp(), so the sigmoid is written in line. exp, len and sum
        # are default arguments and self.outputs is read once: locals are the fastest names
        # to reach (a builtin is looked up in two dicts at every use; len and sum looked up
        # so made this 0.23 ms slower on the micro:bit, 2.52 against 2.29 ms). The check is
        # one expression: sum() raises TypeError for what is not a number, and is nan or inf
        # if any input is (times 0.0: nan).
        try:
            bad = len(inputs) != len(self.inputs) or sum(inputs) * 0.0
        except TypeError:
            bad = True
        outputs = self.outputs
        if bad or not outputs:
            import micronn_check  # says what is wrong, if anything is
            micronn_check.check(inputs, len(self.inputs), 'inputs', False, outputs)
        if self._act:  # a layer that is not sigmoid: micronn_act runs the whole pass
            return self._act.forward(self, inputs)
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
                # the sigmoid, where exp() only sees s <= 0: no overflow on any port
                if s < 0:
                    s = exp(s)
                    out[j] = s / (1.0 + s)
                else:
                    out[j] = 1.0 / (1.0 + exp(-s))
                j += 1
            values = out
        return values[:]

    @classmethod
    def load(cls, path):
        import micronn_model
        return micronn_model.load(path, cls)
