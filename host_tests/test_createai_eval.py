# Host only. The held-out evaluation on a CreateAI dataset (tools/bench/createai.py), on the
# made-up motions of gesture_motions: the split (every recording held out once, never trained
# on in its fold), the scoring against the held-out labels, the scikit-learn comparison, the
# refusals, the board part on the virtual modern board, and `micronn bench` leaving the
# CreateAI section of BENCHMARKS.md as it was.
import importlib.util
import json

import pytest

from conftest import need, start_board

import gesture_motions
from micronn_tools import gesture_data
from micronn_tools.bench import createai


def sklearn_missing():
    if importlib.util.find_spec('sklearn') is None:
        return 'scikit-learn is missing: pip install -e ".[convert]"'


def test_each_recording_is_held_out_in_one_fold_and_trained_on_in_the_others():
    actions = gesture_data.parse(gesture_motions.dataset(7))
    seen = []
    for fold in range(3):
        train, held = createai.split(actions, 3, fold)
        assert [a.name for a in train] == list(gesture_motions.ACTIONS)
        for k, i, rec in held:
            assert i % 3 == fold and rec is actions[k].recordings[i]
            assert all(rec is not r for r in train[k].recordings)
        assert sum(len(a.recordings) for a in train) + len(held) == 21
        seen += [(k, i) for k, i, _ in held]
    assert sorted(seen) == [(k, i) for k in range(3) for i in range(7)]


def test_held_out_recordings_are_scored_by_their_own_action(tmp_path):
    need(sklearn_missing())
    data = gesture_motions.dataset(6)
    data[0]['recordings'][0] = data[1]['recordings'][0]  # still's first is a shake
    path = gesture_motions.write(tmp_path / 'd.json', data)
    said = []
    figures = createai.evaluate(path, folds=3, epochs=40, say=said.append)
    assert said[0].endswith('3 actions (still, shake, circle), 18 recordings of 50 to 50 '
                            'samples; 3 folds: fold f holds out each action\'s recordings f, '
                            'f+3, ... (by position in the file, from 1)')
    assert figures['labels'] == [0, 0, 1, 1, 2, 2] * 3
    assert figures['positions'] == [0, 3] * 3 + [1, 4] * 3 + [2, 5] * 3
    # held out in fold 1, the shake filed as still is a shake to both nets: wrong
    assert figures['micronn'][0] == figures['sklearn'][0] == 1
    assert said[1].startswith('  fold 1: trained on 12, held out 6: micronn 5 right, '
                              'scikit-learn 5')
    lines = createai.lines(figures)
    assert lines[1:4] == ['  micronn (host)          17/18 (94.4%)',
                          '  scikit-learn MLP        17/18 (94.4%)',
                          '  micronn wrong on: still #1 as shake']
    assert lines[-3:] == ['  still        5      1      0',
                          '  shake        0      6      0',
                          '  circle       0      0      6']


def test_the_command_cuts_recordings_to_a_window_and_refuses_what_it_cannot_split(
        tmp_path, capsys):
    need(sklearn_missing())
    path = gesture_motions.write(tmp_path / 'd.json', gesture_motions.dataset(4, n=80))
    assert createai.main([path, '--folds', '2', '--epochs', '30', '--window', '50']) == 0
    out = capsys.readouterr().out
    assert '12 recordings of 50 to 50 samples; 2 folds' in out
    assert '  micronn (host)          12/12 (100.0%)' in out

    one = gesture_motions.dataset(2)
    one[2]['recordings'] = one[2]['recordings'][:1]
    with open(str(tmp_path / 'one.json'), 'w') as f:
        json.dump(one, f)
    for args, error in (
            ([str(tmp_path / 'one.json')], 'action(s) circle have one recording: a held-out '
             'test needs 2 or more per action, one to train on and one to test'),
            ([path, '--folds', '1'], '--folds 1: give 2 or more (each fold holds out 1/K of '
             'the recordings)'),
            ([path, '--window', '6'], '--window 6: CreateAI\'s features need 7 samples or '
             'more')):
        assert createai.main(args) == 1
        assert capsys.readouterr().err == 'micronn: %s\n' % error


@pytest.mark.slow
@pytest.mark.wasm
def test_the_board_replays_each_folds_held_out_recordings_with_that_folds_model(tmp_path):
    need(sklearn_missing())
    data = gesture_motions.dataset(4)
    data[0]['recordings'][1] = data[2]['recordings'][1]  # a circle among still's: held out
    path = gesture_motions.write(tmp_path / 'd.json', data)
    with start_board('modern') as b:
        figures = createai.evaluate(path, folds=2, epochs=30, ports=[b.port],
                                    say=lambda *a: None)
    board = figures['boards'][b.port]
    # the circle held out as still: wrong on the host, and on the board too
    assert figures['micronn'][6] == 2 and figures['labels'][6] == 0
    assert board['classes'] == figures['micronn']
    assert board['agree'] == 12 and board['largest'] < 1e-9


@pytest.mark.slow  # the CPython part of the bench: about 15 s
def test_micronn_bench_keeps_the_createai_section_of_its_report(tmp_path):
    from micronn_tools.bench import bench
    out = tmp_path / 'B.md'
    out.write_text('# Benchmarks\n\nold tables\n\n## A real CreateAI project\n\nheld out: 17/18\n')
    bench.main(['cpython'], out=str(out), chart_path=None, say=lambda *a: None)
    text = out.read_text()
    assert 'old tables' not in text and '## CPython' in text
    assert text.endswith('|\n\n## A real CreateAI project\n\nheld out: 17/18\n')
