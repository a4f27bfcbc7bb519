# Host only. The firmware, unmodified but for stripped comments, on real MicroPython: an emulated
# micro:bit (v1.9.2, 30-bit floats, 16 KB RAM) over its pty, and MicroPython 1.27 WebAssembly.
# Each is compared with CPython running the same files.
import ast
import os
import random

import pytest

import micronn
import micronn_save
from micronn_tools import modelfile
from micronn_tools.bench import on_microbit
from micronn_tools.link import Link, checking
from micronn_tools import firmware
from micronn_tools.strip import strip_source

FIRMWARE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'firmware')
# the library modules a sigmoid net uses, from the firmware's manifest
MODULES = [m for m in firmware.libraries() if m not in ('micronn_act', 'micronn_layers')]
FLOAT32 = 1e-5  # the micro:bit's floats keep about 6 significant digits
FLOAT64 = 1e-9


def source(name):
    with open(os.path.join(FIRMWARE, name + '.py')) as f:
        return f.read()


def seeded(shape, seed):
    n = micronn.NeuralNet(['x%d' % i for i in range(shape[0])], seed=seed)
    for k in shape[1:]:
        n.add_layer(k)
    return n


def flat(net):
    return [w for row in net.layer_weights for w in row]


def inputs(k, n, seed=11):
    rng = random.Random(seed)
    # four decimals: short to type at the board's REPL, where every byte of a command is heap
    return [[round(rng.uniform(-1, 1), 4) for _ in range(k)] for _ in range(n)]


def trained_xor():
    net = seeded([2, 3, 1], 2)
    for i in range(8000):
        x = [[0, 0], [0, 1], [1, 0], [1, 1]][i % 4]
        net.train_row(x, x[0] ^ x[1])
    return net


# What the board runs for the same job; one statement per command keeps the compile small.
SEEDED = "n=micronn.NeuralNet(['x%d' % i for i in range({0})],seed={1})\nfor k in {2}:n.add_layer(k)"
FLAT = "[w for r in n.layer_weights for w in r]"  # per neuron: bias, then weights
TRAIN = ("X=[[0,0],[0,1],[1,0],[1,1]]\nfor i in range(8000):\n x=X[i%4]\n"
         " n.train_row(x,x[0]^x[1])")


@pytest.fixture(scope='module')
def board(microbit):
    with Link(microbit.port, timeout=60) as link:  # checked: a piece damaged on the way goes again
        for m in MODULES:
            link.write_file(m + '.py', strip_source(source(m)).encode())
    # unchecked commands: see Link(checked=False)
    with Link(microbit.port, timeout=60, checked=False) as link:
        yield link


def predictions(link, rows, setup):
    """n.predict(x) on the board for each of rows, one command a row, with setup(), which
    builds n on a fresh heap, again every 20 rows: the micro:bit's heap is near its end
    here. Beside a [4, 8, 3] net built by add_layer (which compiles backprop too), 46 one-row
    commands went through and the next could not be parsed; a command of two rows, a
    comprehension, could not be parsed at the second."""
    out = []
    for i, x in enumerate(rows):
        if i % 20 == 0:
            setup()
        out.append(link.eval('n.predict(%r)' % x))
    return out


def fresh(link, *modules):
    link.soft_reset()
    for m in modules:
        link.exec('import %s\nimport gc\ngc.collect()' % m)


@pytest.mark.slow
@pytest.mark.microbit
def test_microbit_heap_figures(board, capsys):
    fresh(board)
    a = board.eval("__import__('gc').collect() or __import__('gc').mem_free()")
    board.exec('import micronn\nimport gc\ngc.collect()')
    b = board.eval('gc.mem_free()')
    board.exec('import micronn_build\ngc.collect()')  # add_layer's module: not the net's heap
    b2 = board.eval('gc.mem_free()')
    board.exec("n=micronn.NeuralNet(['a','b'])\nn.add_layer(2)\nn.add_layer(1)\nn.predict([0,1])\ngc.collect()")
    c = board.eval('gc.mem_free()')
    with capsys.disabled():
        print('\nmicro:bit heap: %d B free after boot, import micronn %d B, micronn_build %d B, '
              '[2, 2, 1] net %d B' % (a, a - b, b - b2, b2 - c))
    assert a - b > 0 and b2 - c > 0  # figures are reported, goals are in the closing note


TOP = 320  # above any net that trains on a 16 KB micro:bit


@pytest.mark.slow
@pytest.mark.microbit
def test_microbit_largest_nets_that_train(board, capsys):
    # the same search as `micronn bench`: build, three train_rows, predict; bisect on H
    found = {str(s): on_microbit.largest(board, s, top=TOP) for s in ([2, 'H', 1], [4, 'H', 3])}
    with capsys.disabled():
        print('\nmicro:bit, largest nets that train: %s' % ', '.join(
            '%s: H = %d (%d B free after)' % (s.replace("'", ''), h, left)
            for s, (h, left) in found.items()))
    # the tool's default XOR net and the suite's [4, 8, 3] must train, and the search must
    # have reached the heap's limit: past the band of sizes it looked at above what it found,
    # nothing trains. (Just below the limit the same net trains on some tries and not others,
    # so one size past what it found can train now and then; see on_microbit.BAND.)
    assert 3 <= found["[2, 'H', 1]"][0] < TOP
    assert 8 <= found["[4, 'H', 3]"][0] < TOP
    for s in ([2, found["[2, 'H', 1]"][0] + on_microbit.BAND + 1, 1],
              [4, found["[4, 'H', 3]"][0] + on_microbit.BAND + 1, 3]):
        assert [on_microbit.trains(board, s) for _ in range(3)] == [None] * 3, s


@pytest.mark.slow
@pytest.mark.microbit
@pytest.mark.parametrize('shape, seed', [([2, 2, 1], 3), ([4, 8, 3], 9)])
def test_microbit_seeded_init_matches_cpython(board, shape, seed):
    fresh(board, 'micronn')
    board.exec(SEEDED.format(shape[0], seed, shape[1:]))
    got = board.eval(FLAT)
    # absolute: the generator's `% 1.0` leaves 30-bit rounding of the sum on small values
    assert got == pytest.approx(flat(seeded(shape, seed)), abs=FLOAT32)


@pytest.mark.slow
@pytest.mark.microbit
def test_microbit_loads_cpython_model_and_predicts_the_same(board):
    net = trained_xor()
    fresh(board)  # the read-back of the write must parse: not beside an earlier test's objects
    with checking(board, True):  # a piece damaged on the way goes again
        board.write_file('m.mn', micronn_save.dumps(net))

    def setup():
        fresh(board, 'micronn', 'micronn_model')
        board.exec("n=micronn.NeuralNet.load('m.mn')\ngc.collect()")
    rows = inputs(2, 50)
    for x, got in zip(rows, predictions(board, rows, setup)):
        assert got == pytest.approx(net.predict(x), abs=FLOAT32)


@pytest.mark.slow
@pytest.mark.microbit
def test_microbit_4_8_3_predicts_like_cpython(board):
    # built from its seed (same weights, see above): parsing its 1.4 KB model file as well
    # does not fit in the micro:bit's heap beside micronn and the reader
    net = seeded([4, 8, 3], 4)

    def setup():
        fresh(board, 'micronn')
        board.exec(SEEDED.format(4, 4, [8, 3]))
    rows = inputs(4, 50)
    for x, got in zip(rows, predictions(board, rows, setup)):
        assert got == pytest.approx(net.predict(x), abs=FLOAT32)


@pytest.mark.slow
@pytest.mark.microbit
def test_model_saved_on_microbit_loads_on_cpython(board):
    fresh(board, 'micronn', 'micronn_build', 'micronn_save')  # save needs no reader
    board.exec(SEEDED.format(2, 5, [3, 1]))
    board.exec("n.save('b.mn')")
    data = board.eval("open('b.mn','rb').read()")
    seq, net = modelfile.loads(data)
    assert flat(net) == pytest.approx(flat(seeded([2, 3, 1], 5)), rel=FLOAT32)


@pytest.mark.slow
@pytest.mark.microbit
def test_microbit_trains_xor_close_to_cpython(board):
    host = trained_xor()
    fresh(board, 'micronn', 'micronn_train')
    board.exec(SEEDED.format(2, 2, [3, 1]))
    # one command, training and reading back: after training, a command compiled anew could
    # find the micro:bit's heap too fragmented to parse it
    preds, got = ast.literal_eval(board.exec(TRAIN + '\nprint(repr(([n.predict(x)[0] for x in X],%s)))'
                                             % FLAT, timeout=300))
    assert [p > 0.5 for p in preds] == [False, True, True, False]
    # 8000 steps in 30-bit floats drift from CPython's doubles; the bound is what we measured
    # (2.9e-3 on weights of size ~5, after 8000 steps) with a margin of about 3x
    worst = max(abs(a - b) for a, b in zip(got, flat(host)))
    print('micro:bit vs CPython after 8000 XOR steps: largest weight difference %.2e' % worst)
    assert worst < 1e-2


def run_wasm(wasm, code):
    files = {m + '.py': source(m) for m in MODULES}
    return wasm(code, files)


@pytest.mark.wasm
def test_wasm_seeded_init_and_predictions_match_cpython(wasm):
    import ast
    cases = [([2, 2, 1], 3), ([4, 8, 3], 9)]
    code = 'import micronn\n'
    for shape, seed in cases:
        code += SEEDED.format(shape[0], seed, shape[1:]) + '\n'
        code += 'print(repr(%s))\n' % FLAT
        code += 'print(repr([n.predict(x) for x in %r]))\n' % inputs(shape[0], 50)
    out = run_wasm(wasm, code).splitlines()
    for i, (shape, seed) in enumerate(cases):
        net = seeded(shape, seed)
        assert ast.literal_eval(out[2 * i]) == pytest.approx(flat(net), abs=FLOAT64)
        want = [net.predict(x) for x in inputs(shape[0], 50)]
        got = ast.literal_eval(out[2 * i + 1])
        for g, w in zip(got, want):
            assert g == pytest.approx(w, abs=FLOAT64)


@pytest.mark.wasm
def test_wasm_loads_cpython_model_trains_and_saves(wasm):
    import ast
    host = trained_xor()
    code = ('import micronn\nn = micronn.NeuralNet.load("m.mn")\nprint(repr(n.predict([0, 1])))\n'
            + SEEDED.format(2, 2, [3, 1]) + '\n' + TRAIN + '\nn.save("w.mn")\n'
            + 'print(repr(open("w.mn", "rb").read()))\n')
    files = {m + '.py': source(m) for m in MODULES}
    files['m.mn'] = micronn_save.dumps(host)  # binary since version 2
    out = wasm(code, files).splitlines()
    assert ast.literal_eval(out[0]) == pytest.approx(host.predict([0, 1]), abs=FLOAT64)
    _, net = modelfile.loads(ast.literal_eval(out[1]))
    assert flat(net) == pytest.approx(flat(host), abs=FLOAT64)
