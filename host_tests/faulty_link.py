# Host only, test code. A man in the middle of a serial link: a pty that micronn opens like a
# board's port, forwarding both ways to the real board (the emulated micro:bit's pty), that on
# command damages what goes to the board the way real links do: drops, flips or repeats a
# byte, drops a run and repeats the next one (the length stays the same), stalls, or hangs up.
# Faults are armed on a pattern in the stream to the board (say b"model_", the start of a
# model upload) and hit `offset` bytes after it.
import os
import select
import threading
import time
import tty

import serial


class FaultyLink:
    def __init__(self, board_port):
        self.board = serial.Serial(board_port, 115200, timeout=0)
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)  # the slave stays open here too: no EIO between clients
        self.port = os.ttyname(self._slave)
        self.sent = bytearray()  # everything the tool sent, before damage
        self._fault = None
        self.fired = threading.Event()
        self._stop = False
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def arm(self, kind, after=b'', offset=0, n=1, seconds=0.0, extra=b'', then=None,
            every=0):
        """kind: drop, flip, repeat, drop_repeat (drop n bytes, repeat the next n), insert
        (extra bytes the tool never sent), stall (hold everything for `seconds`), hangup
        (close the tool's side). then(): a callback run when the fault fires. every: a flip
        or drop that never stops, one byte in every `every` from then on (a link too
        damaged to use)."""
        self._fault = dict(kind=kind, after=after, offset=offset, n=n, seconds=seconds,
                           extra=extra, then=then, start=None if after else len(self.sent),
                           every=every)
        self.fired.clear()

    def _damage_every(self, data, at, every, kind):
        """data with one byte in every `every` flipped or dropped, from index at on."""
        out = bytearray(data[:max(at, 0)])
        for i in range(max(at, 0), len(data)):
            if (i - at) % every:
                out.append(data[i])
            elif kind == 'flip':
                out.append(data[i] ^ 0x20)
        return bytes(out)

    def _damage(self, data):
        """data about to go to the board -> what actually goes."""
        f = self._fault
        base = len(self.sent)
        self.sent += data
        if f is None:
            return data
        if f['start'] is None:
            i = bytes(self.sent).find(f['after'])
            if i < 0:
                return data
            f['start'] = i + len(f['after'])
        at = f['start'] + f['offset'] - base  # index of the fault in data
        n = f['n']
        if f['every'] and at < len(data):
            self.fired.set()
            return self._damage_every(data, at % f['every'] if at < 0 else at, f['every'],
                                      f['kind'])
        if not 0 <= at < len(data):
            return data
        if f['kind'] == 'drop_repeat' and at + 2 * n > len(data):
            f['offset'] = base + len(data) - f['start']  # the run must sit in one write: next
            return data
        self._fault = None
        kind = f['kind']
        if kind == 'drop':
            data = data[:at] + data[at + n:]
        elif kind == 'flip':
            data = data[:at] + bytes([data[at] ^ 0x20]) + data[at + 1:]
        elif kind == 'repeat':
            data = data[:at + n] + data[at:]
        elif kind == 'drop_repeat':
            data = data[:at] + data[at + n:at + 2 * n] * 2 + data[at + 2 * n:]
        elif kind == 'insert':
            data = data[:at] + f['extra'] + data[at:]
        elif kind == 'stall':
            time.sleep(f['seconds'])
        elif kind == 'hangup':
            self.board.write(data[:at])
            self._hangup()
            data = b''
        self.fired.set()
        if f['then']:
            f['then']()
        return data

    def _hangup(self):
        for fd in (self.master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass
        self.master = self._slave = None

    def _pump(self):
        while not self._stop and self.master is not None:
            try:
                r, _, _ = select.select([self.master, self.board.fileno()], [], [], 0.05)
                if self.master in r:
                    data = os.read(self.master, 4096)
                    out = self._damage(data)
                    if out:
                        self.board.write(out)
                if self.board.fileno() in r and self.master is not None:
                    data = self.board.read(4096)
                    if data:
                        os.write(self.master, data)
            except OSError:
                if self.master is None:
                    return
                time.sleep(0.01)  # the tool closed its side: wait for the next client

    def close(self):
        self._stop = True
        self._thread.join(2)
        if self.master is not None:
            self._hangup()
        self.board.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
