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
    checked: per layer, one flat list of weights (per neuron its bias, then one per parent)."""
    f = open(path, 'rb')
    a, b = 1, 0
    head = {}
    while 'weights' not in head:
        line = f.readline()
        if not line:
            raise ValueError('model file: truncated')
        for c in line:
            a = (a + c) % 65521
            b = (b + a) % 65521
        words = str(line, 'utf-8').split()
        head[words[0]] = words[1:]
    acts = head['activations']
    if head['micronn'] != ['2'] or [n for n in acts if n not in RUNS]:
        raise ValueError('model file: not a gesture model of version 2 (live runs %s layers)'
                         % ', '.join(RUNS))
    size = len(head['inputs'])
    layers = []
    for n in head['layers']:
        layers.append([0.0] * (int(n) * (size + 1)))
        size = int(n)
    head = None
    buffer = bytearray(8)
    for row in layers:
        for i in range(len(row)):
            f.readinto(buffer)
            for c in buffer:
                a = (a + c) % 65521
                b = (b + a) % 65521
            row[i] = struct.unpack('<d', buffer)[0]
    f.readline()  # the newline after the weights
    for c in b'\n':
        a = (a + c) % 65521
        b = (b + a) % 65521
    ok = f.readline() == bytes('sum %04x%04x\n' % (b, a), 'utf-8')
    f.close()
    if not ok:
        raise ValueError('model file: checksum wrong')
    return layers, acts
