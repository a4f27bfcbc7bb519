# Host only. What goes to a board, read from firmware/manifest.json, the one list of the
# firmware's files: the flash, the bench, the tests and the packaging checks all ask here.
import functools
import importlib.resources
import json
import os

from .errors import BoardError
from .strip import strip_source

SLOTS = ('model_a.mn', 'model_b.mn')  # micronn_serve's model files, newest serves
EXPORT_SLOTS = ('mnx_a.py', 'mnx_b.py')  # and its exports
DEMO = 'micronn_demo.py'  # the profile's demo, under the name main.py imports
LIVE_SLOTS = ('live_a.mn', 'live_b.mn')  # a gesture model flashed to run live at boot
LIVE_MAIN = 'micronn_live_main.py'  # its main.py, after the lines m, a, w the flash puts first
GESTURE_FILE = 'gesture.mn'  # the model `micronn live` and `micronn verify --data` run


def firmware_dir():
    """firmware/ in the source tree; the package micronn_firmware in an installed micronn."""
    return str(importlib.resources.files('micronn_firmware'))


@functools.lru_cache(maxsize=None)  # read once: the planner asks for it at every step
def manifest():
    with open(os.path.join(firmware_dir(), 'manifest.json')) as f:
        return json.load(f)['modules']


def module(name):
    """micronn for micronn.py or micronn.mpy."""
    return name.rsplit('.', 1)[0]


def files(kind, act=False, demo=None):
    """[(name on the host, name on the board)] for a flash of kind 'model' or 'export', in
    write order; act: the net has layers that are not sigmoid; demo: the profile's demo."""
    out = []
    for m in manifest():
        if kind in m['flash'] or (act and kind == 'model' and 'act' in m['flash']):
            out.append((m['file'], m['file']))
        elif demo and m['file'] == demo:
            out.append((demo, DEMO))
    out.sort(key=lambda f: f[1] == 'main.py')  # main.py last: a cut flash boots old or new
    missing = [n for n, _ in out if not os.path.exists(os.path.join(firmware_dir(), n))]
    if missing:
        raise BoardError('firmware files missing on the host (%s): %s; reinstall micronn '
                         '(pip install .)' % (firmware_dir(), ', '.join(missing)))
    return out


def off_boot(act=False):
    """Modules main.py does not import at boot (act: for a net whose layers are not all
    sigmoid): a flash may write them last, after what boot imports is switched in."""
    boot = ('always', 'model', 'act') if act else ('always', 'model')
    return [module(m['file']) for m in manifest() if m['boot'] not in boot and m['flash']]


def served_by_model_files():
    """Modules that only a board serving model files uses: a board serving an export drops
    them to make room."""
    return [module(m['file']) for m in manifest()
            if 'export' not in m['flash'] and ('model' in m['flash'] or 'act' in m['flash'])]


def libraries():
    """Modules installed on the host and by `mpremote mip install`."""
    return [module(m['file']) for m in manifest() if m['library']]


def device_source(name, profile):
    """A firmware file's bytes as a board of profile gets them: minified where it is small."""
    with open(os.path.join(firmware_dir(), name)) as f:
        text = f.read()
    return (strip_source(text) if profile['strip'] else text).encode()
