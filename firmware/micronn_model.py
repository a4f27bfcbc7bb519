# micronn_model: runs on the board and on the host. Reads a model file; the board's device
# path, so it stays small (writing is micronn_save's job). The file is plain text (the
# micro:bit has no json), version 1:
#   micronn 1 / seq N / rate R / inputs x1 x2 / layers 3 1 / [activations relu softmax] /
#   one line per neuron: bias weights.. / sum xxxxxxxx
# (no activations line: every layer is sigmoid, as in the files of micronn's first release)
# ending in an Adler-32 of every byte above it: serial links drop and flip bytes, so a file is
# trusted only when its sum holds. seq orders the board's two model slots.
# Files are read a line at a time, never whole: on a 16 KB micro:bit a whole file and its copies
# took more heap than the net they describe.
_BIG = 1e6  # no trained weight comes near this; past it the file is damaged, not a model


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


def read(readline, cls=None):
    """(seq, net) of the model file that readline() reads; net is None without cls
    (micronn.NeuralNet). ValueError when its sum, header or shape is wrong. The sum comes
    last, so build a net only from a file already read once without cls."""
    a = 1
    b = 0
    t = []  # the header's lines
    net = None
    u = []  # the neurons still to fill, in file order
    k = 0
    while True:
        raw = readline()
        if not raw or raw[:4] == b'sum ':
            break
        a, b = _add(raw, a, b)
        k += 1
        line = str(raw, 'utf-8').split()
        if k < 6:
            t.append(line)
            if k == 5:
                seq = _header(t)
                if cls:
                    net = cls(t[3][1:], float(t[2][-1]))
                    net._rnd = float  # zeros, all overwritten below; random is left alone
                    for size in t[4][1:]:
                        net.add_layer(int(size))
                        u += net.layers[-1]
                need = k + len(u)
        elif k == 6 and line[:1] == ['activations']:  # optional: without it, all sigmoid
            import micronn_act
            micronn_act.use(net, line[1:], len(t[4]) - 1)
            if net:
                net.activations = line[1:]
            need += 1
        elif u:
            n = u.pop(0)
            if len(line) != len(n.weights) + 1:
                _bad('line %d has %d values, the layers need %d'
                     % (k, len(line), len(n.weights) + 1))
            for j in range(len(line)):
                v = float(line[j])
                if not -_BIG <= v <= _BIG:
                    _bad('line %d: %s is not a finite weight' % (k, line[j]))
                line[j] = v
            n.bias = line[0]
            n.weights[:] = line[1:]
    if raw[4:].strip() != bytes('%04x%04x' % (b, a), 'utf-8') or readline().strip():
        _bad('checksum missing or wrong: truncated or corrupt; save or flash it again')
    if k < 5:
        _header(t + [['?']] * 5)  # raises
    if cls and k != need:
        _bad('%d lines, the layers need %d' % (k, need))
    return seq, net


def _header(t):
    """seq, from the first five lines of a file, each split into words."""
    if t[0] != ['micronn', '1']:
        _bad('header %r is not "micronn 1": another version, or not a model'
             % ' '.join(t[0])[:20])
    if t[1][:1] + t[2][:1] + t[3][:1] + t[4][:1] != ['seq', 'rate', 'inputs', 'layers']:
        _bad('header needs seq, rate, inputs and layers lines')
    return int(t[1][-1])


def load(path, cls):
    """The net in a model file: checked whole, then read again to build it."""
    for c in (None, cls):
        with open(path, 'rb') as f:
            net = read(f.readline, c)[1]
    return net
