# Host only. `micronn flash --export`: a model served on the board as the module `micronn
# export` writes, without micronn, on the emulated micro:bit and the virtual modern board, with
# the model files' slots, checks and fallbacks.
import pytest

import micronn
from micronn_tools.board import Board
from micronn_tools.flash import export_slot
from micronn_tools.link import Link

from conftest import start_board
from helpers import cli, train_models

pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def models(tmp_path_factory):
    d = train_models(tmp_path_factory.mktemp('models'))  # a.mn, b.mn: XOR [2, 3, 1]
    # [2, 24, 1]: a net users asked the micro:bit to serve; [2, 60, 1]: more than it
    # compiles as an export
    for name, hidden in (('big.mn', 24), ('huge.mn', 60)):
        code, _, err = cli('train', '--layers', str(hidden), '--epochs', '20', '-o', str(d / name))
        assert code == 0, err
    # [32, 6, 1]: within the heap estimate for an export there, so it is written, but its
    # 32-term sums are more code than the micro:bit compiles
    edge = micronn.NeuralNet(['x%d' % i for i in range(32)], seed=1)
    edge.add_layer(6)
    edge.add_layer(1)
    edge.save(str(d / 'edge.mn'))
    # [4, 16, 3], the issue's other net micronn cannot load there, and rows to verify it on
    net = micronn.NeuralNet(['a', 'b', 'c', 'd'], seed=5)
    net.add_layer(16)
    net.add_layer(3)
    net.save(str(d / 'wide.mn'))
    (d / 'wide.csv').write_text(''.join('%g,%g,%g,%g,1,0,0\n' % (i / 7, -i / 5, 1 - i / 9, i % 3)
                                        for i in range(8)))
    return d


def predicts(port, models, name):
    """The board answers [1, 0] as model `name` does on the host."""
    code, out, err = cli('predict', '1', '0', '--port', port)
    assert code == 0, err
    want = micronn.NeuralNet.load(str(models / name)).predict([1, 0])[0]
    return abs(float(out.split()[0]) - want) < 1e-5


def on_board(port):
    """(seq, slot) served at boot, and the files on the board."""
    with Link(port) as link:
        b = Board(link, None)
        return b.newest(), sorted(link.eval("__import__('os').listdir()"))


@pytest.mark.microbit
@pytest.mark.parametrize('export', [False, True], ids=['model file', 'export'])
def test_the_issues_nets_serve_and_verify_on_the_microbit(fresh_microbit, models, export):
    # [2, 24, 1] on XOR and [4, 16, 3] on 4 inputs and 3 outputs, as model files (micronn
    # serves them) and as exports (micronn's files then make room for the export's)
    port = fresh_microbit.port
    flag = ['--export'] if export else []
    for name, data in (('big.mn', []), ('wide.mn', ['--data', str(models / 'wide.csv'),
                                                     '--outputs', '3'])):
        code, out, err = cli('flash', str(models / name), '--port', port, *flag)
        assert code == 0, out + err
        code, out, err = cli('verify', str(models / name), '--port', port, *data)
        assert code == 0 and 'largest difference' in out, out + err
    (seq, slot), names = on_board(port)
    assert seq == 2 and slot == ('mnx_b.py' if export else 'model_b.mn'), (seq, slot)
    assert ('micronn.py' in names) != export, names


@pytest.mark.microbit
def test_a_model_file_serves_after_an_export_that_never_did(fresh_microbit, models):
    # the first flash of a fresh board, an export too big to compile there, leaves no model and
    # no export behind to compile first at boot, in the heap micronn needs
    port = fresh_microbit.port
    code, out, err = cli('flash', str(models / 'edge.mn'), '--export', '--port', port)
    assert code == 1 and 'it has no model' in err, out + err
    assert cli('flash', str(models / 'a.mn'), '--port', port)[0] == 0
    assert predicts(port, models, 'a.mn')
    assert not [n for n in on_board(port)[1] if n.startswith('mnx_')]


@pytest.mark.microbit
def test_export_slots_fall_back_as_model_files_do(fresh_microbit, models):
    port = fresh_microbit.port
    assert cli('flash', str(models / 'a.mn'), '--port', port)[0] == 0
    # an export that does not compile there: the model file served before serves on, as an
    # export the tool made of it
    code, out, err = cli('flash', str(models / 'edge.mn'), '--export', '--port', port)
    assert code == 1 and 'keeps the model it had (seq 1)' in err, out + err
    assert predicts(port, models, 'a.mn')
    assert cli('flash', str(models / 'b.mn'), '--export', '--port', port)[0] == 0
    (seq, slot), _ = on_board(port)
    assert (seq, slot) == (2, 'mnx_a.py') and predicts(port, models, 'b.mn')
    # a digit of a weight changed in the newest export: it still compiles, its sum fails,
    # and the older one serves
    with Link(port) as link:
        data = export_slot(micronn.NeuralNet.load(str(models / 'b.mn')), seq)
        at = max(data.rindex(d) for d in b'123456789')
        link.write_file(slot, data[:at] + b'0' + data[at + 1:])
    assert on_board(port)[0] == (1, 'mnx_b.py') and predicts(port, models, 'a.mn')
    # and back to a model file: micronn again, and no export left to boot first
    code, out, err = cli('flash', str(models / 'b.mn'), '--port', port)
    assert code == 0, out + err
    (seq, slot), names = on_board(port)
    assert (seq, slot) == (2, 'model_a.mn') and predicts(port, models, 'b.mn')  # above seq 1
    assert not [n for n in names if n.startswith('mnx_')], names


@pytest.mark.wasm
def test_an_export_serves_on_the_modern_board(models):
    with start_board('modern') as vb:
        serves_an_export(vb.port, models)


def serves_an_export(port, models):
    assert cli('flash', str(models / 'a.mn'), '--port', port)[0] == 0
    code, out, err = cli('flash', str(models / 'huge.mn'), '--export', '--port', port)
    assert code == 0, err
    code, out, err = cli('verify', str(models / 'huge.mn'), '--port', port)
    assert code == 0, err
    assert on_board(port)[0] == (2, 'mnx_a.py') and predicts(port, models, 'huge.mn')
