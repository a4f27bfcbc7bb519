# Host only. Fixtures for the suites: the real runtimes (an emulated micro:bit under QEMU and
# MicroPython WebAssembly under Node). Missing runtimes skip with how to install them, except
# under CI=true, where they fail: CI must prove the firmware on real MicroPython.
import contextlib
import os
import subprocess
import sys

import pytest

from micronn_tools import emulator
from micronn_tools import wasm as wasm_runtime
from micronn_tools.errors import BoardError


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


@pytest.fixture
def fresh_microbit():
    """An emulated micro:bit of the test's own, for tests that must start from an empty
    filesystem."""
    need(emulator.missing())
    with emulator.EmulatedMicrobit() as mb:
        yield mb


@pytest.fixture(scope='session')
def wasm():
    """run(code, files={name: text}) -> stdout of MicroPython 1.27 (WebAssembly) under Node."""
    need(wasm_runtime.missing())

    def run(code, files=None):
        try:
            return wasm_runtime.run(code, files)
        except BoardError as e:
            raise AssertionError(str(e))
    return run


@contextlib.contextmanager
def busy_loops(n):
    """n processes that keep a CPU busy each, as other work does on a user's laptop."""
    procs = [subprocess.Popen([sys.executable, '-c', 'while 1: pass']) for _ in range(n)]
    try:
        yield
    finally:
        for p in procs:
            p.kill()
            p.wait()


def pytest_addoption(parser):
    parser.addoption('--busy', type=int, default=0, metavar='N',
                     help='run the whole suite with N busy-loop processes beside it')


@pytest.fixture(scope='session', autouse=True)
def busy_suite(request):
    with busy_loops(request.config.getoption('--busy')):
        yield


@pytest.fixture
def busy():
    """Two busy-loop processes beside the test: this machine's two CPUs taken by other work."""
    with busy_loops(2):
        yield
