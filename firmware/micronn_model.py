# micronn_model: runs on the board and on the host. Reads a model file; the board's device
# path, so it stays small (writing is micronn_save's job). Version 2, written today:
#   micronn 2 / seq N / rate R / inputs x1 x2 / layers 3 1 / activations sigmoid sigmoid /
#   weights 13 / then 13 little-endian 8-byte floats (per layer, per neuron: its bias, then
#   one weight per parent), a newline / sum xxxxxxxx
# Version 1 (still read): micronn 1, then seq, rate, inputs and layers lines, then one text
# line per neuron (bias weights...), then the sum; every layer sigmoid.
# The sum is an Adler-32 of every byte above it: serial links drop and flip bytes, so a file is
# trusted only when its sum holds. seq orders the board's two model slots.
# The weights go straight into the net's lists, read 8 bytes at a time into one small buffer:
# reading text a line at a time left a 16 KB micro:bit's heap in fragments, and it could serve
# only a fraction of the nets it trains.
import struct

BIG = 1e6  # no trained weight comes near this; past it the file is damaged, not a model


def _add(data, a, b):
    for c in data:
        a = (a + c) % 65521
        b = (b + a) % 65521
    return a, b


def adler32(data):
    a, b = _add(data, 1, 0)
    return '%04x%04x' % (b, a)


def _bad(what):
    raise ValueError('model file: ' + what)


def read(f, cls=None):
    """(seq, net) of the model file f (opened 'rb'); net is None without cls
    (micronn.NeuralNet). ValueError when its sum, header or shape is wrong. The sum comes
    last, so build a net only from a file already read once without cls."""
    sums = [1, 0]  # Adler-32's a and b so far
    words = []  # the header's lines, split

    def line():
        raw = f.readline()
        sums[0], sums[1] = _add(raw, sums[0], sums[1])
        try:
            words.append(str(raw, 'utf-8').split())
        except ValueError:  # not text
            words.append([])
        return words[-1]
    line()
    version = words[0][1:] if words[0][:1] == ['micronn'] else None
    if version != ['2'] and version != ['1']:
        _bad('header %r is not "micronn 2" or "micronn 1": another version, or not a model'
             % ' '.join(words[0])[:20])
    keys = ('seq', 'rate', 'inputs', 'layers', 'activations', 'weights')
    for key in keys[:6 if version == ['2'] else 4]:
        if line()[:1] != [key]:
            _bad('header needs lines ' + ', '.join(keys[:6 if version == ['2'] else 4]))
    try:
        seq = int(words[1][1])
        rate = float(words[2][1])
        sizes = [len(words[3]) - 1] + [int(n) for n in words[4][1:]]
    except (ValueError, IndexError):
        _bad('header has a line without its number')
    names = words[5][1:] if version == ['2'] else ['sigmoid'] * (len(sizes) - 1)
    count = 0
    for i in range(1, len(sizes)):
        if sizes[i] < 1:
            _bad('layer %d has no neurons' % i)
        count += sizes[i] * (sizes[i - 1] + 1)
    if len(names) != len(sizes) - 1 or sizes[0] < 1 or len(sizes) < 2:
        _bad('%d inputs, %d layers and %d activations do not fit together'
             % (sizes[0], len(sizes) - 1, len(names)))
    import micronn_build
    for i in range(len(names)):
        micronn_build.activation(names[:i], names[i])  # ValueError for a name unknown here
    net = None
    if cls:
        net = cls(words[3][1:], rate)
        for i in range(len(names)):
            micronn_build.grow(net, sizes[i + 1], names[i])
    if version == ['2']:
        if words[6][1:] != [str(count)]:
            _bad('%s weights, the layers need %d' % (' '.join(words[6][1:]), count))
        _binary(f, count, net, sums)
        if f.readline() != b'\n':
            _bad('no newline after the weights: truncated or corrupt; save or flash it again')
        sums[0], sums[1] = _add(b'\n', sums[0], sums[1])
    else:
        _text(f, sizes, net, sums)
    raw = f.readline()
    if raw.strip() != bytes('sum %04x%04x' % (sums[1], sums[0]), 'utf-8') or f.readline().strip():
        _bad('checksum missing or wrong: truncated or corrupt; save or flash it again')
    return seq, net


def _value(v):
    if not -BIG <= v <= BIG:  # False for nan too
        _bad('%r is not a finite weight' % v)
    return v


def _binary(f, count, net, sums):
    """Version 2's count weights, 8 bytes at a time through one small buffer, into net's
    lists (net None: only checked and summed)."""
    buffer = bytearray(8)
    for row in (net.layer_weights if net else [None]):
        for at in range(len(row) if net else count):
            if f.readinto(buffer) != 8:
                _bad('the weights end early: truncated; save or flash it again')
            sums[0], sums[1] = _add(buffer, sums[0], sums[1])
            value = _value(struct.unpack_from('<d', buffer, 0)[0])
            if net:
                row[at] = value


def _text(f, sizes, net, sums):
    """Version 1's weights: one text line per neuron, its bias then its weights."""
    number = 5  # lines read so far
    for i in range(1, len(sizes)):
        row = net.layer_weights[i - 1] if net else None
        at = 0
        for _ in range(sizes[i]):
            raw = f.readline()
            number += 1
            sums[0], sums[1] = _add(raw, sums[0], sums[1])
            values = str(raw, 'utf-8').split()
            if len(values) != sizes[i - 1] + 1:
                _bad('line %d has %d values, the layers need %d'
                     % (number, len(values), sizes[i - 1] + 1))
            for v in values:
                try:
                    value = _value(float(v))
                except ValueError:
                    _bad('line %d: %s is not a finite weight' % (number, v))
                if net:
                    row[at] = value
                    at += 1


def load(path, cls):
    """The net in a model file: checked whole, then read again to build it."""
    for c in (None, cls):
        with open(path, 'rb') as f:
            net = read(f, c)[1]
    return net
