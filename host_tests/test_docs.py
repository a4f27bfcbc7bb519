# Host only. The commands in README.md and docs/*.md run as written after set-up. Each page's
# blocks run in order in a temporary folder of their own, with the project's .venv first on
# PATH (as after `source .venv/bin/activate`): a block tagged `sh` runs whole, and a `console`
# transcript runs its `$ ` lines. PORT is an emulated board, started when a block first uses
# it: the micro:bit, or the virtual modern board on a page that says
# `<!-- test_docs: PORT is modern-emulated -->`; PORT2, a second board, is a virtual one.
# Blocks tagged `text` are not run: they need a real board, wait for typing, run until
# stopped, or are `make`, which runs these tests.
import glob
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import start_board
from helpers import ROOT

PAGES = ['README.md'] + sorted(os.path.relpath(p, ROOT)
                               for p in glob.glob(os.path.join(ROOT, 'docs', '*.md')))
FENCE = re.compile(r'^```([^\n`]*)\n(.*?)^```[ \t]*$', re.M | re.S)
PORT_IS = re.compile(r'<!-- test_docs: PORT is (\S+) -->')
KINDS = {'microbit-emulated': 'microbit', 'modern-emulated': 'modern'}
# Tags that read as commands but would not run here: a block meant to run is tagged sh.
NOT_RUN_LOOKALIKES = {'', 'bash', 'shell', 'zsh', 'shell-session', 'sh-session'}
README_LINES = 200


def read(page):
    with open(os.path.join(ROOT, page)) as f:
        return f.read()


def blocks(text):
    """[(tag, body)] of each fenced block, in order."""
    return [(m.group(1).strip().split(' ')[0], m.group(2)) for m in FENCE.finditer(text)]


def scripts(text):
    """The shell scripts a page's blocks run, in order."""
    out = []
    for tag, body in blocks(text):
        if tag == 'sh':
            out.append(body)
        elif tag == 'console':
            lines = [line[2:] for line in body.splitlines() if line.startswith('$ ')]
            if lines:
                out.append('\n'.join(lines) + '\n')
    return out


def port_board(text):
    m = PORT_IS.search(text)
    return KINDS[m.group(1)] if m else 'microbit'


def test_readme_is_short():
    assert len(read('README.md').splitlines()) <= README_LINES


@pytest.mark.parametrize('page', PAGES)
def test_every_block_says_whether_it_runs(page):
    untagged = [body.splitlines()[0] if body else '' for tag, body in blocks(read(page))
                if tag in NOT_RUN_LOOKALIKES]
    assert not untagged, ('%s: blocks with no tag or a shell tag other than sh (tag them sh to '
                          'run them, text if they cannot run here): %s' % (page, untagged))


@pytest.mark.parametrize('page', PAGES)
def test_links_name_files_that_exist(page):
    here = os.path.dirname(os.path.join(ROOT, page))
    missing = [target for target in re.findall(r'\]\(([^)#\s]+)(?:#[^)]*)?\)', read(page))
               if '://' not in target and not os.path.exists(os.path.join(here, target))]
    assert not missing, '%s links to files that do not exist: %s' % (page, missing)


def _page_params():
    out = []
    for page in PAGES:
        text = read(page)
        if scripts(text):
            kind = pytest.mark.wasm if port_board(text) == 'modern' else pytest.mark.microbit
            out.append(pytest.param(page, marks=[pytest.mark.slow, kind]))
    return out


@pytest.mark.parametrize('page', _page_params())
def test_commands_run_as_written(page, tmp_path):
    text = read(page)
    # what a command may name from the checkout: its firmware and mip's package.json
    shutil.copytree(os.path.join(ROOT, 'firmware'), tmp_path / 'firmware',
                    ignore=shutil.ignore_patterns('*.egg-info', '__pycache__'))
    shutil.copy(os.path.join(ROOT, 'package.json'), tmp_path)
    venv_bin = os.path.dirname(sys.executable)
    assert os.path.exists(os.path.join(venv_bin, 'micronn')), 'run the tests with .venv/bin/python'
    env = dict(os.environ, PATH=venv_bin + os.pathsep + os.environ.get('PATH', ''),
               VIRTUAL_ENV=os.path.dirname(venv_bin))
    env.pop('PORT', None)
    with _LazyBoard(port_board(text)) as board, _LazyBoard('modern') as second:
        for script in scripts(text):
            if 'PORT' in script:
                env['PORT'] = board.port()
            if 'PORT2' in script:  # a second board, for the commands that take several
                env['PORT2'] = second.port()
            p = subprocess.run(['bash', '-e', '-o', 'pipefail', '-c', script], cwd=str(tmp_path),
                               env=env, capture_output=True, text=True, timeout=900)
            assert p.returncode == 0, ('%s: this block exited %d:\n%s\n--- stdout:\n%s\n'
                                       '--- stderr:\n%s' % (page, p.returncode, script,
                                                            p.stdout[-3000:], p.stderr[-3000:]))


class _LazyBoard:
    """The page's emulated board, started the first time a block needs PORT."""

    def __init__(self, kind):
        self.kind = kind
        self.board = None

    def port(self):
        if self.board is None:
            self.board = start_board(self.kind)
            self.board.__enter__()
        return self.board.port

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.board is not None:
            self.board.__exit__(*exc)
