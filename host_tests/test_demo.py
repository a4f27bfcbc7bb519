# Host only. The standalone XOR demos: a trained model answering the board's own buttons on its
# own lights, while the serial line server keeps working.
import pytest

import micronn
from micronn_tools.board import Board
from micronn_tools import firmware
from micronn_tools.firmware import device_source
from micronn_tools.link import Link
import micronn_boards as boards

from helpers import cli, train_models

ROWS = [(0, 0), (0, 1), (1, 0), (1, 1)]
# QEMU has no buttons to press, but its nRF51 GPIO reads a pin nobody drives by its pull. The
# buttons (A on P0.17, B on P0.26) read low when pressed, so a pull-down (PIN_CNF 4) presses
# one and the pull-up the firmware sets (12) releases it. In the button test the demo module's
# first lines hold them so, then wait until the board's button logic (it debounces) reports
# them; the demo as flashed follows, in the same module: boot leaves heap to compile one.
HOLD = ('import machine,microbit as m\n'
        'machine.mem32[0x50000744]={}\nmachine.mem32[0x50000768]={}\n'
        'while (m.button_a.is_pressed(),m.button_b.is_pressed())!=({},{}):m.sleep(10)\n')
PIXELS = "''.join([str(microbit.display.get_pixel(x,y)) for y in range(5) for x in range(5)])"


@pytest.fixture(scope='module')
def model(tmp_path_factory):
    d = train_models(tmp_path_factory.mktemp('models'))
    return d / 'a.mn', micronn.NeuralNet.load(str(d / 'a.mn'))


def digit(net, x):
    return '1' if net.predict(list(x))[0] >= 0.5 else '0'


def glyphs(link):
    """{pixels: digit} for the display showing 0 and 1, as the board draws them."""
    link.soft_reset()  # a clean heap: the last command may have left it too fragmented
    out = {}
    for d in '01':
        link.exec('import microbit\nmicrobit.display.show(%r)' % d)
        out[link.eval(PIXELS)] = d
    return out


def reboot(link):
    """Boot the board as at power-up (main.py); what main.py printed up to its server's
    first prompt."""
    booted = link.boot()
    assert b'micronn seq' in booted, booted[-200:]
    return booted


def flash(port, path):
    code, out, err = cli('flash', str(path), '--port', port)
    assert code == 0, err
    return out


def shown(link, glyph):
    # A server just stopped, its heap too fragmented to compile even this: a soft reset
    # clears the heap and leaves the display as it was.
    link.soft_reset()
    link.exec('import microbit')
    pixels = link.eval(PIXELS)
    return glyph.get(pixels, pixels)


@pytest.mark.slow
@pytest.mark.microbit
def test_microbit_buttons_in_display_out(microbit, model):
    path, net = model
    assert 'micronn_demo.py' in flash(microbit.port, path)
    # a deadline that covers boot waiting for the buttons on a loaded machine
    with Link(microbit.port, timeout=60) as link:
        board = Board(link, boards.get('microbit-emulated'))
        glyph = glyphs(link)
        demo = device_source(board.profile['demo_module'], board.profile)
        for x in ROWS:
            # the demo as flashed, after lines that hold the buttons as x: one module, as
            # boot leaves heap for one
            link.write_file('micronn_demo.py', HOLD.format(*(4 if v else 12 for v in x),
                                                           *map(bool, x)).encode() + demo)
            reboot(link)
            # the demo draws before it looks for a waiting character: once the line
            # server answers, the display shows the buttons' answer
            answer = float(link.ask('%d %d' % x).split()[-2])  # the line server still answers
            link.enter()
            assert shown(link, glyph) == digit(net, x), x
            assert abs(answer - net.predict(list(x))[0]) < 1e-5
    flash(microbit.port, path)  # micronn's own demo back


@pytest.mark.slow
@pytest.mark.microbit
def test_microbit_boots_into_the_demo(microbit, model):
    path, net = model
    flash(microbit.port, path)
    with Link(microbit.port, timeout=60) as link:  # as above: a loaded machine
        glyph = glyphs(link)
        link.exec('microbit.display.clear()')
        reboot(link)
        link.ask('0 0')  # answered once the demo has drawn (see above)
        link.enter()
        assert shown(link, glyph) == digit(net, (0, 0))  # no button pressed


@pytest.mark.slow
@pytest.mark.microbit
def test_a_demo_that_cannot_start_leaves_the_board_serving(microbit, model):
    path, net = model
    flash(microbit.port, path)
    with Link(microbit.port) as link:
        # as on a Pico whose firmware has no Pin('LED'): the demo raises as it is imported
        link.write_file('micronn_demo.py', b"raise ValueError('invalid pin')\n")
        board = Board(link, boards.get('microbit-emulated'))
        assert 'invalid pin' in board.demo_problem()  # what the tool reports after a flash
        reboot(link)
        answer = float(link.ask('1 0').split()[-2])
        link.enter()
    assert abs(answer - net.predict([1, 0])[0]) < 1e-5
    flash(microbit.port, path)  # the demo is put back


# No rp2 here: its demo runs on MicroPython 1.27 WebAssembly, where only `machine` is a stand-in
# (pins that hold what the test sets). select.poll on stdin is WebAssembly's own and reports a
# character waiting at once, so idle() makes one pass: read the pins, set the LED, return.
STAND_IN_MACHINE = '''
class Pin:
    IN = 0
    OUT = 1
    PULL_UP = 2
    level = {}

    def __init__(self, id, mode=-1, pull=-1):
        self.id = id
        if pull == Pin.PULL_UP:
            Pin.level.setdefault(id, 1)

    def value(self, v=None):
        if v is None:
            return Pin.level[self.id]
        Pin.level[self.id] = int(v)
'''


def pico_files(model_file):
    """The files a Pico gets, as source, with the model in its first slot."""
    profile = boards.get('rp2-pico')
    files = {'machine.py': STAND_IN_MACHINE, 'model_a.mn': model_file.read_bytes(),
             'micronn_demo.py': device_source(profile['demo_module'], profile).decode()}
    for name, _ in firmware.files('model'):
        if name != 'main.py':  # what it serves is loaded by hand
            files[name] = device_source(name, profile).decode()
    return files


@pytest.mark.wasm
@pytest.mark.parametrize('x', ROWS)
def test_pico_buttons_in_led_out(wasm, model, x):
    path, net = model
    pins = boards.get('rp2-pico')['demo_pins']  # the module must use the profile's pins
    code = ('import machine\nmachine.Pin.level.update(%r)\n'
            'import micronn, micronn_serve\nfrom micronn_demo import idle\n'
            'idle(micronn_serve.newest(micronn.NeuralNet)[1])\nprint(machine.Pin.level[%r])'
            % (dict(zip(pins['inputs'], [1 - v for v in x])), pins['output']))  # 0 is pressed
    assert wasm(code, pico_files(path)).split()[-1] == digit(net, x)


@pytest.mark.wasm
def test_pico_demo_leaves_a_model_with_other_inputs_alone(wasm, tmp_path):
    net = micronn.NeuralNet(['a', 'b', 'c'], seed=1)
    net.add_layer(1)
    net.save(str(tmp_path / 'm.mn'))
    code = ('import machine, micronn, micronn_serve\nfrom micronn_demo import idle\n'
            'idle(micronn_serve.newest(micronn.NeuralNet)[1])\nprint("LED" in machine.Pin.level)')
    assert wasm(code, pico_files(tmp_path / 'm.mn')).split()[-1] == 'False'
