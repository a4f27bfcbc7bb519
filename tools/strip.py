# Host only. Device source for boards that compile it in a tiny heap and keep it in a tiny
# filesystem (the micro:bit: 16 KB RAM, about 15 KB of files): comments and docstrings
# dropped and local names shortened, by python-minifier: with comments dropped alone, the
# firmware did not fit the micro:bit's filesystem.
# Names that other modules or the user call (globals, attributes, arguments) are kept, and no
# literal is hoisted into a new global (each global costs heap on the board).
import python_minifier


def strip_source(text):
    return python_minifier.minify(
        text, remove_literal_statements=True, rename_locals=True, rename_globals=False,
        hoist_literals=False, remove_annotations=True, combine_imports=False,
        remove_pass=True, remove_object_base=False, convert_posargs_to_args=False,
        preserve_shebang=False, remove_asserts=False, remove_debug=False,
        remove_explicit_return_none=False, remove_builtin_exception_brackets=False,
        constant_folding=False) + '\n'
