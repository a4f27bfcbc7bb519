# micronn_build: runs on the board and on the host. Builds a net's layers: NeuralNet.add_layer
# comes here, and draws the weights in the blog's order. A net built on a board is most likely
# trained there, so add_layer compiles backprop (micronn_backprop) too, while the heap is still
# in one piece: on a 16 KB micro:bit the two did not compile as one module after predicting.
import random


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
    """Room for one more layer of activation name, every weight 0.0; its list of weights."""
    parents = len(net.outputs[-1]) if net.outputs else len(net.inputs)
    if number_neurons < 1 or not parents:
        raise ValueError('add_layer: 1 or more neurons, on 1 or more inputs')
    if name != 'sigmoid' or net._act:  # micronn_act then computes the net
        import micronn_act  # ImportError on a board flashed for sigmoid nets only
        net._act = micronn_act.check(net.activations, name)
    row = [0.0] * (number_neurons * (parents + 1))
    net.layer_weights.append(row)
    net.outputs.append([0.0] * number_neurons)
    net.activations.append(name)
    return row


def add_layer(net, number_neurons, activation='sigmoid'):
    """A layer fully connected to the last one, its weights drawn in the blog's order: each
    neuron's bias, then each neuron's weights, one per parent."""
    compile_backprop()  # before the layer's list: it compiles best into an unbroken heap
    row = grow(net, number_neurons, activation)
    try:  # not getattr with a default, which MicroPython 1.9.2 lacks for instances
        draw = net._draw
    except AttributeError:
        draw = random.random if net.seed is None else seeded_random(net.seed)
        net._draw = draw  # the seeded stream goes on from layer to layer
    width = len(row) // number_neurons
    for at in range(0, len(row), width):
        row[at] = draw()
    for at in range(0, len(row), width):
        for k in range(at + 1, at + width):
            row[k] = draw()


def compile_backprop():
    """Compile micronn_backprop, train_row's module, unless it is already."""
    import gc
    gc.collect()
    try:
        import micronn_backprop
    except MemoryError:
        try:  # MicroPython 1.9.2 keeps a module whose compile ran out of heap, empty
            import micronn_backprop
        except MemoryError:  # elsewhere it is compiled again, by train_row
            return
    if not hasattr(micronn_backprop, 'train_row'):
        micronn_backprop.train_row = no_backprop
    gc.collect()  # the compile's garbage, if any: grow() then allocates into the space it held


def no_backprop(net, x, y):
    raise MemoryError('backprop did not compile (too little heap): soft-reset the board '
                      '(Ctrl-D), then build and train the net first')
