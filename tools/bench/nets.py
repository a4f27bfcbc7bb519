# Host only. What `micronn bench` puts on each runtime: micronn's modules and the blog's code
# as a board gets them, the exports of the nets it times, and the rows it times them on.
import ast
import os

import micronn

from .. import blog_reference, export
from ..strip import strip_source
from . import bench_job

SHAPES = ([2, 2, 1], [2, 8, 1], [4, 8, 3])
BIG = ([2, 29, 1], [4, 16, 3])  # exports of nets too big for micronn on the micro:bit
HERE = os.path.dirname(os.path.abspath(__file__))
FIRMWARE = ('micronn', 'micronn_check', 'micronn_build', 'micronn_backprop', 'micronn_train')


class _Fixed(ast.NodeTransformer):
    """The reference with its fixes switched on for good, and without its demo: the blog's
    code as it must be to run, and small enough for the micro:bit to compile."""

    def visit_If(self, node):
        self.generic_visit(node)
        t = node.test
        if isinstance(t, ast.Name) and t.id == 'FIXED':
            return node.body
        if isinstance(t, ast.Compare) and getattr(t.left, 'id', None) == '__name__':
            return None
        return node

    def visit_FunctionDef(self, node):
        return None if node.name == 'train' else self.generic_visit(node)

    def visit_Import(self, node):
        node.names = [a for a in node.names if a.name != 'time']
        return node if node.names else None

    def visit_Assign(self, node):
        return None if getattr(node.targets[0], 'id', None) == 'FIXED' else node


def blog_source():
    with open(blog_reference.__file__) as f:
        tree = _Fixed().visit(ast.parse(f.read()))
    return strip_source(ast.unparse(tree))


def _source(name):
    from ..firmware import firmware_dir
    d = firmware_dir() if name in FIRMWARE else HERE
    with open(os.path.join(d, name + '.py')) as f:
        return strip_source(f.read())


def export_name(shape):
    return 'mn_export_%s' % '_'.join(map(str, shape))


def exported(shape):
    """The host's net of this shape (random.seed(1)) as `micronn export` writes it."""
    return export.source(bench_job.build(micronn, shape), 'bench net %s' % shape)


def floor_weights():
    """The [2, 2, 1] export's weights, for the floor that takes them as default arguments."""
    n = bench_job.build(micronn, [2, 2, 1])
    return [v for layer in n.layers[1:] for u in layer for v in [u.bias] + u.weights]


def sources(exports=SHAPES):
    """{file name: source} of everything the benchmark puts on a runtime."""
    files = {m + '.py': _source(m) for m in FIRMWARE + ('bench_job',)}
    files['blog.py'] = blog_source()
    for s in exports:
        files[export_name(s) + '.py'] = exported(s)
    return files


def row(shape):
    """The same input row and target for every runtime and both networks."""
    return [0.25 + 0.5 * (i % 2) for i in range(shape[0])], [1] * shape[-1]


def names(k):
    return ['x%d' % i for i in range(k)]
