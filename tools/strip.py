# Host only. Device source for boards that compile it in a tiny heap and keep it in a tiny
# filesystem (the micro:bit: 16 KB RAM, about 15 KB of files): comments and docstrings
# dropped and local names shortened, by python-minifier: with comments dropped alone, the
# firmware did not fit the micro:bit's filesystem.
# Names that other modules or the user call (globals, attributes, arguments) are kept, and no
# literal is hoisted into a new global (each global costs heap on the board).
import threading

import python_minifier
from python_minifier.rename import name_generator, renamer

# Local names the micro:bit's MicroPython already has in ROM, shortest first. Every other name
# costs heap when first compiled, in the interpreter's tables of names, shared by every module:
# the first holds 20, and the second alone costs 176 bytes on the micro:bit.
ROM_NAMES = ('a', 'b', 'c', 'd', 'e', 'f', 'g', 'n', 'r', 'on', 'key', 'end', 'buf', 'pop',
             'sep', 'get', 'add', 'off', 'data', 'name', 'read', 'mode', 'size', 'stop',
             'step', 'args', 'keys', 'copy', 'find', 'join', 'sort', 'send', 'text', 'time',
             'wait', 'loop', 'left', 'init', 'show', 'write', 'index', 'count', 'start',
             'value', 'items', 'clear', 'split', 'strip', 'close', 'sleep', 'right', 'image',
             'upper', 'lower', 'delay', 'values', 'format', 'update', 'remove', 'insert',
             'extend', 'append', 'scroll')


def _names():
    """python-minifier's names for locals, those in ROM first."""
    yield from ROM_NAMES
    for name in name_generator.name_filter():
        if name not in ROM_NAMES:
            yield name


_RENAMING = threading.Lock()  # a flash to several boards strips in a thread per board


def strip_source(text):
    # python-minifier (pinned in pyproject.toml) takes no name generator through minify(), so
    # its renamer's is swapped for the call
    with _RENAMING:
        return _minify(text)


def _minify(text):
    default, renamer.name_filter = renamer.name_filter, _names
    try:
        return python_minifier.minify(
            text, remove_literal_statements=True, rename_locals=True, rename_globals=False,
            hoist_literals=False, remove_annotations=True, combine_imports=False,
            remove_pass=True, remove_object_base=False, convert_posargs_to_args=False,
            preserve_shebang=False, remove_asserts=False, remove_debug=False,
            remove_explicit_return_none=False, remove_builtin_exception_brackets=False,
            constant_folding=False) + '\n'
    finally:
        renamer.name_filter = default
