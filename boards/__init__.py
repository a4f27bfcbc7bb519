# Host only. Board profiles: one JSON file per board says how to recognise it (USB VID:PID,
# what os.uname() reports), its file API ("microbit": open/os.listdir/os.remove/os.size only;
# "modern": stat, rename, .mpy; for the micro:bit also its filesystem's size in 128-byte chunks,
# 120 with its MicroPython 1.0.1 and no appended script, measured), its free heap after boot in bytes (approximate), its float
# precision, whether device source goes without comments, and its standalone demo: what it
# does, its module in firmware/ and its pins (which that module must use; test_demo checks);
# what it was tried on ("tried": null when no such board was ever attached), for an
# emulated board which emulator runs it ("emulator": qemu-microbit or vboard), and for a
# board whose serial link is its own USB (no UART to overrun) how commands go out ("pace":
# bytes per write and the pause after each; without it, 32-byte writes 3 ms apart, which
# the micro:bit's UART keeps up with; either way the link slows down when it sees damage).
# "generic" is no board but the template for one whose platform no profile names: its fields
# that are null are filled from what the board reports (generic() below); it has no USB IDs,
# no demo, and the default pacing.
import json
import os

_HERE = os.path.dirname(os.path.abspath(__file__))
TOLERANCE = {'single': 1e-5, 'double': 1e-9}


def profiles():
    out = {}
    for f in sorted(os.listdir(_HERE)):
        if f.endswith('.json'):
            with open(os.path.join(_HERE, f)) as fh:
                p = json.load(fh)
            out[p['name']] = p
    return out


def get(name):
    p = profiles()
    if name not in p:
        raise KeyError('unknown board %r; known boards: %s' % (name, ', '.join(sorted(p))))
    return p[name]


def by_usb(vid, pid):
    """Profiles whose USB VID:PID matches (several boards share USB-serial chips)."""
    key = '%04x:%04x' % (vid, pid)
    return [p for p in profiles().values() if key in p['usb']]


def by_uname(sysname, machine, emulated=False):
    """The profile a board's platform (sys.platform, the sysname of os.uname() where a port has
    it) and machine name, or None. An emulated board reports what the board it emulates does,
    so emulated says which to prefer: True for a board on a pty, as emulators give."""
    found = [p for p in profiles().values() if not p.get('generic')
             and p['sysname'] == sysname and p['machine'] in machine]
    found.sort(key=lambda p: p.get('emulated', False) != emulated)
    return found[0] if found else None


def generic(platform, machine, heap, float_, mpy, files):
    """The generic profile filled in from what a board reports: its platform and machine, free
    heap, float precision ('single' or 'double'), whether it imports .mpy, and its file API."""
    p = dict(get('generic'))
    p.update(sysname=platform, machine=machine, heap=heap, float=float_, mpy=mpy, files=files,
             title='MicroPython board of sys.platform %r (%s), used from what it reports'
                   % (platform, machine or 'no machine name'))
    return p
