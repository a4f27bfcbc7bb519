# Host only. The studio's boards: those on USB, those named with --port, and emulated ones it
# started for the page. Each is used through the CLI's own board session (board.connect), one
# job at a time per port (a lock each); flashing goes through the classroom's run(), as
# `micronn flash` does for several ports.
import contextlib
import io
import queue
import threading

import micronn_boards as boards

from .. import board as board_session, classroom
from ..errors import BoardError

EMULATED = {'modern': 'modern-emulated', 'microbit': 'microbit-emulated'}


class Room:
    def __init__(self, bus, ports=(), timeout=10.0, accel=None):
        self.bus = bus
        self.timeout = timeout
        self.given = list(ports)
        self.accel = accel  # a recording the virtual boards' simulated accelerometers replay
        self.info = {}  # port -> what the page shows of it
        self.locks = {}
        self.closing = threading.Event()  # emulated boards stop when it is set
        self.keepers = []
        self.live = {}  # port -> Live
        self.guard = threading.Lock()

    def ports(self):
        return list(self.info)

    def state(self):
        return [dict(self.info[p], port=p, live=p in self.live) for p in self.info]

    def _lock(self, port):
        with self.guard:
            return self.locks.setdefault(port, threading.Lock())

    def _set(self, port, **what):
        with self.guard:
            self.info.setdefault(port, {'board': '?', 'serves': '?', 'emulated': False,
                                        'status': ''}).update(what)
        self.bus.emit('boards', boards=self.state())

    def connect(self, port, say=lambda *a, **k: None):
        return board_session.connect(port, say=say, timeout=self.timeout)

    @contextlib.contextmanager
    def session(self, port, say=lambda *a, **k: None):
        """with room.session(port) as b: the board session, this job's alone."""
        if port not in self.info:
            raise ValueError('no board %s: pick one from the list' % port)
        with self._lock(port), self.connect(port, say) as b:
            yield b

    def found(self):
        """The ports of boards given, on USB, or started, without reading them."""
        return self.given + [p.device for p in board_session.usb_serial()] + \
            [p for p in self.info if self.info[p]['emulated']]

    def scan(self):
        """Find the boards (USB, --port, emulated) and read what each serves."""
        usb = [p.device for p in board_session.usb_serial()]
        for port in self.given + usb:
            if port not in self.info:
                self._set(port, status='found')
        for port in [p for p in self.info if not self.info[p]['emulated']
                     and p not in self.given + usb]:
            with self.guard:
                del self.info[port]  # unplugged
        self.bus.emit('boards', boards=self.state())
        for port in self.ports():
            self.read(port)

    def read(self, port):
        """What the board on port is and serves, said on the page."""
        self._set(port, status='reading')
        try:
            with self.session(port) as b:
                serves = classroom.held(b)
                self._set(port, board=b.profile['name'], serves=serves, free=b.free,
                          status='ready')
        except (BoardError, ValueError, OSError) as e:
            self._set(port, status='failed: %s' % classroom._one_line(e))

    def emulate(self, kind):
        """Start an emulated board ('modern': the virtual board; 'microbit': QEMU's)."""
        if kind not in EMULATED:
            raise ValueError('no emulated board "%s": choose %s' % (kind, ' or '.join(EMULATED)))
        profile = boards.get(EMULATED[kind])
        self.bus.emit('note', message='starting the %s' % profile['title'])
        started = queue.Queue()
        keeper = threading.Thread(target=self._keep, args=(profile, started), daemon=True,
                                  name='studio-emulator')
        keeper.start()
        self.keepers.append(keeper)
        port = started.get()
        if isinstance(port, BaseException):
            raise port
        self._set(port, emulated=kind, board=profile['name'])
        self.read(port)
        return port

    def _keep(self, profile, started):
        """Start an emulated board and keep it until the studio closes: the emulator dies with
        the thread that started it (child.py asks the kernel for that), so that thread waits."""
        try:
            board = board_session.emulator(profile)
            if self.accel and hasattr(board, 'accel'):
                board.accel = self.accel
            with board as b:
                started.put(b.port)
                self.closing.wait()
        except BaseException as e:  # said to the page by emulate()
            started.put(e)

    def flash(self, ports, net):
        """Flash net to each of ports at once; each board's progress and result go to the
        page, as its row of the classroom's table."""
        unknown = [p for p in ports if p not in self.info]
        if not ports or unknown:
            raise ValueError('no board %s: pick boards from the list' % ', '.join(unknown))
        for p in ports:
            self.stop_live(p)

        says = {}

        @contextlib.contextmanager
        def connect(port, say):
            def both(*a, **k):
                say(*a, **k)
                self.bus.emit('flash', port=port, text=' '.join(str(x) for x in a).strip())
            says[port] = both
            with self.session(port, both) as b:
                yield b

        def job(b, say):
            before = classroom.held(b)
            seq = b.put(net, says[b.link.port])  # the form that fits, as `micronn flash`
            return before, 'flashed: seq %d' % seq

        lines = []
        try:
            classroom.run(ports, job, connect, say=lines.append, out=io.StringIO())
            failed = None
        except BoardError as e:
            failed = str(e)
        self.bus.emit('flashed', table=lines, failed=failed)
        for p in ports:
            self.read(p)

    # The board's own answers, from a session held open: boot once, then line after line.

    def start_live(self, port, model=None, sensor=None):
        """The board's own answers: micronn_live on its sensor for a gesture model, else
        its line server, asked row by row."""
        if port not in self.info:
            raise ValueError('no board %s: pick one from the list' % port)
        if port not in self.live:
            if model is not None and model.gesture:
                from .gesture import Live as GestureLive
                self.live[port] = GestureLive(self, port, model, sensor)
            else:
                self.live[port] = Live(self, port)
            self.bus.emit('boards', boards=self.state())
        return self.live[port]

    def ask(self, port, row):
        self.start_live(port).ask(row)

    def stop_live(self, port):
        live = self.live.pop(port, None)
        if live:
            live.stop()

    def close(self):
        for port in list(self.live):
            self.stop_live(port)
        self.closing.set()
        for keeper in self.keepers:
            keeper.join(10)


class Live:
    """A thread holding the board on port in serving(): each row asked is predicted there and
    the answer sent to the page ('live')."""

    def __init__(self, room, port):
        self.room = room
        self.port = port
        self.rows = queue.Queue()
        self.thread = threading.Thread(target=self._run, daemon=True, name='studio-live')
        self.thread.start()

    def ask(self, row):
        self.rows.put(list(row))

    def stop(self):
        self.rows.put(None)
        self.thread.join(30)

    def _run(self):
        bus, port = self.room.bus, self.port
        try:
            with self.room.session(port) as b:
                with b.serving() as (seq, _):
                    bus.emit('live-ready', port=port, seq=seq, layers=b.layers)
                    while True:
                        row = self.rows.get()
                        if row is None:
                            break
                        if len(row) != b.layers[0]:
                            bus.emit('error', what='live', message='the board\'s model takes %d '
                                     'inputs, not %d' % (b.layers[0], len(row)))
                            continue
                        bus.emit('live', port=port, seq=seq, inputs=row,
                                 outputs=b.predict([row])[0])
        except (BoardError, ValueError, OSError) as e:
            bus.emit('error', what='live', message='%s: %s' % (port, classroom._one_line(e)))
        finally:
            self.room.live.pop(port, None)
            bus.emit('boards', boards=self.room.state())
