# Host only. The studio's events: what the jobs (training, flashing, recording, a board's live
# answers) say as they run, sent to every page that is open. Jobs run in threads, the pages'
# websockets in the server's event loop, so emit() hands each message over to that loop.
import json
import threading
import traceback

from ..errors import BoardError


class Bus:
    def __init__(self):
        self.loop = None
        self.queues = set()

    def attach(self, loop):
        self.loop = loop

    def emit(self, kind, **data):
        message = json.dumps(dict(data, type=kind))
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self._put, message)

    def _put(self, message):
        for q in list(self.queues):
            q.put_nowait(message)


def background(bus, what, fn, *args):
    """Run fn(*args) in a thread of its own; an error it raises goes to the page as one line
    (an expected one, BoardError or ValueError, as the CLI prints it)."""
    def run():
        try:
            fn(*args)
        except (BoardError, ValueError, OSError) as e:
            bus.emit('error', what=what, message=str(e).strip().splitlines()[0] if str(e) else
                     type(e).__name__)
        except Exception as e:  # a bug of ours: said on the page, the traceback in the log
            traceback.print_exc()
            bus.emit('error', what=what, message='%s: %s' % (type(e).__name__, e))
    t = threading.Thread(target=run, daemon=True, name='studio-' + what)
    t.start()
    return t
