# Host only. `micronn convert` on real models: scikit-learn MLPs trained here on small data (iris
# ships with scikit-learn), and ONNX graphs as torch.onnx.export writes them, built with onnx's
# own helper API (no torch needed). The converted net must give what the source gives
# (predict_proba/predict; the ONNX graph run by onnxruntime) within 1e-9 on CPython, and the
# same on MicroPython. Needs the `convert` extra: skipped without it, failed under CI=true.
import ast
import functools
import os
import warnings

import pytest

from conftest import need
from helpers import cli

import micronn
import micronn_save
from micronn_tools import modelfile
from micronn_tools.link import Link
from micronn_tools.strip import strip_source

LIBS = ('sklearn', 'joblib', 'pandas', 'onnx', 'onnxruntime')
FIRMWARE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'firmware')


def _missing():
    for m in LIBS:
        try:
            __import__(m)
        except ImportError:
            return '%s is missing: pip install -e ".[convert]"' % m
    return None


@pytest.fixture(autouse=True)
def libs():
    need(_missing())
    warnings.simplefilter('ignore')  # scikit-learn's convergence warnings


def iris():
    from sklearn.datasets import load_iris
    d = load_iris(as_frame=True)
    return d.data, d.target


def convert(path):
    from micronn_tools.convert import convert as conv
    return conv(str(path))[0]


def worst(net, X, want):
    import numpy as np
    got = np.array([net.predict([float(v) for v in x]) for x in np.asarray(X)])
    return float(np.max(np.abs(got - np.asarray(want).reshape(got.shape))))


# scikit-learn -------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)  # trained once per session: the same models every time
def sk_cases():
    """(name, fitted model, X): every kind of MLP scikit-learn makes, each hidden activation."""
    import numpy as np
    from sklearn.datasets import make_classification, make_multilabel_classification, \
        make_regression
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    X, y = iris()
    Xb, yb = make_classification(120, 5, random_state=1)
    Xm, ym = make_multilabel_classification(120, 6, n_classes=3, random_state=2)
    Xr, yr = make_regression(120, 3, n_targets=2, random_state=3)
    return [
        ('iris, softmax, relu', MLPClassifier(hidden_layer_sizes=(5,), max_iter=500, random_state=0).fit(X, y), X),
        ('iris, tanh, 2 hidden', MLPClassifier(hidden_layer_sizes=(6, 4), activation='tanh', max_iter=300,
                                               random_state=0).fit(X, y), X),
        ('binary, logistic', MLPClassifier(hidden_layer_sizes=(6,), activation='logistic', max_iter=300,
                                           random_state=0).fit(Xb, yb), Xb),
        ('multi-label', MLPClassifier(hidden_layer_sizes=(7,), max_iter=300, random_state=0).fit(Xm, ym), Xm),
        ('regressor, identity', MLPRegressor(hidden_layer_sizes=(4,), activation='identity', max_iter=300,
                                             random_state=0).fit(Xr, yr[:, 0]), Xr),
        ('regressor, 2 outputs', MLPRegressor(hidden_layer_sizes=(8, 3), max_iter=300, random_state=0)
         .fit(Xr, yr / 100), Xr),
        ('numbers for labels, no names', MLPClassifier(hidden_layer_sizes=(3,), max_iter=200, random_state=0)
         .fit(np.asarray(X), np.asarray(y) * 10), np.asarray(X)),
    ]


def source_outputs(model, X):
    from sklearn.neural_network import MLPClassifier
    if not isinstance(model, MLPClassifier):
        return model.predict(X)
    p = model.predict_proba(X)
    if model.out_activation_ == 'logistic' and model.n_outputs_ == 1:
        return p[:, 1]  # scikit-learn adds 1 - p for the other class; the net has one output
    return p


def test_sklearn_models_convert_to_the_same_predictions(tmp_path, capsys):
    import joblib
    for name, model, X in sk_cases():
        path = tmp_path / 'm.joblib'
        joblib.dump(model, path)
        net = convert(path)
        w = worst(net, X, source_outputs(model, X))
        with capsys.disabled():
            print('\n%-32s largest difference from scikit-learn %.1e' % (name, w))
        assert w < 1e-9, name
        # through the model file as well: what goes to the board
        back = modelfile.loads(micronn_save.dumps(net))[1]
        assert worst(back, X, source_outputs(model, X)) < 1e-9, name


def test_sklearn_input_names_come_from_the_data_frame(tmp_path):
    import joblib
    name, model, X = sk_cases()[0]
    joblib.dump(model, tmp_path / 'm.pkl')
    net = convert(tmp_path / 'm.pkl')
    assert [n.name for n in net.layers[0]] == ['sepal_length_(cm)', 'sepal_width_(cm)',
                                               'petal_length_(cm)', 'petal_width_(cm)']
    assert net.activations == ['relu', 'softmax']
    name, model, X = sk_cases()[-1]
    joblib.dump(model, tmp_path / 'n.pkl')
    assert [n.name for n in convert(tmp_path / 'n.pkl').layers[0]] == ['x1', 'x2', 'x3', 'x4']


@pytest.mark.parametrize('kind', ['classifier', 'regressor'])
def test_train_row_steps_like_sklearns_sgd(tmp_path, kind):
    # scikit-learn's own backprop as the reference: plain SGD, one row per step, no momentum
    # and no L2 term, is exactly micronn's train_row
    import joblib
    import numpy as np
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    X, y = iris()
    X = np.asarray(X) / 4
    y = np.asarray(y)
    opts = dict(solver='sgd', learning_rate_init=0.05, momentum=0.0, nesterovs_momentum=False,
                alpha=0.0, batch_size=1, shuffle=False, random_state=0)
    if kind == 'classifier':
        model = MLPClassifier(hidden_layer_sizes=(6, 5), activation='relu', **opts)
        model.partial_fit(X[:1], y[:1], classes=[0, 1, 2])
        targets = [[float(c == k) for k in range(3)] for c in y]
    else:
        model = MLPRegressor(hidden_layer_sizes=(6,), activation='tanh', **opts)
        y = X[:, 0] * 2 - X[:, 3]
        model.partial_fit(X[:1], y[:1])
        targets = [[v] for v in y]
    joblib.dump(model, tmp_path / 'm.joblib')
    net = convert(tmp_path / 'm.joblib')
    order = np.random.RandomState(4).permutation(len(X))[:100]
    for i in order:
        model.partial_fit(X[i:i + 1], y[i:i + 1])
        net.train_row([float(v) for v in X[i]], targets[i])
    joblib.dump(model, tmp_path / 'after.joblib')
    want = convert(tmp_path / 'after.joblib')
    diff = max(abs(a - b) for la, lb in zip(net.layers[1:], want.layers[1:])
               for ua, ub in zip(la, lb) for a, b in zip([ua.bias] + ua.weights,
                                                         [ub.bias] + ub.weights))
    assert diff < 1e-9


def test_other_estimators_and_unfitted_models_are_refused(tmp_path):
    import joblib
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    X, y = iris()
    cases = [(LogisticRegression(max_iter=500).fit(X, y), 'holds a sklearn.LogisticRegression'),
             (make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(3,), max_iter=50)).fit(X, y),
              'holds a sklearn.Pipeline'),
             (MLPClassifier(hidden_layer_sizes=(3,)), 'never fitted')]
    for model, why in cases:
        joblib.dump(model, tmp_path / 'm.joblib')
        with pytest.raises(ValueError, match=why):
            convert(tmp_path / 'm.joblib')
    (tmp_path / 'junk.pkl').write_bytes(b'not a pickle at all')
    with pytest.raises(ValueError, match='cannot load it with joblib'):
        convert(tmp_path / 'junk.pkl')


# ONNX ---------------------------------------------------------------------------------------
# Each graph is written with onnx's own helper API, node for node as torch.onnx.export writes
# the same Sequential (its dynamo exporter, or the legacy one where the name says so): Gemm
# with the weights transposed (transB) for a batch of rows, MatMul then Add for one row. The
# weights are float32, as torch's are, taken from scikit-learn nets fitted here on iris.

def onnx_model(nodes, weights, shape, output):
    """An ONNX model: nodes [(op, inputs, outputs, attributes)], weights {name: array} as its
    initializers, one float input of the given shape named 'input', and output."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    graph = helper.make_graph(
        [helper.make_node(op, ins, outs, **attrs) for op, ins, outs, attrs in nodes], 'net',
        [helper.make_tensor_value_info('input', TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info(output, TensorProto.FLOAT, None)],
        [numpy_helper.from_array(np.asarray(w, dtype=np.float32), name)
         for name, w in weights.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)], ir_version=8)
    model = onnx.shape_inference.infer_shapes(model, strict_mode=True)  # the output's shape
    onnx.checker.check_model(model, full_check=True)
    return model


def gemm(x, w, out, bias=True):
    """torch's Linear on a batch: Gemm by weights w (out x in, transposed), bias w's + '.b'."""
    return ('Gemm', [x, w] + [w + '.b'] * bias, [out],
            dict(alpha=1.0, beta=1.0, transA=0, transB=1))


def linear(fitted, i, name, bias=True):
    """Layer i of a fitted scikit-learn MLP as torch keeps a Linear: {name: out x in weights,
    name.b: biases}."""
    w = {name: fitted.coefs_[i].T}
    if bias:
        w[name + '.b'] = fitted.intercepts_[i]
    return w


@functools.lru_cache(maxsize=None)
def onnx_cases():
    """(name, ONNX model)."""
    import numpy as np
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    X, y = iris()
    X, y = X.values, y.values
    cases = []
    m = MLPClassifier(hidden_layer_sizes=(6,), max_iter=300, random_state=0).fit(X, y)
    cases.append(('iris, relu, softmax (Gemm)', onnx_model(
        [gemm('input', '0.w', 'l0'), ('Relu', ['l0'], ['r0'], {}), gemm('r0', '2.w', 'l1'),
         ('Softmax', ['l1'], ['softmax'], dict(axis=1))],
        {**linear(m, 0, '0.w'), **linear(m, 1, '2.w')}, [1, 4], 'softmax')))
    m = MLPClassifier(hidden_layer_sizes=(5, 4), activation='tanh', max_iter=300,
                      random_state=0).fit(X, y)
    cases.append(('flatten, tanh, two linear in a row (legacy exporter)', onnx_model(
        [('Flatten', ['input'], ['f'], dict(axis=1)), gemm('f', '1.w', 'l1'),
         ('Tanh', ['l1'], ['t'], {}), gemm('t', '3.w', 'l3'), gemm('l3', '4.w', '11')],
        {**linear(m, 0, '1.w'), **linear(m, 1, '3.w'), **linear(m, 2, '4.w')}, [1, 4], '11')))
    m = MLPClassifier(hidden_layer_sizes=(5,), activation='logistic', max_iter=300,
                      random_state=0).fit(X, X[:, 2] > 3)
    cases.append(('one row, MatMul then Add, sigmoid', onnx_model(
        [('MatMul', ['input', 'w0'], ['m0'], {}), ('Add', ['m0', 'b0'], ['l0'], {}),
         ('Sigmoid', ['l0'], ['s0'], {}), ('MatMul', ['s0', 'w2'], ['m2'], {}),
         ('Add', ['m2', 'b2'], ['l2'], {}), ('Sigmoid', ['l2'], ['sigmoid'], {})],
        {'w0': m.coefs_[0], 'b0': m.intercepts_[0], 'w2': m.coefs_[1], 'b2': m.intercepts_[1]},
        [4], 'sigmoid')))
    m = MLPRegressor(hidden_layer_sizes=(3,), activation='tanh', max_iter=300,
                     random_state=0).fit(X, X[:, :2] * 0.5)
    cases.append(('regression, no bias, no output activation', onnx_model(
        [gemm('input', '0.w', 'l0', bias=False), ('Tanh', ['l0'], ['t'], {}),
         gemm('t', '2.w', 'linear')],
        {**linear(m, 0, '0.w', bias=False), **linear(m, 1, '2.w')}, [1, 4], 'linear')))
    return cases


def export(model, path):
    import onnx
    onnx.save(model, str(path))
    return path


def run_onnx(path, X, double=False):
    """The graph run by onnxruntime; double=True runs it in float64 (the same graph, its
    weights and every tensor cast), to compare with micronn's doubles within 1e-9."""
    import numpy as np
    import onnx
    import onnxruntime
    from onnx import numpy_helper
    model = onnx.load(str(path))
    if double:
        g = model.graph
        for t in list(g.initializer):
            t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float64),
                                               t.name))
        for v in list(g.input) + list(g.output) + list(g.value_info):
            if v.type.tensor_type.elem_type == onnx.TensorProto.FLOAT:
                v.type.tensor_type.elem_type = onnx.TensorProto.DOUBLE
    sess = onnxruntime.InferenceSession(model.SerializeToString(),
                                        providers=['CPUExecutionProvider'])
    inp = sess.get_inputs()[0]
    X = np.asarray(X, dtype=np.float64 if double else np.float32)
    rank = len(inp.shape)
    if rank == 1:
        return np.array([sess.run(None, {inp.name: x})[0] for x in X])
    return np.array([sess.run(None, {inp.name: x[None]})[0][0] for x in X])


def test_onnx_models_convert_to_the_same_predictions(tmp_path, capsys):
    X, _ = iris()
    X = X.values
    for name, model in onnx_cases():
        path = export(model, tmp_path / 'm.onnx')
        net = convert(path)
        w64 = worst(net, X, run_onnx(path, X, double=True))
        w32 = worst(net, X, run_onnx(path, X))
        with capsys.disabled():
            print('\n%-52s largest difference from onnxruntime: %.1e in float64, %.1e in '
                  'float32' % (name, w64, w32))
        assert w64 < 1e-9, name
        assert w32 < 1e-5, name


def test_onnx_models_it_cannot_express_are_refused(tmp_path):
    import numpy as np
    rng = np.random.RandomState(0)

    def lin(name, n_out, n_in):
        return {name: rng.uniform(-0.5, 0.5, (n_out, n_in)), name + '.b': rng.uniform(-0.5, 0.5, n_out)}
    bn = {'1.weight': rng.uniform(0.5, 1.5, 3), '1.bias': rng.uniform(-0.5, 0.5, 3)}
    conv = {'0.weight': rng.uniform(-0.5, 0.5, (2, 1, 3)), '0.bias': rng.uniform(-0.5, 0.5, 2)}
    cases = [([gemm('input', '0.w', 'g'), ('LeakyRelu', ['g'], ['4'], dict(alpha=0.01))],
              lin('0.w', 3, 4), [1, 4], '4', 'is LeakyRelu'),
             ([('Identity', ['1.weight'], ['1.running_var'], {}),  # the legacy exporter's copies
               ('Identity', ['1.bias'], ['1.running_mean'], {}), gemm('input', '0.w', 'g'),
               ('BatchNormalization', ['g', '1.weight', '1.bias', '1.running_mean',
                                       '1.running_var'], ['9'], dict(epsilon=1e-5, momentum=0.9))],
              {**lin('0.w', 3, 4), **bn}, [1, 4], '9', 'is BatchNormalization'),
             ([('Conv', ['input', '0.weight', '0.bias'], ['c'],
                dict(dilations=[1], group=1, kernel_shape=[3], pads=[0, 0], strides=[1])),
               ('Flatten', ['c'], ['f'], dict(axis=1)), gemm('f', '2.w', '7')],
              {**conv, **lin('2.w', 2, 4)}, [1, 1, 4], '7', 'is Conv'),
             ([gemm('input', '0.w', 'g'), ('Relu', ['g'], ['4'], {})], lin('0.w', 3, 4), [1, 4],
              '4', 'last layer ends in relu'),
             ([gemm('input', '0.w', 'g'), ('Softmax', ['g'], ['4'], dict(axis=0))],
              lin('0.w', 3, 4), [1, 4], '4', 'Softmax over axis 0'),
             ([gemm('input', '0.w', 'g'), ('Softmax', ['g'], ['s'], dict(axis=1)),
               gemm('s', '2.w', '7')], {**lin('0.w', 3, 4), **lin('2.w', 2, 3)}, [1, 4], '7',
              'Softmax before the last layer')]
    for nodes, weights, shape, output, why in cases:
        path = export(onnx_model(nodes, weights, shape, output), tmp_path / 'm.onnx')
        with pytest.raises(ValueError, match=why):
            convert(path)
    (tmp_path / 'junk.onnx').write_bytes(b'\x00\x01junk')
    with pytest.raises(ValueError, match='not an ONNX file'):
        convert(tmp_path / 'junk.onnx')


# The command ----------------------------------------------------------------------------------

def test_the_convert_command(tmp_path):
    import joblib
    name, model, X = sk_cases()[0]
    joblib.dump(model, tmp_path / 'iris.joblib')
    (tmp_path / 'i.gesture').write_text('of a gesture model i.mn was before')
    code, out, err = cli('convert', str(tmp_path / 'iris.joblib'), '-o', str(tmp_path / 'i.mn'))
    assert code == 0, err
    assert not (tmp_path / 'i.gesture').exists()  # else flash takes i.mn for a gesture model
    assert 'probability of each class: 0, 1, 2' in out and 'activations relu softmax' in out
    net = modelfile.read(str(tmp_path / 'i.mn'))
    assert worst(net, X, model.predict_proba(X)) < 1e-9
    for bad, why in (('nothing.joblib', 'no such file'), (__file__, 'not a model micronn')):
        code, out, err = cli('convert', bad, '-o', str(tmp_path / 'x.mn'))
        assert code == 1 and err.startswith('micronn: ') and why in err, err
    assert not (tmp_path / 'x.mn').exists()
    code, out, err = cli('convert', '--help')
    assert 'runs code from it' in ' '.join(out.split())


# On MicroPython -------------------------------------------------------------------------------

def converted_iris(tmp_path):
    import joblib
    name, model, X = sk_cases()[0]
    joblib.dump(model, tmp_path / 'm.joblib')
    return model, convert(tmp_path / 'm.joblib'), X.values


def source(name):
    with open(os.path.join(FIRMWARE, name + '.py')) as f:
        return f.read()


@pytest.mark.wasm
def test_wasm_runs_converted_models_like_cpython(wasm, tmp_path):
    import joblib
    X, _ = iris()
    X = X.values.tolist()
    nets = []
    for name, model in onnx_cases()[:1]:
        nets.append(convert(export(model, tmp_path / 'm.onnx')))
    for name, model, Xs in sk_cases()[:2]:
        joblib.dump(model, tmp_path / 'm.joblib')
        nets.append(convert(tmp_path / 'm.joblib'))
    files = {m + '.py': source(m) for m in ('micronn', 'micronn_check', 'micronn_act',
                                            'micronn_model', 'micronn_bytes')}
    code = 'import micronn\n'
    for i, net in enumerate(nets):
        files['m%d.mn' % i] = micronn_save.dumps(net)
        code += ('n = micronn.NeuralNet.load("m%d.mn")\nprint(repr([n.predict(x) for x in %r]))\n'
                 % (i, X))
    out = wasm(code, files).splitlines()
    for net, line in zip(nets, out):
        got = ast.literal_eval(line)
        assert worst(net, X, got) < 1e-9


@pytest.mark.slow
@pytest.mark.microbit
def test_microbit_runs_the_converted_iris_net_like_cpython(microbit, tmp_path, capsys):
    # the firmware's micronn and micronn_act on the board, the net's lists made there as grow()
    # makes them (micronn_train, which grow() would compile to check the names, leaves the
    # parser no heap), the converted weights set a few at a time; each command alone
    import numpy as np
    model, net, X = converted_iris(tmp_path)
    modules = ('micronn', 'micronn_act')
    with Link(microbit.port, timeout=60) as link:
        for m in modules:
            link.write_file(m + '.py', strip_source(source(m)).encode())
        link.soft_reset()
        for m in modules:
            link.exec('import %s\nimport gc\ngc.collect()' % m, alone=True)
        link.exec("n=micronn.NeuralNet(%r)\nn._act=micronn_act\nn.layer_weights=[%s]\n"
                  "n.outputs=[%s]\nn.activations=%r\ngc.collect()"
                  % (net.inputs, ','.join('[0.0]*%d' % len(r) for r in net.layer_weights),
                     ','.join('[0.0]*%d' % len(o) for o in net.outputs), net.activations),
                  alone=True)
        for i, row in enumerate(net.layer_weights):
            for at in range(0, len(row), 5):
                link.exec('r=n.layer_weights[%d]\nfor k,w in enumerate(%r):r[%d+k]=w'
                          % (i, row[at:at + 5], at), alone=True)
        assert link.eval('[w for r in n.layer_weights for w in r]', alone=True) == \
            pytest.approx([w for r in net.layer_weights for w in r], abs=1e-6)
        link.exec('gc.collect()', alone=True)
        got = [link.eval('n.predict(%r)' % [float(v) for v in x], alone=True) for x in X]
    host = [net.predict([float(v) for v in x]) for x in X]
    diff = float(np.max(np.abs(np.array(got) - np.array(host))))
    agree = np.mean(np.argmax(got, 1) == np.argmax(host, 1))
    with capsys.disabled():
        print('\nconverted iris net on the micro:bit: largest difference from CPython %.1e; '
              'same class for %.1f%% of the 150 rows' % (diff, 100 * agree))
    assert diff < 1e-5


def iris_files(tmp_path):
    """iris.mn converted with `micronn convert`, and iris.csv: its 150 rows, each with the
    class scikit-learn gives it."""
    import joblib
    model, _, X = converted_iris(tmp_path)
    joblib.dump(model, tmp_path / 'iris.joblib')
    assert cli('convert', str(tmp_path / 'iris.joblib'), '-o', str(tmp_path / 'iris.mn'))[0] == 0
    with open(tmp_path / 'iris.csv', 'w') as f:
        for x, c in zip(X.tolist(), model.predict(X)):
            f.write(','.join([repr(float(v)) for v in x] + ['%d' % (c == k) for k in range(3)])
                    + '\n')
    return str(tmp_path / 'iris.mn'), str(tmp_path / 'iris.csv')


@pytest.mark.slow
@pytest.mark.microbit
def test_the_converted_iris_net_serves_on_the_microbit_as_an_export(fresh_microbit, tmp_path):
    # micronn, micronn_model, micronn_serve and micronn_act leave no heap for such a net on a
    # 16 KB micro:bit (measured: not even [2, 1, 1] loaded), but its export fits: a plain
    # `micronn flash` serves it so, saying why, and verify compares all 150 rows
    mn, data = iris_files(tmp_path)
    opts = ['--port', fresh_microbit.port]
    code, out, err = cli('flash', mn, *opts)
    assert code == 0, err
    assert 'note: as a model file the model needs about' in out and 'as an export' in out, out
    with Link(fresh_microbit.port) as link:
        names = link.eval("__import__('os').listdir()")
    assert 'mnx_a.py' in names and 'micronn.py' not in names, names
    code, out, err = cli('verify', mn, '--data', data, '--outputs', '3', *opts)
    assert code == 0, err + out
    print(out.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.wasm
def test_the_converted_iris_net_flashes_and_verifies_on_the_modern_board(tmp_path):
    # a board with room for it (the virtual modern board: MicroPython 1.27 WebAssembly behind a
    # pty): flash writes micronn_act beside the firmware, boot reads the
    # net with them, and verify compares all 150 rows with the host's predictions
    from conftest import start_board
    mn, data = iris_files(tmp_path)
    with start_board('modern') as b:
        opts = ['--port', b.port, '--board', b.profile]
        code, out, err = cli('flash', mn, *opts)
        assert code == 0, err
        assert 'micronn_act.' in out  # .mpy there
        code, out, err = cli('verify', mn, '--data', data, '--outputs', '3', *opts)
        assert code == 0, err + out
        print(out.strip().splitlines()[-1])
