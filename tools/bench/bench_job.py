# Runs on MicroPython WebAssembly and on CPython alike (the benchmark uploads it), and its floor
# on the micro:bit: builds a net with the blog's API from either module and times calls on it.
import random
from math import exp

try:
    from time import ticks_us as _now, ticks_diff as _diff
    _PER_US = 1
except ImportError:  # CPython
    from time import perf_counter_ns as _now
    from operator import sub as _diff
    _PER_US = 1000


def build(mod, shape):
    """The net both modules build from random.seed(1): the blog's draw order, same weights."""
    random.seed(1)
    names = []
    for i in range(shape[0]):
        names.append('x%d' % i)
    net = mod.NeuralNet(names)
    for k in shape[1:]:
        net.add_layer(k)
    return net


def t1(f, a, n):
    """Microseconds per call of f(a), over n calls."""
    t = _now()
    for _ in range(n):
        f(a)
    return _diff(_now(), t) / _PER_US / n


def t2(f, a, b, n):
    t = _now()
    for _ in range(n):
        f(a, b)
    return _diff(_now(), t) / _PER_US / n


def floor(x, w):
    """The [2, 2, 1] forward pass as one straight-line function of local floats: the fastest
    pure Python with an exact sigmoid, so the distance to it is a network's overhead."""
    w0, w1, w2, w3, w4, w5, w6, w7, w8 = w
    a = x[0]
    b = x[1]
    h = 1.0 / (1.0 + exp(-(w0 + w1 * a + w2 * b)))
    g = 1.0 / (1.0 + exp(-(w3 + w4 * a + w5 * b)))
    return [1.0 / (1.0 + exp(-(w6 + w7 * h + w8 * g)))]


def floor_locals(w):
    """The floor with its nine weights as default arguments, so every name in the forward pass
    is a local (exp stays a global, as in floor): the fastest pure Python we know for it."""
    w0, w1, w2, w3, w4, w5, w6, w7, w8 = w

    def f(x, w0=w0, w1=w1, w2=w2, w3=w3, w4=w4, w5=w5, w6=w6, w7=w7, w8=w8):
        a = x[0]
        b = x[1]
        h = 1.0 / (1.0 + exp(-(w0 + w1 * a + w2 * b)))
        g = 1.0 / (1.0 + exp(-(w3 + w4 * a + w5 * b)))
        return [1.0 / (1.0 + exp(-(w6 + w7 * h + w8 * g)))]
    return f
