# Host only. `micronn studio` on a shared network: it listens on 127.0.0.1 only, every page and
# API call needs the token of the URL it printed, and requests of other origins or for other
# host names are refused, since the page can write to boards. Plain HTTP, no browser, no board.
import base64
import http.client
import json
import os
import socket

import pytest

import micronn_save

from micronn_tools import data, modelfile

from conftest import need
from helpers import cli
from studio_page import studio


@pytest.fixture(scope='module')
def running():
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        need('aiohttp is not installed: pip install -e ".[studio]"')
    with studio() as s:
        yield s


def ask(port, path, method='GET', headers=None, body=None, host=None):
    c = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
    try:
        c.putrequest(method, path, skip_host=True)
        c.putheader('Host', host or '127.0.0.1:%d' % port)
        for k, v in (headers or {}).items():
            c.putheader(k, v)
        if body is not None:
            c.putheader('Content-Length', str(len(body)))
        c.endheaders(body)
        r = c.getresponse()
        return r.status, r.read(), dict(r.getheaders())
    finally:
        c.close()


def test_listens_on_loopback_only(running):
    url, port, _ = running
    assert url.startswith('http://127.0.0.1:%d/' % port)
    others = [a for a in _addresses() if not a.startswith('127.')]
    for address in others:  # the machine's other addresses: nothing there
        with pytest.raises(OSError):
            socket.create_connection((address, port), timeout=5).close()


def _addresses():
    try:
        return {i[4][0] for i in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    except OSError:
        return set()


def test_the_page_needs_the_token(running):
    _, port, token = running
    status, body, headers = ask(port, '/?token=' + token)
    assert status == 200 and b'micronn studio' in body
    assert headers['Referrer-Policy'] == 'no-referrer'  # the token goes to no other site
    for path in ('/', '/?token=', '/?token=' + token[:-1] + ('A' if token[-1] != 'A' else 'B'),
                 '/api/state', '/api/state?token=x'):
        status, body, _ = ask(port, path)
        assert status == 403, path
        assert b'token' in body


def test_every_api_call_needs_the_token(running):
    _, port, token = running
    status, body, _ = ask(port, '/api/state', headers={'X-Studio-Token': token})
    assert status == 200 and json.loads(body)['dataset']['kind'] == 'xor'
    for path in ('/api/train', '/api/flash', '/api/boards/emulate', '/api/dataset'):
        status, _, _ = ask(port, path, 'POST', {'Content-Type': 'application/json'}, b'{}')
        assert status == 403, path
    status, _, _ = ask(port, '/api/dataset/download')
    assert status == 403


def test_other_origins_and_hosts_are_refused(running):
    _, port, token = running
    good = {'X-Studio-Token': token, 'Content-Type': 'application/json'}
    # a page of another site, a DNS name rebound to 127.0.0.1, a cross-site navigation
    status, body, _ = ask(port, '/api/dataset', 'POST', dict(good, Origin='http://evil.example'),
                          b'{"kind": "xor"}')
    assert status == 403 and b'evil.example' in body
    status, body, _ = ask(port, '/?token=' + token, host='evil.example:%d' % port)
    assert status == 403 and b'Host' in body
    status, _, _ = ask(port, '/api/state', headers=dict(good, **{'Sec-Fetch-Site': 'cross-site'}))
    assert status == 403
    # the events websocket, opened from another origin
    key = base64.b64encode(os.urandom(16)).decode()
    status, _, _ = ask(port, '/api/events?token=' + token, headers={
        'Origin': 'http://evil.example', 'Upgrade': 'websocket', 'Connection': 'Upgrade',
        'Sec-WebSocket-Key': key, 'Sec-WebSocket-Version': '13'})
    assert status == 403
    # its own origin passes
    status, _, _ = ask(port, '/api/dataset', 'POST',
                       dict(good, Origin='http://127.0.0.1:%d' % port), b'{"kind": "xor"}')
    assert status == 200


def test_assets_are_the_packages_own(running):
    """Offline: the page loads nothing from another host, and its assets need no token."""
    _, port, token = running
    _, page, _ = ask(port, '/?token=' + token)
    refs = [r for r in page.decode().split('"') if r.startswith(('http:', 'https:', '//'))]
    assert refs == []
    for asset in ('/static/studio.js', '/static/charts.js', '/static/vendor/uPlot.iife.min.js'):
        status, body, _ = ask(port, asset)
        assert status == 200 and body, asset


def test_files_in_the_clis_formats(running, tmp_path):
    """The dataset downloads as a CSV `micronn train --data` reads; a model file uploads as
    `micronn flash` reads it and downloads byte for byte."""
    _, port, token = running
    t = {'X-Studio-Token': token}
    ask(port, '/api/dataset', 'POST', dict(t, **{'Content-Type': 'application/json'}),
        b'{"kind": "xor"}')
    status, body, headers = ask(port, '/api/dataset/download', headers=t)
    assert status == 200 and 'xor.csv' in headers['Content-Disposition']
    (tmp_path / 'xor.csv').write_bytes(body)
    names, rows, classes = data.load_csv(str(tmp_path / 'xor.csv'))
    assert [x for x, _ in rows] == [x for x, _ in data.XOR]
    assert [classes[r[1].index(max(r[1]))] if len(r[1]) > 1 else classes[int(r[1][0])]
            for r in rows] == ['0', '1', '1', '0']

    import micronn
    net = micronn.NeuralNet(['a', 'b'], 0.1, seed=3)
    net.add_layer(3, 'sigmoid')
    net.add_layer(1, 'sigmoid')
    raw = micronn_save.dumps(net)
    status, body, _ = ask(port, '/api/model/upload', 'POST', t, raw)
    assert status == 200 and json.loads(body)['model']['layers'] == [2, 3, 1]
    status, body, _ = ask(port, '/api/model/download?file=model.mn', headers=t)
    assert status == 200 and body == raw
    modelfile.loads(body)
    status, body, _ = ask(port, '/api/model/upload', 'POST', t, b'not a model')
    assert status == 400 and b'not a micronn model file' in body
    # the class file beside it, checked against its outputs as `micronn predict --classes`
    status, body, _ = ask(port, '/api/model/upload?name=xor.classes', 'POST', t, b'no\nyes\n')
    assert status == 200 and json.loads(body)['model']['classes'] == ['no', 'yes']
    status, body, _ = ask(port, '/api/model/download?file=model.classes', headers=t)
    assert body == b'no\nyes\n'
    status, body, _ = ask(port, '/api/model/upload?name=iris.classes', 'POST', t, b'a\nb\nc\n')
    assert status == 400 and body.startswith(b'{"error": "iris.classes names 3 classes, but the '
                                             b'model gives 1 output(s)')


def test_a_bad_or_busy_port_is_one_line(tmp_path):
    code, out, err = cli('studio', '--no-browser', '--http-port', '99999')
    assert code == 1 and err.startswith('micronn: argument --http-port: 99999 is not a TCP '
                                        'port: give 1024 to 65535, or 0 for any free one')
    taken = socket.socket()
    taken.bind(('127.0.0.1', 0))
    taken.listen(1)
    try:
        port = taken.getsockname()[1]
        code, out, err = cli('studio', '--no-browser', '--http-port', str(port), timeout=60)
    finally:
        taken.close()
    assert code == 1 and err.startswith('micronn: cannot listen on 127.0.0.1:%d (' % port)
    assert err.strip().endswith('give another --http-port, or 0 for any free one')
    assert len(err.strip().splitlines()) == 1
