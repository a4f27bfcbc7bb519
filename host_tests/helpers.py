# Host only. What several suites share: the micronn command run as users run it, trained
# models to flash, and a copy of the tree as a fresh clone has it.
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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


def fresh_clone(dest):
    """The tree's files as they are now (edits and new files included), nothing git ignores."""
    names = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                           cwd=ROOT, capture_output=True, check=True).stdout.decode().split('\0')
    for name in filter(None, names):
        src = os.path.join(ROOT, name)
        if os.path.isfile(src) and not os.path.islink(src):
            os.makedirs(os.path.dirname(os.path.join(dest, name)), exist_ok=True)
            shutil.copy2(src, os.path.join(dest, name))
    return dest
