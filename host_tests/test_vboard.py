# Host only. The virtual modern board (MicroPython 1.27 WebAssembly behind a pty) behaves as a
# board does over USB serial: the REPLs, soft reset, Ctrl-C, line ends, files, and mpremote
# (exec, fs cp, mip install) working on it as on a board.
import os
import subprocess
import sys
import time

import pytest
import serial

from micronn_tools.link import Link

from conftest import start_board
from helpers import cli, start_cli

pytestmark = pytest.mark.wasm
MPREMOTE = os.path.join(os.path.dirname(sys.executable), 'mpremote')
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def mpremote(port, *args):
    p = subprocess.run([MPREMOTE, 'connect', port] + list(args), capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout


def read_until(s, end, timeout=30):
    data = b''
    deadline = time.monotonic() + timeout
    while end not in data and time.monotonic() < deadline:
        data += s.read(s.in_waiting or 1)
    assert end in data, data[-200:]
    return data


@pytest.fixture
def vb():
    with start_board('modern') as b:
        yield b


@pytest.mark.slow
def test_soft_reset_starts_afresh_runs_boot_and_main_and_keeps_files(vb):
    with Link(vb.port) as link:
        link.exec("open('boot.py','w').write('print(\"boot ran\")\\n')\n"
                  "open('main.py','w').write('print(\"main ran\", x)\\n')\nx = 1")
        assert link.eval('x') == 1
    with serial.Serial(vb.port, 115200, timeout=0.2) as s:
        s.write(b'\r\x03')
        read_until(s, b'>>> ')
        s.write(b'x = 5\r')
        read_until(s, b'>>> ')
        s.write(b'\x04')  # Ctrl-D at the friendly prompt: a soft reset, as on a board
        seen = read_until(s, b'for more information.\r\n>>> ')
    lines = seen.split(b'\r\n')
    i = lines.index(b'MPY: soft reboot')
    assert lines[i + 1] == b'boot ran'
    # a fresh interpreter: the x typed before the reset is gone when main.py runs
    assert lines[i + 2:i + 5] == [b'Traceback (most recent call last):',
                                  b'  File "main.py", line 1, in <module>',
                                  b"NameError: name 'x' isn't defined"]
    # every line from the reset on ends \r\n, as from a UART (before it, an earlier read may
    # have taken the \r of a line whose \n this one starts with)
    assert b'\n' not in seen[seen.index(b'MPY: soft reboot'):].replace(b'\r\n', b'')
    with Link(vb.port) as link:  # a soft reset in the raw REPL runs boot.py, not main.py
        link.s.write(b'\x04')
        data, ok = link._read_until(lambda d: d.endswith(b'raw REPL; CTRL-B to exit\r\n>'), 30)
        assert ok and b'boot ran' in data and b'main ran' not in data, data
        assert sorted(link.eval('__import__("os").listdir()')) == ['boot.py', 'main.py']


@pytest.mark.slow
def test_ctrl_c_stops_a_main_py_that_prints_sleeps_or_waits_for_input(vb):
    for loop in ('while True:\n print(i)\n i += 1', 'while True:\n print(input())',
                 'import time\nwhile True:\n time.sleep_ms(50)',
                 'import sys\nwhile True:\n i += len(sys.stdin.read(1))'):  # as micronn_lines
        with Link(vb.port) as link:
            link.exec('open("main.py","w").write(%r)' % ('i = 0\n' + loop + '\n'))
        with serial.Serial(vb.port, 115200, timeout=0.2) as s:
            s.write(b'\r\x02\x04')  # friendly REPL, soft reset: main.py runs its loop
            read_until(s, b'MPY: soft reboot\r\n')
        with Link(vb.port, timeout=20) as link:  # gets in with Ctrl-C
            assert link.eval('1 + 1') == 2


@pytest.mark.slow
def test_ctrl_c_while_main_py_prints_its_traceback_leaves_the_board_running(vb):
    # A Ctrl-C that lands while main.py's traceback prints, or just after, ends main.py as on a
    # board; it once reached past the runner and ended the virtual board (its pty hung up).
    with Link(vb.port) as link:
        link.exec('open("main.py","w").write(%r)' % 'def f(n): return f(n-1) if n else x\nf(15)\n')
    for _ in range(3):
        with serial.Serial(vb.port, 115200, timeout=0.01) as s:
            s.write(b'\r\x03\x02\x04')
            seen, end = b'', time.monotonic() + 30
            # Ctrl-C all through the soft reset and main.py, until main.py has ended
            while not (b'NameError' in seen or b'KeyboardInterrupt' in seen or
                       time.monotonic() > end or vb.proc.poll() is not None):
                s.write(b'\x03')
                seen += s.read(256)
        assert vb.proc.poll() is None, vb.proc.stdout.read().decode(errors='replace')
    with Link(vb.port) as link:
        assert link.eval('1 + 1') == 2


@pytest.mark.slow
def test_a_loop_that_neither_prints_nor_reads_cannot_be_interrupted(vb):
    # The port has no VM hook: Ctrl-C is seen only when running code calls out of the
    # interpreter (print, input(), the clock). A busy loop is then as stuck as a board whose main.py
    # ignores Ctrl-C, and the tool says so.
    with Link(vb.port) as link:
        link.exec('open("main.py","w").write("while True:\\n pass\\n")')
    with serial.Serial(vb.port, 115200, timeout=0.2) as s:
        s.write(b'\r\x02\x04')
        read_until(s, b'MPY: soft reboot\r\n')
    from micronn_tools.errors import BoardError
    with pytest.raises(BoardError, match='not answering|ignores Ctrl-C'):
        with Link(vb.port, timeout=3):
            pass


@pytest.mark.slow
def test_raw_paste_is_declined_and_mpremote_falls_back(vb):
    with serial.Serial(vb.port, 115200, timeout=0.2) as s:
        s.write(b'\r\x03\x03\x01')
        read_until(s, b'raw REPL; CTRL-B to exit\r\n>')
        s.write(b'\x05A\x01')
        assert read_until(s, b'R\x00', 10) == b'R\x00'
        s.write(b'print(6 * 7)\x04')
        assert read_until(s, b'\x04>') == b'OK42\r\n\x04\x04>'
    assert mpremote(vb.port, 'exec', 'print(6 * 7)') == '42\n'


@pytest.mark.slow
def test_mpremote_copies_files_and_mip_installs_the_network(vb, tmp_path):
    src = tmp_path / 'hello.py'
    src.write_text('print("hello")\n')
    mpremote(vb.port, 'fs', 'cp', str(src), ':hello.py')
    assert '15 hello.py' in mpremote(vb.port, 'fs', 'ls')
    out = mpremote(vb.port, 'mip', 'install', '--target', '/lib', os.path.join(ROOT, 'package.json'))
    assert 'Installing: /lib/micronn.py' in out and 'Done' in out
    code = ('from micronn import NeuralNet\n'
            'n = NeuralNet(["a", "b"], seed=1)\nn.add_layer(3)\nn.add_layer(1)\n'
            'p = n.predict([0, 1])[0]\n'
            'losses = [n.train_row([0, 1], 1) for _ in range(20)]\n'
            'print(repr((p, n.predict([0, 1])[0], losses[0], losses[-1])))')
    before, after, first, last = eval(mpremote(vb.port, 'exec', code))
    import micronn
    net = micronn.NeuralNet(['a', 'b'], seed=1)
    net.add_layer(3)
    net.add_layer(1)
    assert before == pytest.approx(net.predict([0, 1])[0], abs=1e-12)  # the host's own net
    assert after > before and last < first  # it trained towards 1


def test_pyproject_and_mip_list_the_firmware_manifests_libraries_at_one_version():
    import json
    import re
    from micronn_tools import firmware
    with open(os.path.join(ROOT, 'package.json')) as f:
        manifest = json.load(f)
    with open(os.path.join(ROOT, 'pyproject.toml')) as f:
        project = f.read()
    version = re.search(r'^version = "([^"]+)"', project, re.M).group(1)
    modules = re.search(r'^py-modules = \[([^\]]*)\]', project, re.M).group(1)
    assert manifest['version'] == version
    assert sorted(re.findall(r'"(\w+)"', modules)) == sorted(firmware.libraries())
    assert sorted(manifest['urls']) == sorted(
        [m + '.py', 'firmware/' + m + '.py'] for m in firmware.libraries())


@pytest.mark.slow
def test_micronn_demo_and_emulator_run_on_the_virtual_board(tmp_path):
    from micronn_tools.emulated import vboard
    from conftest import need
    need(vboard.missing())
    code, out, err = cli('demo', '--board', 'modern-emulated', '--epochs', '3000', cwd=tmp_path)
    assert code == 0, err
    assert 'starting the virtual modern board' in out and 'answers XOR like the host' in out
    p = start_cli('emulator', '--board', 'modern-emulated')
    try:
        line = p.stdout.readline()
        port = line.split(' on ')[1].split(';')[0]
        with Link(port) as link:
            assert link.eval("__import__('sys').platform") == 'webassembly'
    finally:
        p.terminate()
        p.wait(10)
