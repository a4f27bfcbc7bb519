# micronn_model: runs on the board and on the host. The model file: plain text lines (the
# micro:bit has no json), ending in an Adler-32 of everything above it (serial links drop and
# flip bytes; a file is trusted only when its sum matches). Version 1:
#   micronn 1 / seq N / rate R / inputs x1 x2 / layers 2 1 / one line per neuron: bias weights.. / sum xxxxxxxx
_MAGIC = 'micronn 1'
_BIG = 1e6  # no trained weight comes near this; beyond it the file is damaged, not a model


def adler32(data):
    a = 1
    b = 0
    for c in data:
        a = (a + c) % 65521
        b = (b + a) % 65521
    return '%04x%04x' % (b, a)


def dumps(net, seq=0):
    names = [n.name for n in net.layers[0]]
    for k in names:
        if not k or len(k.split()) != 1:
            raise ValueError('input name %r: use one word with no spaces' % (k,))
    out = [_MAGIC, 'seq %d' % seq, 'rate %r' % net.learning_rate, 'inputs ' + ' '.join(names),
           'layers ' + ' '.join([str(len(l)) for l in net.layers[1:]])]
    for layer in net.layers[1:]:
        for n in layer:
            out.append(' '.join([repr(v) for v in [n.bias] + n.weights]))
    # bytes(s, 'utf-8'), not s.encode(): the micro:bit's str has no encode
    body = bytes('\n'.join(out) + '\n', 'utf-8')
    return body + bytes('sum %s\n' % adler32(body), 'utf-8')


def _bad(what):
    raise ValueError('model file: ' + what)


def _nums(line, n, what):
    t = line.split()
    if len(t) != n:
        _bad('%s has %d values, the shape says %d' % (what, len(t), n))
    r = []
    for s in t:
        try:
            v = float(s)
        except ValueError:
            _bad('%s: %r is not a number' % (what, s))
        if not -_BIG <= v <= _BIG:
            _bad('%s: %r is not a finite weight' % (what, s))
        r.append(v)
    return r


def _lines(data):
    i = data.rfind(b'sum ')
    if i < 0:
        _bad('no checksum line: truncated, or not a micronn model')
    if data[i + 4:].strip() != bytes(adler32(data[:i]), 'utf-8'):
        _bad('checksum mismatch: the file is corrupt; save or flash it again')
    try:
        lines = str(data[:i], 'utf-8').split('\n')
    except ValueError:  # UnicodeError is one on every port
        _bad('not text')
    if lines[0] != _MAGIC:
        _bad('header %r, expected %r: wrong version or not a model' % (lines[0][:20], _MAGIC))
    if len(lines) < 6 or lines[1][:4] != 'seq ':
        _bad('header lines missing (seq, rate, inputs, layers)')
    try:
        return int(lines[1][4:]), lines
    except ValueError:
        _bad('seq is not a whole number')


def check(data):
    """The sequence number of a model file whose checksum and header hold; else ValueError."""
    return _lines(data)[0]


def loads(data, cls):
    """bytes of a model file -> (seq, net). ValueError names what is wrong."""
    seq, lines = _lines(data)
    if lines[2][:5] != 'rate ' or lines[3][:7] != 'inputs ' or lines[4][:7] != 'layers ':
        _bad('header lines missing (seq, rate, inputs, layers)')
    try:
        sizes = [int(s) for s in lines[4][7:].split()]
    except ValueError:
        _bad('layers is not a list of whole numbers')
    if not sizes or min(sizes) < 1:
        _bad('layers: every layer needs at least one neuron')
    # seed 0: loading must not consume the caller's random stream
    net = cls(lines[3][7:].split(), _nums(lines[2][5:], 1, 'rate')[0], 0)
    k = 5
    for n in sizes:
        if len(lines) - 1 < k + n:
            _bad('%d neuron lines, the shape needs more' % (len(lines) - 6))
        m = len(net.layers[-1])
        net.add_layer(n)
        for neuron in net.layers[-1]:
            w = _nums(lines[k], m + 1, 'line %d' % (k + 1))
            neuron.bias = w[0]
            neuron.weights[:] = w[1:]
            k += 1
    if k != len(lines) - 1:
        _bad('%d lines more than the shape needs' % (len(lines) - 1 - k))
    return seq, net


def save(net, path, seq=0):
    with open(path, 'wb') as f:
        f.write(dumps(net, seq))


def load(path, cls):
    with open(path, 'rb') as f:
        return loads(f.read(), cls)[1]
