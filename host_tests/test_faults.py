# Host only. What real serial links and boards do to a flash, done to the real tool and the
# emulated micro:bit: bytes lost, damaged or repeated, a cut cable, a killed process, a frozen
# board, a board stuck in main.py, a full filesystem or heap, damaged model files, a
# port with no MicroPython behind it, a reset while connecting. faulty_link.py sits in the
# middle where a link is needed. Each test checks the promise: a clear error within a
# deadline, or success, and the board's previous model still working.
import os
import pty
import signal
import threading
import time
import struct
import tty

import pytest

import micronn
import micronn_save
import micronn_boards as boards
from micronn_tools import files, modelfile
from micronn_tools import firmware
from micronn_tools.board import HEAP_FIXED, HEAP_PER_WEIGHT, Board
from micronn_tools.errors import BoardError, BoardExecError
from micronn_tools.link import Link, checking

from faulty_link import FaultyLink
from helpers import cli, start_cli, train_models

pytestmark = pytest.mark.slow  # fault tests: `make test-all`

# Each test runs on both emulated boards unless it says why not (MICROBIT_ONLY).
MICROBIT_ONLY = pytest.mark.parametrize(
    'board', [pytest.param('microbit', marks=pytest.mark.microbit)], indirect=True)


@pytest.fixture(scope='module')
def models(tmp_path_factory):
    return train_models(tmp_path_factory.mktemp('models'))


def host(models, name, x):
    return micronn.NeuralNet.load(str(models / name)).predict(x)[0]


def board_state(port):
    """(newest (seq, slot), files) on the board, read directly (no faulty link)."""
    with Link(port) as link:
        b = Board(link, None)
        return b.newest(), link.eval("__import__('os').listdir()")


def predicts(port, models, name):
    """The board answers [1, 0] as model `name` does on the host."""
    code, out, err = cli('predict', '1', '0', '--port', port)
    assert code == 0, err
    return abs(float(out.split()[0]) - host(models, name, [1, 0])) < 1e-5


def file_sums(port):
    """{name: (size, sum)} of every file on the board, read directly; None if it cannot say."""
    try:
        with Link(port) as link:
            return link.file_sums(link.eval("__import__('os').listdir()"))
    except BoardError:
        return None


@pytest.fixture(scope='module')
def after_flash():
    """{board: (seq, file_sums)} as the module's last flash of model a left each board."""
    return {}


@pytest.fixture
def flashed_a(board, models, after_flash):
    """The board with model a as its newest model; yields its seq. Flashed only when the board
    is not as the last flash of a left it (a file added, removed or changed: another model
    flashed, a slot damaged, a main.py of its own...): a board whose every file is as that
    flash left it is in the state a flash of a gives, and is shared. (Reading the sums, like
    a flash, ends with the board booted into main.py.)"""
    last = after_flash.get(board)
    now = file_sums(board.port) if last else None
    if now is None or now != last[1]:
        code, out, err = cli('flash', str(models / 'a.mn'), '--port', board.port)
        assert code == 0, err
        seq, _ = board_state(board.port)[0]
        last = after_flash[board] = (seq, file_sums(board.port))
    yield last[0]


# 1. the link cut half way through the model upload, then the same flash retried

def test_link_cut_mid_upload_then_retry(board, models, flashed_a):
    with FaultyLink(board.port) as mitm:
        mitm.arm('hangup', after=b'model_', offset=150)
        code, out, err = cli('flash', str(models / 'b.mn'), '--port', mitm.port, '--timeout', '3')
        assert mitm.fired.is_set()
    assert code == 1 and 'lost the link' in err and 'Traceback' not in err
    assert board_state(board.port)[0][0] == flashed_a  # the half slot is never picked
    assert predicts(board.port, models, 'a.mn')
    code, out, err = cli('flash', str(models / 'b.mn'), '--port', board.port)
    assert code == 0 and 'model seq %d' % (flashed_a + 1) in out, err
    assert predicts(board.port, models, 'b.mn')


def test_process_killed_mid_upload(board, models, flashed_a):
    with FaultyLink(board.port) as mitm:
        proc = start_cli('flash', str(models / 'b.mn'), '--port', mitm.port)
        mitm.arm('stall', after=b'model_', offset=150, seconds=0.5,
                 then=lambda: proc.send_signal(signal.SIGKILL))
        proc.communicate(timeout=60)
        assert mitm.fired.is_set() and proc.returncode == -signal.SIGKILL
    assert board_state(board.port)[0][0] == flashed_a
    assert predicts(board.port, models, 'a.mn')


# 3. bytes dropped, flipped, repeated on the way to the board during the model upload

@pytest.mark.parametrize('kind', ['drop', 'flip', 'repeat', 'drop_repeat'])
def test_damaged_upload_is_caught_and_written_again(board, models, flashed_a, kind):
    with FaultyLink(board.port) as mitm:
        mitm.arm(kind, after=b'model_', offset=70, n=4 if kind == 'drop_repeat' else 1)
        code, out, err = cli('flash', str(models / 'b.mn'), '--port', mitm.port, '--timeout', '3')
        assert mitm.fired.is_set()
    assert code == 0, err
    assert 'model seq %d, checked on the board' % (flashed_a + 1) in out
    code, out, err = cli('verify', str(models / 'b.mn'), '--port', board.port)
    assert code == 0, out + err  # the board runs b exactly, not a damaged copy


# 2. a board frozen with its port open

@pytest.mark.microbit
def test_frozen_board_gives_a_deadline_and_says_so(fresh_microbit):
    mb = fresh_microbit
    mb.proc.send_signal(signal.SIGSTOP)
    try:
        t = time.monotonic()
        code, out, err = cli('predict', '0', '1', '--port', mb.port, '--timeout', '3')
        took = time.monotonic() - t
    finally:
        mb.proc.send_signal(signal.SIGCONT)
    assert code == 1 and 'not answering' in err and 'Traceback' not in err
    assert took < 15


def test_board_that_stops_answering_mid_command(board, models, flashed_a):
    with FaultyLink(board.port) as mitm:
        mitm.arm('stall', after=b'model_', offset=10, seconds=8)
        code, out, err = cli('flash', str(models / 'b.mn'), '--port', mitm.port, '--timeout', '2')
    assert code == 1 and ('stopped answering' in err or 'not answering' in err
                          or 'did not finish' in err), err
    assert predicts(board.port, models, 'a.mn')


# 4. main.py that prints without end, loops silently, or ignores Ctrl-C

def run_main_py(port, source):
    """Put main.py on the board and boot it, as a board does at power-up."""
    with Link(port) as link:
        link.write_file('main.py', source.encode())
        try:
            link.boot()
        except BoardError as e:  # it runs on and on, as it should here
            assert 'not micronn' in str(e) or 'did not restart' in str(e), e


# The silent loop only on the micro:bit: the WebAssembly port sees Ctrl-C only when the code
# running prints, reads or sleeps, so the virtual modern board cannot stop it
@pytest.mark.parametrize('main, board', [
    ('while True:\n    print("busy busy busy busy")\n', 'microbit'),
    ('while True:\n    print("busy busy busy busy")\n', 'modern'),
    ('while True:\n    pass\n', 'microbit')], indirect=['board'])
def test_busy_main_py_is_interrupted(board, models, flashed_a, main):
    run_main_py(board.port, main)
    code, out, err = cli('predict', '1', '0', '--port', board.port)
    if board.profile == 'microbit-emulated':
        # its heap cannot start micronn's server by command: the tool says what to do
        assert code == 1 and "main.py that is not micronn's" in err and 'micronn flash' in err, err
    else:  # the server is started by command instead of main.py
        assert code == 0, err
        assert abs(float(out.split()[0]) - host(models, 'a.mn', [1, 0])) < 1e-5
    code, out, err = cli('flash', str(models / 'a.mn'), '--port', board.port)
    assert code == 0 and 'main.py' in out, err  # the tool puts its own main.py back
    assert predicts(board.port, models, 'a.mn')


@pytest.mark.microbit
def test_main_py_that_ignores_ctrl_c_is_named(fresh_microbit):
    port = fresh_microbit.port
    run_main_py(port, 'while True:\n    try:\n        print("x")\n'
                      '    except KeyboardInterrupt:\n        pass\n')
    code, out, err = cli('predict', '0', '1', '--port', port, '--timeout', '4')
    assert code == 1 and 'ignores Ctrl-C' in err and 'reset' in err, err


# 6. a full filesystem (a flash it cannot hold is refused: test_tool, on both boards). A fresh
# micro:bit: when the filesystem of the emulated one runs out of erased chunks it sweeps them,
# and that sweep damaged files (see README).

@pytest.mark.microbit
def test_room_the_tool_counts_is_the_room_the_board_has(fresh_microbit):
    """The micro:bit's free chunks as the tool counts them, against a file written on the board
    byte by byte until its filesystem says it is full (nothing else to damage there)."""
    fs = files.for_profile(boards.get('microbit-emulated'))
    with Link(fresh_microbit.port) as link:
        for name, size in (('ab', 500), ('model_a.mn', 251), ('micronn.py', 2240)):
            link.write_file(name, b'x' * size)
        free = fs.room(link.eval(fs.LIST)).free
        out = link.exec("f=open('f','wb');n=0\ntry:\n while 1:\n  f.write(b'x');n+=1\n"
                        "except OSError:\n print(n)", timeout=120)
    # the failing write is the one that filled the last chunk: n + 1 bytes and a 3-byte header
    assert (int(out) + 1 + 3) / 126 == free, out


# 7. not enough heap on the board

@MICROBIT_ONLY
def test_model_too_big_for_the_heap_is_refused_before_copying(board, tmp_path, flashed_a):
    big = micronn.NeuralNet(['x1', 'x2'], seed=1)
    big.add_layer(70)  # beyond the heap estimate's edge, [2, 60, 1] on the emulated micro:bit
    big.add_layer(1)
    micronn_save.save(big, str(tmp_path / 'big.mn'))
    before = board_state(board.port)
    code, out, err = cli('flash', str(tmp_path / 'big.mn'), '--port', board.port)
    assert code == 1 and 'bytes of heap' in err and 'fewer neurons' in err
    assert board_state(board.port) == before


@MICROBIT_ONLY
def test_model_the_board_cannot_load_is_taken_back(board, models, tmp_path, flashed_a):
    # The largest [2, H, 1] the tool's heap estimate lets through: its file arrives intact,
    # but the micro:bit has no heap left to load it. Left as the newest slot it would be
    # tried at every boot. (Not [4, H, 3]: there the filesystem ends before the heap.)
    with Link(board.port) as link:
        free = Board(link, None).free
    h = max(h for h in range(1, 199) if HEAP_FIXED + HEAP_PER_WEIGHT * (4 * h + 1) <= free)
    net = micronn.NeuralNet(['a', 'b'], seed=1)
    net.add_layer(h)
    net.add_layer(1)
    net.save(str(tmp_path / 'm.mn'))
    code, out, err = cli('flash', str(tmp_path / 'm.mn'), '--port', board.port)
    assert code == 1 and 'too little heap to load the new model' in err, out + err
    assert 'keeps the model it had (seq %d)' % flashed_a in err, err
    assert board_state(board.port)[0][0] == flashed_a
    assert predicts(board.port, models, 'a.mn')


@pytest.mark.microbit
@pytest.mark.xfail(reason='known problem (README): at the very edge of the micro:bit heap, whether '
                          'a model loads depends on what the other slot holds (fragmentation): a '
                          'model accepted beside another once failed to load when that slot was '
                          'emptied, and a size taken back beside one model has loaded beside '
                          'another', strict=False)
def test_largest_model_keeps_serving_after_a_refused_flash(fresh_microbit, tmp_path, capsys):
    # A model at the very edge of the micro:bit's heap once stopped serving after a bigger
    # flash was taken back from the other slot: with model_a.mn gone, what reading the slots
    # left on the heap no longer left room to build it. The edge moves with every byte of
    # firmware, so it is found here: the largest [2, H, 1] the tool accepts beside [2, 6, 1].
    port = fresh_microbit.port

    def flash(h):
        path = tmp_path / ('h%d.mn' % h)
        if not path.exists():
            assert cli('train', '--layers', str(h), '--epochs', '10', '-o', str(path))[0] == 0
        return cli('flash', str(path), '--port', port)
    assert flash(6)[0] == 0  # model_a.mn, seq 1
    back = None  # a size written, then taken back: the heap estimate lets the edge through
    for h in range(60, 6, -1):
        code, out, err = flash(h)  # each refused one is taken back: model_b.mn stays free
        if code == 0:
            break
        if 'too little heap' in err:
            back = h
        else:
            assert 'bytes of heap' in err, err  # refused before writing
    assert code == 0 and 'model_b.mn' in out, out + err
    with capsys.disabled():
        print('\nmicro:bit: largest model accepted beside [2, 6, 1]: [2, %d, 1]' % h)
    assert back, 'no size was written and taken back'
    code, out, err = flash(back)  # to model_a.mn, which is taken back
    assert code == 1 and 'keeps the model it had (seq 2)' in err, out + err
    assert 'model_a.mn' not in board_state(port)[1]
    code, out, err = cli('predict', '1', '0', '--port', port)
    want = micronn.NeuralNet.load(str(tmp_path / ('h%d.mn' % h))).predict([1, 0])[0]
    assert code == 0 and abs(float(out.split()[0]) - want) < 1e-5, out + err


@MICROBIT_ONLY
def test_memory_error_on_a_filled_heap_is_reported(board, flashed_a):
    with Link(board.port) as link:
        link.soft_reset()
        link.exec('_fill=[]\ntry:\n while 1:_fill.append(bytearray(256))\nexcept MemoryError:\n pass')
        with pytest.raises(BoardExecError, match='ran out of memory.*smaller model'):
            link.exec('import micronn_serve')


# 8. damaged model files on the board itself

DAMAGED = {
    'truncated': lambda good: good[:len(good) // 2],
    'bit flipped': lambda good: good[:40] + bytes([good[40] ^ 1]) + good[41:],
    'wrong version': lambda good: b'micronn 9' + good[len(b'micronn 2'):],
    'random bytes': lambda good: bytes((i * 97 + 13) % 256 for i in range(len(good))),
    'empty': lambda good: b'',
}


def test_damaged_model_files_on_the_board_are_never_loaded(board, models, flashed_a):
    state, _ = board_state(board.port)
    other = 'model_b.mn' if state[1] == 'model_a.mn' else 'model_a.mn'
    net = micronn.NeuralNet.load(str(models / 'b.mn'))
    good = micronn_save.dumps(net, state[0] + 5)  # newer than the model in use
    nan = micronn_save.dumps(net, state[0] + 5).replace(b'\n', b'\nnan ', 1)
    cases = dict((k, f(good)) for k, f in DAMAGED.items())
    cases['nan weight'] = nan
    with Link(board.port) as link:
        b = Board(link, None)
        for what, data in cases.items():
            link.soft_reset()  # room to write: the last case left the modules imported
            link.write_file(other, data)
            # what the board boots from: the damaged slot is skipped, not loaded, not fatal
            assert b.newest() == tuple(state), what


def test_board_predicts_beside_a_damaged_slot(board, models, flashed_a):
    # Once failed with MemoryError: checking the damaged slot fragmented the 16 KB heap, and
    # the tool's next command could not compile. The tool now talks to the board's own line
    # server instead, which compiles nothing once the model is loaded.
    state, _ = board_state(board.port)
    other = 'model_b.mn' if state[1] == 'model_a.mn' else 'model_a.mn'
    good = micronn_save.dumps(micronn.NeuralNet.load(str(models / 'b.mn')), state[0] + 5)
    with Link(board.port) as link:
        link.write_file(other, good.replace(b'\n', b'\nnan ', 1))  # the last case above
    assert predicts(board.port, models, 'a.mn')


# 9. weights altered on the board after flashing

def test_verify_names_rows_when_the_board_weights_were_altered(board, models, flashed_a):
    state, _ = board_state(board.port)
    net = micronn.NeuralNet.load(str(models / 'a.mn'))
    net.layers[2][0].bias += 3.0  # a valid file, checksum and all: only the weights differ
    with Link(board.port) as link:
        link.write_file(state[1], micronn_save.dumps(net, state[0]))
    code, out, err = cli('verify', str(models / 'a.mn'), '--port', board.port)
    assert code == 1 and 'disagrees with the host on row(s) 1' in err, out + err


# 10. a port with no MicroPython behind it

def fake_device(echo):
    """A pty that echoes what it gets, or says nothing; (port, stop)."""
    master, slave = pty.openpty()
    tty.setraw(slave)
    done = threading.Event()

    def run():
        while not done.is_set():
            try:
                data = os.read(master, 1024)
            except OSError:
                return
            if echo:
                os.write(master, data)
    threading.Thread(target=run, daemon=True).start()

    def stop():
        done.set()
        os.close(slave)
        os.close(master)
    return os.ttyname(slave), stop


@pytest.mark.parametrize('echo, says', [(True, 'no MicroPython REPL'), (False, 'not answering')])
def test_not_a_micropython_board(echo, says):
    port, stop = fake_device(echo)
    try:
        code, out, err = cli('predict', '0', '1', '--port', port, '--timeout', '3')
    finally:
        stop()
    assert code == 1 and says in err and 'Traceback' not in err, err


# 11. boot messages, and a reset, while connecting

def test_boot_messages_while_connecting(board, models, flashed_a):
    with Link(board.port) as link:
        link.s.write(b'\x02')
        time.sleep(0.1)
        link.s.write(b'\x04')  # a soft reset: banner, then main.py serving the model
    assert predicts(board.port, models, 'a.mn')


@MICROBIT_ONLY
def test_hard_reset_just_before_connecting(board, models, flashed_a):
    # The board restarts from scratch (machine.reset) as the tool sends its first Ctrl-C:
    # the keys are lost in the restart, then main.py is serving, so the tool must try again.
    with Link(board.port) as link:
        link.s.write(b'\x02')
        time.sleep(0.1)
        link.s.write(b'import machine;machine.reset()\r')
        link.enter()
        link.soft_reset()  # as connecting does: the model main.py serves holds the heap
        assert link.eval('1 + 1') == 2
    assert predicts(board.port, models, 'a.mn')


def test_reset_while_connecting(board, models, flashed_a):
    with FaultyLink(board.port) as mitm:
        mitm.arm('insert', after=b'\x01', extra=b'\x04')  # the board reboots as we enter
        code, out, err = cli('predict', '1', '0', '--port', mitm.port, '--timeout', '5')
        assert mitm.fired.is_set()
    assert code == 0, err
    assert abs(float(out.split()[0]) - host(models, 'a.mn', [1, 0])) < 1e-5


# 12. every command, not only uploads, arrives whole or not at all; a damaged one never runs

# what each ordinary command carries on its way to the board (the tool sends each as one
# checked command), and a byte in it to damage
COMMANDS = {
    'the link helper': b'def _mn_sum',
    'the identity command': b'uname',
    'the heap check': b'mem_free',
    'the file-sum command': b'[_mn_sum(',
    'the room listing': b'listdir()]',
    "predict's row": b'1.0 0.0',
}


@pytest.mark.parametrize('kind', ['drop', 'flip', 'repeat'])
@pytest.mark.parametrize('what', sorted(COMMANDS))
def test_damaged_commands_are_sent_again(board, models, flashed_a, what, kind):
    with FaultyLink(board.port) as mitm:
        mitm.arm(kind, after=COMMANDS[what], offset=2)
        args = ('flash', str(models / 'a.mn')) if what in ('the file-sum command',
                                                            'the room listing') else (
            'predict', '1', '0')
        code, out, err = cli(*args, '--port', mitm.port, '--timeout', '5')
        assert mitm.fired.is_set(), what
    assert code == 0, err
    assert 'raised' not in err and 'Traceback' not in err
    if args[0] == 'predict':
        assert abs(float(out.split()[0]) - host(models, 'a.mn', [1, 0])) < 1e-5


def test_a_helper_damaged_past_its_self_test_is_sent_again(board):
    # Seen under load on the micro:bit: `f.read(64)` arrived as `f.rea(64)` in the helper's
    # file branch, which its self-test does not run, and a flash failed with AttributeError
    from micronn_tools.link import HELPER
    with Link(board.port) as link:
        link.write_file('helper_test.txt', b'micronn' * 20)
        want = link.file_sums(['helper_test.txt'])
        link.exec(HELPER.replace('f.read(64)', 'f.rea(64)'))  # the link thinks it whole
        assert link.file_sums(['helper_test.txt']) == want
        link.remove('helper_test.txt')


# Unchecked commands (the tests' and the benchmark's computing on the board): a byte lost
# from a name is found by the error it raises, and the command sent again
UNCHECKED = {
    'a name': ('total=6\nprint(total*7)', b'print(', '42'),
    'an attribute': ('import gc\nprint(gc.mem_free()>0)', b'gc.', 'True'),
    'the syntax': ('print((6)*7)', b'print(', '42'),
}


@pytest.mark.parametrize('what', sorted(UNCHECKED))
def test_damaged_unchecked_commands_are_sent_again(board, what):
    code, after, want = UNCHECKED[what]
    with FaultyLink(board.port) as mitm, Link(mitm.port, timeout=10, checked=False) as link:
        mitm.arm('drop', after=after)
        assert link.exec(code).strip() == want
        assert mitm.fired.is_set()
        assert link.damaged == 1


def test_an_unchecked_command_that_fails_on_the_board_is_not_sent_again(board):
    with Link(board.port, timeout=10, checked=False) as link:
        with pytest.raises(BoardExecError, match="NameError"):
            link.exec('print(not_defined_anywhere)')
        with pytest.raises(BoardExecError, match="AttributeError"):
            link.exec('import gc\ngc.no_such_thing')
        assert link.damaged == 0


def test_files_are_written_over_an_unchecked_link_only_while_it_checks(board):
    with Link(board.port, timeout=10, checked=False) as link:
        with pytest.raises(RuntimeError, match='needs a checked link'):
            link.write_file('unchecked.txt', b'micronn')
        assert 'unchecked.txt' not in link.eval("__import__('os').listdir()")
        with checking(link, True):
            link.write_file('unchecked.txt', b'micronn')
        assert not link.checked
        assert link.eval("open('unchecked.txt','rb').read()") == b'micronn'
        link.remove('unchecked.txt')


def test_the_boot_key_lost_is_sent_again(board, models, flashed_a):
    # the Ctrl-D that restarts main.py, where the server answers predictions
    with FaultyLink(board.port) as mitm:
        mitm.arm('drop', after=b'\x03\x02', n=1)
        code, out, err = cli('predict', '1', '0', '--port', mitm.port, '--timeout', '5')
        assert mitm.fired.is_set()
    assert code == 0, err
    assert abs(float(out.split()[0]) - host(models, 'a.mn', [1, 0])) < 1e-5


def test_a_link_that_keeps_damaging_says_so(board, models, flashed_a):
    with FaultyLink(board.port) as mitm:
        mitm.arm('flip', after=b'\x01', every=40)  # from the raw REPL on, 1 byte in 40
        code, out, err = cli('predict', '1', '0', '--port', mitm.port, '--timeout', '3')
    assert code == 1, out
    assert 'keeps losing bytes' in err and 'commands damaged' in err, err
    assert 'restart the emulated board' in err and 'raised' not in err, err
    assert predicts(board.port, models, 'a.mn')


# 13. a flash cut between two firmware files, or printing to a closed pipe

def flash_older(port, models):
    """Put on a fresh board what an older micronn's flash of model a leaves: every firmware
    file but the demo differing from the tool's (a comment added at its end), then a's slot,
    as after an upgrade of micronn: the next flash replaces them all. Written once
    each, as a flash writes them, not rewritten in place: rewriting every file, on top of the
    upgrade's temporaries and copies, spends more chunks than the micro:bit's filesystem has
    erased, and it then compacts itself, which on the emulated board damages files (the
    flash says so; test_a_flash_whose_files_the_filesystem_damages_says_so)."""
    profile = boards.get('microbit-emulated')
    old = [(name, firmware.device_source(source, profile) + (name != firmware.DEMO) * b'# old\n')
           for source, name in firmware.files('model', demo=profile.get('demo_module'))]
    net = micronn.NeuralNet.load(str(models / 'a.mn'))
    with Link(port) as link:
        for name, data in old + [(firmware.SLOTS[0], micronn_save.dumps(net, 1))]:
            link.write_file(name, data)
        return {n: link.file_sum(n) for n, _ in old if n != firmware.DEMO}


OFF_BOOT_FILES = [m + ".py" for m in firmware.off_boot()]


@pytest.mark.microbit
def test_flash_killed_between_two_firmware_files(fresh_microbit, models):
    port = fresh_microbit.port
    old = flash_older(port, models)
    assert predicts(port, models, 'a.mn')
    proc = start_cli('flash', str(models / 'b.mn'), '--port', port)
    for line in proc.stdout:  # the first file is written and checked, the next under way
        if 'checked on the board' in line:
            proc.send_signal(signal.SIGKILL)
            break
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    with Link(port) as link:
        # what boot imports is the old firmware, whole; what it does not (training, saving)
        # is written last, so its old copies are already gone
        now = {n: link.file_sum(n) for n in old}
    assert {n: s for n, s in now.items() if n not in OFF_BOOT_FILES} == {
        n: s for n, s in old.items() if n not in OFF_BOOT_FILES}
    assert predicts(port, models, 'a.mn')
    code, out, err = cli('flash', str(models / 'b.mn'), '--port', port)
    assert code == 0, err
    assert predicts(port, models, 'b.mn')


@pytest.mark.microbit
def test_flash_whose_output_is_closed_finishes(fresh_microbit, models):
    # a first flash: twelve files to write after the line read (an upgrade too would rewrite
    # every file, and with the seed the tests use, made the emulated filesystem compact)
    port = fresh_microbit.port
    proc = start_cli('flash', str(models / 'b.mn'), '--port', port)
    proc.stdout.readline()
    proc.stdout.close()  # as `micronn flash b.mn | head -1` does
    proc.wait(timeout=300)
    err = proc.stderr.read()
    assert proc.returncode == 0 and 'Traceback' not in err, err
    assert predicts(port, models, 'b.mn')


# 14. a filesystem that damages files while it makes room

# Every free chunk of the micro:bit's filesystem used once, then every other one freed: no
# page of it is wholly free, so the next file written makes it compact itself.
FRAGMENT = ("import os\ni=0\ntry:\n while 1:\n  f=open('fill%d'%i,'w');f.write('x'*90)\n"
            "  f.close();i+=1\nexcept OSError:\n pass\nfor n in os.listdir():\n"
            " if n.startswith('fill') and int(n[4:])%2:os.remove(n)")


@pytest.mark.microbit
def test_a_flash_whose_files_the_filesystem_damages_says_so(fresh_microbit, models):
    port = fresh_microbit.port
    assert cli('flash', str(models / 'a.mn'), '--port', port)[0] == 0
    with Link(port) as link:
        link.exec(FRAGMENT, timeout=120)
    # The emulated micro:bit's compaction breaks every file longer than a chunk (measured:
    # each loses a page's worth of its chain), so the firmware written before the model is
    # damaged by the model's own write.
    code, out, err = cli('flash', str(models / 'b.mn'), '--port', port)
    assert code == 1, out
    assert 'changed after they were written and checked' in err, err
    assert 'micronn.py' in err and 'Restart the emulated board' in err, err


# 15. the model file's checksum on its own, and slots whose sum holds but weights do not

def with_sum(body):
    """A model file of body and a sum that holds for it."""
    return body + b'sum %s\n' % micronn_save.adler32(body).encode()


def weights_of(good):
    """(where the binary weights of a model file start, how many there are)."""
    at = good.index(b'\nweights ') + 1
    end = good.index(b'\n', at)
    return end + 1, int(good[at + len(b'weights '):end])


def tampered(good):
    """{what: file} whose sum line is the good file's, with its weights changed in ways a
    plain sum of the bytes cannot see."""
    at, n = weights_of(good)
    swapped = good[:at] + good[at + 8:at + 16] + good[at:at + 8] + good[at + 16:]
    moved = bytearray(good)
    moved[at + 6] += 1 if moved[at + 6] < 255 else -1  # one byte up, another down
    moved[at + 14] -= 1 if moved[at + 14] > 0 else -1
    return {'two weights swapped': swapped, 'one byte up and another down': bytes(moved)}


def sum_holds_weights_do_not(good):
    """{what: file} with a sum that holds, and weights a net cannot be built from."""
    at, n = weights_of(good)
    body = good[:good.rindex(b'sum ')]
    nan = body[:at] + struct.pack('<d', float('nan')) + body[at + 8:]
    short = body[:at].replace(b'weights %d' % n, b'weights %d' % (n - 1)) + body[at + 8:]
    return {'a nan weight': with_sum(nan), 'one weight short': with_sum(short)}


def test_checksum_catches_weights_changed_on_the_host(models):
    good = (models / 'a.mn').read_bytes()
    for what, data in tampered(good).items():
        assert data != good and len(data) == len(good), what
        assert sum(data) == sum(good) or what != 'one byte up and another down', what
        with pytest.raises(ValueError, match='checksum'):
            modelfile.loads(data)


def test_slots_the_board_cannot_trust_are_skipped(board, models, flashed_a):
    state, _ = board_state(board.port)
    other = 'model_b.mn' if state[1] == 'model_a.mn' else 'model_a.mn'
    good = micronn_save.dumps(micronn.NeuralNet.load(str(models / 'b.mn')), state[0] + 5)
    cases = dict(tampered(good), **sum_holds_weights_do_not(good))
    with Link(board.port) as link:
        b = Board(link, None)
        for what, data in cases.items():
            link.soft_reset()
            link.write_file(other, data)
            if what in tampered(good):  # the board's own reader finds the sum wrong
                link.soft_reset()
                out = link.exec("import micronn_model\ntry:\n micronn_model.read(open(%r,'rb'))"
                                "\nexcept ValueError as e:\n print(e)" % other)
                assert 'checksum' in out, what
            assert b.newest() == tuple(state), what  # what it boots with: the good slot
    assert predicts(board.port, models, 'a.mn')


# 15. the line server, as a person at a terminal uses it

def test_server_answers_bad_lines_and_keeps_serving(board, models, flashed_a):
    with Link(board.port) as link:
        b = Board(link, None)
        with b.serving():
            assert 'error:' in link.ask('0 x')
            assert 'error: need 2 finite inputs' in link.ask('1')
            assert 'error:' in link.ask('')
            got = b.predict([[1, 0]])[0][0]
    assert abs(got - host(models, 'a.mn', [1, 0])) < 1e-5


# 16. on a busy machine: two processes keep both CPUs busy beside the tool

@pytest.mark.microbit
@pytest.mark.usefixtures('busy')
def test_flash_predict_verify_on_a_busy_machine(fresh_microbit, models):
    # a first flash, then a model over it; not an upgrade of every file: under load the link's
    # resends change what the emulated filesystem does, and an upgrade made it compact (and
    # break its files) in one CI run of three even with the seed fixed
    port = fresh_microbit.port
    assert cli('flash', str(models / 'a.mn'), '--port', port)[0] == 0
    code, out, err = cli('flash', str(models / 'b.mn'), '--port', port)
    assert code == 0, err
    code, out, err = cli('verify', str(models / 'b.mn'), '--port', port)
    assert code == 0, out + err
    assert predicts(port, models, 'b.mn')
