# Host only. What `micronn record`, `micronn live` and `micronn verify --data` share on a board:
# the sensor they sample, the gesture firmware they put there (the manifest's kind "gesture",
# which no flash of a model file or export writes), and a program on the board whose lines
# stream back as it prints them.
import contextlib

from . import files, firmware
from .errors import BoardError, BoardExecError

SENSOR_HELP = ('the board\'s sensor function, module.function returning (x, y, z) in g, e.g. '
               'vboard_accel.read on the virtual board (default: a micro:bit\'s accelerometer)')


def is_microbit(board):
    return board.platform == 'microbit'


def check_sensor(board, sensor):
    """ValueError before anything runs when the board has no sensor micronn knows of."""
    if sensor and (sensor.count('.') < 1 or not all(sensor.split('.'))):
        raise ValueError('--sensor %s is not module.function: name the module on the board and '
                         'its function returning (x, y, z) in g, e.g. --sensor imu.read' % sensor)
    if sensor:
        module = sensor.rpartition('.')[0]
        try:
            board.link.exec('import %s\n%s' % (module, sensor))
        except BoardExecError as e:
            raise ValueError('--sensor %s: the board has no such function (%s): put its module '
                             'on the board first, e.g. mpremote cp %s.py :'
                             % (sensor, str(e).replace('the board raised ', ''), module))
    elif not is_microbit(board):
        raise ValueError('this board (%s) has no accelerometer micronn knows: give --sensor '
                         'module.function, a function on the board returning (x, y, z) in g '
                         '(an I2C IMU driver\'s, say; vboard_accel.read on the virtual board)'
                         % board.platform)


def put_firmware(board, say=print):
    """Write the gesture modules the board lacks or holds in another version."""
    names = [m['file'] for m in firmware.manifest() if 'gesture' in m['flash']]
    sums = board.link.file_sums(names)
    for name in names:
        data = firmware.device_source(name, board.profile)
        if sums[name] != (len(data), files.adler32(data)):
            say('  writing %s (%d bytes)' % (name, len(data)))
            board.link.write_file(name, data)


def put_model(board, path, name='gesture.mn'):
    """The model file as it is, for micronn_live to read; written only when it differs."""
    with open(path, 'rb') as f:
        data = f.read()
    if board.link.file_sum(name) != (len(data), files.adler32(data)):
        board.link.write_file(name, data)
    return name


@contextlib.contextmanager
def unchecked(link):
    """Commands sent as they are (one that arrives damaged raises what the link sends it again
    on): run by the link's checking helper, the features nest deeper than a micro:bit's C
    stack allows."""
    checked, link.checked = link.checked, False
    try:
        yield link
    finally:
        link.checked = checked


def stream(board, code, on_line, timeout):
    """Run code on the board; on_line(text) gets each line it prints, as it prints it.
    Returns all it printed; BoardExecError if it raised."""
    link = board.link
    seen = [0]

    def done(data):
        body = data[2:] if data.startswith(b'OK') else b''
        lines = body.split(b'\x04')[0].split(b'\n')
        for line in lines[seen[0]:-1]:
            on_line(line.rstrip(b'\r').decode(errors='replace'))
        seen[0] = max(seen[0], len(lines) - 1)
        return data.count(b'\x04') >= 2 and data.endswith(b'>')
    with unchecked(link):
        data, ok = link._run(code, done, timeout)
    if not ok and not data:
        raise BoardError('the board on %s stopped answering: %s and retry'
                         % (link.port, link._restart_advice()))
    return link._result(data, ok, timeout)
