# micronn_serve: runs on the board; main.py starts it. The line server: one line in and one out
# over the serial console, so a person at a terminal can use it too:
#   "0 1" -> "0.998008"    "?" -> "micronn seq 3 layers 2 3 1 slot model_b.mn"
#   bad line -> "error: ..."
# A line ends at "\r", "\n" or "\r\n" (micronn_lines reads them).
# main.py gives it what to serve: the newest model file that loads (newest), or an export
# newer than that (micronn_exports.newest). Each kind has two slots and the tool writes the one
# not in use, with a higher seq, so a flash cut half way leaves the previous model serving.
import gc

SLOTS = ('model_a.mn', 'model_b.mn')


def newest(cls):
    """(seq, net, layer sizes, slot) of the newest of a board's model files that loads, or
    None. Each slot's sum and header are checked first; a file that passes may still not
    build (a weight that is not finite): then the older one serves."""
    import micronn_model
    found = []
    for name in SLOTS:
        try:
            with open(name, 'rb') as f:
                found.append((micronn_model.read(f)[0], name))
        except (OSError, ValueError, MemoryError, ImportError):
            pass  # missing, damaged, half written, too big for this heap or needing micronn_act
    found.sort()
    while found:
        seq, name = found.pop()
        gc.collect()  # the net starts on a heap clear of what reading the slots left behind
        try:
            with open(name, 'rb') as f:
                net = micronn_model.read(f, cls)[1]
        except ValueError:
            continue
        return seq, net, [len(net.inputs)] + [len(out) for out in net.outputs], name


def main(served, idle=None):
    """Serve forever served: (seq, net, layer sizes, slot). idle(net), a standalone demo on the
    board's buttons and lights, runs while no line is typed."""
    if not served:
        print('micronn: no model; run `micronn flash MODEL`')
        return
    seq, net, sizes, slot = served
    served = None
    about = 'micronn seq %d layers %s slot %s' % (seq, ' '.join([str(n) for n in sizes]), slot)
    n = sizes[0]
    from micronn_lines import line as read  # main.py imports it first, on a heap collected for it
    print(about)
    while True:
        print('> ', end='')
        text = read(idle, net).strip()
        if text == '?':
            print(about)
            continue
        try:
            row = [float(s) for s in text.split()]  # ValueError for a word that is no number
            # checked here, not by predict: what says what is wrong there (micronn_check) is
            # one more module, and a board serving a model has no heap left to compile it
            if len(row) != n or [v for v in row if v - v]:  # v - v: nan for nan and inf
                raise ValueError('need %d finite inputs' % n)
            print(' '.join([repr(p) for p in net.predict(row)]))
        except (ValueError, MemoryError) as e:  # the server goes on
            print('error: %s' % e)
