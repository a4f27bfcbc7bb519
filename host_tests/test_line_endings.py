# Host only. The line server as a script or a terminal meets it, on each emulated board: a plain
# pyserial client on the pty (no micronn Link) sends rows ended by "\n", "\r" or "\r\n"; each is
# answered as the host predicts, and the board echoes the line once.
import pytest
import serial

import micronn
import micronn_boards as boards

from helpers import cli

XOR = [(0, 0), (0, 1), (1, 0), (1, 1)]


@pytest.fixture(scope='module')
def served(board, tmp_path_factory):
    """The board's port, serving an XOR model, and that model on the host."""
    path = str(tmp_path_factory.mktemp('model') / 'xor.mn')
    code, _, err = cli('train', '--epochs', '2000', '-o', path)
    assert code == 0, err
    code, out, err = cli('flash', path, '--port', board.port)
    assert code == 0, out + err
    return board.port, micronn.NeuralNet.load(path), boards.get(board.profile)['float']


class Script:
    """A pyserial script on the board's port, started as docs/protocol.md shows."""

    def __init__(self, port):
        self.s = serial.Serial(port, 115200, timeout=60)
        self.s.write(b'\x03\x04')  # Ctrl-C, Ctrl-D: the server starts afresh
        self.read_until(b'soft reboot')
        assert self.read_until(b'\n> ').startswith(b'\r\nmicronn seq ')

    def read_until(self, end):
        got = self.s.read_until(end)
        assert got.endswith(end), 'the board stopped at %r' % got[-200:]
        return got

    def send(self, data):
        """What the board printed after data, up to its next prompt."""
        self.s.write(data)
        return self.read_until(b'\n> ')

    def close(self):
        self.s.close()


@pytest.fixture
def script(served):
    s = Script(served[0])
    yield s
    s.close()


def check(got, typed, net, x, precision):
    """got is the echo of typed, once, then the net's answer to x."""
    lines = got.split(b'\r\n')
    assert lines[0] == typed and lines[2:] == [b'> '], got
    tol = boards.TOLERANCE[precision]
    assert abs(float(lines[1]) - net.predict(list(x))[0]) <= tol, got


def test_a_script_is_answered_whichever_way_it_ends_its_lines(served, script):
    _, net, precision = served
    # "\n" first: MicroPython's own input() waits for ever there
    for x, end in zip(XOR, (b'\n', b'\r\n', b'\r', b'\n')):
        typed = b'%d %d' % x
        check(script.send(typed + end), typed, net, x, precision)


@pytest.mark.slow
@pytest.mark.parametrize('end', [b'\n', b'\r', b'\r\n'], ids=['LF', 'CR', 'CRLF'])
def test_every_row_and_the_banner_with_one_line_ending(served, script, end):
    _, net, precision = served
    for x in XOR * 2:
        typed = b'%g %g' % (x[0] * 0.75, x[1] + 0.125)
        check(script.send(typed + end), typed, net, (x[0] * 0.75, x[1] + 0.125), precision)
    banner = script.send(b'?' + end).split(b'\r\n')
    assert banner[0] == b'?' and banner[1].startswith(b'micronn seq ') and banner[2:] == [b'> ']
    # a bad line is answered too, and the line after it as well
    assert script.send(b'0 x' + end) == b'0 x\r\nerror: invalid syntax for number\r\n> '
    check(script.send(b'1 0' + end), b'1 0', net, (1, 0), precision)


@pytest.mark.slow
def test_a_crlf_split_across_writes_gives_no_empty_line(served, script):
    # the "\n" of a "\r\n" comes after the answer: it ends no second, empty line
    _, net, precision = served
    check(script.send(b'0 1\r'), b'0 1', net, (0, 1), precision)
    script.s.write(b'\n')
    check(script.send(b'1 1\n'), b'1 1', net, (1, 1), precision)
    # an empty line is still one, whichever way it ends ("\r" last: a "\n" after it would
    # be taken for the end of a "\r\n")
    for end in (b'\n', b'\r\n', b'\r'):
        assert script.send(end) == b'\r\nerror: need 2 finite inputs\r\n> '


@pytest.mark.slow
def test_a_person_at_a_terminal_sees_the_typing_and_can_rub_out(served, script):
    # terminals send backspace as DEL (screen, miniterm) or as BS; the board rubs the
    # character out on the screen with "\b \b"
    _, net, precision = served
    got = script.send(b'0 2\x7f1\r')
    assert got.startswith(b'0 2\b \b1\r\n'), got
    check(got.replace(b'2\b \b', b''), b'0 1', net, (0, 1), precision)
    got = script.send(b'1\x08\x08\x081 0\r')  # more rubbed out than typed: the line is empty
    check(got.replace(b'1\b \b', b''), b'1 0', net, (1, 0), precision)
