# Host only. A room of boards in one command (tools/classroom.py): flash, verify and predict
# on several emulated boards at once, beside a port where no board answers and a link cut half
# way; each board that is there gets the model, and the ports that failed are named.
import contextlib
import os
import re

import pytest

from conftest import start_board
from faulty_link import FaultyLink
from helpers import cli, train_models


@contextlib.contextmanager
def dead_port():
    """A serial port where no board answers: a pty whose other end nobody reads."""
    master, slave = os.openpty()
    name = os.ttyname(slave)
    os.close(slave)  # held by no process, so not busy: only silent
    try:
        yield name
    finally:
        os.close(master)


def ports_args(ports):
    return [a for p in ports for a in ('--port', p)]


def rows_of(out, ports):
    """{port: its row of the final table}."""
    found = {}
    for line in out.splitlines():
        for p in ports:
            if line.startswith(p + ' ') and re.search(r'\d+ s$', line):
                found[p] = line
    return found


@pytest.fixture(scope='module')
def models(tmp_path_factory):
    return train_models(tmp_path_factory.mktemp('models'))


def test_two_boards_and_a_dead_port(models):
    with start_board('modern') as one, start_board('modern') as two, dead_port() as dead:
        ports = [one.port, dead, two.port]
        code, out, err = cli('flash', str(models / 'a.mn'), *ports_args(ports), '--timeout', '5')
        assert code == 1, out + err
        assert dead in err and one.port not in err and two.port not in err
        rows = rows_of(out, ports)
        assert 'failed' in rows[dead]
        for p in (one.port, two.port):
            assert 'modern-emulated' in rows[p] and ' ok' in rows[p], rows[p]
        code, out, err = cli('verify', str(models / 'a.mn'), *ports_args([one.port, two.port]))
        assert code == 0 and 'all 2 boards: ok' in out, out + err
        code, out, err = cli('boards', *ports_args([one.port, two.port]))
        assert code == 0, out + err
        for row in rows_of(out, [one.port, two.port]).values():
            assert 'seq 1 (model file)' in row and 'layers 2 3 1' in row, row
        code, out, err = cli('predict', '0', '1', *ports_args([one.port, two.port]))
        assert code == 0, out + err
        for row in rows_of(out, [one.port, two.port]).values():
            assert re.search(r'0\.9\d+', row), row  # a trained XOR's answer to 0 1


@pytest.mark.slow
def test_five_boards_a_dead_port_and_a_cut_link(models):
    kinds = ['microbit', 'modern', 'modern', 'modern', 'modern']  # one QEMU: the CPUs are few
    with contextlib.ExitStack() as stack:
        boards = [stack.enter_context(start_board(k)) for k in kinds]
        dead = stack.enter_context(dead_port())
        ports = [b.port for b in boards] + [dead]
        code, out, err = cli('flash', str(models / 'a.mn'), *ports_args(ports), '--timeout', '5')
        assert code == 1 and dead in err, out + err
        rows = rows_of(out, ports)
        assert all(' ok' in rows[b.port] for b in boards), out
        assert all('no micronn firmware yet' in rows[b.port] for b in boards), out
        # model b, with the link to one micro:bit cut half way through its upload
        with FaultyLink(boards[0].port) as cut:
            cut.arm('hangup', after=b'model_', offset=150)
            ports = [cut.port] + [b.port for b in boards[1:]]
            code, out, err = cli('flash', str(models / 'b.mn'), *ports_args(ports), '--timeout',
                                 '5')
            assert cut.fired.is_set() and code == 1 and cut.port in err, out + err
        rows = rows_of(out, ports)
        assert 'failed' in rows[cut.port]
        assert all(' ok' in rows[b.port] for b in boards[1:]), out
        # the cut board still serves model a; the others serve b
        code, out, err = cli('verify', str(models / 'a.mn'), '--port', boards[0].port)
        assert code == 0, out + err
        code, out, err = cli('verify', str(models / 'b.mn'),
                             *ports_args([b.port for b in boards[1:]]))
        assert code == 0 and 'all 4 boards: ok' in out, out + err


def test_all_with_no_board_attached_says_so(models):
    code, out, err = cli('flash', str(models / 'a.mn'), '--all')
    assert code == 1 and 'no boards' in err, err
