# micronn_gmodel: runs on the board. Reads a gesture model file for micronn_live, without
# micronn: micronn, its reader and micronn_act leave a 16 KB micro:bit no room for a
# [24, 16, 5] net beside the features and the window. A file of its own, so that once the net
# is read its code can go (the host runs it from a dict it then drops), leaving the heap to
# what runs live.
# The layers a gesture model has are the ones micronn_live runs.
import struct

RUNS = ('relu', 'sigmoid', 'identity', 'softmax')


def load(path):
    """(layers, activations) of a model file (its format: micronn_model), its Adler-32
    checked: per layer, one flat list of weights (per neuron its bias, then one per parent).
    In small functions: on a micro:bit each function's code is one piece of heap."""
    f = open(path, 'rb')
    s = [1, 0]  # Adler-32's a and b so far
    head = {}
    while 'weights' not in head:
        words = str(add(s, f.readline()), 'utf-8').split()
        if not words:
            raise ValueError('model file: truncated')
        head[words[0]] = words[1:]
    acts = head['activations']
    if head['micronn'] != ['2'] or [n for n in acts if n not in RUNS]:
        raise ValueError('model file: not a gesture model of version 2 (live runs %s layers)'
                         % ', '.join(RUNS))
    layers = shape(len(head['inputs']), head['layers'])
    head = None
    fill(f, layers, s)
    add(s, f.readline())  # the newline after the weights
    ok = f.readline() == bytes('sum %04x%04x\n' % (s[1], s[0]), 'utf-8')
    f.close()
    if not ok:
        raise ValueError('model file: checksum wrong')
    return layers, acts


def add(s, data):
    """data, its bytes added to the sum s."""
    # Adler-32 as micronn_bytes.add has it: a board running the live loop has no micronn_bytes
    a, b = s
    for c in data:
        a = (a + c) % 65521
        b = (b + a) % 65521
    s[0], s[1] = a, b
    return data


def shape(size, sizes):
    """A list of zeros per layer, as long as its weights."""
    layers = []
    for n in sizes:
        layers.append([0.0] * (int(n) * (size + 1)))
        size = int(n)
    return layers


def fill(f, layers, s):
    """The weights, 8 bytes at a time through one small buffer, into the layers' lists."""
    buffer = bytearray(8)
    for row in layers:
        for i in range(len(row)):
            f.readinto(buffer)
            add(s, buffer)
            row[i] = struct.unpack('<d', buffer)[0]
