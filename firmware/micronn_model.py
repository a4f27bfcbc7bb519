# micronn_model: runs on the board and on the host. Reads a model file; the board's device
# path, so it stays small (writing is micronn_save's job). The file is plain text (the
# micro:bit has no json), version 1:
#   micronn 1 / seq N / rate R / inputs x1 x2 / layers 3 1 / one line per neuron: bias weights..
#   / sum xxxxxxxx
# ending in an Adler-32 of every byte above it: serial links drop and flip bytes, so a file is
# trusted only when its sum holds. seq orders the board's two model slots.
_BIG = 1e6  # no trained weight comes near this; past it the file is damaged, not a model


def adler32(data):
    a = 1
    b = 0
    for c in data:
        a = (a + c) % 65521
        b = (b + a) % 65521
    return '%04x%04x' % (b, a)


def _bad(what):
    raise ValueError('model file: ' + what)


def check(data):
    """(seq, lines) of model file bytes whose checksum and header hold; else ValueError."""
    i = data.rfind(b'sum ')
    if i < 0 or data[i + 4:].strip() != bytes(adler32(data[:i]), 'utf-8'):
        _bad('checksum missing or wrong: truncated or corrupt; save or flash it again')
    t = str(data[:i], 'utf-8').split('\n')
    if t[0] != 'micronn 1':
        _bad('header %r is not "micronn 1": another version, or not a model' % t[0][:20])
    if len(t) < 6 or t[1][:4] + t[2][:5] + t[3][:7] + t[4][:7] != 'seq rate inputs layers ':
        _bad('header needs seq, rate, inputs and layers lines')
    return int(t[1][4:]), t


def loads(data, cls):
    """Model file bytes -> (seq, net), net built by cls (micronn.NeuralNet)."""
    seq, t = check(data)
    k = 5
    net = cls(t[3].split()[1:], float(t[2][5:]))
    net._rnd = float  # zeros, all overwritten below; random's state is left alone
    for n in t[4].split()[1:]:
        net.add_layer(int(n))
        for u in net.layers[-1]:
            w = t[k].split() if k < len(t) else ()
            k += 1
            if len(w) != len(u.weights) + 1:
                _bad('line %d has %d values, the layers need %d' % (k, len(w), len(u.weights) + 1))
            for j in range(len(w)):
                v = float(w[j])
                if not -_BIG <= v <= _BIG:
                    _bad('line %d: %s is not a finite weight' % (k, w[j]))
                w[j] = v
            u.bias = w[0]
            u.weights[:] = w[1:]
    if k != len(t) - 1:
        _bad('%d lines, the layers need %d' % (len(t) - 1, k))
    return seq, net


def load(path, cls):
    with open(path, 'rb') as f:
        return loads(f.read(), cls)[1]
