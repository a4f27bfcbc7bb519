# micronn_servex: runs on the board. Serves a model put there by `micronn flash --export`: the
# net as a module of its own (`micronn export`), so neither micronn nor a model file is
# loaded, and nets too big for micronn on a 16 KB board still serve. The line protocol, the
# banner and the two slots are micronn_serve's; each slot's first line is
#   # micronn seq N sum XXXXXXXX layers 2 3 1
# the sum an Adler-32 of every byte after that line, checked before the module is imported.
import gc

SLOTS = ('mnx_a.py', 'mnx_b.py')
FILES = ('model_a.mn', 'model_b.mn')  # micronn_serve's: whichever kind is newer serves


def _slot(name, export):
    """seq of a slot (-1 when missing or its sum fails) and the words of its first line."""
    try:
        f = open(name, 'r' if export else 'rb')  # a model file's weights are binary
    except OSError:
        return -1, None
    try:
        head = f.readline().split()
        if not export:
            return int(f.readline().split()[1]), head  # a model file's "seq N"
        a = 1
        b = 0
        while True:
            d = f.read(64)
            if not d:
                break
            for c in d:
                a = (a + ord(c)) % 65521
                b = (b + a) % 65521
        if head[5] == '%04x%04x' % (b, a):
            return int(head[3]), head
    except (ValueError, IndexError):
        pass
    finally:
        f.close()
    return -1, None


served = None  # what load() found


def load():
    """(module, banner) of the newest export that imports, or None: then micronn serves its
    model file, if there is one. A slot whose sum fails, or that does not compile here, is
    passed over for the older one. main.py calls it first thing: the export is the biggest
    code the board compiles, and compiles best into a heap nothing else has fragmented yet."""
    global served
    newer = max(_slot(n, 0)[0] for n in FILES)
    found = []
    for name in SLOTS:
        seq, head = _slot(name, 1)
        if seq > newer:
            found.append((seq, name, head))
    found.sort()
    while found:
        seq, name, head = found.pop()
        gc.collect()
        try:
            m = __import__(name[:-3])
        except Exception:  # MemoryError or SyntaxError while compiling it here
            continue
        m.inputs = range(int(head[7]))  # the board's demo asks a net how many inputs
        served = m, 'micronn seq %d layers %s slot %s' % (seq, ' '.join(head[7:]), name)
        return served


def main(idle=None):
    """Serve forever what load() found. The loop is micronn_serve.main's: shared, it would
    make a board serving an export compile micronn, or one serving a model file this."""
    net, about = served
    print(about)
    while True:
        print('> ', end='')
        if idle:
            idle(net)
        line = input().strip()
        try:
            print(about if line == '?' else ' '.join(
                [repr(p) for p in net.predict([float(s) for s in line.split()])]))
        except (ValueError, TypeError) as e:
            print('error: %s' % e)
