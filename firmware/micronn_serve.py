# micronn_serve: runs on the board. Loads the newest valid model and answers over the serial
# console, one line in and one out, so a person at a terminal can use it too:
#   "0 1" -> "0.998008"    "?" -> "micronn seq 3 layers 2 3 1 slot model_b.mn"
#   bad line -> "error: ..."
# Models live in two slots and the tool writes the older one, so a flash cut half way leaves
# the other slot, the previous model, in use.
import gc
import micronn
import micronn_model

SLOTS = ('model_a.mn', 'model_b.mn')


def load():
    """(seq, net, slot) of the newest model that loads, or None. Each slot's sum and header
    are checked first; a file that passes may still not build (a weight that is not finite,
    a line too short): then the older one serves."""
    found = []
    for name in SLOTS:
        try:
            with open(name, 'rb') as f:
                found.append((micronn_model.read(f)[0], name))
        except (OSError, ValueError, MemoryError):
            pass  # missing, damaged, half written or too big for this heap: the other serves
    found.sort()
    while found:
        seq, name = found.pop()
        gc.collect()  # the net starts on a heap clear of what reading the slots left behind
        try:
            with open(name, 'rb') as f:
                return micronn_model.read(f, micronn.NeuralNet) + (name,)
        except ValueError:
            pass


def main(idle=None):
    """Serve forever. idle(net), a standalone demo on the board's buttons and lights, runs
    while no line is typed."""
    m = load()
    if not m:
        print('micronn: no model; run `micronn flash MODEL`')
        return
    sizes = [len(m[1].inputs)] + [len(out) for out in m[1].outputs]
    about = 'micronn seq %d layers %s slot %s' % (m[0], ' '.join([str(n) for n in sizes]), m[2])
    print(about)
    while True:
        print('> ', end='')
        if idle:
            idle(m[1])
        line = input().strip()
        if line == '?':
            print(about)
            continue
        try:
            row = [float(s) for s in line.split()]  # ValueError for a word that is no number
            # The row is checked here, not by predict: what predict calls to say what is wrong,
            # micronn_check, is compiled only when needed, and after boot there is no heap to.
            if len(row) != sizes[0] or [v for v in row if v - v]:  # v - v: nan for nan, inf
                raise ValueError('need %d finite inputs' % sizes[0])
            print(' '.join([repr(p) for p in m[1].predict(row)]))
        except (ValueError, MemoryError) as e:  # the server goes on
            print('error: %s' % e)
