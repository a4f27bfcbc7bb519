# Host only. The studio's web server (aiohttp): on 127.0.0.1 only, every page and API call
# carrying the random token the URL was printed with, and only from the studio's own origin.
# The page can write to boards, so a page of another site open in the same browser must not
# reach it: its requests carry a foreign Origin (refused), cannot read the token, and a DNS
# name rebound to 127.0.0.1 arrives with a foreign Host (refused). The static assets are the
# package's own files, served without the token; nothing else is.
import asyncio
import hmac
import os
import secrets
import webbrowser

from aiohttp import web

from . import api
from .events import background

HOST = '127.0.0.1'
STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'static')
HEADERS = {
    # the token is in the page's URL: never sent on to another site
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
    # inline styles: uPlot sizes its parts with them, and the bars their widths; no inline script
    'Content-Security-Policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data: blob:; "
                               "connect-src 'self'; frame-ancestors 'none'",
}


def refuse(why):
    return web.Response(status=403, text='micronn studio: %s\n' % why)


def guard(token, hosts):
    """Middleware: the Host, Origin and token checks, then the security headers."""
    origins = {'http://' + h for h in hosts}

    @web.middleware
    async def check(request, handler):
        if request.host not in hosts:
            return refuse('wrong Host %r: open the URL the studio printed' % request.host)
        origin = request.headers.get('Origin')
        if origin is not None and origin not in origins:
            return refuse('requests from %s are refused: only the studio\'s own page may '
                          'use it' % origin)
        if request.headers.get('Sec-Fetch-Site') not in (None, 'same-origin', 'none'):
            return refuse('cross-site request refused')
        if not request.path.startswith('/static/'):
            given = request.query.get('token') or request.headers.get('X-Studio-Token') or ''
            if not hmac.compare_digest(given.encode(), token.encode()):
                return refuse('no valid token: open the URL the studio printed, token and all')
        try:
            response = await handler(request)
        except web.HTTPException as e:
            response = e
        for k, v in HEADERS.items():
            response.headers.setdefault(k, v)
        return response
    return check


def app(studio, token, port):
    hosts = {'%s:%d' % (HOST, port), 'localhost:%d' % port}
    application = web.Application(middlewares=[guard(token, hosts)],
                                   client_max_size=32 * 1024 * 1024)
    application.router.add_static('/static/', STATIC)
    api.routes(application, studio)
    return application


async def serve(studio, port=0, opened=None):
    """Serve until cancelled; opened(url) once listening."""
    token = secrets.token_urlsafe(24)
    studio.bus.attach(asyncio.get_running_loop())
    # the port is known only once bound, and the Host check needs it: bind first
    sock = _bind(port)
    port = sock.getsockname()[1]
    # an open page holds its websocket: Ctrl-C closes it rather than wait for the page
    runner = web.AppRunner(app(studio, token, port), access_log=None, shutdown_timeout=1)
    await runner.setup()
    try:
        await web.SockSite(runner, sock).start()
        url = 'http://%s:%d/?token=%s' % (HOST, port, token)
        if opened:
            opened(url)
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def _bind(port):
    import socket
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as e:
        sock.close()
        raise ValueError('cannot listen on %s:%d (%s): give another --http-port, or 0 for '
                         'any free one' % (HOST, port, e.strerror))
    sock.listen(16)
    return sock


def run(studio, port=0, browser=True, say=print):
    """`micronn studio`: serve until Ctrl-C, then stop what the studio started."""
    def opened(url):
        say('micronn studio on %s' % url)
        say('(the token in it keeps other pages and users out: share it with no one; '
            'Ctrl-C stops the studio)')
        if not studio.room.found():
            say('no board attached: the page offers to start an emulated one')
        background(studio.bus, 'boards', studio.room.scan)
        if browser:
            webbrowser.open(url)
    try:
        asyncio.run(serve(studio, port, opened))
    except KeyboardInterrupt:
        pass
    finally:
        studio.close()
