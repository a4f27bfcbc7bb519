# Host only. The studio's API: what the page asks for, each a thin call into the CLI's own
# code (the room's board sessions, training.py's trainer, the file formats). Long jobs run in
# threads and answer through the events websocket; a request only starts them.
import argparse
import asyncio
import json
import threading

from aiohttp import web, WSMsgType

from . import gesture, training
from .events import Bus, background
from .room import Room


class Studio:
    """What the page works on: the boards (room), the dataset, the model, and the jobs."""

    def __init__(self, ports=(), timeout=10.0, accel=None):
        self.bus = Bus()
        self.room = Room(self.bus, ports, timeout, accel)
        self.dataset = training.Dataset()
        self.model = None
        self.training = None  # the thread while one runs
        self.stopping = threading.Event()

    def state(self):
        return {'boards': self.room.state(), 'dataset': self.dataset.state(),
                'model': self.model and self.model.state(),
                'training': bool(self.training and self.training.is_alive())}

    def train(self, options):
        if self.training and self.training.is_alive():
            raise ValueError('a training is running: stop it first')
        self.stopping.clear()

        def job():
            model = training.train(self.dataset, self.bus.emit, stop=self.stopping.is_set,
                                   **options)
            self.model = model
            self.bus.emit('trained', model=model.state())
        self.training = background(self.bus, 'train', _stoppable(job))

    def close(self):
        self.stopping.set()
        self.room.close()


def _stoppable(job):
    def run():
        try:
            job()
        except training.Stop:
            pass
    return run


def _options(body):
    """Training options from the page, checked as the CLI checks its own."""
    from ..options import layers as _layers, rate as _rate  # the CLI's own checks
    out = {}
    try:
        if body.get('layers'):
            out['layers'] = _layers(str(body['layers']))
        if body.get('rate') not in (None, ''):
            out['rate'] = _rate(str(body['rate']))
        for key in ('epochs', 'seed'):
            if body.get(key) not in (None, ''):
                out[key] = int(body[key])
                if key == 'epochs' and out[key] < 1:
                    raise argparse.ArgumentTypeError('epochs must be 1 or more')
    except (argparse.ArgumentTypeError, ValueError, TypeError) as e:
        raise ValueError('%s' % e)
    return out


async def _body(request):
    try:
        return await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text='the request is not JSON')


def _answer(fn):
    """Run a handler; a ValueError (bad input) is a 400 with its one line."""
    async def handler(request):
        try:
            return await fn(request)
        except ValueError as e:
            return web.json_response({'error': str(e)}, status=400)
    return handler


def routes(app, studio):
    r = app.router

    async def index(request):
        from .server import STATIC
        return web.FileResponse(STATIC + '/index.html')

    async def state(request):
        return web.json_response(studio.state())

    async def events(request):
        ws = web.WebSocketResponse(heartbeat=20)
        await ws.prepare(request)
        q = asyncio.Queue()
        studio.bus.queues.add(q)
        try:
            await ws.send_str(json.dumps({'type': 'state', 'state': studio.state()}))
            reader = asyncio.ensure_future(_drain(ws))
            while not reader.done():
                getter = asyncio.ensure_future(q.get())
                await asyncio.wait([getter, reader], return_when=asyncio.FIRST_COMPLETED)
                if getter.done():
                    try:
                        await ws.send_str(getter.result())
                    except ConnectionError:  # the page went away
                        break
                else:
                    getter.cancel()
        finally:
            studio.bus.queues.discard(q)
        return ws

    async def scan(request):
        background(studio.bus, 'boards', studio.room.scan)
        return web.json_response({'ok': True})

    async def emulate(request):
        kind = (await _body(request)).get('kind', 'modern')
        background(studio.bus, 'emulate', studio.room.emulate, kind)
        return web.json_response({'ok': True})

    async def dataset_set(request):
        body = await _body(request)
        kind = body.get('kind')
        if kind == 'xor':
            studio.dataset.set_xor()
        elif kind == 'csv':
            studio.dataset.set_csv(body.get('name') or 'data.csv', body.get('text', ''))
        elif kind == 'gestures':
            if body.get('text'):
                studio.dataset.set_gestures(body.get('name') or 'gestures.json', body['text'])
            else:
                studio.dataset.start_gestures()
        else:
            raise ValueError('dataset kind %r: give xor, csv or gestures' % kind)
        return _dataset(studio)

    async def recording(request):
        body = await _body(request)
        op = body.get('op')
        try:
            if op == 'delete':
                studio.dataset.delete(body['action'], int(body['index']))
            elif op == 'relabel':
                studio.dataset.relabel(body['action'], int(body['index']), body['to'])
            else:
                raise ValueError('recording op %r: give delete or relabel' % op)
        except (KeyError, IndexError):
            raise ValueError('no such recording: reload the page')
        return _dataset(studio)

    async def dataset_download(request):
        name, raw = studio.dataset.download()
        return _file(name, raw)

    async def train(request):
        studio.train(_options(await _body(request)))
        return web.json_response({'ok': True})

    async def train_stop(request):
        studio.stopping.set()
        return web.json_response({'ok': True})

    async def model_download(request):
        if not studio.model:
            raise ValueError('no model yet: train one, or upload a .mn file')
        files = studio.model.files()
        name = request.query.get('file', 'model.mn')
        if name not in files:
            raise ValueError('no %s beside this model: %s' % (name, ', '.join(files)))
        return _file(name, files[name])

    async def model_upload(request):
        name = request.query.get('name', 'model.mn')
        if name.endswith('.mn'):
            studio.model = training.upload_model(await request.read())
        else:
            training.attach(studio.model, name, await request.read())
        studio.bus.emit('trained', model=studio.model.state())
        return web.json_response({'model': studio.model.state()})

    async def flash(request):
        ports = (await _body(request)).get('ports') or studio.room.ports()
        if not studio.model:
            raise ValueError('no model to flash: train one, or upload a .mn file')
        background(studio.bus, 'flash', studio.room.flash, list(ports), studio.model.net)
        return web.json_response({'ok': True})

    async def record(request):
        body = await _body(request)
        port, action = body.get('port'), body.get('action')
        training._action_name(action)  # refused now, not after the window
        background(studio.bus, 'record', gesture.record, studio.room, studio.dataset, port,
                   action, body.get('sensor') or None)
        return web.json_response({'ok': True})

    async def live(request):
        body = await _body(request)
        port = body.get('port')
        if body.get('stop'):
            background(studio.bus, 'live', studio.room.stop_live, port)
        elif body.get('start'):  # a gesture model, on the board's sensor
            if not (studio.model and studio.model.gesture):
                raise ValueError('no gesture model: train one on a gesture dataset first')
            studio.room.start_live(port, studio.model, body.get('sensor') or None)
        else:
            try:
                row = [float(v) for v in body.get('inputs') or []]
            except (TypeError, ValueError):
                raise ValueError('inputs must be numbers')
            studio.room.ask(port, row)
        return web.json_response({'ok': True})

    r.add_get('/', index)
    r.add_get('/api/state', state)
    r.add_get('/api/events', events)
    r.add_post('/api/boards/scan', _answer(scan))
    r.add_post('/api/boards/emulate', _answer(emulate))
    r.add_post('/api/dataset', _answer(dataset_set))
    r.add_post('/api/dataset/recording', _answer(recording))
    r.add_get('/api/dataset/download', _answer(dataset_download))
    r.add_post('/api/train', _answer(train))
    r.add_post('/api/train/stop', _answer(train_stop))
    r.add_get('/api/model/download', _answer(model_download))
    r.add_post('/api/model/upload', _answer(model_upload))
    r.add_post('/api/flash', _answer(flash))
    r.add_post('/api/record', _answer(record))
    r.add_post('/api/live', _answer(live))
    return r


def _dataset(studio):
    state = studio.dataset.state()
    studio.bus.emit('dataset', dataset=state)
    return web.json_response({'dataset': state})


def _file(name, raw):
    return web.Response(body=raw, content_type='application/octet-stream',
                        headers={'Content-Disposition': 'attachment; filename="%s"' % name})


async def _drain(ws):
    """Read the page's socket until it closes (the page only listens)."""
    async for msg in ws:
        if msg.type == WSMsgType.ERROR:
            break
