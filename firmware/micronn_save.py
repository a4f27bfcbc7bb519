# micronn_save: runs on the board and on the host. Writes the model file that micronn_model
# reads (format there). Apart from it so the board's predicting path never compiles it.
from micronn_model import adler32


def dumps(net, seq=0):
    names = [n.name for n in net.layers[0]]
    for k in names:
        if not isinstance(k, str) or len(k.split()) != 1:
            raise ValueError('input name %r: use one word with no spaces' % (k,))
    out = ['micronn 1', 'seq %d' % seq, 'rate %r' % net.learning_rate, 'inputs ' + ' '.join(names),
           'layers ' + ' '.join([str(len(l)) for l in net.layers[1:]])]
    if net._act:  # a sigmoid net's file stays as it always was
        out.append('activations ' + ' '.join(net.activations))
    for layer in net.layers[1:]:
        for n in layer:
            out.append(' '.join([repr(v) for v in [n.bias] + n.weights]))
    # bytes(s, 'utf-8'), not s.encode(): the micro:bit's str has no encode
    body = bytes('\n'.join(out) + '\n', 'utf-8')
    return body + bytes('sum %s\n' % adler32(body), 'utf-8')


def save(net, path, seq=0):
    with open(path, 'wb') as f:
        f.write(dumps(net, seq))
