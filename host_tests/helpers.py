# Host only. What several suites share: the micronn command run as users run it, and trained
# models to flash.
import subprocess
import sys


def cli(*args, cwd=None, timeout=300):
    """(exit status, stdout, stderr) of `micronn ARGS`, in a process of its own."""
    p = subprocess.run([sys.executable, '-m', 'micronn_tools.cli'] + list(args), cwd=cwd,
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def start_cli(*args):
    return subprocess.Popen([sys.executable, '-m', 'micronn_tools.cli'] + list(args),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def train_models(d):
    """a.mn and b.mn: two XOR models (seeds 1 and 2) in directory d."""
    for name, seed in (('a.mn', 1), ('b.mn', 2)):
        code, out, err = cli('train', '--seed', str(seed), '--epochs', '3000', '-o', str(d / name))
        assert code == 0, err
    return d
