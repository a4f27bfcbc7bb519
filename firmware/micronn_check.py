# micronn_check: runs on the board and on the host. What is wrong with a row of inputs or
# targets, said in full. predict, train_row and the activations' losses test their rows
# cheaply in line and import this only once one is bad: a board that serves good rows, or
# trains on them, never compiles it.
BAD = '%s: expected %d finite numbers, got %r'


def check(x, n, what, unit=False):
    """TypeError unless x is all numbers, then ValueError unless n finite ones (unit: in
    [0, 1], which nan is not)."""
    for value in x:
        if not isinstance(value, (int, float)):
            raise TypeError(BAD % (what, n, x))
    for value in x:
        if unit and not 0 <= value <= 1:
            raise ValueError(BAD % (what + ' in [0, 1]', n, x))
        if value - value:  # nan for nan and inf, 0 for a finite number
            raise ValueError(BAD % (what, n, x))
    if len(x) != n:
        raise ValueError(BAD % (what, n, x))


def check_inputs(net, x):
    """For predict: what is wrong with net or its inputs x. Nothing, if x is good and only
    its sum overflowed."""
    check(x, len(net.inputs), 'inputs')
    if not net.outputs:
        raise ValueError('no layers: add_layer() first')
