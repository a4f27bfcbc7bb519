# micronn_build: runs on the board and on the host. Adds layers to a net (NeuralNet.add_layer,
# and the model reader, which fills them from a file). Apart from micronn.py so that a board
# that only predicts compiles less; the layout it builds is micronn.py's.


def seeded_random(seed):
    """random() of micronn's own: Wichmann-Hill, whose products stay below 2**30, so every
    port draws the same stream for the same seed."""
    state = [seed % 30268 + 1, seed // 30268 % 30306 + 1, seed // 917290 % 30322 + 1]

    def draw():
        state[0] = state[0] * 171 % 30269
        state[1] = state[1] * 172 % 30307
        state[2] = state[2] * 170 % 30323
        return (state[0] / 30269 + state[1] / 30307 + state[2] / 30323) % 1.0
    return draw


def add_layer(net, number_neurons, activation='sigmoid'):
    """A layer fully connected to the last one, its weights drawn in the blog's order: each
    neuron's bias, then each neuron's weights, one per parent."""
    row = grow(net, number_neurons, activation)
    draw = getattr(net, '_draw', None)
    if not draw:
        if net.seed is None:
            import random
            draw = random.random
        else:
            draw = seeded_random(net.seed)
        net._draw = draw  # the seeded stream goes on from layer to layer
    width = len(row) // number_neurons
    for at in range(0, len(row), width):
        row[at] = draw()
    for at in range(0, len(row), width):
        for k in range(at + 1, at + width):
            row[k] = draw()


def grow(net, number_neurons, name='sigmoid'):
    """Room for one more layer in net, every weight 0.0; its list of weights."""
    if not isinstance(number_neurons, int) or number_neurons < 1:
        raise ValueError('add_layer: 1 or more neurons, got %r' % (number_neurons,))
    act = activation(net.activations, name)
    if act:
        net._act = act
    parents = len(net.outputs[-1]) if net.outputs else len(net.inputs)
    row = [0.0] * (number_neurons * (parents + 1))
    net.layer_weights.append(row)
    net.outputs.append([0.0] * number_neurons)
    net.activations.append(name)
    return row


def activation(before, name):
    """None for a sigmoid layer; micronn_act for any other it knows, after layers with the
    activations in list before. ValueError for a name it does not know."""
    if name == 'sigmoid':
        return None
    try:
        import micronn_act
    except ImportError:
        raise ValueError('activation %r: unknown here; this board has only sigmoid (no '
                         'micronn_act)' % (name,))
    micronn_act.check(before, name)
    return micronn_act
