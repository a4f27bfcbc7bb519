# Host only. MicroPython WebAssembly (v1.27, the official npm port) run by Node: today's
# MicroPython with double floats and an in-memory filesystem, no serial link. The tests and the
# benchmark run firmware files on it exactly as given.
import base64
import json
import os
import shutil
import subprocess

from .errors import BoardError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the npm manifest for the runtime (package.json, package-lock.json) and its node_modules; the
# repository's root package.json is mip's
NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'node')
RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'wasm_run.mjs')
PACKAGE = os.path.join(NODE_DIR, 'node_modules', '@micropython', 'micropython-webassembly-pyscript')


def missing():
    """What is missing to run MicroPython WebAssembly, or None when it can run."""
    if not shutil.which('node'):
        return 'node is not installed; install Node.js 18+ (sudo apt-get install nodejs npm)'
    if not os.path.isdir(PACKAGE):
        return ('the MicroPython WebAssembly package is missing; run `npm ci --prefix %s`'
                % os.path.relpath(NODE_DIR))
    return None


def run(code, files=None, timeout=300):
    """Run code on MicroPython WebAssembly with files ({name: text or bytes}) in its
    filesystem; return what it printed. A Python exception there raises BoardError with its
    output."""
    files = files or {}
    job = json.dumps({'code': code,
                      'files': {n: d for n, d in files.items() if isinstance(d, str)},
                      'binary': {n: base64.b64encode(d).decode() for n, d in files.items()
                                 if isinstance(d, bytes)}})
    p = subprocess.run(['node', RUNNER], input=job, text=True, capture_output=True,
                       timeout=timeout, cwd=ROOT)
    if p.returncode != 0:
        raise BoardError('MicroPython (wasm) failed:\n' + p.stdout + p.stderr)
    return p.stdout
