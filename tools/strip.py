# Host only. Device source for boards that compile it in a tiny heap and keep it in a tiny
# filesystem (the micro:bit: 16 KB RAM, about 15 KB of files): comments and docstrings
# dropped and local names shortened, by python-minifier: with comments dropped alone, the
# firmware did not fit the micro:bit's filesystem.
# Names that other modules or the user call (globals, attributes, arguments) are kept, and no
# literal is hoisted into a new global (each global costs heap on the board).
import python_minifier
from python_minifier.rename import renamer

# Short names the micro:bit's MicroPython 1.9.2 has in ROM (micropython.qstr_info(1) does not
# list them once compiled). Every other name a board compiles stays in its heap as long as it
# runs, so locals take these first. test_strip checks them on the emulated micro:bit.
ROM_NAMES = ('a', 'b', 'c', 'd', 'e', 'f', 'g', 'n', 'r',
             'on', 'pi', 'rx', 'tx',
             'buf', 'cos', 'end', 'get', 'key', 'log', 'off', 'pin', 'pop', 'scl', 'sda', 'sep',
             'sin', 'sub', 'tan',
             'addr', 'args', 'bits', 'blit', 'ceil', 'copy', 'data', 'fabs', 'fill', 'find',
             'fmod', 'freq', 'init', 'join', 'keys', 'left', 'loop', 'modf', 'mode', 'name',
             'read', 'scan', 'send', 'show', 'size', 'sort', 'sqrt', 'step', 'stop', 'text',
             'time', 'wait')


def _names():
    """The names python-minifier gives locals, ROM_NAMES first."""
    yield from ROM_NAMES
    for name in _minifier_names():
        if name not in ROM_NAMES:
            yield name


_minifier_names = renamer.name_filter


def strip_source(text):
    renamer.name_filter = _names  # python-minifier 3.4.0 (pinned) draws new names from here
    try:
        return python_minifier.minify(
            text, remove_literal_statements=True, rename_locals=True, rename_globals=False,
            hoist_literals=False, remove_annotations=True, combine_imports=False,
            remove_pass=True, remove_object_base=False, convert_posargs_to_args=False,
            preserve_shebang=False, remove_asserts=False, remove_debug=False,
            remove_explicit_return_none=False, remove_builtin_exception_brackets=False,
            constant_folding=False) + '\n'
    finally:
        renamer.name_filter = _minifier_names
