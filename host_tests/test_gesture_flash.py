# Host only. `micronn flash` of a gesture model: the board classifies live at boot, with no
# host program, over real serial links. On the virtual modern board, whose simulated
# accelerometer replays recordings of one action, the lines it prints at boot name that
# action; the tool still gets in, and a flash of XOR puts XOR back; a gesture flash cut short
# leaves XOR serving. On the emulated micro:bit V1 the same with five actions, its small
# filesystem made room for by removing micronn's files that neither boot needs; a model it
# cannot hold is refused before anything is written.
import argparse
import copy

import pytest

import micronn
from conftest import start_board
from helpers import cli
from micronn_tools import firmware, flash, flash_live, gesture_board, gestures, live, modelfile
from micronn_tools.board import Board
from micronn_tools.errors import BoardError, NoModel, NotMicronn, NotWhole
from micronn_tools.link import Link

import gesture_motions

SENSOR = ['--sensor', 'vboard_accel.read']


FIVE = gesture_motions.ACTIONS + ('tilt', 'drop')


def models(tmp_path, five=False, hidden='16', names=None):
    """(gesture model, XOR model) trained here, and a recording file of shake's alone. five:
    a model of five actions (two more made of still and shake, shifted along y); names:
    {action: name it is given instead}."""
    data = str(tmp_path / 'three.json')
    actions = gesture_motions.dataset(4)
    for action in actions:
        action['name'] = (names or {}).get(action['name'], action['name'])
    if five:
        for k, name in enumerate(FIVE[3:]):
            more = copy.deepcopy(actions[k])
            more.update(name=name, ID=10 + k)
            for rec in more['recordings']:
                rec['data']['y'] = [v + 0.5 * (k + 1) for v in rec['data']['y']]
            actions.append(more)
    gesture_motions.write(data, actions)
    code, out, err = cli('train', '--data', data, '--epochs', '30', '--layers', hidden, '-o',
                         str(tmp_path / 'g.mn'))
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
        # micronn's XOR files are still there, but the board no longer serves them
        code, out, err = cli('predict', '1', '0', '--port', b.port)
        assert code == 1 and 'runs the gesture model live_a.mn at boot' in err, out + err
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
        # an export's plan would remove the loop's files before its switch: refused, untouched
        code, out, err = cli('flash', xor, '--export', '--port', b.port)
        assert code == 1 and 'flash a model file that fits as one first' in err, err
        assert boot(b.port, 1)[0] == 'micronn live live_b.mn: still shake circle'
        code, out, err = cli('flash', xor, '--port', b.port)
        assert code == 0, out + err
        assert predicts_xor(b.port)


@pytest.mark.wasm
def test_action_names_with_spaces_pass_the_boot_check(tmp_path):
    # CreateAI allows spaces in a name: the board's line is 'big shake 0.987'
    model, xor, shake = models(tmp_path, names={'shake': 'big shake'})
    with start_board('modern', accel=shake) as b:
        code, out, err = cli('flash', model, '--port', b.port, *SENSOR)
        assert code == 0 and 'at boot: ' in out, out + err
        lines = boot(b.port, 2)
        assert lines[0] == 'micronn live live_a.mn: still big shake circle'
        assert [line.rpartition(' ')[0] for line in lines[1:3]] == ['big shake'] * 2, lines


@pytest.mark.wasm
def test_xor_flashed_over_a_live_loop_replaces_an_older_micronn(tmp_path):
    # micronn's modules on the board are an older version's (as after an upgrade): they go in
    # as temporaries moved into place, and what is checked after is what they end up as
    model, xor, shake = models(tmp_path)
    with start_board('modern', accel=shake) as b:
        assert cli('flash', xor, '--port', b.port)[0] == 0
        assert cli('flash', model, '--port', b.port, *SENSOR)[0] == 0
        serve = [n for n in listing(b.port) if n.startswith('micronn_serve.')][0]
        with Link(b.port) as link:
            link.write_file(serve, link.eval('open(%r,"rb").read()' % serve) + b'# old\n')
        code, out, err = cli('flash', xor, '--port', b.port)
        assert code == 0 and 'micronn_serve.new' in out, out + err
        assert predicts_xor(b.port)


@pytest.mark.wasm
def test_a_model_that_does_not_load_over_a_live_loop_leaves_the_loop_booting(tmp_path):
    # a weight that is not finite: its file's sum checks out, micronn's reader refuses it
    model, xor, shake = models(tmp_path)
    net = modelfile.read(xor)
    net.layers[-1][0].weights[0] = float('inf')
    with start_board('modern', accel=shake) as b:
        assert cli('flash', model, '--port', b.port, *SENSOR)[0] == 0
        with Link(b.port) as link:
            with pytest.raises(BoardError) as e:
                Board(link, None).put_model(net, say=lambda *a, **k: None)
        assert 'runs its gesture model at boot again' in str(e.value), e.value
        assert boot(b.port, 1)[0] == 'micronn live live_a.mn: still shake circle'


@pytest.mark.wasm
def test_a_relu_model_over_a_live_loop_cut_after_the_switch_serves(tmp_path):
    # micronn_act goes in before micronn's main.py: boot builds the net from then on
    model, xor, shake = models(tmp_path)
    net = micronn.NeuralNet(['a', 'b'], seed=1)
    net.add_layer(3, 'relu')
    net.add_layer(2, 'softmax')
    switched = []

    def cut(line, end='\n'):
        if switched:
            raise KeyboardInterrupt
        if line.split() == ['main.py', 'in', 'use']:
            switched.append(line)
    with start_board('modern', accel=shake) as b:
        assert cli('flash', model, '--port', b.port, *SENSOR)[0] == 0
        with Link(b.port) as link:
            with pytest.raises(KeyboardInterrupt):
                Board(link, None).put_model(net, say=cut)
        assert switched
        with Link(b.port) as link:
            assert Board(link, None).newest() == (1, 'model_a.mn')


@pytest.mark.wasm
def test_a_link_lost_while_reading_what_the_board_serves_is_no_model_served():
    # else the live flash would take micronn's serving files for unneeded, and remove them
    with start_board('modern') as b:
        link = Link(b.port, timeout=5)
        board = Board(link, None)
        b.stop()
        with open(firmware.firmware_dir() + '/main.py', 'rb') as f:
            main = f.read()
        with pytest.raises(BoardError) as e:
            flash_live.served_now(flash.Flash(board), main)
        assert not isinstance(e.value, (NoModel, NotMicronn, NotWhole)), e.value


def test_flash_options_that_are_for_gesture_models_only_are_refused(tmp_path):
    model, xor, shake = models(tmp_path)
    code, out, err = cli('flash', xor, '--every', '100', '--port', '/dev/null')
    assert code == 1 and '--every and --sensor are for a gesture model' in err
    code, out, err = cli('flash', model, '--export', '--port', '/dev/null')
    assert code == 1 and 'leave out --export' in err


def flash_args(model, sensor=None):
    return argparse.Namespace(model=model, every=None, sensor=sensor)


# where each board's flash is cut: half way into the model file (on the micro:bit, with the
# training modules and the demo gone); on the virtual board also once main.py's replacement is
# written but not in place (the micro:bit puts main.py in by one command). A cut half way into
# a module on the micro:bit leaves XOR serving too, but the retry's writes, over chunks freed
# here and there, make the emulated filesystem compact itself, which breaks its files
# (test_faults)
CUTS = [pytest.param('modern', 'live_a.mn', marks=pytest.mark.wasm),
        pytest.param('modern', 'main.new', marks=pytest.mark.wasm),
        pytest.param('microbit', 'live_a.mn', marks=pytest.mark.microbit)]


@pytest.mark.slow
@pytest.mark.parametrize('kind,at', CUTS)
def test_a_gesture_flash_cut_leaves_xor_serving(tmp_path, kind, at):
    # each time XOR serves as before, and a retry lands
    model, xor, shake = models(tmp_path, five=kind == 'microbit')
    gesture = gestures.read_gesture_file(gestures.gesture_path(model))
    seen = []
    sensor = 'vboard_accel.read' if kind == 'modern' else None

    def cut(*a, **k):
        if a and a[0].lstrip().startswith(at):
            seen.append(a[0])
            raise KeyboardInterrupt
    with start_board(kind, **({'accel': shake} if kind == 'modern' else {})) as b:
        assert cli('flash', xor, '--port', b.port)[0] == 0
        with Link(b.port) as link:
            with pytest.raises(KeyboardInterrupt):
                live.flash(Board(link, None), flash_args(model, sensor), gesture, cut)
        assert seen, 'the flash never got to %r' % at
        assert predicts_xor(b.port)
        code, out, err = cli('flash', model, '--port', b.port, *(SENSOR if sensor else []))
        assert code == 0, out + err
        said = boot(b.port, 1)[-1].split()[0]
        assert said == 'shake' if sensor else said in FIVE, said


@pytest.mark.slow
@pytest.mark.microbit
def test_the_microbit_v1_runs_a_five_action_model_at_boot_and_xor_flashes_back(tmp_path):
    # a [24, 16, 5] net: the V1's filesystem holds it beside what serves XOR once the
    # training modules and the demo are gone, and two of them, once micronn's are
    model, xor, _ = models(tmp_path, five=True)
    with start_board('microbit') as b:
        assert cli('flash', xor, '--port', b.port)[0] == 0
        code, out, err = cli('flash', model, '--port', b.port)
        assert code == 0 and 'live_a.mn' in out, out + err
        assert 'removed what neither' in out and 'micronn_train.py' in out
        # QEMU's accelerometer reads a constant: whatever class, the board's own loop says it
        lines = boot(b.port, 3)
        assert lines[0] == 'micronn live live_a.mn: %s' % ' '.join(FIVE), lines
        assert all(line.split()[0] in FIVE for line in lines[1:4]), lines
        code, out, err = cli('flash', model, '--port', b.port)
        assert code == 0 and 'live_b.mn' in out, out + err
        assert 'micronn_model.py' in out  # what served XOR is no longer needed
        assert boot(b.port, 1)[0].startswith('micronn live live_b.mn')
        code, out, err = cli('flash', xor, '--port', b.port)
        assert code == 0 and 'your' not in out + err, out + err
        assert 'removed the live loop\'s files' in out
        assert predicts_xor(b.port)
        assert not [n for n in listing(b.port) if n.endswith('.mn') and n != 'model_a.mn']


@pytest.mark.slow
@pytest.mark.microbit
@pytest.mark.parametrize('hidden,why,fits', [('18', 'filesystem is too full', 16),
                                             ('24', 'heap free', 19)])
def test_the_microbit_v1_refuses_a_gesture_model_it_cannot_hold(tmp_path, hidden, why, fits):
    # [24, 18, 5]: its heap would run it, its filesystem cannot hold its 4.6 KB model file;
    # [24, 24, 5]: its heap cannot (measured: it runs out at boot); the heap's estimate says
    # 19 units, and a [24, 19, 5] model's flash then says 16 for the filesystem
    model, xor, shake = models(tmp_path, five=True, hidden=hidden)
    with start_board('microbit') as b:
        assert cli('flash', xor, '--port', b.port)[0] == 0
        before = listing(b.port)
        code, out, err = cli('flash', model, '--port', b.port)
        assert code == 1 and 'Nothing was written' in err and why in err, out + err
        assert '%d hidden units instead of %s' % (fits, hidden) in err, err
        assert listing(b.port) == before
        assert predicts_xor(b.port)


def listing(port):
    with Link(port) as link:
        return sorted(link.eval("__import__('os').listdir()"))
