# Host only. Why a serial port would not open, or should not be used, told so the user can act
# on it: another program holding it (busy, asked before opening: two programs reading one port
# each get part of the board's bytes), a Windows name on Linux, no such device, a folder, a file
# or device that is no serial port, no permission (the dialout group). mpremote's
# SerialTransport only says "failed to access"; this looks at the port itself.
import errno
import fcntl
import grp
import os
import re
import stat

LIST = '`micronn boards` lists the boards attached'
PROC = '/proc'


def busy(port):
    """`port X is busy: PROGRAM (pid N) holds it; ...` when another process has the port open,
    else None. Linux only, as fuser finds them: the /proc/*/fd links of every process this user
    may read. A pty's other end (an emulated board: the process holding its master) is the
    board, not a rival, even where it keeps the port's own end open too."""
    real = os.path.realpath(port)
    if not _serial_device(real):
        return None  # no /proc, or no serial port: why_not_open says what is wrong
    pty = re.fullmatch(r'/dev/pts/(\d+)', real)
    found = []
    for pid in os.listdir(PROC):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        holds = master = False
        try:
            fds = os.listdir(os.path.join(PROC, pid, 'fd'))
        except OSError:  # another user's, or gone
            continue
        for fd in fds:
            try:
                link = os.readlink(os.path.join(PROC, pid, 'fd', fd))
                if link == real:
                    holds = True
                elif pty and link == '/dev/ptmx':
                    master = master or _tty_index(pid, fd) == pty.group(1)
            except OSError:
                continue
        if holds and not master:
            found.append('%s (pid %s)' % (_program(pid), pid))
    if not found:
        return None
    return ('port %s is busy: %s hold%s it; close %s and retry'
            % (port, ', '.join(found), 's' if len(found) == 1 else '',
               'it' if len(found) == 1 else 'them'))


def _serial_device(path):
    """Whether path is a serial port or a pty's port end, by the kernel's table of tty drivers
    (not /dev/null, which every process holds)."""
    try:
        st = os.stat(path)
        with open(os.path.join(PROC, 'tty', 'drivers')) as f:
            drivers = [line.split() for line in f]
    except OSError:
        return False
    if not stat.S_ISCHR(st.st_mode):
        return False
    major, minor = os.major(st.st_rdev), os.minor(st.st_rdev)
    for d in drivers:
        if len(d) >= 4 and d[-1] in ('serial', 'pty:slave') and d[-3] == str(major):
            lo, _, hi = d[-2].partition('-')
            if int(lo) <= minor <= int(hi or lo):
                return True
    return False


def _tty_index(pid, fd):
    """The pty number a /dev/ptmx descriptor is the master of."""
    with open(os.path.join(PROC, pid, 'fdinfo', fd)) as f:
        for line in f:
            if line.startswith('tty-index:'):
                return line.split()[1]
    return None


def _program(pid):
    """What a user would call the process: its program, or the script or module a Python runs
    (pyserial-miniterm, not python3)."""
    try:
        with open(os.path.join(PROC, pid, 'cmdline'), 'rb') as f:
            argv = f.read().decode(errors='replace').split('\0')
    except OSError:
        argv = []
    name = os.path.basename(argv[0]) if argv and argv[0] else ''
    if name.startswith('python') and len(argv) > 2:
        if argv[1] == '-m':
            return argv[2]
        if not argv[1].startswith('-'):
            return os.path.basename(argv[1])
    if name:
        return name
    try:
        with open(os.path.join(PROC, pid, 'comm')) as f:
            return f.read().strip() or '?'
    except OSError:
        return '?'


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
