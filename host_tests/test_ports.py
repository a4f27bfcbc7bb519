# Host only. A port another program holds is reported busy before the tool opens it, whatever
# the program: miniterm and a plain pyserial script take no lock, and two programs reading one
# port would each get part of the board's bytes. The holders are real child processes; the
# emulated board's own process, which keeps the port's end of its pty open, does not count.
import os
import re
import subprocess
import sys
import time

import pytest

from micronn_tools import ports

from conftest import start_board
from helpers import cli

PYTHON = os.path.basename(sys.executable)
HOLD = 'import serial, sys; s = serial.Serial(sys.argv[1]); print("ready", flush=True); input()'


def hold(port):
    """A child Python holding port open with pyserial, as a user's script does: no lock."""
    p = subprocess.Popen([sys.executable, '-c', HOLD, port], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline() == 'ready\n'
    return p


def let_go(p):
    p.stdin.close()
    p.wait(timeout=60)


def said_by(*args):
    code, out, err = cli(*args)
    assert 'Traceback' not in err, err
    return code, err.strip()


@pytest.mark.wasm
def test_a_port_a_script_holds_is_busy_and_the_board_itself_is_no_rival():
    with start_board('modern') as b:
        p = hold(b.port)
        try:
            code, err = said_by('predict', '0', '1', '--port', b.port)
        finally:
            let_go(p)
        assert (code, err) == (1, 'micronn: port %s is busy: %s (pid %d) holds it; close it and '
                                  'retry' % (b.port, PYTHON, p.pid))
        # the virtual board's process keeps the port's end open too: it is the board, so the
        # tool goes on to ask it (a board with nothing flashed yet)
        code, err = said_by('predict', '0', '1', '--port', b.port)
        assert 'busy' not in err and 'micronn flash' in err, err


def test_miniterm_and_a_script_are_both_named():
    master, slave = os.openpty()  # this process is the board's side, as an emulator is
    console_master, console = os.openpty()  # miniterm wants a terminal to read keys from
    port = os.ttyname(slave)
    os.close(slave)
    term = subprocess.Popen([sys.executable, '-m', 'serial.tools.miniterm', port, '115200'],
                            stdin=console, stdout=console, stderr=subprocess.PIPE)
    script = hold(port)
    try:
        end = time.monotonic() + 60
        while 'miniterm' not in (ports.busy(port) or '') and term.poll() is None:
            assert time.monotonic() < end, 'miniterm never opened %s' % port
            time.sleep(0.05)
        code, err = said_by('predict', '0', '1', '--port', port)
    finally:
        let_go(script)
        term.kill()
        term.wait(timeout=60)
        for fd in (master, console_master, console):
            os.close(fd)
    assert code == 1
    assert re.fullmatch(r'micronn: port %s is busy: (.*) hold it; close them and retry'
                        % re.escape(port), err), err
    held = set(re.fullmatch(r'.*busy: (.*) hold it.*', err).group(1).split(', '))
    assert held == {'serial.tools.miniterm (pid %d)' % term.pid,
                    '%s (pid %d)' % (PYTHON, script.pid)}, err
