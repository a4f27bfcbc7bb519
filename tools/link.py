# Host only. A link to a MicroPython board's raw REPL, on mpremote's SerialTransport (pinned in
# pyproject.toml: its source calls that API unstable). What mpremote 1.29 lacks and this adds:
# a deadline on every read (its pty reads block for ever), commands written in small paced
# pieces (the micro:bit's UART drops bytes from 256-byte bursts), files written in pieces and
# checked on the board, and results read back as repr() through ast.literal_eval.
import ast
import os
import time
import zlib

from mpremote.transport import TransportError
from mpremote.transport_serial import SerialTransport

from .errors import BoardError, BoardExecError, BoardFull, LinkLost

PIECE = 32  # bytes per serial write, then a pause; the micro:bit keeps up with this
PAUSE = 0.003
CHUNK = 96  # file bytes per write command
RAW_PROMPT = b'raw REPL; CTRL-B to exit\r\n>'

# Adler-32 of a file, computed on the board (the micro:bit has no hashlib or binascii).
_SUM_FN = ("def _mn_sum(n):\n a=1;b=0;k=0\n f=open(n,'rb')\n while 1:\n  d=f.read(64)\n"
           "  if not d:break\n  k+=len(d)\n  for c in d:a=(a+c)%65521;b=(b+a)%65521\n"
           " f.close()\n return k,'%04x%04x'%(b,a)")


class Link:
    """with Link(port) as link: link.eval('1+1') -> 2. Enters the raw REPL on open."""

    def __init__(self, port, timeout=10.0):
        self.port = port
        self.timeout = timeout
        if port.startswith('/dev/') and not os.path.exists(port):
            raise BoardError('no serial port %s: check the cable, or list boards with '
                             '`micronn boards`' % port)
        try:
            self.t = SerialTransport(port, timeout=0.2)
        except TransportError:  # busy, no permission, not a serial port...: ports says which
            from .ports import why_not_open
            raise BoardError(why_not_open(port)) from None
        self.s = self.t.serial
        self._helpers = False

    def __enter__(self):
        try:
            self.enter()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.t is not None:
            try:
                self.s.write(b'\r\x02')  # back to the friendly REPL for the next user
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
            raise BoardError('the board on %s is not answering: check it runs MicroPython and '
                             'is powered; if it is frozen, unplug it and plug it back in'
                             % self.port)
        raise BoardError('the board on %s answers but gives no MicroPython REPL (last output: '
                         '%r): a main.py that ignores Ctrl-C, or not a MicroPython board; '
                         'press reset, or reflash its firmware' % (self.port, heard[-60:]))

    def soft_reset(self):
        """Restart MicroPython from the raw REPL: a clean heap, and (on every port we know)
        main.py is not run, so the board stays in the raw REPL."""
        self.s.write(b'\x04')
        data, ok = self._read_until(lambda d: d.endswith(RAW_PROMPT), self.timeout)
        if not ok:
            raise BoardError('the board on %s did not come back from a soft reset (it printed '
                             '%r): press its reset button and retry' % (self.port, data[-60:]))
        self._helpers = False

    def _send(self, code, end=b'\x04'):
        data = (code.encode() if isinstance(code, str) else code) + end
        try:
            for i in range(0, len(data), PIECE):
                self.s.write(data[i:i + PIECE])
                time.sleep(PAUSE)
        except OSError as e:
            raise LinkLost('lost the link to %s (%s): check the cable and retry'
                           % (self.port, e))

    def exec(self, code, timeout=None):
        """Run code on the board; return what it printed. Board exceptions: BoardExecError."""
        self._send(code)
        data, ok = self._read_until(_ended, timeout or self.timeout)
        return self._result(data, ok, timeout)

    def start(self, code):
        """Start code that reads lines with input(), as micronn_serve.main() does; return what
        it printed before its first prompt. Talk to it with ask(); end it with enter()."""
        self._send(code)
        data, ok = self._read_until(_answered, self.timeout)
        if ok and _prompted(data):
            if not data.startswith(b'OK'):
                raise self._garbled(data)
            return data[2:].decode(errors='replace')
        return self._result(data, ok, None)  # it ended, or never answered: say why

    def ask(self, line):
        """Type line to the program start() began; return its output up to the next prompt."""
        self._send(line, b'\r')
        data, ok = self._read_until(_answered, self.timeout)
        if not ok:
            self._result(data, ok, None)  # raises: not answering, or not finishing
        if _prompted(data):
            return data.decode(errors='replace')
        self._result(b'OK' + data, ok, None)  # it ended: its exception, if it raised one
        raise BoardError('the program on the board ended unexpectedly (it printed %r)' % data[-60:])

    def _garbled(self, data):
        return BoardError('the board on %s garbled a command (answer %r): the serial link '
                          'loses bytes; retry, or try another cable' % (self.port, data[:40]))

    def _result(self, data, ok, timeout):
        """What a finished raw-REPL command printed; its exception as BoardExecError."""
        if not ok:
            if not data:
                raise BoardError('the board on %s stopped answering: reset it (unplug and '
                                 'plug back in) and retry' % self.port)
            raise BoardError('the board on %s did not finish within %gs (it printed %r)'
                             % (self.port, timeout or self.timeout, data[-60:]))
        if not data.startswith(b'OK'):
            raise self._garbled(data)
        out, err = data[2:-1].split(b'\x04')[:2]
        if err:
            text = err.decode(errors='replace').strip()
            last = text.splitlines()[-1] if text else 'error'
            if last.startswith('MemoryError'):
                raise BoardExecError('the board ran out of memory (%s): use a smaller model, '
                                     'or a board with more RAM' % last, text)
            raise BoardExecError('the board raised %s' % last, text)
        return out.decode(errors='replace')

    def eval(self, expr, timeout=None):
        """Evaluate expr on the board and return its value, read back with repr/literal_eval."""
        out = self.exec('print(repr(%s))' % expr, timeout)
        try:
            return ast.literal_eval(out.strip())
        except (ValueError, SyntaxError):
            raise BoardError('unreadable answer from the board: %r' % out[:80])

    def _ensure_helpers(self):
        if not self._helpers:
            self.exec(_SUM_FN)
            self._helpers = True

    def file_sum(self, name):
        """(size, adler32 hex) of a file on the board, or None if it does not exist."""
        self._ensure_helpers()
        return self.eval("_mn_sum(%r) if %r in __import__('os').listdir() else None"
                         % (name, name))

    def remove(self, name):
        """Remove a file on the board, if it is there."""
        self.exec("import os\nif %r in os.listdir():os.remove(%r)" % (name, name))

    def write_file(self, name, data, progress=None, tries=3):
        """Write bytes to name on the board, in pieces, then check size and sum there. Bytes
        lost or damaged on the way show up as a wrong sum, a garbled command or a missing end
        of command: the whole file is written again, up to `tries` times in all."""
        for attempt in range(1, tries + 1):
            try:
                return self._write_once(name, data, progress)
            except (LinkLost, BoardFull):
                raise
            except BoardExecError as e:
                if attempt == tries or 'MemoryError' in e.traceback:
                    raise
            except BoardError:
                if attempt == tries:
                    raise
            self.enter()  # back to a clean raw REPL: a damaged command may be half read
            self._helpers = False

    def _write_once(self, name, data, progress):
        try:
            self.exec('_f=open(%r,"wb");_w=_f.write' % name)
            try:
                for i in range(0, len(data), CHUNK):
                    self.exec('_w(%r)' % data[i:i + CHUNK])
                    if progress:
                        progress(min(i + CHUNK, len(data)), len(data))
            finally:
                self.exec('_f.close();del _f,_w')
        except BoardExecError as e:
            last = e.traceback.strip().splitlines()[-1]
            if not last.startswith('OSError') or not (
                    last.endswith(' 28') or 'ENOSPC' in last or 'storage space' in last):
                raise  # 28 is ENOSPC; the micro:bit's open() says "no more storage space"
            self.remove(name)  # no half file left (the micro:bit drops it; other ports keep it)
            raise BoardFull('no room for %s (%d bytes) on the board: its filesystem is full; '
                            'remove files it does not need, e.g. mpremote exec "import os; '
                            'os.remove(\'NAME\')", and flash again' % (name, len(data)))
        want = (len(data), adler32(data))
        got = self.file_sum(name)
        if got is None or tuple(got) != want:
            raise BoardError('%s arrived damaged on the board (size/sum %s, sent %s): the '
                             'serial link loses bytes; retry' % (name, got, want))


def _ended(data):
    return data.count(b'\x04') >= 2 and data.endswith(b'>')


def _prompted(data):
    return data.endswith(b'\n> ')


def _answered(data):
    """A program started with start() waits at its prompt again, or has ended."""
    return _prompted(data) or _ended(data)


def adler32(data):
    return '%08x' % zlib.adler32(data)
