# Host only. One command for a room of boards: the same job on every port at once, a live line
# per board while it runs, then one table. Each board has its own thread and its own session,
# so a board that is unplugged, busy, full, silent or cut off half way fails alone; the others
# go on. Boards wait on their serial links, not on the CPU, which is why threads are enough.
import sys
import threading
import time

from .errors import BoardError, NotWhole

HEADER = ['port', 'board', 'before', 'result', 'time']


class Live:
    """The latest line of each port. On a terminal they are redrawn in place, one row per
    board; in a log every finished line is printed once, after its port's name."""

    def __init__(self, ports, out=None):
        self.ports = list(ports)
        self.out = out or sys.stdout
        self.tty = self.out.isatty()
        self.lines = dict.fromkeys(self.ports, 'waiting')
        self.width = max(len(p) for p in self.ports)
        self.lock = threading.Lock()
        self.drawn = False

    def say_for(self, port):
        """A say() for one board's session: its lines go to that board's row."""
        def say(*a, **k):
            self.update(port, ' '.join(str(x) for x in a).strip(), final=k.get('end') != '\r')
        return say

    def update(self, port, text, final=True):
        with self.lock:
            self.lines[port] = text
            if self.tty:
                self._redraw()
            elif final and text:
                self.out.write('%-*s  %s\n' % (self.width, port, text))
                self.out.flush()

    def _redraw(self):
        if self.drawn:
            self.out.write('\x1b[%dA' % len(self.ports))  # back to the first board's row
        for p in self.ports:
            self.out.write('\x1b[2K%-*s  %s\n' % (self.width, p, self.lines[p][:100]))
        self.out.flush()
        self.drawn = True


def run(ports, job, connect, say=print, out=None, before=None, header=HEADER):
    """job(board, say) on each port at once, each in a board session connect(port, say) opens;
    job returns what came of it in words, or (before, result) with what the board held before;
    before(board), if given, says that first, so that a failed job's row still says it.
    Prints the table, and raises BoardError naming the ports that failed, after all are done."""
    live = Live(ports, out)
    rows = {}

    def one(port):
        start = time.monotonic()
        board, was = '-', '-'
        psay = live.say_for(port)
        try:
            with connect(port, psay) as b:
                board = b.profile['name']
                if before:
                    was = before(b)
                result = job(b, psay)
                if isinstance(result, tuple):
                    was, result = result
        except (BoardError, ValueError, OSError) as e:
            result = 'failed: %s' % _one_line(e)
        except Exception as e:  # a bug of ours on one board must not hide the others' results
            result = 'failed: %s: %s' % (type(e).__name__, _one_line(e))
        live.update(port, result)
        rows[port] = [port, board, was, result, '%.0f s' % (time.monotonic() - start)]

    threads = [threading.Thread(target=one, args=(p,), daemon=True) for p in ports]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    failed = [p for p in ports if rows[p][3].startswith('failed')]
    for line in table(header, [rows[p][:3] + [_what(rows[p][3])] + rows[p][4:] for p in ports]):
        say(line)
    for p in failed:  # in the table only up to its first colon: here whole, with what to do
        say('%s: %s' % (p, rows[p][3]))
    if failed:
        raise BoardError('%d of %d boards failed: %s; see the table above'
                         % (len(failed), len(ports), ', '.join(failed)))
    say('all %d boards: ok' % len(ports))


def table(header, rows):
    """Lines of a table whose columns are as wide as their widest cell."""
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    return ['  '.join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [header] + rows]


def inventory(ports, connect, say=print):
    """What each board serves, in one table: the room before a lesson."""
    def serves(board, say):
        was = held(board)
        return was, 'layers %s' % ' '.join(map(str, board.layers)) if was[:3] == 'seq' else '-'
    run(ports, serves, connect, say=say, header=['port', 'board', 'serves', 'model', 'time'])


def held(board):
    """What a board session serves, in words: a board micronn never flashed serves nothing."""
    try:
        return served(board.newest())
    except NotWhole:
        return 'micronn, not whole: flash it again'
    except BoardError as e:
        if type(e) is not BoardError:  # a lost link, a traceback: the board's, said as such
            raise
        return 'no micronn firmware yet'


def served(newest):
    """What a board serves, in words, from Board.newest(): (seq, slot) or None."""
    if not newest:
        return 'no model'
    seq, slot = newest
    return 'seq %d (%s)' % (seq, 'export' if slot.endswith('.py') else 'model file')


def _what(result):
    """A failure's first clause, what went wrong; what to do is said after the table."""
    if not result.startswith('failed: '):
        return result
    return 'failed: ' + result[len('failed: '):].split(': ')[0]


def _one_line(e):
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__
