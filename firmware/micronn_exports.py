# micronn_exports: runs on the board. Finds a model put there by `micronn flash --export`: the
# net as a module of its own (`micronn export`), which micronn_serve serves without micronn or a
# model file, so nets too big for micronn on a 16 KB board still serve. Two slots, as model
# files have; each slot's first line is
#   # micronn seq N sum XXXXXXXX layers 2 3 1
# the sum an Adler-32 of every byte after that line, checked before the module is imported.
import gc

SLOTS = ('mnx_a.py', 'mnx_b.py')


def seq(name, model_file=False):
    """A slot's seq, -1 when it is missing or (an export) its sum fails."""
    try:
        with open(name, 'rb') as f:
            head = f.readline().split()
            if model_file:
                return int(f.readline().split()[1])  # its "seq N" line
            # Adler-32 as micronn_bytes.add has it, written out: a board serving an export has
            # no micronn_bytes, which would take a 16 KB micro:bit 1 KB of heap to compile
            a, b = 1, 0
            while True:
                data = f.read(64)
                if not data:
                    break
                for c in data:
                    a = (a + c) % 65521
                    b = (b + a) % 65521
        if str(head[5], 'utf-8') == '%04x%04x' % (b, a):
            return int(head[3])
    except (OSError, ValueError, IndexError):
        pass
    return -1


def newest():
    """(seq, module, layer sizes, slot) of the newest export that imports and is newer than
    every model file, or None: then a model file serves. A slot whose sum fails, or that does
    not compile here, is passed over for the older one."""
    newer = max(seq('model_a.mn', True), seq('model_b.mn', True))  # micronn_serve.SLOTS
    found = sorted([(seq(name), name) for name in SLOTS])
    while found:
        n, name = found.pop()
        if n <= newer:
            return None
        gc.collect()
        try:
            module = __import__(name[:-3])
        except Exception:  # MemoryError or SyntaxError while compiling it here
            continue
        with open(name) as f:
            sizes = [int(k) for k in f.readline().split()[7:]]
        module.inputs = range(sizes[0])  # the board's demo asks a net how many inputs
        return n, module, sizes, name
