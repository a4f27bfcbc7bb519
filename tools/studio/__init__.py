# Host only. `micronn studio`: the whole flow (boards, data, training, flashing, the board's
# own answers) on one page in the browser, served from this package on 127.0.0.1. The page is a
# view: what it does goes through the CLI's own board session, trainer and file formats.
# Needs aiohttp: pip install "micronn[studio]".


def add_parser(sub):
    s = sub.add_parser('studio', help='the whole flow in a browser page, on this computer only',
                       description='A local web page for the whole flow: boards, data, '
                       'training, flashing, the board\'s own answers. It serves 127.0.0.1 only, '
                       'with a random token in the URL it prints. Needs: pip install '
                       '"micronn[studio]".')
    s.add_argument('--port', action='append',
                   help='serial port of a board, once per board (default: the boards on USB; '
                        'with none, the page offers to start an emulated one)')
    s.add_argument('--http-port', type=_tcp_port,
                   help='TCP port of the page on 127.0.0.1 (default: any free one)')
    s.add_argument('--no-browser', action='store_true',
                   help='print the URL only, without opening a browser')
    s.add_argument('--timeout', type=float, default=10.0,
                   help='seconds to wait for a board to answer a command')
    s.add_argument('--accel', help='a recording (CreateAI dataset or CSV of x, y, z in g) '
                   'that the simulated accelerometer of each virtual board the page starts '
                   'replays, to record gestures without hardware (default: none)')
    s.set_defaults(func=cmd_studio)


def _tcp_port(text):
    import argparse
    try:
        n = int(text)
    except ValueError:
        n = -1
    if not 0 <= n <= 65535:
        raise argparse.ArgumentTypeError('%s is not a TCP port: give 1024 to 65535, or 0 for '
                                         'any free one' % text)
    return n


def cmd_studio(args):
    from ..cli import say
    main(args.port or [], args.http_port or 0, not args.no_browser, args.timeout, args.accel,
         say)


def main(ports=(), http_port=0, browser=True, timeout=10.0, accel=None, say=print):
    try:
        import aiohttp  # noqa: F401 (only to say what is missing)
    except ImportError:
        raise ValueError('micronn studio needs aiohttp: pip install "micronn[studio]"')
    from .api import Studio
    from .server import run
    if accel:
        from ..recording_files import samples
        samples(accel)  # a bad recording is refused now, not when a board starts
    run(Studio(ports, timeout, accel), http_port, browser, say)
