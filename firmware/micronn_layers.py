# micronn_layers: runs on the board and on the host. The blog's view of a net: net.layers[i][j]
# is neuron j of layer i, with .weights (parent order) and .bias; layer 0 holds the inputs,
# each with a .name. micronn keeps each layer's numbers in one flat list (net.layer_weights),
# so these are views onto it, built when asked for: reading and writing them reads and writes
# the net. (On ports without property(), such as the micro:bit's MicroPython 1.9.2, .bias can
# only be read there; .weights[k] = w works everywhere.)


class Input:
    def __init__(self, name):
        self.name = name


class Weights:
    """One neuron's weights, parent order, as a list-like view onto its layer's flat list."""

    def __init__(self, row, start, count):
        self.row = row
        self.start = start
        self.count = count

    def _index(self, k):
        if k < 0:
            k += self.count
        if not 0 <= k < self.count:
            raise IndexError('weight index out of range')
        return self.start + k

    def __len__(self):
        return self.count

    def __getitem__(self, k):
        if isinstance(k, slice):
            return list(self)[k]
        return self.row[self._index(k)]

    def __setitem__(self, k, value):
        if isinstance(k, slice):  # weights[:] = [...]: the same number of weights
            values = list(self)
            values[k] = value
            if len(values) != self.count:
                raise ValueError('a neuron keeps %d weights' % self.count)
            self.row[self.start:self.start + self.count] = values
        else:
            self.row[self._index(k)] = value

    def __iter__(self):
        return iter(self.row[self.start:self.start + self.count])

    def __eq__(self, other):
        return list(self) == other

    def __add__(self, other):
        return list(self) + list(other)

    def __radd__(self, other):  # [bias] + weights (ports without reverse operators: list())
        return list(other) + list(self)

    def __repr__(self):
        return repr(list(self))


class Neuron:
    """Neuron j of a layer after the inputs: .bias and .weights read and write the net."""

    def __init__(self, row, start, count):
        self._row = row
        self._start = start
        self._count = count

    def __getattr__(self, name):  # only for names not set on the object: bias and weights
        if name == 'bias':
            return self._row[self._start]
        if name == 'weights':
            return Weights(self._row, self._start + 1, self._count)
        raise AttributeError(name)

    def _set_bias(self, value):
        self._row[self._start] = value

    def _set_weights(self, values):
        Weights(self._row, self._start + 1, self._count)[:] = values


try:  # where property() exists, n.bias = b and n.weights = [...] write the net too
    Neuron.bias = property(lambda n: n._row[n._start], Neuron._set_bias)
    Neuron.weights = property(lambda n: Weights(n._row, n._start + 1, n._count),
                              Neuron._set_weights)
except NameError:  # no property(): __getattr__ reads them
    pass


def layers(net):
    """[[inputs], [neurons of layer 1], ...]: fresh views onto net's numbers."""
    out = [[Input(name) for name in net.inputs]]
    parents = len(net.inputs)
    for row in net.layer_weights:
        width = parents + 1
        out.append([Neuron(row, at, parents) for at in range(0, len(row), width)])
        parents = len(row) // width
    return out
