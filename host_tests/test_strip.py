# Host and the emulated micro:bit. The device source's locals are renamed to names the
# micro:bit's MicroPython already has in ROM, so compiling them costs its heap nothing.
from micronn_tools.link import Link
from micronn_tools.strip import ROM_NAMES, strip_source


def test_locals_take_the_rom_names_first():
    text = strip_source('def f(items):\n    total = 0\n    for item in items:\n'
                        '        total += item\n    return total\n')
    assert 'total' not in text and 'item ' not in text
    assert {'a', 'b'} <= set(text.replace('(', ' ').replace(':', ' ').replace('=', ' ')
                             .replace('+', ' ').replace('\n', ' ').split())


def test_rom_names_are_in_the_micro_bits_rom(microbit):
    # micropython.qstr_info(1) lists each name the interpreter has added to its table in RAM
    with Link(microbit.port, timeout=60, checked=False) as link:
        link.soft_reset()
        link.exec('import micropython')
        link.exec('def _f():\n return (%s)' % ','.join(ROM_NAMES + ('micronn_xyz',)))
        added = {w[2:-1] for w in link.exec('micropython.qstr_info(1)').split()
                 if w.startswith('Q(')}
    assert 'micronn_xyz' in added  # the listing works
    assert added.isdisjoint(ROM_NAMES), sorted(added & set(ROM_NAMES))
