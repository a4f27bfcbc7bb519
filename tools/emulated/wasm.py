# Host only. MicroPython WebAssembly (v1.27, the official npm port) run by Node: today's
# MicroPython with double floats and an in-memory filesystem, no serial link. The tests and the
# benchmark run firmware files on it exactly as given.
import base64
import json
import os
import shutil
import subprocess

from ..errors import BoardError

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RUNNER = os.path.join(HERE, 'wasm_run.mjs')
NPM_NAME = '@micropython/micropython-webassembly-pyscript'
NPM_VERSION = '1.27.0'  # as pinned by the source tree's npm manifest (a test checks they agree)


def user_cache():
    """Where an installed micronn (no source tree) looks for the npm package."""
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'micronn', 'node')


def places():
    """Folders whose node_modules may hold the package, in order: the source tree's (its npm
    manifest beside this file, in node/), then the user's cache."""
    return [os.path.join(HERE, 'node'), user_cache()]


def package():
    """The npm package's folder, or None when it is not installed anywhere we look."""
    for place in places():
        d = os.path.join(place, 'node_modules', *NPM_NAME.split('/'))
        if os.path.isfile(os.path.join(d, 'package.json')):
            return d
    return None


def entry():
    """The npm package's entry file, which the Node runners import."""
    pkg = package()
    with open(os.path.join(pkg, 'package.json')) as f:
        return os.path.join(pkg, json.load(f).get('main', 'index.js'))


def missing():
    """What is missing to run MicroPython WebAssembly, or None when it can run."""
    if not shutil.which('node'):
        return 'node is not installed; install Node.js 18+ (sudo apt-get install nodejs npm)'
    if package() is None:
        if os.path.isfile(os.path.join(ROOT, 'pyproject.toml')):  # a source tree
            return ('the MicroPython WebAssembly package is missing; run `bash scripts/setup.sh` '
                    'in %s' % ROOT)
        return ('the MicroPython WebAssembly package is missing; install it with `npm install '
                '--prefix %s %s@%s`' % (user_cache(), NPM_NAME, NPM_VERSION))
    return None


def run(code, files=None, timeout=300):
    """Run code on MicroPython WebAssembly with files ({name: text or bytes}) in its
    filesystem; return what it printed. A Python exception there raises BoardError with its
    output."""
    why = missing()
    if why:
        raise BoardError('cannot run MicroPython WebAssembly: ' + why)
    files = files or {}
    job = json.dumps({'code': code,
                      'files': {n: d for n, d in files.items() if isinstance(d, str)},
                      'binary': {n: base64.b64encode(d).decode() for n, d in files.items()
                                 if isinstance(d, bytes)}})
    p = subprocess.run(['node', RUNNER, entry()], input=job, text=True, capture_output=True,
                       timeout=timeout)
    if p.returncode != 0:
        raise BoardError('MicroPython (wasm) failed:\n' + p.stdout + p.stderr)
    return p.stdout
