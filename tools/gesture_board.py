# Host only. What `micronn record`, `micronn live` and `micronn verify --data` share on a board:
# the sensor they sample, the gesture firmware they put there (the manifest's kind "gesture";
# a flash of a gesture model writes its kind "live", for the loop at boot), and a program on
# the board whose lines stream back as it prints them.
import re

from . import files, firmware
from .errors import BoardError, BoardExecError
from .link import _booted, checking

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


def modules(board, kind='gesture'):
    """[(name, bytes)] of the firmware of kind, as this board gets it: 'gesture', what
    record, live and verify run; 'live', what a flashed gesture model runs at boot but main.py
    (firmware.LIVE_MAIN)."""
    return [(m['file'], firmware.device_source(m['file'], board.profile))
            for m in firmware.manifest()
            if kind in m['flash'] and m['file'] != firmware.LIVE_MAIN]


def put_firmware(board, say=print):
    """Write the gesture modules the board lacks or holds in another version."""
    gesture = modules(board)
    sums = board.link.file_sums([n for n, _ in gesture])
    for name, data in gesture:
        if sums[name] != (len(data), files.adler32(data)):
            say('  writing %s (%d bytes)' % (name, len(data)))
            board.link.write_file(name, data)


def put_model(board, path, name=firmware.GESTURE_FILE):
    """The model file as it is, for micronn_live to read; written only when it differs."""
    with open(path, 'rb') as f:
        data = f.read()
    if board.link.file_sum(name) != (len(data), files.adler32(data)):
        board.link.write_file(name, data)
    return name


def unchecked(link):
    """Commands sent as they are (one that arrives damaged raises what the link sends it again
    on): run by the link's helper _mn_sum, the features nest deeper than a micro:bit's C
    stack allows. write_file refuses inside it."""
    return checking(link, False)


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


PREDICTION = re.compile(r'^(.+) (\d+\.\d{3})$')  # a live loop's 'action confidence'


def boot_lines(board, count, timeout):
    """Restart the board as at power-up and return the lines its main.py prints, until count
    of them are a live loop's predictions or it ends (its traceback); then Ctrl-C, and the raw
    REPL on a clean heap. BoardError if neither comes within timeout seconds."""
    link = board.link

    def lines(data):
        text = data.decode(errors='replace').replace('\r', '')
        return text.split('soft reboot\n', 1)[-1].split('\n')

    def done(data):
        said = lines(data)[:-1]
        return sum(1 for line in said if PREDICTION.match(line)) >= count or _booted(data)
    data, ok = link.run_main(done, timeout)
    link.enter()
    link.soft_reset()
    if not ok:
        raise BoardError('the board on %s did not start its live loop within %gs (it printed '
                         '%r)' % (link.port, timeout, data[-80:]))
    return lines(data)[:-1]
