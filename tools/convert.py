# Host only. `micronn convert`: a model trained elsewhere as a micronn net. Reads a scikit-learn
# MLPClassifier or MLPRegressor saved with joblib or pickle, or an ONNX file of Linear layers as
# torch.onnx.export writes it. Anything it cannot express exactly is refused, naming what was
# found and what is supported. scikit-learn and onnx come with the `convert` extra, imported
# only here.
import os

import micronn

SKLEARN = {'relu': 'relu', 'tanh': 'tanh', 'logistic': 'sigmoid', 'identity': 'identity',
           'softmax': 'softmax'}
ONNX_ACTS = {'Relu': 'relu', 'Tanh': 'tanh', 'Sigmoid': 'sigmoid', 'Softmax': 'softmax'}
OUTPUTS = ('sigmoid', 'softmax', 'identity')
SUPPORTED = ('a scikit-learn MLPClassifier or MLPRegressor saved with joblib (.joblib, .pkl), '
             'or an ONNX file of Linear layers (Gemm, or MatMul then Add) with Relu, Tanh, '
             'Sigmoid or Softmax between them (.onnx)')
EXTRA = 'install the converters with: pip install "micronn[convert]"'


def _need(module, path):
    try:
        return __import__(module)
    except ImportError:
        raise ValueError('reading %s needs %s: %s' % (path, module, EXTRA))


def convert(path):
    """(net, what) for the model file at path; ValueError naming what is wrong."""
    if not os.path.isfile(path):
        raise ValueError('cannot read %s: no such file' % path)
    ext = os.path.splitext(path)[1].lower()
    if ext == '.onnx':
        return from_onnx(path)
    if ext in ('.joblib', '.pkl', '.pickle'):
        return from_sklearn(path)
    raise ValueError('%s: not a model micronn converts (by its name); give %s' % (path, SUPPORTED))


def build(names, layers, rate=0.1):
    """A micronn net from [(weights as rows of inputs x outputs, biases, activation), ...]."""
    net = micronn.NeuralNet(names, rate, seed=0)
    for w, b, f in layers:
        net.add_layer(len(b), f)
        for j, u in enumerate(net.layers[-1]):
            u.bias = float(b[j])
            u.weights[:] = [float(row[j]) for row in w]
    return net


def _names(given, n):
    """One word per input: the source's own names where it has them, else x1..xn."""
    if given is None or len(given) != n:
        return ['x%d' % (i + 1) for i in range(n)]
    out = []
    for i, s in enumerate(given):
        s = '_'.join(str(s).split())
        out.append(s or 'x%d' % (i + 1))
    return out


# scikit-learn --------------------------------------------------------------------------------

def from_sklearn(path):
    joblib = _need('joblib', path)
    _need('sklearn', path)
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    try:
        model = joblib.load(path)  # runs code from the file: only ever the one the user named
    except Exception as e:  # a pickle can raise anything as it loads
        raise ValueError('%s: cannot load it with joblib (%s: %s); give %s'
                         % (path, type(e).__name__, str(e)[:80], SUPPORTED))
    kind = type(model).__module__.split('.')[0] + '.' + type(model).__name__
    if not isinstance(model, (MLPClassifier, MLPRegressor)):
        raise ValueError('%s holds a %s; micronn converts %s' % (path, kind, SUPPORTED))
    if not hasattr(model, 'coefs_'):
        raise ValueError('%s holds a %s that was never fitted: fit it, then save it'
                         % (path, type(model).__name__))
    hidden = SKLEARN.get(model.activation)
    if hidden not in ('relu', 'tanh', 'sigmoid', 'identity'):
        raise ValueError('%s: hidden activation %r; micronn has relu, tanh, logistic and '
                         'identity' % (path, model.activation))
    out = SKLEARN.get(model.out_activation_)
    if out not in OUTPUTS:
        raise ValueError('%s: output activation %r; micronn has logistic, softmax and identity'
                         % (path, model.out_activation_))
    acts = [hidden] * (len(model.coefs_) - 1) + [out]
    layers = list(zip(model.coefs_, model.intercepts_, acts))
    names = _names(getattr(model, 'feature_names_in_', None), model.coefs_[0].shape[0])
    net = build(names, layers, float(model.learning_rate_init))
    if isinstance(model, MLPClassifier):
        classes = [str(c) for c in model.classes_]
        if out == 'softmax':
            what = 'probability of each class: %s' % ', '.join(classes)
        elif len(classes) == 2 and model.n_outputs_ == 1:
            what = 'probability of class %s (else %s)' % (classes[1], classes[0])
        else:
            what = 'probability of each label: %s' % ', '.join(classes)
    else:
        what = 'the regression target%s' % ('s' if model.n_outputs_ > 1 else '')
    return net, '%s with %s hidden layers; outputs: %s' % (type(model).__name__,
                                                          acts[0] if len(acts) > 1 else 'no',
                                                          what)


# ONNX ---------------------------------------------------------------------------------------

def _onnx_refuse(path, what):
    raise ValueError('%s: %s; micronn converts %s' % (path, what, SUPPORTED))


def from_onnx(path):
    onnx = _need('onnx', path)
    import numpy
    from onnx import numpy_helper
    try:
        model = onnx.load(path)
    except Exception as e:  # onnx raises DecodeError and others for a file that is not ONNX
        raise ValueError('%s: not an ONNX file (%s)' % (path, str(e)[:80] or type(e).__name__))
    g = model.graph
    consts = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    inputs = [i for i in g.input if i.name not in consts]
    if len(inputs) != 1:
        _onnx_refuse(path, 'the graph has %d inputs, not one' % len(inputs))
    dims = [d.dim_value if d.HasField('dim_value') else None
            for d in inputs[0].type.tensor_type.shape.dim]
    cur = inputs[0].name
    layers = []  # [weights (in x out), bias, activation or None]
    nodes = list(g.node)
    i = 0
    while i < len(nodes):
        n = nodes[i]
        i += 1
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}
        if n.op_type == 'Constant':
            consts[n.output[0]] = numpy_helper.to_array(attrs['value'])
            continue
        if n.op_type == 'Identity' and n.input[0] in consts:  # the legacy exporter's copies
            consts[n.output[0]] = consts[n.input[0]]
            continue
        if cur not in n.input:
            _onnx_refuse(path, 'node %s (%s) does not follow the one before it: the graph is not '
                         'a chain of layers' % (n.name or i, n.op_type))
        if n.op_type == 'Flatten' and not layers:
            if len(dims) != 2:
                _onnx_refuse(path, 'a Flatten of a %d-D input' % len(dims))
        elif n.op_type == 'Identity':
            pass
        elif n.op_type in ('Gemm', 'MatMul'):
            if layers and layers[-1][2] is None:
                layers[-1][2] = 'identity'  # two linear layers in a row
            other = [x for x in n.input if x != cur]
            if any(x not in consts for x in other):
                _onnx_refuse(path, '%s %s multiplies by something computed, not weights'
                             % (n.op_type, n.name))
            w = consts[other[0]].astype(float)
            if n.op_type == 'Gemm':
                if attrs.get('transA', 0) or n.input[0] != cur:
                    _onnx_refuse(path, 'Gemm %s with the input transposed' % n.name)
                if attrs.get('transB', 0):
                    w = w.T
                w = w * attrs.get('alpha', 1.0)
                b = (consts[n.input[2]].astype(float) * attrs.get('beta', 1.0)
                     if len(n.input) > 2 and n.input[2] else 0.0)
            else:
                if n.input[0] != cur:
                    _onnx_refuse(path, 'MatMul %s with the weights first' % n.name)
                b = 0.0
                nxt = nodes[i] if i < len(nodes) else None
                if nxt is not None and nxt.op_type == 'Add' and n.output[0] in nxt.input:
                    other = [x for x in nxt.input if x != n.output[0]]
                    if other[0] not in consts:
                        _onnx_refuse(path, 'Add %s adds something computed, not a bias'
                                     % nxt.name)
                    b = consts[other[0]].astype(float)
                    i += 1
                    n = nxt
            if w.ndim != 2:
                _onnx_refuse(path, '%s weights of shape %s' % (n.op_type, list(w.shape)))
            b = numpy.asarray(b, dtype=float).reshape(-1)
            if b.size not in (1, w.shape[1]):
                _onnx_refuse(path, 'a bias of %d values for %d outputs' % (b.size, w.shape[1]))
            b = numpy.broadcast_to(b, (w.shape[1],))
            if layers and len(layers[-1][1]) != w.shape[0]:
                _onnx_refuse(path, 'layer sizes do not chain (%d outputs into %d inputs)'
                             % (len(layers[-1][1]), w.shape[0]))
            layers.append([w, b, None])
        elif n.op_type in ONNX_ACTS:
            if not layers or layers[-1][2] is not None:
                _onnx_refuse(path, '%s %s does not follow a linear layer' % (n.op_type, n.name))
            if n.op_type == 'Softmax' and attrs.get('axis', -1) not in (-1, len(dims) - 1):
                _onnx_refuse(path, 'Softmax over axis %d, not the features'
                             % attrs.get('axis'))
            layers[-1][2] = ONNX_ACTS[n.op_type]
        else:
            _onnx_refuse(path, 'node %s is %s' % (n.name or i, n.op_type))
        cur = n.output[0]
    if not layers:
        _onnx_refuse(path, 'no linear layer found')
    if [o.name for o in g.output] != [cur]:
        _onnx_refuse(path, 'the graph\'s output is not its last layer\'s')
    if layers[-1][2] is None:
        layers[-1][2] = 'identity'
    for w, b, f in layers[:-1]:
        if f == 'softmax':
            _onnx_refuse(path, 'a Softmax before the last layer')
    if layers[-1][2] not in OUTPUTS:
        _onnx_refuse(path, 'the last layer ends in %s (micronn\'s output layers are Sigmoid, '
                     'Softmax or none)' % layers[-1][2])
    if dims and dims[-1] and dims[-1] != layers[0][0].shape[0]:
        _onnx_refuse(path, 'the input has %d features, the first layer takes %d'
                     % (dims[-1], layers[0][0].shape[0]))
    net = build(_names(None, layers[0][0].shape[0]), [tuple(l) for l in layers])
    return net, 'ONNX graph of %d linear layers (%s); outputs: %d values' % (
        len(layers), ', '.join(f for _, _, f in layers), len(layers[-1][1]))
