# micronn_check: runs on the board and on the host. Says what is wrong with a row of inputs or
# targets. predict, train_row and the losses test their rows cheaply in line and import this
# only once one is bad, so a board that serves or trains on good rows never compiles it.
BAD = 'need %d finite %s, got %r'


def check(x, n, what, unit=False, layers=True):
    """TypeError unless x is all numbers, then ValueError unless n finite ones (unit: in
    [0, 1], which nan is not), or if there are no layers. Nothing, if x is good and only its
    sum overflowed predict's quick test."""
    for value in x:
        if not isinstance(value, (int, float)):
            raise TypeError(BAD % (n, what, x))
    if unit:
        what += ' in [0, 1]'
    bad = len(x) != n
    for value in x:
        bad = bad or value - value or unit and not 0 <= value <= 1  # v - v: nan for nan, inf
    if bad:
        raise ValueError(BAD % (n, what, x))
    if not layers:
        raise ValueError('no layers: add_layer() first')
