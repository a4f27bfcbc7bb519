# Host only. Device source without comments and docstrings, indented by one space: every byte
# a 16 KB micro:bit compiles costs heap while it compiles. The code itself is unchanged.
import ast


def _drop_docstrings(tree):
    for node in ast.walk(tree):
        body = getattr(node, 'body', None)
        if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            body.pop(0)
            if not body:
                body.append(ast.Pass())


def strip_source(text):
    tree = ast.parse(text)
    _drop_docstrings(tree)
    lines = []
    for line in ast.unparse(tree).splitlines():
        # ast.unparse writes each string on one line, so leading spaces are only indentation
        body = line.lstrip(' ')
        lines.append(' ' * ((len(line) - len(body)) // 4) + body)
    return '\n'.join(lines) + '\n'
