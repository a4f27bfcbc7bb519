# Host only. Fixtures for the suites: the real runtimes (an emulated micro:bit under QEMU,
# MicroPython WebAssembly under Node, and that WebAssembly behind a pty as a modern board).
# Missing runtimes skip with how to install them, except under CI=true, where they fail: CI must
# prove the firmware on real MicroPython.
import contextlib
import gc
import os
import subprocess
import sys

import pytest

from micronn_tools.emulated import microbit as emulator, vboard
from micronn_tools.emulated import wasm as wasm_runtime
from micronn_tools.errors import BoardError

# QEMU's -seed for every emulated micro:bit: where its filesystem starts placing files is drawn
# from its random numbers, and when its free chunks end up scattered it compacts itself, which
# on the emulated board breaks every file longer than a chunk (test_faults shows the tool
# saying so). Unseeded, a firmware upgrade after all files were rewritten met that in 1 run of
# 4, and in 3 seeds of 8. Seeded, what a test does to the filesystem repeats, unless the link
# resends under load. An upgrade must start from firmware written once onto a fresh board
# (test_faults' flash_older): over files rewritten in place it compacted in most runs, even
# seeded. test_faults' FRAGMENT makes it compact on purpose.
SEED = 1


def microbit_board(**options):
    return emulator.EmulatedMicrobit(seed=SEED, **options)


# The emulated boards a test can run on over a real serial link: (profile, what is missing to
# run it, its class). `board` runs a test on each; start_board() starts one by hand.
BOARDS = {
    'microbit': ('microbit-emulated', emulator.missing, microbit_board),
    'modern': ('modern-emulated', vboard.missing, vboard.VirtualBoard),
}
BOARD_PARAMS = [pytest.param('microbit', marks=pytest.mark.microbit),
                pytest.param('modern', marks=pytest.mark.wasm)]


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
    with microbit_board() as mb:
        yield mb


def start_board(kind, **options):
    """with start_board('microbit' or 'modern') as b: b.port, b.profile (the profile's name).
    options go to the board's class (VirtualBoard(without=...))."""
    profile, missing, make = BOARDS[kind]
    need(missing())
    b = make(**options)
    b.profile = profile
    return b


@pytest.fixture(scope='module', params=BOARD_PARAMS)
def board(request):
    """A fresh emulated board per test module and kind: each test that takes it runs on the
    emulated micro:bit (MicroPython 1.9.2) and on the virtual modern board (1.27)."""
    with start_board(request.param) as b:
        yield b


@pytest.fixture(params=BOARD_PARAMS)
def fresh_board(request):
    """Like board, but a board of the test's own (an empty filesystem)."""
    with start_board(request.param) as b:
        yield b


@pytest.fixture
def fresh_microbit():
    """An emulated micro:bit of the test's own, for tests that must start from an empty
    filesystem."""
    need(emulator.missing())
    with microbit_board() as mb:
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


# A test's runtime marker follows from the fixtures it takes, as well as from its own marks:
# `-m "not microbit"` leaves out every test on the emulated micro:bit, also those that reach it
# through a fixture of their module or an indirect `board` parameter.
RUNTIME_FIXTURES = {'microbit': 'microbit', 'fresh_microbit': 'microbit', 'wasm': 'wasm'}
KIND_MARKS = {'microbit': 'microbit', 'modern': 'wasm'}


def pytest_collection_modifyitems(items):
    for item in items:
        marks = {RUNTIME_FIXTURES[f] for f in item.fixturenames if f in RUNTIME_FIXTURES}
        params = getattr(item, 'callspec', None)
        for name in ('board', 'fresh_board'):
            kind = params.params.get(name) if params else None
            if isinstance(kind, str) and kind in KIND_MARKS:
                marks.add(KIND_MARKS[kind])
        for m in sorted(marks - {m.name for m in item.iter_markers()}):
            item.add_marker(m)


def pytest_addoption(parser):
    parser.addoption('--busy', type=int, default=0, metavar='N',
                     help='run the whole suite with N busy-loop processes beside it')


@pytest.fixture(scope='module', autouse=True)
def young_heap():
    """Each module starts with what is alive frozen (gc.freeze): the firmware's gc.collect()
    calls, there for the boards' 16 KB heaps, then walk only the objects made since. Without
    it each walked every object of the libraries earlier modules imported (scikit-learn,
    pandas, onnx): host tests after test_convert ran 4 to 40 times slower."""
    gc.collect()
    gc.freeze()
    yield


@pytest.fixture(scope='session', autouse=True)
def busy_suite(request):
    with busy_loops(request.config.getoption('--busy')):
        yield


@pytest.fixture
def busy():
    """Two busy-loop processes beside the test: this machine's two CPUs taken by other work."""
    with busy_loops(2):
        yield
