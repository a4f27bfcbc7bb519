# micronn_model: runs on the board and on the host. Reads a model file; the board's device
# path, so it stays small (writing is micronn_save's job). Version 2, written today:
#   micronn 2 / seq N / rate R / inputs x1 x2 / layers 3 1 / activations sigmoid sigmoid /
#   weights 13 / then 13 little-endian 8-byte floats (per layer, per neuron: its bias, then
#   one weight per parent), a newline / sum xxxxxxxx
# Version 1 (micronn 1, one text line per neuron, all sigmoid) is still read, by
# micronn_model1, compiled only when such a file is met.
# The sum is an Adler-32 of every byte above it: serial links drop and flip bytes, so a file is
# trusted only when its sum holds. seq orders the board's two model slots.
# The weights go straight into the net's lists, 8 bytes at a time through one small buffer:
# reading text a line at a time left a 16 KB micro:bit's heap in fragments, and it could serve
# only a fraction of the nets it trains.
import struct

BIG = 1e6  # no trained weight comes near this; past it the file is damaged, not a model
KEYS = ('seq', 'rate', 'inputs', 'layers', 'activations', 'weights')


def add(data, a, b):
    for c in data:
        a = (a + c) % 65521
        b = (b + a) % 65521
    return a, b


def bad(what):
    raise ValueError('model file: ' + what)


def line(f, sums):
    """The next line's words; its bytes go into sums, Adler-32's [a, b] so far."""
    raw = f.readline()
    sums[0], sums[1] = add(raw, sums[0], sums[1])
    try:
        return str(raw, 'utf-8').split()
    except ValueError:  # not text
        return []


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
        if words[-1][:1] != [key]:
            bad('header needs lines ' + ' '.join(keys))
    try:
        seq = int(words[1][1])
        rate = float(words[2][1])
        sizes = [len(words[3]) - 1]
        for n in words[4][1:]:
            sizes.append(int(n))
    except (ValueError, IndexError):
        bad('header number missing')
    names = words[5][1:] if version == ['2'] else ['sigmoid'] * (len(sizes) - 1)
    if len(names) != len(sizes) - 1 or len(names) < 1:
        bad('%d layers, %d activations' % (len(sizes) - 1, len(names)))
    net = cls(words[3][1:], rate) if cls else None
    count = 0
    for i in range(len(names)):
        if names[i] != 'sigmoid':  # ValueError for a name unknown here
            import micronn_build
            micronn_build.activation(names[:i], names[i])
        count += sizes[i + 1] * (sizes[i] + 1)
        if cls:
            net.grow(sizes[i + 1], names[i])
    if version == ['1']:
        import micronn_model1
        micronn_model1.weights(f, sizes, net, sums)
    elif words[6][1:] != [str(count)]:
        bad('%s weights, the layers need %d' % (' '.join(words[6][1:]), count))
    else:
        weights(f, count, net, sums)
    if f.readline() != bytes('sum %04x%04x\n' % (sums[1], sums[0]), 'utf-8') or f.readline():
        bad('checksum wrong: truncated or corrupt; save or flash it again')
    return seq, net


def weights(f, count, net, sums):
    """Version 2's count weights, 8 bytes at a time through one small buffer, into net's
    lists (net None: only checked and summed), then the newline after them. One loop, no
    calls of our own inside: the micro:bit's C stack ends a few Python calls deep. (And
    `net is None`, never `not net`, which would ask NeuralNet.__getattr__ for __len__.)"""
    buffer = bytearray(8)
    layer = at = 0  # where the next weight goes: net.layer_weights[layer][at]
    for _ in range(count):
        if f.readinto(buffer) != 8:
            bad('truncated')
        sums[0], sums[1] = add(buffer, sums[0], sums[1])
        value = struct.unpack_from('<d', buffer, 0)[0]
        if not -BIG <= value <= BIG:  # False for nan too
            bad('%r is not a finite weight' % value)
        if net is not None:
            row = net.layer_weights[layer]
            row[at] = value
            at += 1
            if at == len(row):
                at = 0
                layer += 1
    if line(f, sums):
        bad('no newline after the weights')


def load(path, cls):
    """The net in a model file: checked whole, then read again to build it."""
    for c in (None, cls):
        with open(path, 'rb') as f:
            net = read(f, c)[1]
    return net
