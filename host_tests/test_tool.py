# Host only. The micronn command end to end over a real pty, on each emulated board: the
# micro:bit (MicroPython 1.9.2 under QEMU) and the virtual modern board (1.27 WebAssembly).
import pytest

import micronn
import micronn_boards as boards
from micronn_tools import files
from micronn_tools.board import Board
from micronn_tools.firmware import SLOTS
from micronn_tools.link import Link

from helpers import cli, train_models


@pytest.fixture(scope='module')
def models(tmp_path_factory):
    return train_models(tmp_path_factory.mktemp('models'))


def test_train_flash_predict_verify(board, models):
    port = board.port
    code, out, err = cli('flash', str(models / 'a.mn'), '--port', port)
    assert code == 0, err
    assert 'checked on the board' in out and 'note:' not in out
    assert 'flashing to %s on %s' % (board.profile, port) in out  # the emulator's own name
    code, out, err = cli('predict', '0', '1', '--port', port)
    assert code == 0, err
    host = micronn.NeuralNet.load(str(models / 'a.mn')).predict([0, 1])[0]
    assert abs(float(out.split()[0]) - host) < 1e-5
    code, out, err = cli('verify', str(models / 'a.mn'), '--port', port)
    assert code == 0, err
    assert 'largest difference' in out


@pytest.mark.slow
def test_verify_fails_and_names_rows_when_the_board_differs(board, models):
    assert cli('flash', str(models / 'a.mn'), '--port', board.port)[0] == 0
    code, out, err = cli('verify', str(models / 'b.mn'), '--port', board.port)
    assert code == 1
    assert 'disagrees with the host on row(s)' in err


@pytest.mark.slow
def test_upload_cut_half_way_leaves_the_previous_model(board, models):
    port = board.port
    assert cli('flash', str(models / 'a.mn'), '--port', port)[0] == 0
    with Link(port) as link:
        board = Board(link, None)
        before = board.newest()
        seen = []

        def cut(*a, **k):
            # the link dies after the first piece of the new model has reached the board
            if a and isinstance(a[0], str) and a[0].strip().startswith('model_'):
                seen.append(a[0])
                raise KeyboardInterrupt
        with pytest.raises(KeyboardInterrupt):
            board.put_model(micronn.NeuralNet.load(str(models / 'b.mn')), cut)
        assert seen, 'the model upload was never under way'
    with Link(port) as link:
        files = link.eval("__import__('os').listdir()")
        half = [s for s in SLOTS if s != before[1]][0]
        assert half in files  # the cut left a half-written slot ...
        assert Board(link, None).newest() == before  # ... and the old one still serves
    code, out, err = cli('predict', '1', '0', '--port', port)
    want = micronn.NeuralNet.load(str(models / 'a.mn')).predict([1, 0])[0]
    assert code == 0 and abs(float(out.split()[0]) - want) < 1e-5
    # the retry succeeds, into the same slot, with the next sequence number
    code, out, err = cli('flash', str(models / 'b.mn'), '--port', port)
    assert code == 0, err
    assert 'model seq %d' % (before[0] + 1) in out


@pytest.mark.slow
def test_what_the_board_reports_is_checked_against_its_profile(board):
    profile = boards.get(board.profile)
    other = {'single': 'double', 'double': 'single'}[profile['float']]
    with Link(board.port) as link:
        b = Board(link, None)  # identified by what it reports alone
        assert b.profile['sysname'] == profile['sysname'] and profile['machine'] in b.machine
        b = Board(link, profile)
        assert (b.float, b.differences()) == (profile['float'], [])
        b = Board(link, dict(profile, machine='PYBv1', float=other, heap=4 * b.free))
        said = b.differences()
    assert b.float == profile['float']  # what the board reports wins: verify allows for it
    assert len(said) == 3, said
    assert "calls itself %r" % b.machine in said[0] and 'not a PYBv1' in said[0]
    assert ('%s-precision floats' % profile['float']) in said[1] and 'says ' + other in said[1]
    assert 'bytes of heap free' in said[2]


@pytest.mark.slow
def test_second_process_on_the_port_fails_clearly(board):
    with Link(board.port):
        code, out, err = cli('predict', '0', '0', '--port', board.port)
    assert code == 1
    assert 'busy' in err and 'Traceback' not in err


def test_bad_model_refused_before_any_board(tmp_path):
    bad = tmp_path / 'bad.mn'
    bad.write_bytes(b'micronn 1\nseq 0\n')
    code, out, err = cli('flash', str(bad), '--port', '/dev/nonexistent-port')
    assert code == 1
    assert 'truncated' in err and 'save it again' in err and 'nonexistent' not in err


def test_missing_port_is_one_clear_line(tmp_path):
    code, out, err = cli('predict', '0', '1', '--port', '/dev/nonexistent-port')
    assert code == 1
    assert err.startswith('micronn: no serial port /dev/nonexistent-port')
    assert len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_a_flash_the_filesystem_cannot_hold_is_refused_before_writing(fresh_board, models,
                                                                     tmp_path):
    port = fresh_board.port
    code, out, err = cli('train', '--layers', '5', '--epochs', '10', '-o', str(tmp_path / 'big.mn'))
    assert code == 0, err
    assert cli('flash', str(models / 'a.mn'), '--port', port)[0] == 0
    fs = files.for_profile(boards.get(fresh_board.profile))
    with Link(port) as link:
        link.soft_reset()
        room = fs.room(link.eval(fs.LIST))
        # a filler that leaves only the units the filesystem keeps spare: no model can grow
        size = room.unit * (room.free - fs.SPARE)
        while fs.units('filler.bin', size, room.unit) > room.free - fs.SPARE:
            size -= 1
        link.exec("f=open('filler.bin','wb')\nfor i in range(%d):f.write(b'f'*64)\n"
                  "f.write(b'f'*%d)\nf.close()" % (size // 64, size % 64), timeout=60)
        before = {n: link.file_sum(n) for n in link.eval("__import__('os').listdir()")}
    code, out, err = cli('flash', str(tmp_path / 'big.mn'), '--port', port)
    assert code == 1 and 'filesystem is too full' in err and 'filler.bin' in err, out + err
    with Link(port) as link:
        assert {n: link.file_sum(n) for n in link.eval("__import__('os').listdir()")} == before
        link.exec("import os\nos.remove('filler.bin')")
    code, out, err = cli('flash', str(tmp_path / 'big.mn'), '--port', port)
    assert code == 0, err


def test_boards_lists_the_profiles_and_what_each_was_tried_on():
    code, out, err = cli('boards')
    assert code == 0, err
    lines = out.splitlines()

    def tried(name):
        i = next(i for i, l in enumerate(lines) if l.split()[:1] == [name])
        return lines[i + 2].split('tried: ')[1]
    assert tried('microbit-v2') == tried('rp2-pico') == 'not yet tried on hardware'
    assert tried('modern-emulated').startswith('MicroPython 1.27 WebAssembly')
    v2 = boards.get('microbit-v2')
    assert (v2['usb'], v2['float'], v2['files']) == (['0d28:0204'], 'single', 'microbit')
    assert 'nRF52833' in v2['machine'] and 'nRF51822' in boards.get('microbit-v1')['machine']
