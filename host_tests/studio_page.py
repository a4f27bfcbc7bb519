# Host only. What the studio's tests share: `micronn studio` run as a user runs it (its own
# process, its URL read from what it prints), and Debian's chromium driven by playwright, every
# console error and uncaught exception of the page kept so a test can insist there are none.
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys

import pytest

from conftest import need

URL = re.compile(r'micronn studio on (http://127\.0\.0\.1:(\d+)/\?token=(\S+))')


def chromium_missing():
    try:
        import playwright  # noqa: F401
    except ImportError:
        return 'playwright is not installed: bash scripts/setup.sh test'
    if not shutil.which('chromium'):
        return 'Debian\'s chromium is not installed: bash scripts/setup.sh test (apt)'
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        return 'aiohttp is not installed: pip install -e ".[studio]"'
    return None


@contextlib.contextmanager
def studio(*args):
    """with studio('--port', P) as (url, port, token): a running `micronn studio`, stopped as
    by Ctrl-C at the end (which stops the emulated boards it started)."""
    p = subprocess.Popen([sys.executable, '-m', 'micronn_tools.cli', 'studio', '--no-browser']
                         + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    try:
        seen = []
        for line in p.stdout:
            seen.append(line)
            found = URL.search(line)
            if found:
                break
        else:
            raise AssertionError('micronn studio printed no URL:\n' + ''.join(seen))
        yield found.group(1), int(found.group(2)), found.group(3)
    finally:
        p.send_signal(signal.SIGINT)
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        p.stdout.close()


@contextlib.contextmanager
def browser():
    """with browser() as (page, errors): a page in headless chromium; errors lists what the
    console said as an error, and uncaught exceptions."""
    need(chromium_missing())
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=shutil.which('chromium'),
                               args=['--no-sandbox'] if os.geteuid() == 0 else [])
        try:
            page = b.new_page(viewport={'width': 1280, 'height': 1000})
            errors = []
            page.on('console', lambda m: errors.append(m.text) if m.type == 'error' else None)
            page.on('pageerror', lambda e: errors.append(str(e)))
            yield page, errors
        finally:
            b.close()


def shot(page, name):
    """A screenshot of the whole page into docs/, for docs/studio.md, when STUDIO_SHOTS=1:
    the tests do not change the tree otherwise."""
    if os.environ.get('STUDIO_SHOTS') != '1':
        return
    docs = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'docs')
    page.screenshot(path=os.path.join(docs, name), full_page=True)


@pytest.fixture
def page():
    with browser() as (p, errors):
        p.errors = errors
        yield p


def wait(page, selector, timeout=300 * 1000):
    """Wait for selector to show, failing at once with the page's message if an error shows
    first (a board that did not start, a flash that failed)."""
    page.wait_for_selector('%s, #message.error' % selector, timeout=timeout)
    error = page.locator('#message.error')
    if error.count():
        raise AssertionError('the page said: ' + error.inner_text())
