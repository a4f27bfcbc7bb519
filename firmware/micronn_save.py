# micronn_save: runs on the board and on the host. Writes the model file that micronn_model
# reads (version 2, format there). Apart from it so the board's predicting path never compiles
# it.
import struct

from micronn_bytes import add


def adler32(data):
    a, b = add(data, 1, 0)
    return '%04x%04x' % (b, a)


def dumps(net, seq=0):
    for k in net.inputs:
        if not isinstance(k, str) or len(k.split()) != 1:
            raise ValueError('input name %r: use one word with no spaces' % (k,))
    count = sum([len(row) for row in net.layer_weights])
    header = ['micronn 2', 'seq %d' % seq, 'rate %r' % net.learning_rate,
              'inputs ' + ' '.join(net.inputs),
              'layers ' + ' '.join([str(len(out)) for out in net.outputs]),
              'activations ' + ' '.join(net.activations), 'weights %d' % count]
    # bytes(s, 'utf-8'), not s.encode(): the micro:bit's str has no encode
    parts = [bytes('\n'.join(header) + '\n', 'utf-8')]
    for row in net.layer_weights:
        for w in row:
            parts.append(struct.pack('<d', w))
    parts.append(b'\n')
    body = b''.join(parts)
    return body + bytes('sum %s\n' % adler32(body), 'utf-8')


def save(net, path, seq=0):
    with open(path, 'wb') as f:
        f.write(dumps(net, seq))
