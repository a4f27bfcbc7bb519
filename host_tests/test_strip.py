# Host only. The firmware as a small board gets it: local names shortened to names the
# micro:bit already holds in ROM, so compiling a module makes fewer names of its own on its heap.
import ast
import threading

from python_minifier.rename import renamer

from micronn_tools.link import Link
from micronn_tools.strip import ROM_NAMES, strip_source

SOURCE = '''
def total(row, scale=1.0):
    """The sum of row, times scale."""
    out = 0.0
    for value in row:
        out += value
    count = len(row)
    return out * scale, count
'''


def _assigned(tree):
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def test_locals_take_rom_names_and_arguments_keep_theirs():
    tree = ast.parse(strip_source(SOURCE))
    f = tree.body[0]
    assert [a.arg for a in f.args.args] == ['row', 'scale']  # a caller may name them
    assert _assigned(tree) and _assigned(tree) <= set(ROM_NAMES)
    assert ast.get_docstring(f) is None
    namespace = {}
    exec(compile(tree, 'stripped', 'exec'), namespace)
    assert namespace['total']([1.0, 2.0], scale=2.0) == (6.0, 2)


def test_boards_flashed_at_once_get_the_same_files():
    """A flash to several boards strips in a thread per board."""
    import micronn_model
    with open(micronn_model.__file__) as f:
        text = f.read()
    default, alone, got = renamer.name_filter, strip_source(text), []

    def strip():
        got.extend(strip_source(text) for _ in range(10))
    threads = [threading.Thread(target=strip) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [alone] * 50
    assert renamer.name_filter is default


def test_the_rom_names_are_in_the_microbits_rom(microbit):
    """Naming each at the REPL makes no new name on the board's heap."""
    with Link(microbit.port, timeout=60, checked=False) as link:
        link.soft_reset()
        link.exec('import micropython')
        out = link.exec('try:\n ' + ';'.join(ROM_NAMES) + '\nexcept NameError:\n 0\n'
                        'micropython.qstr_info(1)')
    made = [line[2:-1] for line in out.split() if line.startswith('Q(')]
    assert not set(made) & set(ROM_NAMES), made


def test_import_micronn_makes_at_most_one_table_of_names(microbit):
    """20 names fit the first table; a 21st costs the import a second one (docs/design.md)."""
    import micronn
    with open(micronn.__file__) as f:
        text = strip_source(f.read())
    with Link(microbit.port, timeout=60) as link:  # checked: a piece damaged on the way goes again
        link.write_file('micronn.py', text.encode())
    with Link(microbit.port, timeout=60, checked=False) as link:
        link.soft_reset()
        link.exec('import micropython')
        out = link.exec('import micronn\nmicropython.qstr_info()')
    assert 'n_pool=1,' in out, out
