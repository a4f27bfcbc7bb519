# Host only. The README's set-up commands, verbatim, in a copy of the tree as a fresh clone has
# it (no .venv, no node_modules), run as a new user on a stock machine would:
# the system python3 only (PATH /usr/local/bin:/usr/bin:/bin), no virtual environment active.
# Costly: a new .venv with pip downloads (or pip's cache), `npm ci`, then the demo on the
# emulated micro:bit: one to three minutes. Debian packages already installed are reused.
import os
import shutil
import subprocess

import pytest

from helpers import ROOT, fresh_clone

STOCK_PATH = '/usr/local/bin:/usr/bin:/bin'


def stock_env():
    env = {k: v for k, v in os.environ.items()
           if k not in ('VIRTUAL_ENV', 'PYTHONPATH', 'PYTHONHOME', 'PYTEST_ADDOPTS')}
    env['PATH'] = STOCK_PATH
    return env


def run(cmd, cwd, env, timeout=900):
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout + p.stderr


@pytest.mark.slow
@pytest.mark.setup
def test_readme_commands_work_on_a_fresh_clone_with_the_system_python(tmp_path):
    if not shutil.which('git', path=STOCK_PATH) or not shutil.which('make', path=STOCK_PATH):
        pytest.skip('git and make are needed to copy the tree and run the README commands')
    clone = fresh_clone(str(tmp_path / 'micronn'))
    env = stock_env()
    python3 = shutil.which('python3', path=STOCK_PATH)
    assert python3 and not python3.startswith(ROOT)
    code, out = run(['make', 'demo'], clone, env)
    assert code == 0, out[-3000:]
    assert 'the board answers XOR like the host: done' in out, out[-3000:]
    # micronn went into the project's own .venv, made from the system python3
    cfg = open(os.path.join(clone, '.venv', 'pyvenv.cfg')).read()
    assert os.path.dirname(python3) in cfg, cfg
    # the test command, narrowed to one quick test through pytest's own environment variable
    env['PYTEST_ADDOPTS'] = '-k test_missing_port_is_one_clear_line'
    code, out = run(['make', 'test'], clone, env)
    assert code == 0, out[-3000:]
    assert '1 passed' in out, out[-3000:]
