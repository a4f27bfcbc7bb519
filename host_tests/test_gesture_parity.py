# Host only. CreateAI's features on real MicroPython: firmware/micronn_features.py written to
# the emulated micro:bit (1.9.2, single floats) and to the virtual modern board (1.27, doubles)
# as a flash writes it, fed recordings, and compared with the host's reference. A window goes
# 25 samples per command: a command of 150 numbers does not parse in the micro:bit's heap. The
# features come back packed by struct, every bit of them: the micro:bit prints 6 digits.
import random
import struct

import pytest

import micronn_boards as boards
from micronn_tools import firmware, gesture_features, gestures
from micronn_tools.link import Link

import gesture_motions

# the largest difference allowed: 1e-9 with doubles; with single floats 1e-5, relative to the
# feature's size past 1 (acc reaches 100: single floats hold about 7 digits)
TOLERANCE = boards.TOLERANCE


def put(link, profile, *names):
    for name in names:
        link.write_file(name + '.py', firmware.device_source(name + '.py', profile))
    link.soft_reset()


def send(link, window):
    """The window into x, y and z on the board, on a collected heap."""
    link.exec('x=y=z=f=None\ngc.collect()')
    for axis, samples in zip('xyz', window):
        link.exec('%s=[]' % axis)
        for at in range(0, len(samples), 25):  # short commands: the UART drops bytes of long ones
            link.exec('%s+=%r' % (axis, samples[at:at + 25]))


def on_board(link, window, code):
    """The window's features on the board; code: struct's for the board's floats. On a fresh
    heap: on the micro:bit, what earlier windows left there stopped a command parsing once,
    beside two busy processes."""
    link.soft_reset()
    link.exec('import gc, struct, micronn_features')
    send(link, window)
    link.exec('f=micronn_features.features(x,y,z)')
    return list(struct.unpack('<24' + code, link.eval("struct.pack('<24%s',*f)" % code)))


def differences(link, profile, windows):
    """The largest difference of the windows' features, board against host, each in its own
    scale (relative past 1)."""
    worst = 0.0
    code = 'f' if profile['float'] == 'single' else 'd'
    for window in windows:
        host = gesture_features.features(*window)
        got = on_board(link, window, code)
        worst = max(worst, max(abs(h - b) / max(1.0, abs(h)) for h, b in zip(host, got)))
    return worst


def motions(rng, n=50):
    return [gesture_motions.recording(kind, rng, n) for kind in gesture_motions.ACTIONS]


def test_features_on_the_board_equal_the_hosts(board):
    profile = boards.get(board.profile)
    with Link(board.port, timeout=60) as link:
        put(link, profile, 'micronn_features')
        rng = random.Random(1)
        assert differences(link, profile, motions(rng)) <= TOLERANCE[profile['float']]


@pytest.mark.slow
def test_features_of_many_windows_on_the_board(board):
    profile = boards.get(board.profile)
    rng = random.Random(2)
    windows = motions(rng, 90) + motions(rng, 7)  # CreateAI's old 1.8 s windows; its shortest
    for _ in range(4):
        windows += motions(rng)
    # spikes on a quiet line, so that the peaks detector counts on the board too
    windows += [[[rng.choice([0, 0, 0, 0.004, -0.008, 0.5, 1.5]) for _ in range(50)]
                 for _ in range(3)] for _ in range(4)]
    assert sum(gesture_features.features(*w)[12] for w in windows) > 4
    with Link(board.port, timeout=60) as link:
        put(link, profile, 'micronn_features')
        assert differences(link, profile, windows) <= TOLERANCE[profile['float']]
        assert link.exec('try:\n micronn_features.features([1]*6,[1]*7,[1]*7)\n'
                         'except ValueError as e:\n print(e)').strip() == (
            'need 7 or more samples per axis, got 6')


@pytest.mark.slow
@pytest.mark.wasm
def test_a_gesture_model_on_the_virtual_board_predicts_as_the_host(tmp_path):
    from conftest import start_board
    path = gesture_motions.write(tmp_path / 'motions.json', gesture_motions.dataset(4))
    net = gestures.train(path, epochs=30, output=str(tmp_path / 'g.mn'), say=lambda *a: None)
    with start_board('modern') as b, Link(b.port, timeout=60) as link:
        profile = boards.get(b.profile)
        put(link, profile, 'micronn', 'micronn_bytes', 'micronn_model', 'micronn_act',
            'micronn_check', 'micronn_features')
        link.write_file('g.mn', (tmp_path / 'g.mn').read_bytes())
        link.exec("import gc, micronn, micronn_features\nn=micronn.NeuralNet.load('g.mn')")
        worst = 0.0
        for window in motions(random.Random(5)):
            send(link, window)
            got = link.eval('n.predict(micronn_features.features(x,y,z))')
            host = net.predict(gesture_features.features(*window))
            assert gestures.argmax(got) == gestures.argmax(host)
            worst = max(worst, max(abs(h - g) for h, g in zip(host, got)))
        assert worst <= TOLERANCE[profile['float']]
