# Host only. Gestures on the host: CreateAI's features (the host's reference and the board's
# module on CPython), its dataset file, training on it, and `micronn train --data X.json`.
import json
import math
import random

import pytest

import micronn
import micronn_features
from micronn_tools import firmware, gesture_data, gesture_features, gestures, modelfile

import gesture_motions
from helpers import cli

FLOAT64 = 1e-9


def both(x, y, z):
    """The features by the host's reference and by the board's module, each as a dict."""
    board = dict(zip(gesture_features.NAMES, micronn_features.features(x, y, z)))
    return gesture_features.apply_filters(x, y, z), board


# CreateAI's features ---------------------------------------------------------------------

def test_createais_own_expectations():
    # ml-trainer's src/ml.test.ts: 44 samples of 1 g, and 7 of 0 (its shortest window)
    for f in both([1] * 44, [1] * 44, [1] * 44):
        for a in 'xyz':
            assert [f[k + '_' + a] for k in gesture_features.FILTERS] == [1, 1, 1, 0, 0, 50, 0, 1]
    for f in both([0] * 7, [0] * 7, [0] * 7):
        assert set(f.values()) == {0}


def test_each_feature_by_hand_on_a_window_of_nine():
    x = [0, 0, 0, 0, 0, 1, 1, 0, 2]  # two rises that stand out: at 1 (after 0s), at 2
    y = [1, -1, 1, -1, 0, 0, -0.5, 0.5, 0]  # six sign changes, 0 counting as positive
    z = [0.5] * 5 + [1.5, 0.5, 0.5, 0.5]  # a rise of 1, within CreateAI's first deviation
    want = {
        'max_x': 2, 'mean_x': 4 / 9, 'min_x': 0, 'std_x': math.sqrt(38) / 9, 'peaks_x': 2,
        'acc_x': 4 / 9 * 50, 'zcr_x': 0, 'rms_x': math.sqrt(6 / 9),
        'max_y': 1, 'mean_y': 0, 'min_y': -1, 'std_y': math.sqrt(0.5), 'peaks_y': 0,
        'acc_y': 5 / 9 * 50, 'zcr_y': 6 / 8, 'rms_y': math.sqrt(0.5),
        # CreateAI's detector starts from the lead-in's mean (0.5) as its deviation: the rise
        # of 1 is under 3.5 of those; a true deviation (0) would count it
        'max_z': 1.5, 'mean_z': 5.5 / 9, 'min_z': 0.5,
        'std_z': math.sqrt((4.25 - 5.5 ** 2 / 9) / 9), 'peaks_z': 0, 'acc_z': 5.5 / 9 * 50, 'zcr_z': 0, 'rms_z': math.sqrt(4.25 / 9)}
    for got in both(x, y, z):
        assert list(got) == gesture_features.NAMES  # CreateAI's order: per filter, x y z
        for k, v in want.items():
            assert got[k] == pytest.approx(v, abs=1e-12), k


def test_the_boards_module_equals_the_reference_on_cpython():
    rng = random.Random(7)
    peaks = 0
    for k in range(400):
        n = rng.choice([7, 9, 44, 50, 90])
        if k % 2:
            kind = gesture_motions.ACTIONS[k % 3]
            window = gesture_motions.recording(kind, rng, n)
        else:  # spikes on a quiet line, in CreateAI's steps of 4 mg: ties at thresholds
            window = [[rng.choice([0, 0, 0, 0.004, -0.004, 0.1, 1.5]) for _ in range(n)]
                      for _ in range(3)]
        host, board = both(*window)
        assert max(abs(host[k] - board[k]) for k in host) < FLOAT64
        peaks += host['peaks_x'] + host['peaks_y'] + host['peaks_z']
    assert peaks > 100  # the detector was exercised, not only its zeros


def test_the_features_module_is_installed_but_no_flash_writes_it():
    assert 'micronn_features' in firmware.libraries()  # pip and mip install it
    for kind, act in (('model', False), ('model', True), ('export', False)):
        assert 'micronn_features.py' not in [b for _, b in firmware.files(kind, act=act)]


def test_windows_too_short_are_refused():
    with pytest.raises(ValueError, match='data sample is too short'):
        gesture_features.features([1] * 6, [1] * 6, [1] * 6)
    with pytest.raises(ValueError, match='Empty x/y/z data'):
        gesture_features.features([], [1] * 7, [1] * 7)
    with pytest.raises(ValueError, match='need 7 or more samples per axis, got 6'):
        micronn_features.features([1] * 7, [1] * 6, [1] * 7)


# The dataset file ------------------------------------------------------------------------

def edit(change):
    data = gesture_motions.dataset(recordings=2)
    change(data)
    return data


def sample(value):
    def change(data):
        data[1]['recordings'][1]['data']['y'][4] = value
    return change


BAD = [
    ('not a list', lambda d: d.clear() or d.append(5), 'action 1: not an object'),
    ('one action', lambda d: d.pop() and d.pop(), '1 action(s): a classifier needs 2 or more'),
    ('no name', lambda d: d[0].pop('name'), 'action 1: no name'),
    ('same name', lambda d: d[2].update(name='still'), 'action 3 ("still"): a second action'),
    ('no recordings', lambda d: d[1].update(recordings=[]),
     'action 2 ("shake"): no recordings: record this action at least once'),
    ('no data', lambda d: d[1]['recordings'][0].pop('data'),
     'action 2 ("shake"), recording 1: no "data" object'),
    ('no z', lambda d: d[2]['recordings'][1]['data'].pop('z'),
     'action 3 ("circle"), recording 2: no list "z" of samples'),
    ('a string', sample('0.5'), 'y sample 5 is "0.5", not a finite number'),
    ('a bool', sample(True), 'y sample 5 is true, not a finite number'),
    ('milli-g', sample(-736), 'y sample 5 is -736: samples are in g'),
    ('lengths', lambda d: d[0]['recordings'][0]['data']['x'].pop(),
     'x, y and z hold 49, 50, 50 samples: they must hold as many'),
    ('too short', lambda d: d[0]['recordings'][0]['data'].update(x=[0] * 6, y=[0] * 6, z=[0] * 6),
     "6 samples per axis: CreateAI's features need 7 or more"),
]


@pytest.mark.parametrize('change, said', [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_dataset_is_refused_saying_where_and_what(tmp_path, change, said):
    path = gesture_motions.write(tmp_path / 'd.json', edit(change))
    with pytest.raises(ValueError) as e:
        gesture_data.load(path)
    assert str(e.value).startswith(path + ': ') and said in str(e.value)
    assert '\n' not in str(e.value)


def test_files_that_are_not_datasets(tmp_path):
    (tmp_path / 'a.json').write_text('{"actions": 1')
    with pytest.raises(ValueError, match='is not a JSON file.*CreateAI exports'):
        gesture_data.load(str(tmp_path / 'a.json'))
    (tmp_path / 'b.json').write_text('{"actions": []}')
    with pytest.raises(ValueError, match='not a CreateAI dataset: expected a JSON list'):
        gesture_data.load(str(tmp_path / 'b.json'))
    with pytest.raises(ValueError, match='cannot read dataset .*missing.json'):
        gesture_data.load(str(tmp_path / 'missing.json'))
    gesture_motions.write(tmp_path / 'c.json', edit(sample(float('nan'))))  # json writes NaN
    with pytest.raises(ValueError, match='sample .* is NaN, not a finite number'):
        gesture_data.load(str(tmp_path / 'c.json'))


def test_createais_forms_are_read_and_written_back():
    data = gesture_motions.dataset(recordings=2)
    actions = gesture_data.parse(data)
    assert [a.name for a in actions] == list(gesture_motions.ACTIONS)
    assert actions[2].recordings[1][0] == data[2]['recordings'][1]['data']['x']
    project = gesture_data.parse({'header': {}, 'data': data})  # a project file's dataset
    again = gesture_data.parse(json.loads(gesture_data.dumps(actions)))
    for other in (project, again):
        assert [(a.name, a.recordings) for a in other] == [(a.name, a.recordings)
                                                            for a in actions]


# Training ----------------------------------------------------------------------------------

def test_folding_the_scaling_in_changes_no_prediction():
    rng = random.Random(3)
    net = micronn.NeuralNet(['f%d' % i for i in range(5)], seed=2)
    net.add_layer(4, 'relu')
    net.add_layer(3, 'softmax')
    low = [rng.uniform(-2, 0) for _ in range(5)]
    high = [lo + rng.uniform(0.5, 80) for lo in low]
    high[3] = low[3]  # a feature that never varied: shifted, not stretched
    folded = gestures.fold(net, low, high)
    for _ in range(20):
        x = [rng.uniform(-3, 90) for _ in range(5)]
        assert folded.predict(x) == pytest.approx(net.predict(gestures.scale(x, low, high)),
                                                  abs=1e-12)


def test_training_separates_three_motions(tmp_path):
    path = gesture_motions.write(tmp_path / 'motions.json')
    lines = []
    net = gestures.train(path, epochs=40, output=str(tmp_path / 'g.mn'), say=lines.append)
    assert 'accuracy 24/24 on the dataset' in lines[-1]
    assert any(line.startswith('  epoch    40  loss') for line in lines)
    saved = modelfile.read(str(tmp_path / 'g.mn'))  # as flash reads it
    assert saved.inputs == gesture_features.NAMES and saved.activations == ['relu', 'softmax']
    assert [len(layer) for layer in saved.layers] == [24, 16, 3]
    meta = gestures.read_gesture_file(str(tmp_path / 'g.gesture'))
    assert meta['actions'] == list(gesture_motions.ACTIONS) and meta['window'] == (50, 20)
    assert meta['features'] == gesture_features.NAMES
    # the model takes the features as the board computes them, unscaled
    for k, action in enumerate(gesture_data.load(path)):
        for rec in action.recordings:
            p = saved.predict(micronn_features.features(*rec))
            assert gestures.argmax(p) == k and p == pytest.approx(net.predict(
                gesture_features.features(*rec)), abs=1e-12)


def test_a_changed_gesture_file_is_refused(tmp_path):
    side = gestures.write_gesture_file(str(tmp_path / 'm.mn'), ['a', 'b'], [0.0], [1.0])
    data = open(side, 'rb').read()
    open(side, 'wb').write(data.replace(b'action b', b'action c'))
    with pytest.raises(ValueError, match='m.gesture: checksum wrong'):
        gestures.read_gesture_file(side)


# The command -----------------------------------------------------------------------------

def test_train_data_json_writes_model_gesture_file_and_plot(tmp_path):
    path = gesture_motions.write(tmp_path / 'motions.json')
    code, out, err = cli('train', '--data', path, '--epochs', '30', '-o', str(tmp_path / 'g.mn'),
                         '--plot', str(tmp_path / 'g.png'), cwd=str(tmp_path))
    assert code == 0, err
    assert 'training on %s: 3 actions (still, shake, circle), 24 recordings' % path in out
    assert 'layers [24, 16, 3], relu then softmax' in out and '  epoch    30  loss' in out
    assert 'accuracy 24/24 on the dataset' in out
    assert (tmp_path / 'g.gesture').exists()
    assert (tmp_path / 'g.png').read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'


def test_train_data_json_mistakes(tmp_path):
    path = gesture_motions.write(tmp_path / 'motions.json')
    code, _, err = cli('train', '--data', path, '--outputs', '2')
    assert code == 1 and err.startswith('micronn: --outputs is for a CSV')
    bad = gesture_motions.write(tmp_path / 'bad.json', edit(sample('x')))
    code, _, err = cli('train', '--data', bad)
    assert code == 1 and err.count('\n') == 1
    assert err.startswith('micronn: %s: action 2 ("shake"), recording 2: y sample 5' % bad)


def test_train_window_takes_each_recordings_first_samples(tmp_path):
    # recordings of 1.8 s, as older CreateAI projects hold; the board classifies 1 s windows
    long = gesture_motions.dataset(n=90)
    path = gesture_motions.write(tmp_path / 'long.json', long)
    first = [gesture_features.features(*[r['data'][axis][:50] for axis in 'xyz'])
             for action in long for r in action['recordings']]
    columns = list(zip(*first))
    scaling = [min(c) for c in columns] + [max(c) for c in columns]
    for window in (None, '50'):
        out = str(tmp_path / ('w%s.mn' % window))
        code, said, err = cli('train', '--data', path, '--epochs', '2', '-o', out,
                              *(['--window', window] if window else []))
        assert code == 0, err
        meta = gestures.read_gesture_file(out[:-3] + '.gesture')
        assert (meta['low'] + meta['high'] == pytest.approx(scaling, abs=1e-9)) == bool(window)
        assert ('24 recordings of 90 to 90 samples, each cut to its first 50' in said) == \
            bool(window)
        hint = ('note: the recordings trained on hold about 90 samples; the board classifies '
                'windows of 50 at 20 ms (--window 50 trains on the first 50 of each)')
        assert (hint in said) != bool(window)


@pytest.mark.parametrize('samples, window, note', [
    ([50] * 5, None, None),
    ([45, 50, 55, 60, 60], None, None),
    ([90] * 5, 50, None),
    ([90] * 5, 200, 'about 90 samples; the board classifies windows of 50 at 20 ms (--window 50 '
                    'trains on the first 50 of each)'),
    ([30] * 5, 50, 'about 30 samples; the board classifies windows of 50 at 20 ms'),
    ([50] * 5, 30, 'about 30 samples; the board classifies windows of 50 at 20 ms'),
])
def test_the_length_note_says_what_the_board_will_see(samples, window, note):
    said = gestures.length_note(samples, window)
    assert said == (note and 'the recordings trained on hold ' + note)


def test_train_window_mistakes(tmp_path):
    path = gesture_motions.write(tmp_path / 'motions.json')
    out = str(tmp_path / 'never.mn')
    code, _, err = cli('train', '--data', path, '--window', '6', '-o', out)
    assert code == 1 and err == ('micronn: --window 6: CreateAI\'s features need 7 samples or '
                                 'more\n'), err
    code, _, err = cli('train', '--window', '50', '-o', out)
    assert code == 1 and err.startswith('micronn: --window is for a gesture dataset'), err
    assert not (tmp_path / 'never.gesture').exists() and not (tmp_path / 'never.mn').exists()


def test_a_plain_model_trained_over_a_gesture_model_takes_its_gesture_file_away(tmp_path):
    # else `micronn flash` would take the plain model for a gesture model and refuse it
    out = str(tmp_path / 'm.mn')
    code, _, err = cli('train', '--data', gesture_motions.write(tmp_path / 'd.json'),
                       '--epochs', '2', '-o', out)
    assert code == 0 and (tmp_path / 'm.gesture').exists(), err
    code, _, err = cli('train', '--epochs', '10', '-o', out)
    assert code == 0 and not (tmp_path / 'm.gesture').exists(), err
