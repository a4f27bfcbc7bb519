# Host only. Bad input gets a clear TypeError/ValueError; model files round-trip and damaged ones
# are refused with a message naming the problem.
import math
import zlib

import pytest
from hypothesis import given, settings, strategies as st

import micronn
import micronn_model
import micronn_save
from micronn_tools import modelfile

finite = st.floats(-1e3, 1e3, allow_nan=False)


def net_of(shape, seed=1):
    n = micronn.NeuralNet(['x%d' % i for i in range(shape[0])], seed=seed)
    for k in shape[1:]:
        n.add_layer(k)
    return n


@given(st.lists(finite, max_size=6).filter(lambda x: len(x) != 3))
def test_wrong_input_length_is_a_value_error(x):
    with pytest.raises(ValueError, match='inputs: expected 3'):
        net_of([3, 2, 1]).predict(x)


@pytest.mark.parametrize('bad', [float('nan'), float('inf'), -float('inf')])
def test_non_finite_inputs_and_targets_are_refused(bad):
    net = net_of([2, 2, 1])
    with pytest.raises(ValueError, match='finite'):
        net.predict([0, bad])
    with pytest.raises(ValueError, match='targets'):
        net.train_row([0, 1], bad)


@pytest.mark.parametrize('bad', ['1', None, [1], object()])
def test_non_numbers_are_a_type_error(bad):
    with pytest.raises(TypeError, match='inputs'):
        net_of([2, 2, 1]).predict([0, bad])


def test_targets_outside_0_1_and_of_wrong_length_are_refused():
    net = net_of([2, 2, 2])
    with pytest.raises(ValueError, match=r'targets in \[0, 1\]'):
        net.train_row([0, 1], [0, 2])
    with pytest.raises(ValueError, match='targets: expected 2'):
        net.train_row([0, 1], 1)


def test_empty_nets_are_refused():
    with pytest.raises(ValueError, match='no inputs'):
        micronn.NeuralNet([])
    with pytest.raises(ValueError, match='add_layer'):
        net_of([2]).add_layer(0)
    with pytest.raises(ValueError, match='no layers'):
        net_of([2]).predict([0, 1])


shapes = st.lists(st.integers(1, 6), min_size=2, max_size=4)


@settings(max_examples=60, deadline=None)
@given(shapes, st.integers(0, 10 ** 6), st.lists(finite, min_size=6, max_size=6))
def test_save_load_round_trip_predicts_identically(tmp_path_factory, shape, seed, x):
    net = net_of(shape, seed)
    net.learning_rate = 0.25
    path = str(tmp_path_factory.mktemp('m') / 'n.mn')
    net.save(path)
    back = micronn.NeuralNet.load(path)
    assert [len(l) for l in back.layers] == shape
    assert back.learning_rate == 0.25
    assert [u.name for u in back.layers[0]] == [u.name for u in net.layers[0]]
    assert back.predict(x[:shape[0]]) == net.predict(x[:shape[0]])


def test_checksum_is_adler32():
    for data in (b'', b'micronn', bytes(range(256)) * 40):
        assert micronn_model.adler32(data) == '%08x' % zlib.adler32(data)


GOOD = micronn_save.dumps(net_of([2, 3, 1]), seq=4)


def resum(body):
    return body + ('sum %s\n' % micronn_model.adler32(body)).encode()


def body():
    return GOOD[:GOOD.rfind(b'sum ')]


@pytest.mark.parametrize('data, message', [
    (GOOD[:-20], 'checksum'),                                    # truncated
    (GOOD.replace(b'layers 3 1', b'layers 3 2'), 'checksum'),   # corrupt
    (b'', 'checksum'),
    (resum(body().replace(b'micronn 1', b'micronn 2')), 'not "micronn 1"'),
    (resum(body().replace(b'layers 3 1', b'layers 3 2')), '9 lines, the layers need 10'),
    (resum(body().replace(b'layers 3 1', b'layers 2 1')), '9 lines, the layers need 8'),
    (resum(body().replace(b'seq 4\n', b'')), 'header'),
])
def test_damaged_model_files_are_refused_with_the_reason(data, message):
    with pytest.raises(ValueError, match=message):
        modelfile.loads(data)


@pytest.mark.parametrize('value', [b'nan', b'inf', b'-1e300', b'1e7', b'abc'])
def test_non_finite_or_huge_weights_are_refused(value):
    lines = body().split(b'\n')
    lines[5] = value + b' ' + b' '.join(lines[5].split()[1:])
    with pytest.raises(ValueError):
        modelfile.loads(resum(b'\n'.join(lines)))


@settings(max_examples=200)
@given(st.binary(max_size=400))
def test_random_bytes_are_refused_with_value_error(data):
    with pytest.raises(ValueError):
        modelfile.loads(data)


def test_good_file_loads_with_its_seq():
    seq, net = modelfile.loads(GOOD)
    assert seq == 4 and math.isfinite(net.predict([0, 1])[0])
