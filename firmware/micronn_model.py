# micronn_model: runs on the board and on the host. Reads a model file; the board's device
# path, so it stays small (writing is micronn_save's job). Version 2, written today:
#   micronn 2 / seq N / rate R / inputs x1 x2 / layers 3 1 / activations sigmoid sigmoid /
#   weights 13 / then 13 little-endian 8-byte floats (per layer, per neuron: its bias, then
#   one weight per parent), a newline / sum xxxxxxxx
# Version 1 (micronn 1, one text line per neuron, all sigmoid) is still read, by
# micronn_model1, compiled only when such a file is met.
# The sum is an Adler-32 of every byte above it: serial links drop and flip bytes, so a file is
# trusted only when its sum holds. seq orders the board's two model slots.
# The bytes themselves (the sum, lines, the weights) are micronn_bytes' job.
from micronn_bytes import bad, line, weights

KEYS = ('seq', 'rate', 'inputs', 'layers', 'activations', 'weights')


def read(f, cls=None):
    """(seq, net) of the model file f (opened 'rb'); net is None without cls
    (micronn.NeuralNet). ValueError when its sum, header or shape is wrong. The sum comes
    last, so build a net only from a file already read once without cls."""
    sums = [1, 0]
    words = [line(f, sums)]  # the header's lines, split
    version = words[0][1:] if words[0][:1] == ['micronn'] else None
    if version != ['2'] and version != ['1']:
        bad('not "micronn 2" or "micronn 1"')
    keys = KEYS[:6 if version == ['2'] else 4]
    for key in keys:
        words.append(line(f, sums))
        if not words[-1]:
            bad('truncated')
        if words[-1][:1] != [key]:
            bad('header needs lines ' + ' '.join(keys))
    sizes = [len(words[3]) - 1]
    try:
        for n in words[4][1:]:
            sizes.append(int(n))
        seq = int(words[1][1])
        rate = float(words[2][1])
    except (ValueError, IndexError):
        bad('header number missing')
    names = words[5][1:] if version == ['2'] else ['sigmoid'] * (len(sizes) - 1)
    if len(names) != len(sizes) - 1 or len(names) < 1:
        bad('%d layers, %d activations' % (len(sizes) - 1, len(names)))
    inputs = words[3][1:]
    declared = words[6][1:] if version == ['2'] else None
    words = None
    net = None
    if cls:
        # A layer's weights are one list, which needs one piece of heap. Read line by line,
        # the header left its words among the garbage of reading it, spread over the free
        # heap a micro:bit has after boot: the one piece a [2, 24, 1] needed was not there.
        import gc
        gc.collect()
        net = cls(inputs, rate)
    count = 0
    act = None  # micronn_act, from the first layer that is not sigmoid
    for i in range(len(names)):
        n = sizes[i + 1]
        if n < 1 or not sizes[i]:  # the inputs are layer 0
            bad('a layer of no neurons')
        if names[i] != 'sigmoid' or act:  # ValueError for a name unknown here
            import micronn_act  # ImportError on a board flashed for sigmoid nets only
            act = micronn_act.check(names[:i], names[i])
        count += n * (sizes[i] + 1)
        if cls:  # the layer's lists, as micronn_build.grow makes them
            net.layer_weights.append([0.0] * (n * (sizes[i] + 1)))
            net.outputs.append([0.0] * n)
            net.activations.append(names[i])
    if act and cls:
        net._act = act
    if version == ['1']:
        import micronn_model1
        micronn_model1.weights(f, sizes, net, sums)
    elif declared != [str(count)]:
        bad('%s weights, the layers need %d' % (' '.join(declared), count))
    else:
        weights(f, count, net, sums)
    if f.readline() != bytes('sum %04x%04x\n' % (sums[1], sums[0]), 'utf-8') or f.readline():
        bad('checksum wrong')
    return seq, net


def load(cls, path):
    """The net in a model file: checked whole, then read again to build it. cls first, as
    NeuralNet.load passes its *args on after it."""
    for c in (None, cls):
        with open(path, 'rb') as f:
            net = read(f, c)[1]
    return net
