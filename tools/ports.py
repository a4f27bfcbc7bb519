# Host only. Why a serial port would not open, told so the user can act on it: a Windows name
# on Linux, no such device, a folder, a file or device that is no serial port, no permission
# (the dialout group), or another program holding it. mpremote's SerialTransport only says
# "failed to access"; this looks at the port itself.
import errno
import fcntl
import grp
import os
import re

LIST = '`micronn boards` lists the boards attached'


def why_not_open(port):
    """One line, `what is wrong; what to do`, for a port that SerialTransport could not open."""
    if os.name != 'nt' and re.fullmatch(r'(?i)com\d+', port):
        return ('%s is a Windows port name; here serial ports are /dev/ttyACM0, /dev/ttyUSB0 and '
                'the like: %s' % (port, LIST))
    if not os.path.exists(port):
        return 'no serial port %s: check the cable, or %s' % (port, LIST)
    if os.path.isdir(port):
        return '%s is a folder, not a serial port: give the board\'s port; %s' % (port, LIST)
    try:
        fd = os.open(port, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    except PermissionError:
        group = _group(port)
        return ('no permission to open %s%s: add yourself to the dialout group (`sudo usermod '
                '-aG dialout $USER`), then log out and back in'
                % (port, '' if group in (None, 'dialout') else ' (its group is %s)' % group))
    except OSError as e:
        return 'cannot open %s (%s): check the port name; %s' % (port, e.strerror, LIST)
    try:
        if not os.isatty(fd):
            return ('%s is not a serial port (a file or another kind of device): give the '
                    'board\'s port; %s' % (port, LIST))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what pyserial's exclusive open takes
        except OSError as e:
            if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                return ('port %s is busy: another program (mpremote, screen, Thonny, another '
                        'micronn) holds it; close that program and retry' % port)
            raise
        return 'cannot open %s as a serial port: unplug the board, plug it back in and retry' % port
    finally:
        os.close(fd)


def _group(port):
    try:
        return grp.getgrgid(os.stat(port).st_gid).gr_name
    except (KeyError, OSError):
        return None
