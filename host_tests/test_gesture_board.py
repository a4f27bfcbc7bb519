# Host only. Gestures on the boards' own sensors, over real serial links: `micronn record` from
# the virtual board's simulated accelerometer (which replays a recording file) and the
# emulated micro:bit's (which reads (-736, -736, 736) milli-g, always); record, train and live
# classification end to end; `micronn verify --data` replaying recordings through the board's
# features and net; the micro:bit running a five-action [24, 16, 5] model live.
import csv
import json
import random

import pytest

from conftest import start_board
from helpers import cli

import gesture_motions

SENSOR = ['--sensor', 'vboard_accel.read']


def five_actions(path, recordings=3):
    """gesture_motions' three, and two tilts held still: a five-action CreateAI dataset."""
    data = gesture_motions.dataset(recordings)
    rng = random.Random(7)
    for name, g in (('tilt', (0.7, 0.0, -0.7)), ('flip', (0.0, 0.0, 1.0))):
        data.append({'name': name, 'recordings': [
            {'data': {a: [round(g[i] + rng.gauss(0, 0.02), 3) for _ in range(50)]
                      for i, a in enumerate('xyz')}} for _ in range(recordings)]})
    return gesture_motions.write(path, data)


@pytest.mark.wasm
def test_record_on_the_virtual_board_writes_createai_json_and_csv(tmp_path):
    source = gesture_motions.write(tmp_path / 'source.json', gesture_motions.dataset(2))
    d = str(tmp_path / 'd.json')
    with start_board('modern', accel=source) as b:
        code, out, err = cli('record', '--action', 'still', '--count', '2', '--countdown', '0',
                             '-o', d, '--port', b.port, *SENSOR)
        assert code == 0, err
        code, out, err = cli('record', '--action', 'x', '--port', b.port, '--sensor', 'imu.read')
        assert code == 1 and err == ('micronn: --sensor imu.read: the board has no such '
                                     'function (ImportError: no module named \'imu\'): put '
                                     'its module on the board first, e.g. mpremote cp imu.py '
                                     ':\n')
        # a second run adds to the dataset that is there
        code, out, err = cli('record', '--action', 'shake', '--count', '2', '--countdown', '0',
                             '-o', d, '--port', b.port, *SENSOR)
        assert code == 0, err
    assert 'wrote %s and %s (still 2, shake 2)' % (d, tmp_path / 'd.csv') in out
    recorded = json.load(open(d))
    played = json.load(open(source))
    # the simulated accelerometer replays the file in order: still's two, then shake's two
    assert [r['data'] for a in recorded for r in a['recordings']] == (
        [r['data'] for a in played[:2] for r in a['recordings']])
    rows = list(csv.DictReader(open(str(tmp_path / 'd.csv'))))
    assert len(rows) == 4 * 50
    assert (rows[50]['timestamp'], rows[50]['action'], rows[50]['recording']) == (
        '0', 'still', '2')
    assert float(rows[50]['x']) == played[0]['recordings'][1]['data']['x'][0]


@pytest.mark.slow
@pytest.mark.wasm
def test_record_train_and_classify_live_on_the_virtual_board(tmp_path):
    source = gesture_motions.write(tmp_path / 'source.json', gesture_motions.dataset(4))
    d = str(tmp_path / 'd.json')
    with start_board('modern', accel=source) as b:
        for action in gesture_motions.ACTIONS:
            code, out, err = cli('record', '--action', action, '--count', '4', '--countdown',
                                 '0', '-o', d, '--port', b.port, *SENSOR, cwd=str(tmp_path))
            assert code == 0, err
        code, out, err = cli('train', '--data', d, '--epochs', '30', '-o',
                             str(tmp_path / 'g.mn'))
        assert code == 0 and '(accuracy 12/12 on the dataset)' in out, out + err
        # (a flash of it runs the loop at boot, which reads samples: test_gesture_flash.py)
        # 600 samples replayed so far: the replay starts again, 200 of each action in turn
        code, out, err = cli('live', str(tmp_path / 'g.mn'), '--count', '40', '--port', b.port,
                             *SENSOR)
        assert code == 0, err
    said = [line.split()[0] for line in out.splitlines()[1:]]
    assert len(said) == 40
    # windows wholly inside one action's recordings (12 samples between predictions)
    assert said[:12] == ['still'] * 12 and said[17:28] == ['shake'] * 11
    assert said[34:] == ['circle'] * 6


@pytest.mark.parametrize('kind', [pytest.param('modern', marks=pytest.mark.wasm),
                                  pytest.param('microbit', marks=[pytest.mark.microbit,
                                                                  pytest.mark.slow])])
def test_verify_data_replays_recordings_through_the_boards_features_and_net(kind, tmp_path):
    path = five_actions(tmp_path / 'five.json')
    code, out, err = cli('train', '--data', path, '--epochs', '20', '-o', str(tmp_path / 'g.mn'))
    assert code == 0, err
    with start_board(kind) as b:
        code, out, err = cli('verify', str(tmp_path / 'g.mn'), '--data', path, '--port', b.port)
    assert code == 0, out + err
    lines = out.splitlines()
    assert lines[-1] == 'accuracy 15/15'
    assert sum(1 for line in lines if line.split()[1:4] in (['tilt'] * 3, ['still'] * 3)) == 6


@pytest.mark.slow
@pytest.mark.microbit
def test_the_microbit_runs_a_five_action_model_live(tmp_path):
    path = five_actions(tmp_path / 'five.json')
    code, out, err = cli('train', '--data', path, '--epochs', '20', '-o', str(tmp_path / 'g.mn'))
    assert code == 0 and 'layers [24, 16, 5]' in out, err
    with start_board('microbit') as b:
        code, out, err = cli('record', '--action', 'flat', '--count', '1', '--countdown', '0',
                             '-o', str(tmp_path / 'r.json'), '--port', b.port)
        assert code == 0, err
        code, out, err = cli('live', str(tmp_path / 'g.mn'), '--count', '3', '--port', b.port)
    assert code == 0, err
    recorded = json.load(open(str(tmp_path / 'r.json')))[0]['recordings'][0]['data']
    assert recorded == {'x': [-0.736] * 50, 'y': [-0.736] * 50, 'z': [0.736] * 50}
    said = out.splitlines()[-3:]
    assert len(set(said)) == 1 and said[0].split()[0] in ('still', 'shake', 'circle', 'tilt',
                                                           'flip')
