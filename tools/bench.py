# Host only. Speed on CPython: micronn against the blog's code (host_tests/blog_reference.py,
# with its fixes on) in one process, same nets and inputs. Prints figures and ratios; goals are
# reported, never asserted. Run: python -m micronn_tools.bench
import os
import random
import sys
import timeit

import micronn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                'host_tests'))
import blog_reference  # noqa: E402


def build(mod, shape):
    random.seed(1)
    net = mod.NeuralNet(['x%d' % i for i in range(shape[0])])
    for n in shape[1:]:
        net.add_layer(n)
    return net


def main():
    blog_reference.FIXED = True
    print('%-10s %-10s %12s %12s %8s' % ('net', 'call', 'micronn us', 'blog us', 'speedup'))
    for shape in ([2, 2, 1], [2, 8, 1], [4, 8, 3]):
        m, b = build(micronn, shape), build(blog_reference, shape)
        x = [0.5] * shape[0]
        y = [1] * shape[-1]
        for call, fm, fb in (('predict', lambda: m.predict(x), lambda: b.predict(x)),
                             ('train_row', lambda: m.train_row(x, y), lambda: b.train_row(x, y))):
            n = 2000
            tm = min(timeit.repeat(fm, number=n, repeat=5)) / n * 1e6
            tb = min(timeit.repeat(fb, number=n, repeat=5)) / n * 1e6
            print('%-10s %-10s %12.2f %12.2f %7.1fx' % (shape, call, tm, tb, tb / tm))
    print('goals on CPython: predict 3x faster than the blog, train_row 4x')


if __name__ == '__main__':
    main()
