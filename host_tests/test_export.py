# Host only. `micronn export`: the exported module against the network it came from, on CPython,
# the emulated micro:bit (v1.9.2, single precision) and MicroPython 1.27 WebAssembly; every
# activation against a plain-Python reference of it; bad input raising micronn's messages.
import ast
import math
import random

import pytest

import micronn
from micronn_tools import export
from micronn_tools.link import Link
from micronn_tools.errors import BoardExecError

from helpers import cli

FLOAT32 = 1e-5
FLOAT64 = 1e-9
SHAPES = ([1, 1], [2, 2, 1], [2, 3, 1], [3, 4, 2, 1], [4, 8, 3], [2, 29, 1], [4, 16, 3],
          [40, 3, 2])  # [40, ...]: a fan-in past export.FANIN_MAX
MIXES = (['relu', 'sigmoid'], ['tanh', 'identity'], ['identity', 'softmax'],
         ['sigmoid', 'tanh', 'softmax'], ['relu', 'relu', 'relu'])


def seeded(shape, seed=3, activations=None):
    net = micronn.NeuralNet(['x%d' % i for i in range(shape[0])], seed=seed)
    for k in shape[1:]:
        net.add_layer(k)
    for layer in net.layers[1:]:  # weights of both signs, some large: every branch is taken
        for n in layer:
            n.bias = n.bias * 8 - 4
            n.weights = [w * 8 - 4 for w in n.weights]
    if activations:
        net.activations = activations
    return net


def rows(k, n=12, seed=11):
    rng = random.Random(seed)
    xs = [[rng.uniform(-3, 3) for _ in range(k)] for _ in range(n)]
    return xs + [[0] * k, [1] * k, [1000.0] * k, [-1000.0] * k]  # far out: exp must not overflow


def load(src):
    m = {}
    exec(compile(src, 'exported.py', 'exec'), m)
    return m['predict']


def reference(net, acts, x):
    """The forward pass in plain Python, each activation as its textbook formula."""
    f = {'sigmoid': lambda s: 1 / (1 + math.exp(-s)) if s > -500 else 0.0,
         'relu': lambda s: max(0.0, s), 'tanh': math.tanh, 'identity': lambda s: s}
    a = list(x)
    for act, layer in zip(acts, net.layers[1:]):
        s = [n.bias + sum(w * v for w, v in zip(n.weights, a)) for n in layer]
        if act == 'softmax':
            e = [math.exp(v - max(s)) for v in s]
            a = [v / sum(e) for v in e]
        else:
            a = [f[act](v) for v in s]
    return a


def worst(got, want):
    """The largest difference, relative for values past 1 (relu and identity outputs are
    unbounded; the micro:bit prints 6 significant digits)."""
    assert all(len(g) == len(w) for g, w in zip(got, want)) and len(got) == len(want)
    return max(abs(p - q) / max(1.0, abs(q)) for g, w in zip(got, want) for p, q in zip(g, w))


# CPython -------------------------------------------------------------------------------------

@pytest.mark.parametrize('straight', [True, False])
@pytest.mark.parametrize('shape', SHAPES)
def test_export_equals_the_net_on_cpython(shape, straight):
    net = seeded(shape)
    predict = load(export.source(net, straight=straight))
    xs = rows(shape[0])
    assert worst([predict(x) for x in xs], [net.predict(x) for x in xs]) < FLOAT64


@pytest.mark.parametrize('straight', [True, False])
@pytest.mark.parametrize('acts', MIXES)
def test_each_activation_equals_its_reference_on_cpython(acts, straight):
    shape = [3] + [4] * (len(acts) - 1) + [3]
    net = seeded(shape, 5, acts)
    predict = load(export.source(net, straight=straight))
    xs = rows(3)
    assert worst([predict(x) for x in xs], [reference(net, acts, x) for x in xs]) < FLOAT64


def test_the_choice_of_form_follows_the_weight_count():
    assert 'for b, w0, w1 in _L1' not in export.source(seeded([2, 8, 1]))  # 33 weights
    assert 'for b, w0, w1 in _L1' in export.source(seeded([2, 29, 1]))


def test_a_net_without_activations_is_all_sigmoid_and_unknown_ones_are_refused():
    net = seeded([2, 2, 1])
    assert 'activations sigmoid sigmoid' in export.source(net)
    net.activations = ['swish', 'sigmoid']
    with pytest.raises(ValueError, match="activation 'swish'"):
        export.source(net)
    net.activations = ['softmax', 'sigmoid']
    with pytest.raises(ValueError, match='output layer only'):
        export.source(net)


BAD = ([1], [1, 2, 3], [float('nan'), 1], [1, float('inf')], [float('-inf'), 0], ['a', 1],
       [1, None], ['a'], [], (1, '2'))


@pytest.mark.parametrize('straight', [True, False])
def test_bad_input_raises_micronns_own_errors(straight):
    net = seeded([2, 3, 1])
    predict = load(export.source(net, straight=straight))
    for x in BAD:
        with pytest.raises((TypeError, ValueError)) as want:
            net.predict(x)
        with pytest.raises(want.type) as got:
            predict(x)
        assert str(got.value) == str(want.value) == (
            'need 2 finite inputs, got %r' % (x,))


def test_command_writes_a_module_naming_its_model(tmp_path):
    net = seeded([2, 3, 1])
    net.save(str(tmp_path / 'm.mn'))
    code, out, err = cli('export', str(tmp_path / 'm.mn'), '-o', str(tmp_path / 'm_net.py'))
    assert code == 0, err
    text = (tmp_path / 'm_net.py').read_text()
    body = (tmp_path / 'm.mn').read_bytes()
    assert 'model sum %s' % body.split(b'sum ')[-1].decode().strip() in text.splitlines()[1]
    assert 'layers [2, 3, 1]' in text.splitlines()[1]
    assert 'import' not in text.replace("__import__('math')", '')  # only math
    loaded = micronn.NeuralNet.load(str(tmp_path / 'm.mn'))
    xs = rows(2)
    assert worst([load(text)(x) for x in xs], [loaded.predict(x) for x in xs]) < FLOAT64


def test_command_refuses_a_damaged_model_and_a_bad_module_name(tmp_path):
    seeded([2, 3, 1]).save(str(tmp_path / 'm.mn'))
    code, _, err = cli('export', str(tmp_path / 'm.mn'), '-o', str(tmp_path / 'my-net.py'))
    assert code == 1 and err.startswith('micronn: -o ') and 'identifier' in err
    data = (tmp_path / 'm.mn').read_bytes()
    (tmp_path / 'bad.mn').write_bytes(data[:-20])
    code, _, err = cli('export', str(tmp_path / 'bad.mn'), '-o', str(tmp_path / 'x.py'))
    assert code == 1 and 'bad.mn' in err and err.startswith('micronn: ')
    assert not (tmp_path / 'x.py').exists()


# The emulated micro:bit ----------------------------------------------------------------------

@pytest.fixture(scope='module')
def board(microbit):
    with Link(microbit.port, timeout=60) as link:
        yield link


def on_board(link, src, xs, name='exported'):
    """Each row's predict on the board, from src imported there on a fresh heap. The rows go
    in a file too: write_file checks its sum there, while a digit lost from a typed command
    under load could still parse, as another input. A soft reset first: what the last test
    imported would crowd the writes of a module as large as [2, 29, 1]'s."""
    link.soft_reset()
    link.write_file(name + '.py', src.encode())
    link.write_file('rows.py', ('X = %r\n' % (xs,)).encode())
    link.soft_reset()
    link.exec('import %s, rows' % name)
    got = link.eval('[%s.predict(x) for x in rows.X]' % name)
    link.remove(name + '.py')
    return got


# [2, 29, 1] and [4, 16, 3]: bigger than micronn itself can load on this board
@pytest.mark.slow
@pytest.mark.parametrize('shape', [[2, 3, 1], [4, 8, 3], [2, 29, 1], [4, 16, 3]])
def test_export_equals_the_net_on_the_microbit(board, shape):
    net = seeded(shape)
    xs = rows(shape[0], 6)
    got = on_board(board, export.source(net), xs)
    assert worst(got, [net.predict(x) for x in xs]) < FLOAT32


@pytest.mark.slow
def test_each_activation_equals_its_reference_on_the_microbit(board):
    for i, acts in enumerate(MIXES):
        net = seeded([3, 4, 2] if len(acts) == 2 else [3, 4, 4, 2], 5, acts)
        for straight in (True, False):
            xs = rows(3, 4)
            got = on_board(board, export.source(net, straight=straight), xs)
            assert worst(got, [reference(net, acts, x) for x in xs]) < FLOAT32, (acts, straight)


@pytest.mark.slow
def test_bad_input_on_the_microbit(board):
    board.write_file('exported.py', export.source(seeded([2, 3, 1])).encode())
    board.soft_reset()
    board.exec('import exported')
    for x, said in (('[1]', 'ValueError: need 2 finite inputs, got [1]'),
                    ("[float('nan'),0]", 'ValueError: need 2 finite inputs, got [nan, 0]'),
                    ("['a',1]", "TypeError: need 2 finite inputs, got ['a', 1]")):
        with pytest.raises(BoardExecError) as e:
            board.exec('exported.predict(%s)' % x)
        assert e.value.traceback.splitlines()[-1] == said
    board.remove('exported.py')


# MicroPython WebAssembly ---------------------------------------------------------------------

RUN = '''import exported
print(repr([exported.predict(x) for x in X]))
'''


@pytest.mark.parametrize('shape', [[2, 3, 1], [3, 4, 2, 1], [4, 8, 3], [2, 29, 1], [40, 3, 2]])
def test_export_equals_the_net_on_wasm(wasm, shape):
    net = seeded(shape)
    xs = rows(shape[0])
    for straight in (True, False):
        out = wasm('X = %r\n' % (xs,) + RUN, {'exported.py': export.source(net, straight=straight)})
        got = ast.literal_eval(out.strip().splitlines()[-1])
        assert worst(got, [net.predict(x) for x in xs]) < FLOAT64


def test_each_activation_and_bad_input_on_wasm(wasm):
    for acts in MIXES:
        net = seeded([3, 4, 2] if len(acts) == 2 else [3, 4, 4, 2], 5, acts)
        for straight in (True, False):
            xs = rows(3)
            out = wasm('X = %r\n' % (xs,) + RUN,
                       {'exported.py': export.source(net, straight=straight)})
            got = ast.literal_eval(out.strip().splitlines()[-1])
            assert worst(got, [reference(net, acts, x) for x in xs]) < FLOAT64, (acts, straight)
    code = '''import exported
for x in ([1], [float('nan'), 0], ['a', 1], [1, 2, 3]):
    try:
        exported.predict(x)
        print('no error')
    except Exception as e:
        print(type(e).__name__, e)
'''
    out = wasm(code, {'exported.py': export.source(seeded([2, 3, 1]))})
    assert out.split('\n')[:4] == [
        'ValueError need 2 finite inputs, got [1]',
        'ValueError need 2 finite inputs, got [nan, 0]',
        "TypeError need 2 finite inputs, got ['a', 1]",
        'ValueError need 2 finite inputs, got [1, 2, 3]']


# The benchmark's rows -----------------------------------------------------------------------

def test_bench_times_the_export_and_a_floor_that_computes_the_same(tmp_path):
    from micronn_tools.bench import bench, bench_job, nets, report
    net = bench_job.build(micronn, [2, 2, 1])
    x = [0.25, 0.75]
    assert bench_job.floor_locals(nets.floor_weights())(x) == pytest.approx(net.predict(x), abs=FLOAT64)
    assert load(nets.exported([2, 2, 1]))(x) == net.predict(x)
    r = bench.run_cpython(n=50, rounds=1)
    for s in nets.SHAPES:
        assert r['export', str(s), 'predict'] > 0
    text = report.speed_table(r)
    assert '| export us |' in text and '| [2, 2, 1] | floor locals predict |' in text
