# Host only. A link to a MicroPython board's raw REPL, on mpremote's SerialTransport (pinned in
# pyproject.toml: its source calls that API unstable). What mpremote 1.29 lacks and this adds:
# a deadline on every read (its pty reads block for ever); commands that run only when they
# arrive whole (serial links drop and flip bytes, the more so on a busy machine: each command
# goes to a small helper on the board, _mn_sum, with its Adler-32, and runs only if the sum
# holds; a damaged one is sent again, more slowly); results read back as repr() through
# ast.literal_eval. Files on the board: files.OnBoardFiles.
import ast
import contextlib
import os
import re
import time
import zlib

from mpremote.transport import TransportError
from mpremote.transport_serial import SerialTransport

from .errors import BoardError, BoardExecError, LinkDamaged, LinkLost, NotAnswering, NotMicronn
from .files import OnBoardFiles

PIECE = 32  # bytes per serial write, then a pause; the micro:bit keeps up with this when idle
PAUSE = 0.003
SLOWEST = (8, 0.05)  # where the pacing stops slowing down after damaged commands
TRIES = 6  # sends of one command before the link is declared too damaged to use
RAW_PROMPT = b'raw REPL; CTRL-B to exit\r\n>'
ACK, NAK = b'\x06', b'\x15'  # what the helper prints before running a command, or instead

# The link's helper, on the board: _mn_sum(name) is a file's (size, a, b), its Adler-32, and
# _mn_sum(command, (size, a, b)) the command to run if that is its sum, else one printing NAK.
# Its own Adler-32, not the firmware's: it must work before anything is flashed. Commands run
# as exec(_mn_sum(...)) at the top level: in a function, imports nest too deep for a micro:bit.
HELPER = ("def _mn_sum(s,x=0):\n d=s;f=0\n if not x:f=open(s,'rb');d=f.read(64)\n"
          " a=1;b=0;k=0\n while d:\n  k+=len(d)\n  for c in d:a=(a+c)%65521;b=(b+a)%65521\n"
          "  d=f and f.read(64)\n if f:f.close();return k,a,b\n"
          " if (k,a,b)!=x:return \"print('\\\\x15')\"\n print('\\x06',end='')\n return s")
# A command whose sums reach past 65521, so that a helper damaged on its way is caught
_SELF_TEST = 'print(%r)' % ('micronn ' * 8)


@contextlib.contextmanager
def checking(link, checked):
    """link's commands checked or not for a while: a link opened unchecked writes its files
    checked (write_file refuses otherwise)."""
    was, link.checked = link.checked, checked
    if checked and not was:
        link.helper = False  # one sent unchecked was never proven by its self-test
    try:
        yield link
    finally:
        link.checked = was


def is_virtual(port):
    """A pty, as emulated boards use: restarted, not unplugged."""
    return port.startswith('/dev/pts/')


class RawRepl:
    """A board's raw REPL over a serial port, every read with a deadline: enter it, restart
    the board's interpreter (soft_reset, boot), write with the link's pacing."""

    def __init__(self, port, timeout=10.0):
        self.port = port
        self.timeout = timeout
        if port.startswith('/dev/') and not os.path.exists(port):
            raise BoardError('no serial port %s: check the cable, or list boards with '
                             '`micronn boards`' % port)
        from .ports import busy, why_not_open
        held = busy(port)  # a program that opened it without a lock would share its bytes
        if held:
            raise BoardError(held)
        try:
            self.t = SerialTransport(port, timeout=0.2)
        except TransportError:  # locked, no permission, not a serial port...: ports says which
            raise BoardError(why_not_open(port)) from None
        self.s = self.t.serial
        self.helper = False  # whether the link's helper is on the board: a restart clears it
        self.piece, self.pause = PIECE, PAUSE

    def __enter__(self):
        try:
            self.enter()
            self.soft_reset()  # a clean heap, as mpremote gives: a board may be serving a model
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.t is not None:
            try:
                # friendly REPL, then a soft reset: main.py serves again, demo and all
                self.s.write(b'\r\x03\x02')
                self.s.write(b'\x04')
                self.s.flush()
            except OSError:
                pass
            try:
                self.t.close()
            except OSError:
                pass
            self.t = None

    def _read_until(self, done, timeout):
        """Read until done(data) or the deadline; never blocks longer than `timeout`."""
        data = b''
        end = time.monotonic() + timeout
        while not done(data):
            if time.monotonic() > end:
                return data, False
            try:
                data += self.s.read(self.s.in_waiting or 1)
            except OSError as e:
                raise LinkLost('lost the link to %s (%s): check the cable and retry'
                               % (self.port, e))
        return data, True

    def _restart_advice(self):
        if is_virtual(self.port):
            return 'restart the emulated board'
        return 'reset the board (unplug it and plug it back in)'

    def enter(self):
        """Interrupt whatever runs (main.py included) and enter the raw REPL."""
        heard = b''
        end = time.monotonic() + self.timeout
        while time.monotonic() < end:
            self.s.write(b'\r\x03\x03')
            time.sleep(0.1)
            self.s.reset_input_buffer()
            self.s.write(b'\r\x01')
            data, ok = self._read_until(lambda d: d.endswith(RAW_PROMPT), 1.5)
            if ok:
                return
            heard += data
        if not heard:
            raise NotAnswering('the board on %s is not answering: check it runs MicroPython and '
                             'is powered; if it is frozen, %s'
                             % (self.port, self._restart_advice()))
        raise BoardError('the board on %s answers but gives no MicroPython REPL (last output: '
                         '%r): a main.py that ignores Ctrl-C, or not a MicroPython board; '
                         'press reset, or reflash its firmware' % (self.port, heard[-60:]))

    def soft_reset(self):
        """Restart MicroPython from the raw REPL: a clean heap, and (on every port we know)
        main.py is not run, so the board stays in the raw REPL."""
        data = b''
        for _ in range(3):
            # Ctrl-C empties a half-received command first: Ctrl-D on an empty line resets
            self._write(b'\x03\x04')
            data, ok = self._read_until(lambda d: d.endswith(RAW_PROMPT), self.timeout)
            if ok:
                self.helper = False
                return
            self.enter()  # the Ctrl-D was lost, or the board is in the friendly REPL
        raise BoardError('the board on %s did not come back from a soft reset (it printed '
                         '%r): %s and retry' % (self.port, data[-60:], self._restart_advice()))

    def boot(self):
        """Restart the board as at power-up: a soft reset from the friendly REPL runs main.py.
        Returns what it printed, up to its program's first prompt (a line ending in '> ') or,
        if the program ended or there is none, up to the REPL's '>>> ' or the last line of
        the program's traceback."""
        for _ in range(3):
            data, ok = self.run_main(_booted, self.timeout)
            if ok:
                self.helper = False
                return data
            if ok is not None and b'soft reboot' in data:  # it runs something that never ends
                raise NotMicronn('the program on %s is not micronn\'s (it printed %r)'
                                 % (self.port, data[-60:]))
            self.enter()  # a control key lost on the way: start again from the raw REPL
        raise BoardError('the board on %s did not restart its program (it printed %r): %s '
                         'and retry' % (self.port, data[-60:], self._restart_advice()))

    def run_main(self, until, timeout):
        """Ctrl-C, then the friendly REPL, where Ctrl-D soft resets and runs main.py as at
        power-up. (what main.py printed, whether until(it) held within timeout seconds); the
        link is left wherever main.py is. (what came instead, None) if the REPL's prompt did
        not come within the link's timeout: nothing was restarted."""
        self._write(b'\x03\x02')  # empty the raw REPL's line, then the friendly REPL
        data, ok = self._read_until(lambda d: d.endswith(b'>>> '), self.timeout)
        if not ok:
            return data, None
        self._write(b'\x04')
        return self._read_until(until, timeout)

    def _write(self, data):
        try:
            for i in range(0, len(data), self.piece):
                self.s.write(data[i:i + self.piece])
                time.sleep(self.pause)
        except OSError as e:
            raise LinkLost('lost the link to %s (%s): check the cable and retry'
                           % (self.port, e))


class Link(RawRepl, OnBoardFiles):
    """with Link(port) as link: link.eval('1+1') -> 2. Enters the raw REPL on open; on close
    the board restarts its own program (main.py), as it would after a reset."""

    def __init__(self, port, timeout=10.0, checked=True):
        super().__init__(port, timeout)
        # checked=False: commands go as they are, unchecked. Only for computing on the board
        # (the tests' and the benchmark's): on the micro:bit, what training imports nests
        # deeper than its C stack allows inside the checked exec. A damaged one is sent again
        # only when the error it raises shows it (_garbled).
        self.checked = checked
        self.sent = self.damaged = 0  # commands and lines sent, and how many arrived damaged

    def _send(self, code):
        """Send code as one raw-REPL command that runs only if it arrives whole."""
        self.define_helper()
        self._write(b'\x03' + self._checked(code) + b'\x04')

    @staticmethod
    def _checked(code):
        data = code.encode()
        v = zlib.adler32(data)
        return b'exec(_mn_sum(%r,(%d,%d,%d)))' % (data, len(data), v & 0xffff, v >> 16)

    def define_helper(self):
        """Put the helper on the board unless it is there. A checked link sends it as it is,
        then proves it: a damaged definition fails its self-test."""
        if self.helper:
            return
        if not self.checked:
            self.exec(HELPER)
            self.helper = True
            return
        for _ in range(TRIES):
            self.sent += 1
            self._write(b'\x03' + HELPER.encode() + b'\x04')
            data, ok = self._read_until(_ended, self.timeout)
            if ok and _out_of_memory(data):
                self._result(data[2:], ok, None)  # raises: out of memory
            if ok and data == b'OK\x04\x04>':
                self._write(b'\x03' + self._checked(_SELF_TEST) + b'\x04')
                data, ok = self._read_until(_ended, self.timeout)
                want = b'OK' + ACK + _SELF_TEST[7:-2].encode() + b'\n\x04\x04>'
                if ok and data.replace(b'\r\n', b'\n') == want:
                    self.helper = True
                    return
            self._slow_down()
            if not ok:
                self.enter()
        raise self._too_damaged()

    def _slow_down(self):
        self.damaged += 1
        self.piece = max(self.piece // 2, SLOWEST[0])
        self.pause = min(self.pause * 2, SLOWEST[1])

    def _too_damaged(self):
        if is_virtual(self.port):
            advice = ('the machine may be too busy for the emulator: close programs that load '
                      'it, then restart the emulated board')
        else:
            advice = 'try another USB cable or port, then unplug the board and plug it back in'
        return LinkDamaged('the link to %s keeps losing bytes (%d of %d commands damaged); %s'
                           % (self.port, self.damaged, self.sent, advice))

    def _run(self, code, done, timeout, alone=False):
        """Send code checked and read its answer until done(); a damaged command (it never
        ran) is sent again, more slowly. Returns (answer without OK and ACK, finished).
        alone: the code first removes the link's helpers from the board, leaving it the heap
        it has at boot."""
        if not self.checked:
            # What arrived cannot be checked; only an error that damage alone explains says
            # so (_garbled), and that, or no answer at all, sends it again
            for _ in range(TRIES):
                self.sent += 1
                self._write(b'\x03' + code.encode() + b'\x04')
                data, ok = self._read_until(done, timeout)
                if ok and data.startswith(b'OK') and not _garbled(code, data):
                    return data[2:], ok
                self._slow_down()
                self.enter()
            raise self._too_damaged()
        for _ in range(TRIES):
            self.sent += 1
            self._send('del _mn_sum\nimport gc\ngc.collect()\n' + code if alone else code)
            data, ok = self._read_until(done, timeout)
            if data.startswith(b'OK' + ACK):
                if alone:
                    self.helper = False
                return data[3:], ok
            if ok and _out_of_memory(data):
                return data[2:], ok  # too little heap even to compile the call: _result says so
            # No ACK: the command never ran. Its sum failed, or the call itself arrived
            # damaged, or the helper is gone (the board was reset), or a lost Ctrl-D left
            # the board waiting for more of it (then enter() finds out whether it is alive).
            self._slow_down()
            self.helper = False
            if not ok:
                self.enter()
        raise self._too_damaged()

    def exec(self, code, timeout=None, alone=False):
        """Run code on the board; return what it printed. Board exceptions: BoardExecError.
        alone: with the link's own helpers gone from the board's heap."""
        data, ok = self._run(code, _ended, timeout or self.timeout, alone)
        return self._result(data, ok, timeout)

    def start(self, code):
        """Start code that reads typed lines, as micronn_serve.main() does; return what it
        printed before its first prompt. Talk to it with ask(); end it with enter(). It runs
        with the link's helpers gone, on the heap it has at boot."""
        data, ok = self._run(code, _answered, self.timeout, alone=True)
        if ok and _prompted(data):
            return data.decode(errors='replace')
        return self._result(data, ok, None)  # it ended, or never answered: say why

    def ask(self, line):
        """Type line to the program start() began; return its output up to the next prompt
        (after the board's echo of the line). A line the echo shows damaged is typed again."""
        for _ in range(TRIES):
            self.sent += 1
            self._write(line.encode() + b'\r')
            data, ok = self._read_until(_answered, self.timeout)
            if not ok and b'\n' not in data:
                # the line's end was lost (or all of it): end it, throw its answer away, and
                # type it again
                self._write(b'\r')
                data, ok = self._read_until(_answered, self.timeout)
                if ok and _prompted(data):
                    self._slow_down()
                    continue
            if not ok:
                self._result(data, ok, None)  # raises: not answering, or not finishing
            if not _prompted(data):
                self._result(data, ok, None)  # it ended: its exception, if it raised one
                raise BoardError('the program on the board ended unexpectedly (it printed %r)'
                                 % data[-60:])
            echo, _, out = data.partition(b'\n')
            if echo.rstrip(b'\r') == line.encode():
                return out.decode(errors='replace')
            self._slow_down()
        raise self._too_damaged()

    def _result(self, data, ok, timeout):
        """What a finished raw-REPL command printed (after its ACK); its exception as
        BoardExecError."""
        if not ok:
            if not data:
                raise BoardError('the board on %s stopped answering: %s and retry'
                                 % (self.port, self._restart_advice()))
            raise BoardError('the board on %s did not finish within %gs (it printed %r)'
                             % (self.port, timeout or self.timeout, data[-60:]))
        if data.count(b'\x04') < 2:
            raise BoardError('the board on %s answered %r, not as a MicroPython raw REPL does: '
                             '%s' % (self.port, data[:40], self._restart_advice()))
        out, err = data[:-1].split(b'\x04')[:2]
        if err:
            text = err.decode(errors='replace').strip()
            last = text.splitlines()[-1] if text else 'error'
            if last.startswith('MemoryError'):
                raise BoardExecError('the board ran out of memory (%s): use a smaller model, '
                                     'or a board with more RAM' % last, text)
            raise BoardExecError('the board raised %s' % last, text)
        return out.decode(errors='replace')

    def eval(self, expr, timeout=None, alone=False):
        """Evaluate expr on the board and return its value, read back with repr/literal_eval."""
        out = self.exec('print(repr(%s))' % expr, timeout, alone)
        try:
            return ast.literal_eval(out.strip())
        except (ValueError, SyntaxError):
            raise BoardError('unreadable answer from the board: %r' % out[:80])


def _garbled(code, data):
    """Whether an unchecked command's answer shows that it arrived damaged: a SyntaxError (the
    code sent is always valid), or, raised by the command's own lines, a NameError or
    AttributeError naming a word that is not in it (a dropped byte turns gc into c)."""
    err = data[:-1].split(b'\x04')[1:2]
    lines = err[0].decode(errors='replace').strip().splitlines() if err else []
    if not lines:
        return False
    if lines[-1].startswith(('SyntaxError', 'IndentationError')):
        return True
    files = [line for line in lines if line.lstrip().startswith('File ')]
    words = re.findall(r"'(\w+)'", lines[-1])
    return (lines[-1].startswith(('NameError', 'AttributeError')) and bool(files) and
            '"<stdin>"' in files[-1] and bool(words) and
            words[-1] not in re.findall(r'\w+', code))


def _ended(data):
    return data.count(b'\x04') >= 2 and data.endswith(b'>')


def _prompted(data):
    return data.endswith(b'\n> ')


def _out_of_memory(data):
    return data.startswith(b'OK') and b'\nMemoryError' in data


def _booted(data):
    """main.py waits at its program's prompt, or it has ended: the REPL's prompt, or its
    traceback's last line (a micro:bit then scrolls the error across its display first)."""
    if _prompted(data) or data.endswith(b'>>> '):
        return True
    at = data.rfind(b'Traceback (most recent call last):')
    lines = data[at:].splitlines()
    return (at >= 0 and len(lines) > 1 and data.endswith(b'\n')
            and not lines[-1][:1].isspace())


def _answered(data):
    """A program started with start() waits at its prompt again, or has ended."""
    return _prompted(data) or _ended(data)

