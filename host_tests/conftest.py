# Host only. Fixtures for the suites: the real runtimes (an emulated micro:bit under QEMU and
# MicroPython WebAssembly under Node). Missing runtimes skip with how to install them, except
# under CI=true, where they fail: CI must prove the firmware on real MicroPython.
import os
import shutil
import subprocess

import pytest

from micronn_tools import emulator

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WASM_PKG = os.path.join(ROOT, 'node_modules', '@micropython', 'micropython-webassembly-pyscript')


def need(why_missing):
    if why_missing is None:
        return
    if os.environ.get('CI') == 'true':
        pytest.fail('runtime missing under CI: ' + why_missing)
    pytest.skip(why_missing)


@pytest.fixture(scope='module')
def microbit():
    """A fresh emulated micro:bit per test module; QEMU stops when the module ends."""
    need(emulator.missing())
    with emulator.EmulatedMicrobit() as mb:
        yield mb


@pytest.fixture(scope='session')
def wasm():
    """run(code, files={name: text}) -> stdout of MicroPython 1.27 (WebAssembly) under Node."""
    if not shutil.which('node'):
        need('node is not installed; install Node.js 18+ (apt-get install nodejs)')
    if not os.path.isdir(WASM_PKG):
        need('the MicroPython WebAssembly package is missing; run `npm ci` in %s' % ROOT)

    def run(code, files=None):
        import json
        job = json.dumps({'code': code, 'files': files or {}})
        p = subprocess.run(['node', os.path.join(HERE, 'wasm_run.mjs')], input=job, text=True,
                           capture_output=True, timeout=120, cwd=ROOT)
        if p.returncode != 0:
            raise AssertionError('MicroPython (wasm) failed:\n' + p.stdout + p.stderr)
        return p.stdout
    return run
