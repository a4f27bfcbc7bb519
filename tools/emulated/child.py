# Host only. The processes that run emulated boards (QEMU, Node): started so that they die with
# the tool, even when it is killed outright, and stopped whole.
import atexit
import ctypes
import signal
import subprocess
import sys

_running = set()


def _die_with_parent():
    # Runs in the child before exec: if the tool is killed outright (SIGKILL), the child goes too.
    PR_SET_PDEATHSIG = 1
    try:
        ctypes.CDLL('libc.so.6').prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def start(cmd, **kwargs):
    """subprocess.Popen(cmd, **kwargs), a child that dies with this process."""
    p = subprocess.Popen(cmd, preexec_fn=_die_with_parent, **kwargs)
    _running.add(p)
    return p


def stop(p):
    """Stop a child started here (a stopped one is woken first, so it can end) and close its
    output."""
    _running.discard(p)
    if (p.poll() or 0) > 0 and p.stdout:
        # it failed on its own (not killed): what it said last is why
        said = p.stdout.read().decode(errors='replace').strip()
        sys.stderr.write('the emulated board had ended (exit %s)%s\n'
                         % (p.returncode, ': ' + said[-600:] if said else ''))
    if p.poll() is None:
        p.send_signal(signal.SIGCONT)
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    if p.stdout:
        p.stdout.close()


class Board:
    """An emulated board in a child process: `with Board() as b` starts it (start()), and
    stops its process (self.proc) at the end."""

    proc = None

    def stop(self):
        p, self.proc = self.proc, None
        if p is not None:
            stop(p)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


@atexit.register
def _stop_all():
    for p in list(_running):
        if p.poll() is None:
            p.kill()
