# Host only. `micronn export`: a trained net as a standalone Python module whose predict(x)
# needs nothing on the board but math: no micronn, no model file to parse, only its own code.
# Small nets become one straight-line function of locals with the weights written in as
# constants; bigger ones keep each layer's weights in a constant tuple and loop over its
# neurons, so the code the board compiles grows with the layers' fan-in, not with the number
# of weights.
import os

import micronn_check

from . import modelfile

ACTIVATIONS = ('sigmoid', 'relu', 'tanh', 'identity', 'softmax')
# Nets with at most this many weights are written straight-line: faster than loops, but past
# about 50 weights its code takes more of the micro:bit's heap than the loops' would.
UNROLL_MAX = 48
FANIN_MAX = 32  # past this, a neuron's sum is a loop: locals are few on MicroPython


def layers_of(net):
    """[(activation, [(bias, (weights...)), ...]), ...] for every layer after the inputs, read
    through the blog's API (.bias, .weights in parent order) and net.activations."""
    acts = getattr(net, 'activations', None) or ['sigmoid'] * (len(net.layers) - 1)
    if len(net.layers) < 2:
        raise ValueError('the net has no layers to export')
    out = []
    for i, layer in enumerate(net.layers[1:]):
        act = acts[i]
        if act not in ACTIVATIONS:
            raise ValueError('layer %d: activation %r cannot be exported; known: %s'
                             % (i + 1, act, ', '.join(ACTIVATIONS)))
        if act == 'softmax' and i != len(net.layers) - 2:
            raise ValueError('layer %d: softmax belongs to the output layer only' % (i + 1))
        out.append((act, [(float(n.bias), tuple(float(w) for w in n.weights)) for n in layer]))
    return out


def _num(v):
    return repr(float(v))


def _message(n):
    return micronn_check.BAD.replace('%s', 'inputs', 1).replace('%d', str(n), 1)


def _names(prefix, n):
    return ['%s%d' % (prefix, k) for k in range(n)]


def _tuple(names):
    return ', '.join(names) + (',' if len(names) == 1 else '')


def _head(n_in):
    """def predict and its input check, as micronn's predict does it: a cheap test first (an
    unpacking of the right length; t - t is nan for nan and inf), and only when that fails the
    full one, raising micronn's own messages: TypeError for a non-number, else ValueError.
    exp is a default argument: a local is the fastest name to reach on MicroPython, and not
    keeping it in the module's globals saved a 16-byte block of heap on the micro:bit."""
    a = _names('i', n_in)
    return ["def predict(x, exp=__import__('math').exp):",
            ' try:', '  %s = x' % _tuple(a),
            '  if %s: raise ValueError' % ' + '.join('%s - %s' % (v, v) for v in a),
            ' except:',
            '  e = ValueError',
            '  for t in x:',
            '   if not isinstance(t, (int, float)): e = TypeError',
            # one use of the message: each string literal is its own object on the board
            '  raise e(%r %% (x,))' % _message(n_in)], a


def _activate(act, s, out, ind):
    """Lines that set out to act(s); s is a local that may be overwritten. exp() only ever
    sees non-positive arguments, so nothing overflows on any port (micronn's own sigmoid).
    1, not 1.0: an int constant is 2 bytes of bytecode, a float 5 to 8, and the sum with a
    float is the same float."""
    if act == 'sigmoid':
        body = ['if %s < 0: %s = exp(%s); %s = %s / (1 + %s)' % (s, s, s, out, s, s),
                'else: %s = 1 / (1 + exp(-%s))' % (out, s)]
    elif act == 'tanh':  # the micro:bit's math has no tanh
        body = ['if %s < 0: %s = exp(%s + %s); %s = (%s - 1) / (%s + 1)' % (s, s, s, s, out, s, s),
                'else: %s = exp(-%s - %s); %s = (1 - %s) / (1 + %s)' % (s, s, s, out, s, s)]
    elif act == 'relu':
        body = ['%s = %s if %s > 0 else 0.0' % (out, s, s)]
    else:  # identity; softmax is done for the whole layer by the caller
        body = [] if out == s else ['%s = %s' % (out, s)]
    return [ind + line for line in body]


def _sum(bias, weights, inputs):
    return ' + '.join([bias] + ['%s * %s' % (w, x) for w, x in zip(weights, inputs)])


def _straight(layers, n_in):
    """predict as one function of locals, its weights written in as constants: on the
    micro:bit a float constant is as fast as a local and costs no name."""
    body, a = _head(n_in)
    for li, (act, neurons) in enumerate(layers):
        out = []
        last = li == len(layers) - 1
        for j, (bias, weights) in enumerate(neurons):
            o = 'o%d' % j if last else 'h%d_%d' % (li + 1, j)
            if act in ('identity', 'softmax'):
                body.append(' %s = %s' % (o, _sum(_num(bias), [_num(w) for w in weights], a)))
            else:
                body.append(' s = %s' % _sum(_num(bias), [_num(w) for w in weights], a))
                body += _activate(act, 's', o, ' ')
            out.append(o)
        if act == 'softmax':
            body.append(' m = %s' % ('max(%s)' % ', '.join(out) if len(out) > 1 else out[0]))
            body += [' %s = exp(%s - m)' % (v, v) for v in out]
            body.append(' m = %s' % ' + '.join(out))
            body += [' %s = %s / m' % (v, v) for v in out]
        a = out
    return body + [' return [%s]' % ', '.join(a)]


def _looped(layers, n_in):
    """predict looping over each layer's neurons, whose weights sit in one constant tuple per
    layer, (bias, w...) per neuron. A neuron's sum is written out when its fan-in is at most
    FANIN_MAX (the code grows with fan-in, not with the number of weights), else looped."""
    tables, (body, a) = [], _head(n_in)
    for li, (act, neurons) in enumerate(layers):
        name = '_L%d' % (li + 1)
        tables.append('%s = (%s,)' % (name, ', '.join(
            '(%s,)' % ', '.join(_num(v) for v in (b,) + ws) for b, ws in neurons)))
        if li:
            a = _names('h', len(layers[li - 1][1]))
        fan = len(a)
        if fan <= FANIN_MAX:
            if li:  # the previous layer's values, as locals for the written-out sum
                body.append(' %s = o' % _tuple(a))
            ws = _names('w', fan)
            body += [' o = []', ' for b, %s in %s:' % (_tuple(ws), name),
                     '  s = %s' % _sum('b', ws, a)]
        else:
            if not li:  # the unpacked inputs: x itself may have been an iterator
                body.append(' o = [%s]' % ', '.join(a))
            body += [' p = o', ' o = []', ' for n in %s:' % name, '  s = n[0]', '  k = 1',
                     '  for t in p:', '   s += n[k] * t', '   k += 1']
        body += _activate(act, 's', 's', '  ') + ['  o.append(s)']
        if act == 'softmax':
            body += [' m = max(o)', ' s = 0.0', ' k = 0', ' for t in o:',
                     '  t = exp(t - m)', '  o[k] = t', '  s += t', '  k += 1',
                     ' k = 0', ' for t in o:', '  o[k] = t / s', '  k += 1']
    return tables + body + [' return o']


def source(net, origin='', straight=None):
    """The exported module's text. origin names the model (file and sum) in its header;
    straight forces the straight-line form (True) or the looped one (False)."""
    layers = layers_of(net)
    shape = [len(net.layers[0])] + [len(n) for _, n in layers]
    weights = sum(len(ws) + 1 for _, n in layers for _, ws in n)
    if straight is None:
        straight = weights <= UNROLL_MAX
    n_in = shape[0]
    lines = ['# Board or host: generated by `micronn export`; needs only math. predict(x) is the',
             '# net of %s: layers %s, activations %s, %d weights.'
             % (origin or 'a micronn net', shape, ' '.join(a for a, _ in layers), weights),
             '']
    lines += (_straight if straight else _looped)(layers, n_in)
    return '\n'.join(lines) + '\n'


def model_sum(path):
    """The sum line's value in a model file (its Adler-32), the model's identity."""
    with open(path, 'rb') as f:
        last = [line for line in f.read().split(b'\n') if line.startswith(b'sum ')]
    return last[-1][4:].decode().strip() if last else '?'


def export(model, out, straight=None):
    """Write the module for the model file at model to out; returns its text."""
    stem = os.path.splitext(os.path.basename(out))[0]
    if not out.endswith('.py') or not stem.isidentifier():
        raise ValueError('-o %s: the module must be NAME.py, NAME a Python identifier (it is '
                         'imported by that name); pass e.g. -o xor_model.py' % out)
    net = modelfile.read(model)  # refuses a damaged file, naming it
    text = source(net, '%s (model sum %s)' % (os.path.basename(model), model_sum(model)), straight)
    try:
        with open(out, 'w') as f:
            f.write(text)
    except OSError as e:
        raise ValueError('cannot write %s: %s; pass -o with a writable path' % (out, e.strerror))
    return text
