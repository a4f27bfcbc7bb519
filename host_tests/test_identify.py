# Host only. Which board the tool takes and what it calls it: a board of a port that no
# profile names is used as a generic board, from what it reports (the virtual modern board made
# to call itself a QEMU board, MicroPython 1.27 answering); an emulated board is called by its
# emulated profile's name everywhere; with no --port, a known USB board, else the only USB
# serial device, as mpremote's `connect auto` finds one.
import os
import subprocess
import sys

import pytest
from serial.tools.list_ports_common import ListPortInfo

import micronn
from micronn_tools.board import pick
from micronn_tools.errors import BoardError
from micronn_tools.link import Link

from conftest import start_board
from faulty_link import FaultyLink
from helpers import cli, start_cli, train_models

QEMU = ('qemu', 'mps2-an385 with Cortex-M3')  # MicroPython's qemu port on an Arm MPS2 board
NOTE = ("note: no profile for sys.platform 'qemu' (machine 'mps2-an385 with Cortex-M3'): "
        "using it as a generic board from what it reports (double-precision floats, ")
MPREMOTE = os.path.join(os.path.dirname(sys.executable), 'mpremote')
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope='module')
def models(tmp_path_factory):
    return train_models(tmp_path_factory.mktemp('models'))


def qemu_board():
    return start_board('modern', report=QEMU)


def usb(device, vid, pid, product=None):
    p = ListPortInfo(device, skip_link_detection=True)
    p.vid, p.pid, p.product = vid, pid, product
    return p


def test_a_known_usb_board_else_the_only_usb_serial_device_is_used():
    pico, cp2102 = usb('/dev/ttyACM0', 0x2e8a, 0x0005), usb('/dev/ttyUSB0', 0x10c4, 0xea60)
    teensy = usb('/dev/ttyACM1', 0x16c0, 0x0483, 'USB Serial')
    assert pick([]) == (None, None)
    port, said = pick([pico, teensy])  # the known one, beside a device no profile knows
    assert port == '/dev/ttyACM0' and said == 'using Raspberry Pi Pico (RP2040) on /dev/ttyACM0'
    port, said = pick([teensy])
    assert port == '/dev/ttyACM1'
    assert said == ('using /dev/ttyACM1, the only USB serial device (16c0:0483 USB Serial): no '
                    'profile knows its USB ID, so the board is known by what it reports')
    with pytest.raises(BoardError, match=r'several boards found \(/dev/ttyACM0, /dev/ttyUSB0\)'):
        pick([pico, cp2102])
    with pytest.raises(BoardError, match='no known board, but several USB serial devices '
                                         r'\(/dev/ttyACM1 16c0:0483 USB Serial, /dev/ttyUSB9'):
        pick([teensy, usb('/dev/ttyUSB9', 0x1234, 0x5678)])


def test_a_board_of_a_port_no_profile_names_runs_the_demo_as_a_generic_board(tmp_path):
    with qemu_board() as vb:
        with Link(vb.port) as link:  # the same MicroPython, calling itself another port
            assert link.eval("(lambda s,o:(s.platform,s.implementation._machine,o.uname()[0],"
                             "s.implementation.version[:2]))(__import__('sys'),"
                             "__import__('os'))") == ('qemu', QEMU[1], 'qemu', (1, 27))
        code, out, err = cli('demo', '--epochs', '3000', '--port', vb.port, cwd=tmp_path)
        assert code == 0, err
        lines = out.splitlines()
        notes = [l for l in lines if l.startswith('note:')]
        assert len(notes) == 1 and notes[0].startswith(NOTE), out
        assert notes[0].endswith('; it has no standalone demo')
        assert 'flashing to generic on %s' % vb.port in out
        assert 'the board answers XOR like the host: done' in out
        assert lines[-1] == ('on the board itself: no standalone demo: micronn knows no pins of '
                             'a board that no profile names; it serves over serial only')
        code, out, err = cli('predict', '0', '1', '--port', vb.port)
        want = micronn.NeuralNet.load(str(tmp_path / 'xor.mn')).predict([0, 1])[0]
        assert code == 0 and abs(float(out.splitlines()[-1].split()[0]) - want) < 1e-6, err  # 6 places


@pytest.mark.slow
def test_board_generic_is_forced_on_any_board_and_named_when_a_profile_does_not_fit(models):
    with start_board('modern') as vb:
        code, out, err = cli('flash', str(models / 'a.mn'), '--port', vb.port, '--board',
                             'generic')
        assert code == 0, err
        assert 'flashing to generic on' in out and 'note:' not in out
        code, out, err = cli('verify', str(models / 'a.mn'), '--port', vb.port)
        assert code == 0 and 'double-precision' in out, err
    with qemu_board() as vb:
        code, out, err = cli('predict', '0', '1', '--port', vb.port, '--board', 'rp2-pico')
    assert code == 1 and err == ('micronn: --board rp2-pico expects a rp2 board, but this one '
                                 'reports qemu: pick the right --board, or --board generic to '
                                 'use it from what it reports\n')


@pytest.mark.slow
@pytest.mark.microbit
def test_board_generic_is_refused_on_a_board_without_os_stat(microbit):
    code, out, err = cli('predict', '0', '1', '--port', microbit.port, '--board', 'generic')
    assert code == 1 and err == ("micronn: this board (sys.platform 'microbit') has no os.stat, "
                                 "which micronn needs on a board it knows only by what it "
                                 "reports: leave out --board generic\n")


@pytest.mark.slow
def test_mip_installs_the_network_on_a_board_no_profile_names():
    with qemu_board() as vb:
        p = subprocess.run([MPREMOTE, 'connect', vb.port, 'mip', 'install', '--target', '/lib',
                            os.path.join(ROOT, 'package.json')], capture_output=True, text=True,
                           timeout=120)
        assert p.returncode == 0 and 'Done' in p.stdout, p.stdout + p.stderr
        with Link(vb.port) as link:
            got = link.eval("(__import__('sys').platform,__import__('micronn').NeuralNet(['a','b']"
                            ",seed=1).__class__.__name__)")
    assert got == ('qemu', 'NeuralNet')


@pytest.mark.slow
def test_a_flash_cut_half_way_on_a_board_no_profile_names_keeps_its_model(models):
    def predicts(port, name):
        code, out, err = cli('predict', '1', '0', '--port', port)
        want = micronn.NeuralNet.load(str(models / name)).predict([1, 0])[0]
        return code == 0 and abs(float(out.splitlines()[-1].split()[0]) - want) < 1e-6  # 6 places
    with qemu_board() as vb:
        code, out, err = cli('flash', str(models / 'a.mn'), '--port', vb.port)
        assert code == 0 and 'model seq 1' in out, err
        with FaultyLink(vb.port) as mitm:
            mitm.arm('hangup', after=b'model_', offset=150)
            code, out, err = cli('flash', str(models / 'b.mn'), '--port', mitm.port,
                                 '--timeout', '3')
            assert mitm.fired.is_set()
        assert code == 1 and 'lost the link' in err and 'Traceback' not in err
        assert predicts(vb.port, 'a.mn')
        code, out, err = cli('flash', str(models / 'b.mn'), '--port', vb.port)
        assert code == 0 and 'model seq 2' in out, err
        assert predicts(vb.port, 'b.mn')


@pytest.mark.slow
@pytest.mark.microbit
def test_the_emulated_microbit_has_one_name_in_the_emulator_flash_and_boards(models):
    from conftest import need
    from micronn_tools.emulated import microbit
    need(microbit.missing())
    p = start_cli('emulator')
    try:
        line = p.stdout.readline()
        port = line.split(' on ')[1].split(';')[0]
        assert '--board microbit-emulated;' in line, line
        code, out, err = cli('flash', str(models / 'a.mn'), '--port', port)
    finally:
        p.terminate()
        p.wait(10)
    assert code == 0 and 'flashing to microbit-emulated on %s' % port in out, out + err
    code, out, err = cli('boards')
    lines = out.splitlines()
    i = next(i for i, l in enumerate(lines) if l.split()[:1] == ['microbit-emulated'])
    assert lines[i + 2].split() == ['tried:', 'QEMU', '(the', 'tests', 'run', 'on', 'it)']
