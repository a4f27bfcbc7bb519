# Host only. The studio's training, without a server or a browser: a CSV read as `micronn train
# --data` reads it, trained by the same loop, with the events the page draws (loss, accuracy,
# the decision boundary of a two-input net, the confusion matrix over the CSV's classes), and
# the model and class files as `micronn train` writes them.
import pytest

from micronn_tools import modelfile
from micronn_tools.studio import training

# two inputs, three classes: one blob in each corner but the top right
CSV = 'a,b,kind\n' + ''.join('%s,%s,%s\n' % (x + d, y + d, k)
                             for x, y, k in ((0, 0, 'low'), (1, 0, 'right'), (0, 1, 'up'))
                             for d in (0.0, 0.05, 0.1))


def events(dataset, **options):
    said = []
    model = training.train(dataset, lambda kind, **e: said.append(dict(e, type=kind)),
                           **options)
    return model, said


def test_a_two_input_csv_trains_with_its_boundary_and_classes():
    d = training.Dataset()
    d.set_csv('blobs.csv', CSV)
    assert (d.kind, d.names, d.classes) == ('csv', ['a', 'b'], ['low', 'right', 'up'])
    model, said = events(d, layers=[4], rate=0.5, epochs=600)
    epochs = [e for e in said if e['type'] == 'epoch']
    assert len(epochs) == training.POINTS and epochs[-1]['epoch'] == 600
    assert epochs[-1]['accuracy'] == 1.0 and epochs[-1]['loss'] < epochs[0]['loss']
    grid = epochs[-1]['boundary']
    assert len(grid['values']) == training.GRID
    # the boundary puts each blob's corner in its class (rows run from low b to high)
    assert (grid['values'][0][0], grid['values'][0][-1], grid['values'][-1][0]) == (0, 1, 2)
    assert [e for e in said if e['type'] == 'confusion'] == [
        {'type': 'confusion', 'names': ['low', 'right', 'up'],
         'counts': [[3, 0, 0], [0, 3, 0], [0, 0, 3]]}]
    files = model.files()
    assert sorted(files) == ['model.classes', 'model.mn']
    assert files['model.classes'] == b'low\nright\nup\n'
    net = modelfile.loads(files['model.mn'])[1]
    assert [len(layer) for layer in net.layers] == [2, 4, 3]


def test_the_page_downloads_the_csv_it_was_given():
    d = training.Dataset()
    d.set_csv('blobs.csv', CSV)
    assert d.download() == ('blobs.csv', CSV.encode())


def test_a_bad_csv_is_named_as_the_user_named_it():
    d = training.Dataset()
    with pytest.raises(ValueError) as e:
        d.set_csv('mine.csv', 'a,b,kind\n1,2,x\n3,oops,y\n')
    assert str(e.value).startswith('mine.csv') and '/tmp' not in str(e.value)
    assert d.kind == 'xor'  # the dataset before it stays


def test_xor_by_default_with_the_clis_defaults():
    model, said = events(training.Dataset())
    from micronn_tools.cli import XOR_EPOCHS
    assert said[0]['layers'] == [2, 3, 1] and said[0]['epochs'] == XOR_EPOCHS
    assert said[-1]['names'] == ['0', '1']  # one sigmoid output: two classes
