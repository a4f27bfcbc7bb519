# micronn_serve: runs on the board. Loads the newest valid model and answers predictions over
# the serial console, one line in, one line out, so a person at a terminal can use it too:
#   "0 1" -> "0.982488"   "?" -> "micronn seq 3 inputs x1 x2 layers 3 1"   bad line -> "error: ..."
# Models live in two slots; the tool writes the older one, so a flash cut halfway leaves the
# other slot, and so the previous model, in use.
import micronn
import micronn_model

SLOTS = ('model_a.mn', 'model_b.mn')


def _read(name):
    try:
        with open(name, 'rb') as f:
            return f.read()
    except OSError:
        return None


def newest():
    """(seq, slot name) of the newest slot whose checksum holds, or None."""
    best = None
    for name in SLOTS:
        data = _read(name)
        if data:
            try:
                seq = micronn_model.check(data)
            except ValueError:
                continue  # damaged or half-written: the other slot serves
            if best is None or seq > best[0]:
                best = (seq, name)
    return best


def load():
    """(seq, net) of the newest valid model, or None when no slot holds one."""
    b = newest()
    return b and micronn_model.loads(_read(b[1]), micronn.NeuralNet)


def _about(seq, net):
    return 'micronn seq %d inputs %s layers %s' % (
        seq, ' '.join([n.name for n in net.layers[0]]),
        ' '.join([str(len(l)) for l in net.layers[1:]]))


def answer(net, line):
    try:
        return ' '.join([repr(p) for p in net.predict([float(s) for s in line.split()])])
    except (ValueError, TypeError) as e:
        return 'error: %s' % e


def main():
    m = load()
    if not m:
        print('micronn: no model on this board; flash one with `micronn flash MODEL`')
        return
    seq, net = m
    print(_about(seq, net))
    while True:
        line = input('> ').strip()
        if line == '?':
            print(_about(seq, net))
        elif line:
            print(answer(net, line))
