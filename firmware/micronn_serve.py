# micronn_serve: runs on the board. Loads the newest valid model and answers over the serial
# console, one line in and one out, so a person at a terminal can use it too:
#   "0 1" -> "0.998008"    "?" -> "micronn seq 3 layers 2 3 1"    bad line -> "error: ..."
# Models live in two slots and the tool writes the older one, so a flash cut half way leaves
# the other slot, the previous model, in use.
import gc
import micronn
import micronn_model

SLOTS = ('model_a.mn', 'model_b.mn')


def newest():
    """(seq, slot) of the newest slot whose file checks out, or None."""
    best = None
    for name in SLOTS:
        try:
            with open(name, 'rb') as f:
                seq = micronn_model.read(f)[0]
        except (OSError, ValueError, MemoryError):
            continue  # missing, damaged, half written or too big for this heap: the other serves
        if not best or seq > best[0]:
            best = (seq, name)
    return best


def load():
    """(seq, net) of the newest valid model, or None."""
    b = newest()
    if b:
        gc.collect()  # the net then starts on a heap clear of what newest() left behind
        with open(b[1], 'rb') as f:
            return micronn_model.read(f, micronn.NeuralNet)


def main(idle=None):
    """Serve forever. idle(net), a standalone demo on the board's buttons and lights, runs
    while no line is typed."""
    m = load()
    if not m:
        print('micronn: no model; flash one with `micronn flash MODEL`')
        return
    sizes = [len(m[1].inputs)] + [len(out) for out in m[1].outputs]
    about = 'micronn seq %d layers %s' % (m[0], ' '.join([str(n) for n in sizes]))
    print(about)
    while True:
        print('> ', end='')
        if idle:
            idle(m[1])
        line = input().strip()
        try:
            print(about if line == '?' else ' '.join(
                [repr(p) for p in m[1].predict([float(s) for s in line.split()])]))
        except (ValueError, TypeError) as e:
            print('error: %s' % e)
