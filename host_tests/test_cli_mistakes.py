# Host only. A new user's mistakes on the command line, each with the exact line it ends in:
# `micronn: what is wrong; what to do`, exit 1, naming the option or the file, and before any
# board is touched where the host can tell. The board cases run on the emulated micro:bit.
import os
import re
import shutil
import subprocess
import sys

import pytest

from micronn_tools import cli as cli_module

from helpers import cli

CSV = 'a,b,c,y1,y2\n0,0,1,0,1\n1,0,1,1,0\n0,1,0,1,1\n1,1,1,0,0\n'  # 3 inputs, 2 outputs
NOWHERE = '/dev/nonexistent-port'  # would be refused, but never reached when the host can tell


@pytest.fixture(scope='module')
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp('mistakes')
    (d / 'd3.csv').write_text(CSV)
    for args in (['--data', str(d / 'd3.csv'), '--outputs', '2', '-o', str(d / 'm32.mn')],
                 ['-o', str(d / 'xor.mn')], ['--layers', '4', '-o', str(d / 'xor4.mn')]):
        code, out, err = cli('train', '--epochs', '300', *args)
        assert code == 0, err
    return d


def fails(*args, cwd=None):
    code, out, err = cli(*args, cwd=cwd)
    assert code == 1, (code, out, err)
    assert 'Traceback' not in err
    assert len(err.strip().splitlines()) == 1, err
    return err.strip()


@pytest.mark.parametrize('args, said', [
    (['--epochs', '-1'], 'argument --epochs: -1 is not a whole number of 1 or more; give e.g. '
                         '--epochs 10000'),
    (['--epochs', '0'], 'argument --epochs: 0 is not a whole number of 1 or more; give e.g. '
                        '--epochs 10000'),
    (['--rate', '-1'], "argument --rate: -1 is not a positive number; the blog's rate is 0.1"),
    (['--rate', '0'], "argument --rate: 0 is not a positive number; the blog's rate is 0.1"),
    (['--rate', 'nan'], "argument --rate: nan is not a positive number; the blog's rate is 0.1"),
    (['--rate', 'inf'], "argument --rate: inf is not a positive number; the blog's rate is 0.1"),
    (['--rate', '1e7'], "argument --rate: 1e7 is too large: past 10 the weights swing too far "
                        "to learn; use 0.01 to 1 (the blog's is 0.1)"),
    (['--outputs', '2'], '--outputs 2 needs --data CSV: the default data, XOR, has one output; '
                         'give --data CSV, or leave --outputs out'),
    (['--layers', '0'], 'argument --layers: "0" is not a list of layer sizes; give whole numbers '
                        'of 1 or more, e.g. --layers "8 4"'),
    (['--layers', 'abc'], 'argument --layers: "abc" is not a list of layer sizes; give whole '
                          'numbers of 1 or more, e.g. --layers "8 4"'),
    (['--data', 'd3.csv', '--outputs', '5'], 'd3.csv: rows have 5 columns, and --outputs 5 leaves '
                                             'no feature column; give --outputs from 1 to 4'),
    (['--data', 'd3.csv', '--outputs', '0'], 'argument --outputs: 0 is not a whole number of 1 or '
                                             'more; give e.g. --outputs 2'),
])
def test_train_refuses_a_bad_option_naming_it(files, args, said):
    assert fails('train', *args, '-o', 'never.mn', cwd=str(files)) == 'micronn: ' + said
    assert not (files / 'never.mn').exists()


@pytest.mark.parametrize('args', [['--data', 'd3.csv'], ['--window', '50']])
def test_demo_refuses_data_and_says_what_to_run_instead(files, args):
    assert fails('demo', *args, '--port', NOWHERE, cwd=str(files)) == (
        'micronn: demo trains XOR and takes no --data, --outputs or --window; for your CSV run '
        '`micronn train --data CSV`, then `micronn flash model.mn` and `micronn verify model.mn '
        '--data CSV`')


@pytest.mark.parametrize('args, said', [
    (['m32.mn'], 'm32.mn takes 3 inputs and gives 2 outputs, XOR has 2 and 1: give --data CSV, '
                 'the data it was trained on'),
    (['m32.mn', '--data', 'd3.csv', '--outputs', '1'],
     'd3.csv has 4 feature and 1 label columns, but m32.mn takes 3 inputs and gives 2 outputs: '
     'give the CSV it was trained on, with --outputs 2'),
    (['xor.mn', '--data', 'd3.csv'], 'd3.csv has 4 feature and 1 label columns, but xor.mn takes '
                                     '2 inputs and gives 1 outputs: give the CSV it was trained on'),
])
def test_verify_refuses_a_csv_of_another_shape_before_any_board(files, args, said):
    assert fails('verify', *args, '--port', NOWHERE, cwd=str(files)) == 'micronn: ' + said


@pytest.mark.parametrize('port, said', [
    ('/dev/null', '/dev/null is not a serial port (a file or another kind of device): give the '
                  "board's port; `micronn boards` lists the boards attached"),
    ('/tmp', "/tmp is a folder, not a serial port: give the board's port; `micronn boards` lists "
             'the boards attached'),
    ('COM3', 'COM3 is a Windows port name; here serial ports are /dev/ttyACM0, /dev/ttyUSB0 and '
             'the like: `micronn boards` lists the boards attached'),
])
def test_a_port_that_is_no_serial_port_is_named_as_such(port, said):
    assert fails('predict', '0', '1', '--port', port) == 'micronn: ' + said


def test_a_port_held_by_another_program_is_busy():
    import serial
    master, slave = os.openpty()
    try:
        with serial.Serial(os.ttyname(slave), exclusive=True):  # as mpremote or screen hold it
            said = fails('predict', '0', '1', '--port', os.ttyname(slave))
    finally:
        os.close(master)
        os.close(slave)
    assert re.fullmatch(r'micronn: port /dev/pts/\d+ is busy: another program \(mpremote, screen, '
                        r'Thonny, another micronn\) holds it; close that program and retry', said)


def test_permission_denied_names_the_dialout_group():
    if os.geteuid() != 0 or not shutil.which('setpriv'):
        pytest.skip('needs root and setpriv: the port is given to another user, then micronn '
                    'runs without the capability to override file permissions')
    master, slave = os.openpty()
    port = os.ttyname(slave)
    try:
        os.chown(port, 65534, 65534)  # nobody's: as a /dev/ttyACM0 of root:dialout is to a user
        os.chmod(port, 0o600)
        p = subprocess.run(['setpriv', '--bounding-set=-all', '--inh-caps=-all', sys.executable,
                            '-m', 'micronn_tools.cli', 'predict', '0', '1', '--port', port],
                           capture_output=True, text=True, timeout=120)
    finally:
        os.close(master)
        os.close(slave)
    assert p.returncode == 1, p.stderr
    assert re.fullmatch(r'micronn: no permission to open /dev/pts/\d+( \(its group is \w+\))?: '
                        r'add yourself to the dialout group \(`sudo usermod -aG dialout \$USER`\), '
                        r'then log out and back in', p.stderr.strip()), p.stderr


def test_version():
    code, out, err = cli('--version')
    assert code == 0 and re.fullmatch(r'micronn \d+\.\d+\.\d+\S*', out.strip()), out


def test_every_option_shows_its_default_and_every_argument_has_help():
    top = cli_module.parser()
    subs = [a for a in top._actions if hasattr(a, 'choices') and isinstance(a.choices, dict)]
    for name, p in subs[0].choices.items():
        fmt = p._get_formatter()
        for a in p._actions:
            if a.help in (None, '==SUPPRESS==') and a.option_strings:
                assert a.help == '==SUPPRESS==', (name, a.dest)  # hidden on purpose, not forgotten
                continue
            text = fmt._expand_help(a) if a.help else ''
            assert text, ('no help', name, a.dest)
            if a.option_strings and a.dest != 'help':
                assert 'default' in text, (name, a.dest, text)


def _columns(line):
    """Start of each column: cells are apart by two spaces or more, values within by one."""
    return [m.start() for m in re.finditer(r'(?:^|(?<=  ))\S', line)]


def test_tables_keep_their_columns_for_3_inputs_and_2_outputs(files):
    code, out, err = cli('train', '--data', 'd3.csv', '--outputs', '2', '--epochs', '10', '-o',
                         'never.mn', cwd=str(files))
    assert code == 0, err
    lines = out.splitlines()
    table = lines[lines.index([l for l in lines if l.startswith('inputs')][0]):-1]
    assert len(table) == 5
    assert all(_columns(l) == _columns(table[0]) for l in table), '\n'.join(table)


# On the emulated micro:bit ----------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.microbit
def test_a_fresh_board_says_nothing_was_flashed_yet(fresh_microbit):
    assert fails('predict', '0', '1', '--port', fresh_microbit.port) == (
        'micronn: nothing was flashed to this board yet (it has no micronn firmware): run '
        '`micronn flash MODEL`')


@pytest.mark.slow
@pytest.mark.microbit
def test_the_board_holding_another_model_is_named_before_rows_are_sent(microbit, files):
    port = microbit.port
    code, out, err = cli('flash', 'm32.mn', '--port', port, cwd=str(files))
    assert code == 0, err
    seq = int(re.search(r'model seq (\d+), checked', out).group(1))
    # the right model: its table keeps its columns with 3 inputs and 2 outputs
    code, out, err = cli('verify', 'm32.mn', '--data', 'd3.csv', '--port', port, cwd=str(files))
    assert code == 0, err
    table = [l for l in out.splitlines() if l.startswith(('inputs', '0.', '1.'))]
    assert len(table) == 5 and all(_columns(l) == _columns(table[0]) for l in table), out
    assert fails('verify', 'xor4.mn', '--port', port, cwd=str(files)) == (
        'micronn: the board holds another model (seq %d, layers 3 3 2), not xor4.mn (layers 2 4 1)'
        ': flash it first with `micronn flash xor4.mn`' % seq)
    assert fails('predict', '0', '1', '--port', port) == (
        "micronn: the board's model (seq %d, layers 3 3 2) takes 3 inputs, not 2: give 3 numbers"
        % seq)
