# micronn_model1: runs on the board and on the host. Reads the weights of a version 1 model
# file (one text line per neuron: its bias, then one weight per parent), which micronn wrote
# before version 2; micronn_model reads the rest and imports this only for such a file.
from micronn_bytes import BIG, bad, line


def weights(f, sizes, net, sums):
    number = 5  # lines read so far
    for i in range(1, len(sizes)):
        row = None if net is None else net.layer_weights[i - 1]
        at = 0
        for _ in range(sizes[i]):
            values = line(f, sums)
            number += 1
            if len(values) != sizes[i - 1] + 1:
                bad('line %d has %d values, the layers need %d'
                    % (number, len(values), sizes[i - 1] + 1))
            for v in values:
                try:
                    value = float(v)
                except ValueError:
                    value = None
                if value is None or not -BIG <= value <= BIG:  # False for nan too
                    bad('%s is not a finite weight' % v)
                if row is not None:
                    row[at] = value
                    at += 1
