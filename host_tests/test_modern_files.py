# Host only. The file paths the tool takes on today's MicroPython boards (rp2, esp32, stm32):
# statvfs for room, os.rename to replace a file whole, firmware as .mpy compiled for the
# board's own .mpy version. There is no such board here, so the board-side code the tool sends
# runs on MicroPython 1.27 WebAssembly, which needs no serial link.
import ast

import pytest

import micronn
import micronn_boards as boards
import micronn_save
from micronn_tools import files
from micronn_tools.board import DOUBLE
from micronn_tools.firmware import device_source
from micronn_tools.errors import BoardFull

pytestmark = pytest.mark.wasm
FS = files.for_profile(boards.get('rp2-pico'))


def test_room_is_read_with_statvfs(wasm):
    out = wasm('print(repr(%s))' % FS.LIST, {'model_a.mn': 'x' * 300, 'main.py': 'y' * 5000})
    free, sizes, unit = FS.room(ast.literal_eval(out.strip()))
    assert unit >= 512 and free > 0
    assert sizes['model_a.mn'] == 300 and sizes['main.py'] == 5000
    # the same listing, with the free blocks taken away, is refused before anything is written
    unit, _, listed = ast.literal_eval(out.strip())
    with pytest.raises(BoardFull, match='too full to write model_b.mn'):
        files.check_room(FS, FS.room((unit, FS.SPARE, listed)), [('write', 'model_b.mn', 300)])
    files.check_room(FS, FS.room((unit, FS.SPARE + 1, listed)), [('write', 'model_b.mn', 300)])


def test_rename_replaces_a_file_whole(wasm):
    code = FS.replace([('micronn_model.new', 'micronn_model.py'), ('main.new', 'main.py')],
                      ['micronn_model.mpy']) + (
        "\nprint(open('micronn_model.py').read(), open('main.py').read(),"
        " sorted(n for n in os.listdir() if n[:4] in ('main', 'micr')))")
    out = wasm(code, {'micronn_model.py': 'old', 'micronn_model.new': 'new', 'main.py': 'old',
                      'main.new': 'new2', 'micronn_model.mpy': 'stale'})
    assert out.split(' ', 2) == ['new', 'new2', "['main.py', 'micronn_model.py']\n"]


def test_firmware_as_mpy_imports_and_predicts_like_cpython(wasm, tmp_path):
    mpy = int(wasm("import sys\nprint(sys.implementation._mpy)"))
    tag = files.mpy_tag(mpy)
    assert tag == '6.3', 'MicroPython 1.27 reports .mpy %s' % tag
    profile = boards.get('rp2-pico')
    compiled = {name[:-3] + '.mpy': files.compile_mpy(name, device_source(name, profile), tag)
                for name in ('micronn.py', 'micronn_bytes.py', 'micronn_model.py')}
    assert all(data[:2] == b'M\x06' for data in compiled.values())
    net = micronn.NeuralNet(['a', 'b', 'c'], seed=3)
    for n in (4, 2):
        net.add_layer(n)
    compiled['m.mn'] = micronn_save.dumps(net, 1)
    rows = [[0.0, 1.0, 0.5], [1.0, 0.25, -2.0]]
    out = wasm('import micronn, micronn_model\n'
               'print(micronn.__file__, micronn_model.__file__)\n'
               'n = micronn_model.load(micronn.NeuralNet, "m.mn")\n'
               'print(repr([n.predict(x) for x in %r]))' % rows, compiled)
    where, preds = out.strip().split('\n')
    assert where.split() == ['micronn.mpy', 'micronn_model.mpy']  # no .py there to fall back on
    got = [p for row in ast.literal_eval(preds) for p in row]
    assert got == pytest.approx([p for x in rows for p in net.predict(x)], abs=1e-9)


def test_mpy_tag_follows_the_board():
    assert files.mpy_tag(0) is None  # the micro:bit's 1.9.2 reports none: it gets source
    assert files.mpy_tag(6 | 3 << 8) == '6.3'
    assert files.mpy_tag(6) == '6'
    assert files.mpy_tag(5 | 2 << 10) == '5'  # arch bits above the sub-version are ignored


def test_double_floats_are_told_apart(wasm):
    # the board report's float probe; WebAssembly has no os.uname for the rest of the report,
    # which the emulated micro:bit reads in test_tool
    assert wasm('print(%s)' % DOUBLE).strip() == 'True'
