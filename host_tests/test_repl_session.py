# Host only. The micro:bit trains after predicting: a user's REPL session on a fresh emulated
# micro:bit (firmware, demo and a model on it, as `micronn flash` leaves it; a soft reset, so
# the REPL starts with the whole heap), typed one line at a time as at the >>> prompt. The
# first train_row used to fail there with MemoryError: compiling backprop into the heap the
# first net and the user's own functions had left in pieces. Now the first add_layer compiles it.
import pytest

import micronn
import micronn_boards as boards
from micronn_tools.board import Board
from micronn_tools.errors import BoardExecError
from micronn_tools.link import Link

pytestmark = pytest.mark.slow
XOR = [([0, 0], 0), ([0, 1], 1), ([1, 0], 1), ([1, 1], 0)]
# What the user typed, one entry per line at the prompt (a block is one entry, as at >>>).
SESSION = [
    "from micronn import NeuralNet",
    "net = NeuralNet(['a', 'b'], seed=7)",
    "net.add_layer(3)",
    "net.add_layer(1)",
    "print(net.predict([0, 0]))",
    "print(net.predict([0, 1]))",
    "print(net.predict([1, 0]))",
    "print(net.predict([1, 1]))",
    "import time",
    # two small timing helpers: with them the first train_row used to fail at 1072 bytes
    "def ms(t0):\n    return time.ticks_diff(time.ticks_ms(), t0)",
    "def timed(f, x, y):\n    t0 = time.ticks_ms()\n    f(x, y)\n    return ms(t0)",
    "net = NeuralNet(['a', 'b'], seed=1)",
    "net.add_layer(3)",
    "net.add_layer(1)",
    "XOR = %r" % XOR,
    "for epoch in range(1500):\n    for x, y in XOR:\n        net.train_row(x, y)",
    "print(repr([net.predict(x)[0] for x, y in XOR]))",
]


def host_session():
    """The same session on CPython: what the board's answers should be close to."""
    net = micronn.NeuralNet(['a', 'b'], seed=1)
    net.add_layer(3)
    net.add_layer(1)
    for _ in range(1500):
        for x, y in XOR:
            net.train_row(x, y)
    return [net.predict(x)[0] for x, y in XOR]


def typed(microbit, lines):
    """What the board printed for each of lines, typed at a fresh REPL of a board that
    `micronn flash` left with firmware, demo and a model."""
    net = micronn.NeuralNet(['x1', 'x2'], seed=3)
    net.add_layer(3)
    net.add_layer(1)
    with Link(microbit.port, timeout=60) as link:  # checked: a damaged piece is sent again
        Board(link, boards.get('microbit-emulated')).put_model(net, say=lambda *a, **k: None)
    # unchecked, as a person types at the REPL (see Link(checked=False))
    with Link(microbit.port, timeout=60, checked=False) as link:
        link.soft_reset()
        return [link.exec(line, timeout=600) for line in lines]


@pytest.mark.microbit
def test_repl_session_trains_xor_after_predicting_with_another_net(microbit):
    out = typed(microbit, SESSION)
    got = [float(v) for v in out[-1].strip()[1:-1].split(',')]
    assert [p > 0.5 for p in got] == [False, True, True, False]
    # 6,000 steps in the board's 30-bit floats drift from CPython's doubles, by far less
    # than this; a broken step would not come near
    assert got == pytest.approx(host_session(), abs=0.02)


@pytest.mark.microbit
def test_a_train_row_without_heap_for_backprop_says_what_to_do(microbit):
    # the user's own data leave micronn_build room to compile at add_layer, not backprop;
    # MicroPython 1.9.2 then keeps micronn_backprop imported but empty
    with pytest.raises(BoardExecError, match=r'backprop did not compile \(too little heap\): '
                       r'soft-reset the board \(Ctrl-D\)'):
        typed(microbit, ["from micronn import NeuralNet",
                         "data = [bytearray(700) for i in range(3)]",
                         "net = NeuralNet(['a', 'b'], seed=7)",
                         "net.add_layer(2)",
                         "net.add_layer(1)",
                         "net.train_row([0, 1], 1)"])
