# micronn_build: runs on the board and on the host. What a net needs beyond predicting, found
# here by NeuralNet.__getattr__ when first asked for: add_layer (the blog's random weights),
# train_row (micronn_backprop), save (micronn_save) and the blog's net.layers (micronn_layers);
# and the check of activation names. Apart from micronn.py so that a board that only predicts
# a model it read from a file never compiles it.


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


def grow(net, number_neurons, name='sigmoid'):
    """Room for one more layer of activation name, every weight 0.0 (add_layer draws
    them); its list of weights."""
    if number_neurons < 1:
        raise ValueError('add_layer: 1 or more neurons')
    if name != 'sigmoid' or net._act:  # micronn_act then computes the net
        net._act = activation(net.activations, name)
    parents = len(net.outputs[-1]) if net.outputs else len(net.inputs)
    row = [0.0] * (number_neurons * (parents + 1))
    net.layer_weights.append(row)
    net.outputs.append([0.0] * number_neurons)
    net.activations.append(name)
    return row


def add_layer(net, number_neurons, activation='sigmoid'):
    """A layer fully connected to the last one, its weights drawn in the blog's order: each
    neuron's bias, then each neuron's weights, one per parent."""
    row = grow(net, number_neurons, activation)
    try:  # (not getattr with a default: MicroPython 1.9.2 lets __getattr__'s error through)
        draw = net._draw
    except AttributeError:
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


def activation(before, name):
    """micronn_act, for a net whose layers have the activations in list before, then name
    (None while they are all sigmoid). ValueError for a name micronn_act does not know, or a
    layer after softmax. Here, not in micronn.py or micronn_model: with micronn_act named in
    those two, the emulated micro:bit ran out of heap booting a sigmoid XOR model."""
    if name == 'sigmoid' and before.count(name) == len(before):
        return None
    try:
        import micronn_act
    except ImportError:
        raise ValueError('activation %r: unknown here; this board has only sigmoid (no '
                         'micronn_act)' % (name,))
    return micronn_act.check(before, name)


def attribute(net, name):
    """net.NAME for what NeuralNet itself does not define."""
    if name == 'add_layer':
        # A net built on the board is trained there, most likely: backprop compiles now,
        # while the heap is in one piece. Left to the first train_row, a micro:bit's REPL
        # session could not compile it (1.5 KB wanted, 4.7 KB free but in fragments).
        import gc
        gc.collect()
        try:
            import micronn_backprop  # noqa: F401
        except MemoryError:
            pass  # the first train_row tries again, and says why if it cannot
        return lambda number_neurons, activation='sigmoid': add_layer(net, number_neurons,
                                                                      activation)
    if name == 'train_row':
        import micronn_backprop  # __getattr__ collected the garbage: it compiles into free heap
        if not hasattr(micronn_backprop, 'train_row'):
            # its compile ran out of heap, at add_layer: MicroPython 1.9.2 keeps it, empty
            raise MemoryError('backprop did not compile (too little heap): soft-reset the '
                              'board (Ctrl-D), then build and train the net first')

        def train_row(x, y):
            """One gradient step on cross-entropy; returns the row's loss."""
            return micronn_backprop.train_row(net, x, y)
        net.train_row = train_row  # found directly from now on: a step is called thousands of times
        return train_row
    if name == 'save':
        import micronn_save
        return lambda path, seq=0: micronn_save.save(net, path, seq)
    if name == 'layers':
        import micronn_layers
        return micronn_layers.layers(net)
    raise AttributeError(name)
