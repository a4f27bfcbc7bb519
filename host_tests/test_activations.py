# Host only. Layers other than the blog's sigmoid (relu, tanh, identity, softmax: micronn_act and
# its training) on CPython, the emulated micro:bit and MicroPython WebAssembly; model files
# recording them, version 1 files (no activations line) as all-sigmoid; a sigmoid net never
# loading any of it.
import ast
import math
import os
import random
import subprocess
import sys

import pytest

import micronn
import micronn_save
from micronn_tools import firmware, modelfile
from micronn_tools.link import Link
from micronn_tools.strip import strip_source

FIRMWARE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'firmware')
MODULES = firmware.libraries()  # from the firmware's manifest
FLOAT32 = 1e-5
FLOAT64 = 1e-9
# (inputs, [(size, activation), ...]): every activation, at every place it may stand
SHAPES = [(3, [(4, 'relu'), (3, 'tanh'), (2, 'softmax')]),
          (2, [(3, 'tanh'), (1, 'identity')]),
          (2, [(4, 'identity'), (3, 'sigmoid'), (2, 'softmax')]),
          (4, [(5, 'relu'), (3, 'sigmoid')])]
BUILD = "n=micronn.NeuralNet(%r,seed=%d)\nfor k,f in %r:n.add_layer(k,f)"
FLAT = "[w for r in n.layer_weights for w in r]"  # per neuron: bias, then weights


def source(name):
    with open(os.path.join(FIRMWARE, name + '.py')) as f:
        return f.read()


def names(k):
    return ['x%d' % i for i in range(k)]


def build(k, layers, seed=5, centre=True):
    net = micronn.NeuralNet(names(k), seed=seed)
    for size, f in layers:
        net.add_layer(size, f)
    # the seeded weights are all in [0, 1): centre them, so relu and tanh see both signs
    for layer in net.layers[1:] if centre else ():
        for u in layer:
            u.bias -= 0.5
            u.weights[:] = [w - 0.5 for w in u.weights]
    return net


CENTRE = "for r in n.layer_weights:\n for i in range(len(r)):r[i]-=0.5"


def flat(net):
    return [w for layer in net.layers[1:] for u in layer for w in [u.bias] + u.weights]


def rows(k, n, seed=3):
    rng = random.Random(seed)
    return [[rng.uniform(-2, 2) for _ in range(k)] for _ in range(n)]


def targets(layers, x):
    size, f = layers[-1]
    if f == 'identity':
        return [2.5 * x[0] - 1.0]
    if f == 'softmax':
        return [1 if j == (x[0] > 0) else 0 for j in range(size)]
    return [1 if x[j % len(x)] > 0 else 0 for j in range(size)]


# On CPython ---------------------------------------------------------------------------------

def by_hand(net, x):
    """The forward pass written from the definitions, one layer at a time."""
    a = list(x)
    for layer, f in zip(net.layers[1:], net.activations):
        s = [u.bias + sum(w * v for w, v in zip(u.weights, a)) for u in layer]
        if f == 'softmax':
            e = [math.exp(v - max(s)) for v in s]
            a = [v / sum(e) for v in e]
        else:
            a = [{'sigmoid': lambda v: 1 / (1 + math.exp(-v)), 'relu': lambda v: max(v, 0.0),
                  'tanh': math.tanh, 'identity': lambda v: v}[f](v) for v in s]
    return a


@pytest.mark.parametrize('k, layers', SHAPES)
def test_predictions_follow_each_activations_definition(k, layers):
    net = build(k, layers)
    assert net.activations == [f for _, f in layers]
    for x in rows(k, 50):
        assert net.predict(x) == pytest.approx(by_hand(net, x), abs=1e-12)


@pytest.mark.parametrize('k, layers', SHAPES)
def test_a_gradient_step_follows_the_numeric_gradient(k, layers):
    # each weight's change in one train_row is -rate times the slope of the loss, measured by
    # central differences on the loss train_row reports
    net = build(k, layers)
    net.learning_rate = 1e-3
    x = rows(k, 1, seed=8)[0]
    y = targets(layers, x)
    before = flat(net)
    cells = [(i, at) for i, row in enumerate(net.layer_weights) for at in range(len(row))]

    def loss_at(i, at, v):
        copy = modelfile.loads(micronn_save.dumps(net))[1]
        copy.layer_weights[i][at] = v
        copy.learning_rate = 0.0
        return copy.train_row(x, y)
    grads = []
    h = 1e-6
    for i, at in cells:
        v = net.layer_weights[i][at]
        grads.append((loss_at(i, at, v + h) - loss_at(i, at, v - h)) / (2 * h))
    net.train_row(x, y)
    steps = [(b - a) / -1e-3 for a, b in zip(before, flat(net))]
    assert steps == pytest.approx(grads, abs=1e-6)


def test_sigmoid_nets_never_load_the_activation_modules():
    code = ('import sys, micronn, micronn_train, micronn_save, micronn_model\n'
            'n = micronn.NeuralNet(["a", "b"], seed=1)\nn.add_layer(3)\n'
            'n.add_layer(1, "sigmoid")\nn.train_row([0, 1], 1)\nn.predict([1, 0])\n'
            'n.save("s.mn")\nm = micronn.NeuralNet.load("s.mn")\nm.train_row([1, 1], 0)\n'
            'print(sorted(k for k in sys.modules if k.startswith("micronn_act")), m._act)')
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        out = subprocess.run([sys.executable, '-c', code], cwd=d, capture_output=True,
                             text=True, check=True).stdout.splitlines()
    assert out[0] == '[] None'


def test_activations_go_through_the_model_file():
    net = build(3, SHAPES[0][1])
    data = micronn_save.dumps(net)
    assert b'\nactivations relu tanh softmax\n' in data
    back = modelfile.loads(data)[1]
    assert back.activations == ['relu', 'tanh', 'softmax']
    for x in rows(3, 20):
        assert back.predict(x) == net.predict(x)


def test_files_without_an_activations_line_are_all_sigmoid():
    # a version 1 file, as micronn wrote them before activations existed (by hand, so that it
    # stays that old whatever micronn_save does now)
    body = (b'micronn 1\nseq 4\nrate 0.1\ninputs a b\nlayers 2 1\n0.5 1.0 -1.0\n'
            b'-0.5 2.0 0.25\n0.1 1.5 -1.5\n')
    from micronn_save import adler32
    net = modelfile.loads(body + b'sum ' + adler32(body).encode() + b'\n')[1]
    assert net.activations == ['sigmoid', 'sigmoid'] and net._act is None
    assert net.predict([0.3, 0.7]) == pytest.approx(by_hand(net, [0.3, 0.7]), abs=1e-15)


@pytest.mark.parametrize('line, why', [
    (b'activations relu gelu', 'gelu'),
    (b'activations softmax sigmoid', 'output layer only'),
    (b'activations softmax relu', 'output layer only'),
    (b'activations relu', '2 layers, 1 activations'),
    (b'activations relu tanh sigmoid', '2 layers, 3 activations')])
def test_bad_activations_lines_are_refused(line, why):
    import struct
    from micronn_save import adler32
    body = (b'micronn 2\nseq 1\nrate 0.1\ninputs a b\nlayers 2 1\n%s\nweights 9\n' % line
            + struct.pack('<9d', *range(9)) + b'\n')
    data = body + b'sum ' + adler32(body).encode() + b'\n'
    with pytest.raises(ValueError, match=why):
        modelfile.loads(data)


def test_bad_activations_in_add_layer_are_refused():
    net = micronn.NeuralNet(['a'])
    with pytest.raises(ValueError, match="'gelu'"):
        net.add_layer(2, 'gelu')
    assert net.activations == [] and net.layer_weights == []
    net.add_layer(2, 'softmax')
    for f in ('sigmoid', 'relu'):
        with pytest.raises(ValueError, match='output layer only'):
            net.add_layer(1, f)
    assert net.activations == ['softmax']


def test_losses_and_targets_per_output_activation():
    reg = build(2, [(3, 'tanh'), (1, 'identity')])
    p = reg.predict([0.5, -0.5])[0]
    # squared error, halved; any finite target
    assert reg.train_row([0.5, -0.5], 7.5) == pytest.approx(0.5 * (p - 7.5) ** 2)
    with pytest.raises(ValueError, match='finite'):
        reg.train_row([0.5, -0.5], float('nan'))
    cls = build(2, [(3, 'relu'), (3, 'softmax')])
    p = cls.predict([0.5, -0.5])
    assert cls.train_row([0.5, -0.5], [0, 1, 0]) == pytest.approx(-math.log(p[1]))
    with pytest.raises(ValueError, match=r'targets in \[0, 1\]'):
        cls.train_row([0.5, -0.5], [0, 2, 0])
    for f in ('relu', 'tanh'):
        with pytest.raises(ValueError, match='no loss'):
            build(2, [(2, 'sigmoid'), (1, f)]).train_row([0, 1], 1)


def test_softmax_and_sigmoid_never_overflow():
    net = build(2, [(2, 'identity'), (3, 'softmax')])
    for j, u in enumerate(net.layers[1]):
        u.bias, u.weights[:] = 0.0, [1.0 - j, float(j)]
    for u, w in zip(net.layers[2], ([400.0, 0.0], [0.0, 400.0], [-400.0, 0.0])):
        u.bias, u.weights[:] = 0.0, w
    # sums of 800, -800, -800: exp(800) overflows a double
    assert net.predict([2.0, -2.0]) == pytest.approx([1.0, 0.0, 0.0], abs=1e-300)
    net = build(2, [(2, 'relu'), (1, 'sigmoid')])
    net.layers[2][0].weights[:] = [-500.0, -500.0]
    assert net.predict([3.0, 3.0])[0] == pytest.approx(0.0, abs=1e-300)


# On MicroPython -------------------------------------------------------------------------------

@pytest.fixture(scope='module')
def board(microbit):
    with Link(microbit.port, timeout=120) as link:
        for m in MODULES:
            if m not in ('micronn_model', 'micronn_save', 'micronn_bytes', 'micronn_layers'):
                link.write_file(m + '.py', strip_source(source(m)).encode())
        yield link


def put_net(link, net, grow=True):
    """net on the board, its weights sent a few at a time, each command alone (the link's
    helper off the heap). Built by grow(), which checks the names; or its lists made by hand, as
    grow() makes them, where beside micronn_act the micro:bit has no heap for micronn_build and
    a longer command."""
    layers = list(zip([len(o) for o in net.outputs], net.activations))
    if grow:
        link.exec("import micronn_build\nn=micronn.NeuralNet(%r)\n"
                  "for k,f in %r:micronn_build.grow(n,k,f)\ngc.collect()"
                  % (net.inputs, layers), alone=True)
    else:
        # (and backprop's errors made now, not by the first step amid the heap: a fragment
        # there left the parser no room for the next command)
        outputs = ','.join('[0.0]*%d' % k for k, _ in layers)
        link.exec("n=micronn.NeuralNet(%r)\nn._act=micronn_act\nn.errors=[%s]\n"
                  "n.layer_weights=[%s]\nn.outputs=[%s]\nn.activations=%r\ngc.collect()"
                  % (net.inputs, outputs, ','.join('[0.0]*%d' % len(r) for r in net.layer_weights),
                     outputs, net.activations), alone=True)
    for i, row in enumerate(net.layer_weights):
        for at in range(0, len(row), 5):
            link.exec('r=n.layer_weights[%d]\nfor k,w in enumerate(%r):r[%d+k]=w'
                      % (i, row[at:at + 5], at), alone=True)
    assert link.eval(FLAT, alone=True) == pytest.approx(flat(net), abs=FLOAT32)  # the same net
    link.exec('gc.collect()', alone=True)  # that list's garbage, before a longer command is parsed


def fresh(link, *modules):
    link.soft_reset()
    for m in modules:
        link.exec('import %s\nimport gc\ngc.collect()' % m, alone=True)


@pytest.mark.slow
@pytest.mark.microbit
def test_microbit_tanh_is_micronn_acts_own_and_matches(board):
    # the micro:bit's math has no tanh, so micronn_act brings one
    fresh(board, 'micronn', 'micronn_act')
    assert board.eval("'tanh' in dir(__import__('math'))", alone=True) is False
    xs = [0.0, 1e-7, -1e-7, 0.01, -0.3, 0.5493, 1.0, -2.5, 9.0, -20.0, 60.0, -1e4]
    got = board.eval('[micronn_act.tanh(v) for v in %r]' % xs, alone=True)
    assert got == pytest.approx([math.tanh(v) for v in xs], abs=FLOAT32)


@pytest.mark.slow
@pytest.mark.microbit
@pytest.mark.parametrize('k, layers', SHAPES)
def test_microbit_predicts_like_cpython(board, k, layers):
    fresh(board, 'micronn', 'micronn_act')
    net = build(k, layers)
    put_net(board, net, grow=False)
    for x in rows(k, 30):  # one row per command: what the heap holds
        assert board.eval('n.predict(%r)' % x, alone=True) == pytest.approx(net.predict(x),
                                                                          abs=FLOAT32)


@pytest.mark.slow
@pytest.mark.microbit
@pytest.mark.parametrize('k, layers', [(2, [(3, 'tanh'), (1, 'identity')]),
                                       (2, [(3, 'relu'), (2, 'softmax')])])
def test_microbit_trains_like_cpython(board, k, layers):
    # micronn_backprop's step, with micronn_act's loss and slopes
    fresh(board, 'micronn', 'micronn_backprop', 'micronn_act')
    net = build(k, layers)
    put_net(board, net, grow=False)
    for i in range(20):
        x = [(i % 7 - 3) * 0.5, (i % 5 - 2) * 0.5]
        board.exec('micronn_backprop.train_row(n,%r,%r)\ngc.collect()' % (x, targets(layers, x)),
                   alone=True)  # collected before the next command is parsed
        net.train_row(x, targets(layers, x))
    # 20 steps in 30-bit floats: weights of size ~1 drift in the 6th digit
    assert board.eval(FLAT, alone=True) == pytest.approx(flat(net), abs=1e-4)


def run_wasm(wasm, code, files=None):
    files = dict(files or {})
    files.update({m + '.py': source(m) for m in MODULES})
    return wasm(code, files)


@pytest.mark.wasm
def test_wasm_predicts_trains_and_saves_like_cpython(wasm):
    code = 'import micronn\n'
    for k, layers in SHAPES:
        train = [(x, targets(layers, x)) for x in rows(k, 20, seed=4)]
        code += BUILD % (names(k), 5, layers) + '\n' + CENTRE + '\n'
        code += 'print(repr([n.predict(x) for x in %r]))\n' % rows(k, 30)
        code += 'for x,y in %r:n.train_row(x,y)\n' % train
        code += 'n.save("w.mn")\nprint(repr(open("w.mn","rb").read()))\n'
    out = run_wasm(wasm, code).splitlines()
    for i, (k, layers) in enumerate(SHAPES):
        net = build(k, layers)
        for g, x in zip(ast.literal_eval(out[2 * i]), rows(k, 30)):
            assert g == pytest.approx(net.predict(x), abs=FLOAT64)
        for x in rows(k, 20, seed=4):
            net.train_row(x, targets(layers, x))
        saved = modelfile.loads(ast.literal_eval(out[2 * i + 1]))[1]
        assert saved.activations == net.activations
        assert flat(saved) == pytest.approx(flat(net), abs=FLOAT64)


@pytest.mark.wasm
def test_wasm_loads_a_cpython_file_with_activations(wasm):
    net = build(3, SHAPES[0][1])
    code = ('import micronn\nn = micronn.NeuralNet.load("m.mn")\nprint(n.activations)\n'
            'print(repr([n.predict(x) for x in %r]))\n' % rows(3, 30))
    out = run_wasm(wasm, code, {'m.mn': micronn_save.dumps(net)}).splitlines()
    assert ast.literal_eval(out[0]) == ['relu', 'tanh', 'softmax']
    for g, x in zip(ast.literal_eval(out[1]), rows(3, 30)):
        assert g == pytest.approx(net.predict(x), abs=FLOAT64)


@pytest.mark.slow
@pytest.mark.wasm
def test_micronn_act_is_switched_in_with_what_boot_imports():
    # A flash removes the old copy of a module boot does not import first and writes the new
    # one last (a micro:bit has room for old and new boot files only). micronn_act is imported
    # at boot for a net with relu, tanh, identity or softmax layers, so a changed micronn_act is
    # written as a temporary and switched in with the boot files: a flash cut half way leaves
    # that net served. micronn_check, which boot never imports, goes last.
    from conftest import start_board
    import micronn_boards
    from micronn_tools import plan
    from micronn_tools.board import Board
    relu = build(2, [(2, 'relu'), (1, 'identity')])

    def steps_for(board, module):
        """The flash's steps for module, its copy on the board out of date."""
        firmware = [(n, d + b'\n' if n.startswith(module + '.') else d)
                    for n, d in board.firmware(relu)]
        room = board.fs.room(board.link.eval(board.fs.LIST))
        sums = board.link.file_sums([n for n, _ in firmware])
        return [(op, n) for op, n, _ in plan.firmware_steps(firmware, room.sizes, sums)
                if n.startswith(module + '.')]

    with start_board('modern') as b, Link(b.port) as link:
        board = Board(link, micronn_boards.get(b.profile))
        board.put_model(relu, say=lambda *a, **k: None)
        for module, late in (('micronn_act', False), ('micronn_check', True)):
            name = [n for n, _ in board.firmware(relu) if n.startswith(module + '.')][0]
            want = [('remove', name), ('write', name)] if late else [
                ('write', module + '.new'), ('move', name)]
            assert steps_for(board, module) == want, module
