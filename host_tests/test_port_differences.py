# Host only. Ports may be built without os.uname, os.statvfs, os.rename, time.ticks_us or .mpy
# import. Each case is a virtual modern board built without it (taken away inside MicroPython as
# it starts), and the tool must flash, predict and verify there, saying in a note: line what it
# did instead.
import pytest

import micronn
from micronn_tools.link import Link

from conftest import start_board
from helpers import cli, train_models

pytestmark = [pytest.mark.wasm, pytest.mark.slow]
NOTE = {
    'uname': None,  # identified from sys.platform and sys.implementation: nothing to say
    'statvfs': 'note: it has no os.statvfs',
    'rename': 'note: it has no os.rename',
    'ticks_us': 'note: it has no time.ticks_us',
    'mpy': 'note: it imports no .mpy files',
}
PROBE = {
    'uname': "hasattr(__import__('os'), 'uname')",
    'statvfs': "hasattr(__import__('os'), 'statvfs')",
    'rename': "hasattr(__import__('os'), 'rename')",
    'ticks_us': "hasattr(__import__('time'), 'ticks_us')",
    'mpy': "hasattr(__import__('sys').implementation, '_mpy')",
}


@pytest.fixture(scope='module')
def models(tmp_path_factory):
    return train_models(tmp_path_factory.mktemp('models'))


@pytest.mark.parametrize('feature', sorted(NOTE))
def test_a_board_without_it_is_flashed_and_served_with_a_note(feature, models):
    with start_board('modern', without=[feature]) as vb:
        with Link(vb.port) as link:
            assert link.eval(PROBE[feature]) is False  # the board really lacks it
            # a firmware file from an older flash, so that one is replaced (by rename or copy)
            link.exec("open('main.py','w').write('# an older main.py\\n')")
        code, out, err = cli('flash', str(models / 'a.mn'), '--port', vb.port)
        assert code == 0, err
        notes = [line for line in out.splitlines() if line.startswith('note:')]
        assert [n[:len(NOTE[feature] or '')] for n in notes] == [NOTE[feature]] * (
            NOTE[feature] is not None), notes
        with Link(vb.port) as link:
            listed = link.eval("__import__('os').listdir()")
            main = link.eval("open('main.py').read()")
        assert 'older' not in main and 'import micronn_serve' in main
        assert any(n.endswith('.mpy') for n in listed) == (feature != 'mpy')
        code, out, err = cli('predict', '0', '1', '--port', vb.port)
        want = micronn.NeuralNet.load(str(models / 'a.mn')).predict([0, 1])[0]
        answer = [l for l in out.splitlines() if not l.startswith('note:')][0]
        assert code == 0 and abs(float(answer.split()[0]) - want) < 1e-6, err  # to 6 places
        code, out, err = cli('verify', str(models / 'a.mn'), '--port', vb.port)
        assert code == 0, err


def test_a_module_found_only_as_mpy_does_not_import_without_mpy(tmp_path):
    # what makes the 'mpy' case a real one: such a board imports source only
    from micronn_tools import files
    mpy = files.compile_mpy('m.py', b'X = 5\n', '6.3')
    for without, want in (((), '5'), (('mpy',), 'ImportError')):
        with start_board('modern', without=without) as vb:
            with Link(vb.port) as link:
                link.write_file('m.mpy', mpy)
                got = link.exec('try:\n import m\n print(m.X)\nexcept ImportError:\n'
                                ' print("ImportError")').strip()
        assert got == want, without
