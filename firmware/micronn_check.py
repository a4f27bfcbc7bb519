# micronn_check: runs on the board and on the host. What is wrong with a row of inputs or
# targets, said in full; imported only once something is (predict, train_row and the
# activations' losses test cheaply in line first), so a board that serves good rows never
# compiles it.
BAD = '%s: expected %d finite numbers, got %r'


def check(x, n, what):
    """TypeError unless x is all numbers, then ValueError unless n finite ones."""
    for value in x:
        if not isinstance(value, (int, float)):
            raise TypeError(BAD % (what, n, x))
    for value in x:
        if value - value:  # nan for nan and inf, 0 for a finite number
            raise ValueError(BAD % (what, n, x))
    if len(x) != n:
        raise ValueError(BAD % (what, n, x))


def row(net, x):
    """For predict: what is wrong with net or its inputs x. Nothing, if x is good and only
    its sum overflowed."""
    check(x, len(net.inputs), 'inputs')
    if not net.outputs:
        raise ValueError('no layers: add_layer() first')


def unit(y, n):
    """For targets y of which one is not in [0, 1] (nan included): TypeError if one is not a
    number, else ValueError."""
    for value in y:
        if not isinstance(value, (int, float)):
            raise TypeError(BAD % ('targets', n, y))
    raise ValueError(BAD % ('targets in [0, 1]', n, y))
