# Host only. `micronn flash` of a gesture model: the board classifies live at boot, with no
# host program, over real serial links. On the virtual modern board, whose simulated
# accelerometer replays recordings of one action, the lines it prints at boot name that
# action; the tool still gets in, and a flash of XOR puts XOR back; a gesture flash cut short
# leaves XOR serving. The micro:bit V1 refuses one before writing anything.
import argparse

import pytest

from conftest import start_board
from helpers import cli
from micronn_tools import gesture_board, gestures, live
from micronn_tools.board import Board
from micronn_tools.errors import BoardError
from micronn_tools.link import Link

import gesture_motions

SENSOR = ['--sensor', 'vboard_accel.read']


def models(tmp_path):
    """(gesture model, XOR model) trained here, and a recording file of shake's alone."""
    data = str(tmp_path / 'three.json')
    gesture_motions.write(data, gesture_motions.dataset(4))
    code, out, err = cli('train', '--data', data, '--epochs', '30', '-o', str(tmp_path / 'g.mn'))
    assert code == 0, err
    code, out, err = cli('train', '-o', str(tmp_path / 'xor.mn'))
    assert code == 0, err
    shake = str(tmp_path / 'shake.csv')
    with open(shake, 'w') as f:
        f.write('x,y,z\n')
        for rec in gesture_motions.dataset(4, seed=3)[1]['recordings']:
            d = rec['data']
            f.writelines('%s,%s,%s\n' % s for s in zip(d['x'], d['y'], d['z']))
    return str(tmp_path / 'g.mn'), str(tmp_path / 'xor.mn'), shake


def boot(port, count):
    """The lines the board prints at boot, up to count predictions."""
    with Link(port, timeout=30) as link:
        return gesture_board.boot_lines(Board(link, None), count, 120)


def predicts_xor(port):
    code, out, err = cli('predict', '1', '0', '--port', port)
    assert code == 0, err
    return float(out.split()[0]) > 0.9


@pytest.mark.wasm
def test_a_flashed_gesture_model_classifies_at_boot_then_xor_flashes_back(tmp_path):
    model, xor, shake = models(tmp_path)
    with start_board('modern', accel=shake) as b:
        code, out, err = cli('flash', model, '--port', b.port, *SENSOR, '--every', '500')
        assert code == 0, out + err
        assert 'every 500 ms' in out and 'live_a.mn' in out
        lines = boot(b.port, 4)
        assert lines[0] == 'micronn live live_a.mn: still shake circle'
        assert [line.split()[0] for line in lines[1:]] == ['shake'] * 4, lines
        # the tool gets in past the loop: verify replays on the board's code, XOR flashes back
        code, out, err = cli('verify', model, '--data', str(tmp_path / 'three.json'), '--port',
                             b.port)
        assert code == 0 and out.splitlines()[-1] == 'accuracy 12/12', out + err
        # a second gesture flash takes the other live slot; the board boots it
        code, out, err = cli('flash', model, '--port', b.port, *SENSOR)
        assert code == 0 and 'live_b.mn' in out, out + err
        assert boot(b.port, 1)[0] == 'micronn live live_b.mn: still shake circle'
        code, out, err = cli('flash', xor, '--port', b.port)
        assert code == 0, out + err
        assert predicts_xor(b.port)


def test_flash_options_that_are_for_gesture_models_only_are_refused(tmp_path):
    model, xor, shake = models(tmp_path)
    code, out, err = cli('flash', xor, '--every', '100', '--port', '/dev/null')
    assert code == 1 and '--every and --sensor are for a gesture model' in err
    code, out, err = cli('flash', model, '--export', '--port', '/dev/null')
    assert code == 1 and 'leave out --export' in err


def flash_args(model, sensor=None):
    return argparse.Namespace(model=model, every=None, sensor=sensor)


@pytest.mark.slow
@pytest.mark.wasm
@pytest.mark.parametrize('at', ['live_a.mn', 'main.new'])
def test_a_gesture_flash_cut_leaves_xor_serving(tmp_path, at):
    # cut half way into the model file, and once main.py's replacement is written but not in
    # place: each time XOR serves as before, and a retry lands
    model, xor, shake = models(tmp_path)
    gesture = gestures.read_gesture_file(gestures.gesture_path(model))
    seen = []

    def cut(*a, **k):
        if a and a[0].lstrip().startswith(at):
            seen.append(a[0])
            raise KeyboardInterrupt
    with start_board('modern', accel=shake) as b:
        assert cli('flash', xor, '--port', b.port)[0] == 0
        with Link(b.port) as link:
            with pytest.raises(KeyboardInterrupt):
                live.flash(Board(link, None), flash_args(model, 'vboard_accel.read'), gesture,
                           cut)
        assert seen, 'the flash never got to %r' % at
        assert predicts_xor(b.port)
        code, out, err = cli('flash', model, '--port', b.port, *SENSOR)
        assert code == 0, out + err
        assert boot(b.port, 1)[-1].split()[0] == 'shake'


@pytest.mark.slow
@pytest.mark.microbit
def test_the_microbit_v1_refuses_a_gesture_flash_writing_nothing(tmp_path):
    model, xor, shake = models(tmp_path)
    with start_board('microbit') as b:
        assert cli('flash', xor, '--port', b.port)[0] == 0
        with Link(b.port) as link:
            before = sorted(link.eval("__import__('os').listdir()"))
        code, out, err = cli('flash', model, '--port', b.port)
        assert code == 1 and 'does not run a gesture model at boot' in err, out + err
        assert 'micronn live %s' % model in err
        with Link(b.port) as link:
            assert sorted(link.eval("__import__('os').listdir()")) == before
        assert predicts_xor(b.port)
