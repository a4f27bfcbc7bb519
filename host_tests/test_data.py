# Host only. `micronn train --data CSV` on a CSV in its common shape, feature columns then one
# column of classes (names or whole numbers), trains a classifier and keeps its class names
# beside the model for predict and verify; K one-hot columns still train with --outputs K; a CSV
# that reads more than one way is refused with the fix. Then the classifier on a board.
import re

import pytest

import micronn
from micronn_tools import cli, data

from conftest import start_board
from helpers import cli as run_cli

POINTS = [(0, 0), (0.1, 0.2), (0.2, 0.1), (0.1, 0), (1, 1), (0.9, 1), (1, 0.8), (0.8, 0.9),
          (0, 1), (0.1, 0.9), (0.2, 1), (0, 0.8)]
COLOURS = ['red'] * 4 + ['green'] * 4 + ['blue'] * 4
FAST = ['--layers', '4', '--rate', '0.5', '--epochs', '1000']  # 100% on these in under a second


def csv_of(labels, header='x,y,colour'):
    return ''.join([header + '\n'] + ['%g,%g,%s\n' % (p + (c,)) for p, c in zip(POINTS, labels)])


def train(tmp_path, capsys, text, *args):
    """(exit status, stdout lines, stderr) of `micronn train --data d.csv -o m.mn ARGS`."""
    (tmp_path / 'd.csv').write_text(text)
    code = cli.main(['train', '--data', str(tmp_path / 'd.csv'), '-o', str(tmp_path / 'm.mn')]
                    + list(args))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_a_column_of_class_names_trains_a_softmax_classifier(tmp_path, capsys):
    code, out, err = train(tmp_path, capsys, csv_of(COLOURS), *FAST)
    assert code == 0, err
    assert out[1] == '  classes: blue, green, red (one softmax output each)'
    assert out[-1] == ('wrote %s and %s (accuracy 100.0%%: the right class for 12 rows of 12)'
                       % (tmp_path / 'm.mn', tmp_path / 'm.classes'))
    assert (tmp_path / 'm.classes').read_text() == 'blue\ngreen\nred\n'
    net = micronn.NeuralNet.load(str(tmp_path / 'm.mn'))
    assert net.inputs == ['x', 'y'] and net.activations == ['sigmoid', 'softmax']
    assert [data.class_of(net.predict(list(p)), ['blue', 'green', 'red']) for p in POINTS] == COLOURS


def test_the_accuracy_as_it_trains_counts_the_right_class_too(tmp_path, capsys):
    # after three epochs no softmax output is above 0.5, yet the largest is the right class for
    # 8 rows of 12
    code, out, err = train(tmp_path, capsys, csv_of(COLOURS), *FAST[:4], '--epochs', '3')
    assert code == 0, err
    assert out[-1].endswith('(accuracy 66.7%: the right class for 8 rows of 12)'), out[-1]
    epochs = [line for line in out if line.startswith('  epoch')]
    assert re.fullmatch(r'  epoch      3  loss \d\.\d{6}  accuracy  66\.7%', epochs[-1]), epochs


def test_whole_numbers_are_classes_in_their_order_and_two_take_one_output(tmp_path, capsys):
    code, out, err = train(tmp_path, capsys, csv_of([{'red': 10, 'green': 2, 'blue': 9}[c]
                                                      for c in COLOURS]), *FAST)
    assert code == 0, err
    assert out[1] == '  classes: 2, 9, 10 (one softmax output each)'  # 10 after 9, as numbers
    assert (tmp_path / 'm.classes').read_text() == '2\n9\n10\n'
    # two classes: one sigmoid output, as the blog's XOR (and a CSV of it before) trains
    xor = 'a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0.0\n'
    code, out, err = train(tmp_path, capsys, xor, '--epochs', '3000')
    assert code == 0, err
    assert out[:2] == ['training %s on 4 rows: layers [2, 3, 1], rate 0.1, 3000 epochs, seed 1'
                       % (tmp_path / 'd.csv'), '  classes: 0, 1 (one sigmoid output: above 0.5 is 1)']
    assert out[-1].endswith('(accuracy 100.0%: the right class for 4 rows of 4)'), out[-1]
    assert micronn.NeuralNet.load(str(tmp_path / 'm.mn')).activations == ['sigmoid', 'sigmoid']


def test_one_hot_columns_train_with_outputs(tmp_path, capsys):
    names = ['blue', 'green', 'red']
    text = csv_of([','.join('1' if n == c else '0' for n in names) for c in COLOURS],
                  'x,y,' + ','.join(names))
    (tmp_path / 'm.classes').write_text('left\nright\n')  # a class file of an older model
    code, out, err = train(tmp_path, capsys, text, '--outputs', '3', *FAST)
    assert code == 0, err
    assert out[-1] == 'wrote %s (accuracy 100.0%%)' % (tmp_path / 'm.mn')
    net = micronn.NeuralNet.load(str(tmp_path / 'm.mn'))
    assert net.activations == ['sigmoid', 'sigmoid'] and len(net.outputs[-1]) == 3
    assert not (tmp_path / 'm.classes').exists()  # it no longer named this model's outputs


REFUSED = [
    ('one-hot, no --outputs', 'x,y,blue,green,red\n0,0,0,0,1\n1,1,0,1,0\n0,1,1,0,0\n', [],
     'the last 3 columns look one-hot (one 1 in each row): give --outputs 3 if they are the '
     'labels, or --outputs 1 if only the last one is; or put the class in one column (a name or '
     'a number)'),
    ('many numbers', 'x,age\n1,18\n2,19\n3,20\n4,21\n5,22\n6,23\n', [],
     'the last column has 6 distinct values in 6 rows (18, 19, 20, ...): too many to be classes '
     '(at most 20, and 2 rows a class or more on average); for K target columns in [0, 1], give '
     '--outputs K'),
    ('a measurement', 'x,length\n1,5.1\n2,4.9\n', [],
     'line 2: label 5.1 is not a whole number, so not a class; give --outputs 1 if the last '
     'column holds targets in [0, 1]; micronn learns classes and such targets, not other '
     'measurements'),
    ('text in a feature column', 'species,a,b\nsetosa,1,2\nvirginica,2,3\n', [],
     "line 2, column 1 (species): 'setosa' is not a number; feature columns hold numbers only, "
     'and the label column comes last: move a label column to the end, and remove text columns'),
    ('a first line of text and numbers', 'a,2,colour\n1,2,red\n2,1,blue\n', [],
     'line 1 mixes text and numbers in its feature columns: a header names every column, a row '
     'of data has numbers in all but the last'),
    ('numbers and names', 'x,y\n1,1\n2,cat\n3,1\n', [],
     'the label column mixes numbers (line 2: 1) and names (line 3: cat); give every row a '
     'class name, or every row a whole number'),
    ('one class', 'x,y\n1,cat\n2,cat\n', [],
     'every row has the class cat; a classifier needs rows of two classes or more'),
    ('a row without its label', 'x,y\n1,dog\n2,\n3,cat\n', [],
     'line 3: no label in the last column; give every row its class'),
    ('names with --outputs', 'x,y\n1,dog\n2,cat\n', ['--outputs', '1'],
     "line 2: label 'dog' is not a number, and 1 column(s) of targets in [0, 1] were expected: "
     "a column of class names takes no --outputs (and verify, the model's .classes file beside "
     "it)"),
]


@pytest.mark.parametrize('text, args, said', [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_a_csv_that_reads_more_than_one_way_is_refused_with_the_fix(tmp_path, capsys, text, args,
                                                                     said):
    code, out, err = train(tmp_path, capsys, text, *args)
    sep = ' ' if said.startswith('line') else ': '  # "d.csv line 2: ..." or "d.csv: ..."
    assert (code, err) == (1, 'micronn: %s%s%s\n' % (tmp_path / 'd.csv', sep, said))
    assert not (tmp_path / 'm.mn').exists()


@pytest.mark.wasm
def test_predict_names_the_class_and_verify_reads_the_class_file(tmp_path):
    (tmp_path / 'd.csv').write_text(csv_of(COLOURS))
    mn, side = str(tmp_path / 'm.mn'), str(tmp_path / 'm.classes')
    code, out, err = run_cli('train', '--data', str(tmp_path / 'd.csv'), '-o', mn, *FAST)
    assert code == 0, err
    (tmp_path / 'two.classes').write_text('left\nright\n')
    with start_board('modern') as b:
        code, out, err = run_cli('flash', mn, '--port', b.port)
        assert code == 0, err
        code, out, err = run_cli('predict', '0', '0', '--port', b.port, '--classes', side)
        assert code == 0, err
        assert re.fullmatch(r'(\d\.\d{6} ){2}\d\.\d{6}   red   \(model seq 1 on %s\)\n'
                            % re.escape(b.port), out), out
        code, out, err = run_cli('verify', mn, '--data', str(tmp_path / 'd.csv'), '--port',
                                 b.port)  # a class column: the classes from m.classes
        assert code == 0 and 'largest difference' in out, out + err
        code, out, err = run_cli('predict', '0', '0', '--port', b.port, '--classes',
                                 str(tmp_path / 'two.classes'))
    assert (code, err) == (1, "micronn: %s names 2 classes, but the board's model (seq 1, layers "
                              '2 4 3) gives 3 output(s): give the class file of the model on the '
                              'board\n' % (tmp_path / 'two.classes'))
