# Host only. Gestures in the studio: a window recorded from the board's sensor, each sample sent
# to the page as it arrives, and the board's own live classification. Both run what `micronn
# record` and `micronn live` run on the board (micronn_record, micronn_live, put there by
# gesture_board), in a session of the room's, one job at a time per port.
import os
import tempfile
import threading

from .. import gesture_board, gesture_features, live as live_cli, record as record_cli
from ..classroom import _one_line
from ..errors import BoardError

CHUNK = 8  # predictions per run of micronn_live, between which a stop is seen
VIRTUAL_SENSOR = 'vboard_accel.read'  # the virtual board's simulated accelerometer


def default_sensor(board):
    """The sensor the page offers for a board: the micro:bit's own accelerometer (none to
    name), else the virtual board's simulated one."""
    return '' if board.get('board', '').startswith('microbit') else VIRTUAL_SENSOR


def record(room, dataset, port, action, sensor=None, samples=gesture_features.SAMPLES,
           period=gesture_features.PERIOD_MS):
    """One window of action from the board on port, into dataset; 'sample' events as it
    fills."""
    bus = room.bus
    room.stop_live(port)
    got = []

    def on_line(line):
        got.append(record_cli.to_g(line, 1 if sensor else 1000))
        x, y, z = got[-1]
        bus.emit('sample', port=port, n=len(got), x=x, y=y, z=z)
    with room.session(port) as board:
        gesture_board.check_sensor(board, sensor)
        gesture_board.put_firmware(board, lambda *a, **k: bus.emit(
            'recording', text=' '.join(map(str, a)).strip()))
        board.link.exec('import gc\nimport micronn_record\ngc.collect()', alone=True)
        bus.emit('recording', text='recording %s: %d samples at %d ms'
                 % (action, samples, period))
        gesture_board.stream(board, 'micronn_record.window(%d,%d,%r)'
                             % (samples, period, sensor or None), on_line,
                             board.link.timeout + samples * period / 1000.0)
    if len(got) != samples:
        raise ValueError('the board gave %d samples of %d' % (len(got), samples))
    dataset.add_recording(action, tuple(list(axis) for axis in zip(*got)))
    bus.emit('recorded', text='recorded %s (%d samples)' % (action, samples))
    bus.emit('dataset', dataset=dataset.state())


class Live:
    """micronn_live on the board, run in chunks of CHUNK predictions until stopped: each line
    it prints ('action confidence') goes to the page as a 'gesture' event."""

    def __init__(self, room, port, model, sensor=None):
        if not model.gesture:
            raise ValueError('the model is not a gesture model: train one on a gesture dataset')
        self.room, self.port, self.model, self.sensor = room, port, model, sensor
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name='studio-gesture')
        self.thread.start()

    def ask(self, row):
        raise ValueError('a gesture model reads the board\'s sensor: no inputs to give it')

    def stop(self):
        self.stopping.set()
        self.thread.join(60)

    def _run(self):
        bus, port = self.room.bus, self.port
        actions = self.model.gesture[0]
        try:
            with tempfile.TemporaryDirectory() as d, self.room.session(port) as board:
                path = os.path.join(d, 'model.mn')
                for name, raw in self.model.files().items():
                    with open(os.path.join(d, name), 'wb') as f:
                        f.write(raw)
                gesture_board.check_sensor(board, self.sensor)
                live_cli.start(board, path, lambda *a, **k: None)
                bus.emit('live-ready', port=port, seq=0, layers=self.model.layers())
                code = 'micronn_live.run(n,%r,%d,%d,%d,%r,%d)' % (
                    tuple(actions), gesture_features.SAMPLES, gesture_features.PERIOD_MS,
                    live_cli.EVERY_MS, self.sensor or None, CHUNK)

                def on_line(line):
                    name, _, confidence = line.rpartition(' ')
                    if name in actions:
                        c = float(confidence)
                        bus.emit('gesture', port=port, action=name, actions=actions,
                                 confidence=[c if a == name else 0.0 for a in actions])
                while not self.stopping.is_set():
                    gesture_board.stream(board, code, on_line, board.link.timeout + 60)
        except (BoardError, ValueError, OSError) as e:
            bus.emit('error', what='live', message='%s: %s' % (port, _one_line(e)))
        finally:
            self.room.live.pop(port, None)
            bus.emit('boards', boards=self.room.state())
