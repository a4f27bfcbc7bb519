# Host only. Fixtures for the suites: the real runtimes (an emulated micro:bit under QEMU and
# MicroPython WebAssembly under Node). Missing runtimes skip with how to install them, except
# under CI=true, where they fail: CI must prove the firmware on real MicroPython.
import os

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
