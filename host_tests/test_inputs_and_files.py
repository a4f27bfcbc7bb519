# Host only. Bad input gets a clear TypeError/ValueError; model files round-trip and damaged ones
# are refused with a message naming the problem.
import math
import struct
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
    with pytest.raises(ValueError, match='need 3 finite inputs'):
        net_of([3, 2, 1]).predict(x)


@pytest.mark.parametrize('bad', [float('nan'), float('inf'), -float('inf')])
def test_non_finite_inputs_and_targets_are_refused(bad):
    net = net_of([2, 2, 1])
    with pytest.raises(ValueError, match='finite'):
        net.predict([0, bad])
    with pytest.raises(ValueError, match='targets'):
        net.train_row([0, 1], bad)


def test_finite_inputs_whose_sum_overflows_are_predicted():
    # predict's quick test sums the row (inf here); the full check then finds it good
    net = net_of([2, 2, 1])
    p = net.predict([1e308, 1e308])
    assert len(p) == 1 and 0.0 <= p[0] <= 1.0


@pytest.mark.parametrize('bad', ['1', None, [1], object()])
def test_non_numbers_are_a_type_error(bad):
    with pytest.raises(TypeError, match='inputs'):
        net_of([2, 2, 1]).predict([0, bad])


@pytest.mark.parametrize('act', ['relu', 'tanh', 'identity', 'softmax'])
def test_nets_with_other_activations_check_their_inputs_too(act):
    # their pass is micronn_act's, which checks nothing: predict's check comes first
    net = micronn.NeuralNet(['a', 'b'], seed=1)
    net.add_layer(3, 'relu' if act == 'softmax' else act)
    net.add_layer(2, act)
    assert net._act  # the pass that checks nothing
    for bad, error in (([1], ValueError), ([1, 2, 3], ValueError),
                       ([float('nan'), 0], ValueError), (['a', 1], TypeError)):
        with pytest.raises(error, match='need 2 finite inputs'):
            net.predict(bad)


def test_targets_outside_0_1_and_of_wrong_length_are_refused():
    net = net_of([2, 2, 2])
    with pytest.raises(ValueError, match=r'targets in \[0, 1\]'):
        net.train_row([0, 1], [0, 2])
    with pytest.raises(ValueError, match='need 2 finite targets'):
        net.train_row([0, 1], 1)


def test_empty_nets_are_refused():
    with pytest.raises(ValueError, match='1 or more inputs'):
        micronn.NeuralNet([]).add_layer(1)
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
    assert back.inputs == net.inputs and back.activations == net.activations
    assert back.predict(x[:shape[0]]) == net.predict(x[:shape[0]])


def test_checksum_is_adler32():
    for data in (b'', b'micronn', bytes(range(256)) * 40):
        assert micronn_save.adler32(data) == '%08x' % zlib.adler32(data)


NET = net_of([2, 3, 1])
GOOD = micronn_save.dumps(NET, seq=4)


def resum(body):
    return body + ('sum %s\n' % micronn_save.adler32(body)).encode()


def body(data=GOOD):
    return data[:data.rfind(b'sum ')]


def version_1(net, seq=4):
    """The text format micronn wrote before version 2: one line per neuron."""
    lines = ['micronn 1', 'seq %d' % seq, 'rate %r' % net.learning_rate,
             'inputs ' + ' '.join(net.inputs), 'layers ' + ' '.join(str(len(o)) for o in net.outputs)]
    for layer in net.layers[1:]:
        for n in layer:
            lines.append(' '.join(repr(v) for v in [n.bias] + list(n.weights)))
    return resum(('\n'.join(lines) + '\n').encode())


V1 = version_1(NET)
HEADER = GOOD.index(b"weights 13\n") + len(b"weights 13\n")


def with_weight(k, value):
    """GOOD with its k-th weight replaced, summed again."""
    b = bytearray(body())
    b[HEADER + 8 * k:HEADER + 8 * k + 8] = struct.pack('<d', value)
    return resum(bytes(b))


@pytest.mark.parametrize('data, message', [
    (GOOD[:-20], 'truncated'),
    (GOOD[:HEADER + 30], 'truncated'),
    (GOOD.replace(b'layers 3 1', b'layers 3 2'), '13 weights, the layers need 17'),
    (GOOD[:HEADER + 5] + bytes([GOOD[HEADER + 5] ^ 4]) + GOOD[HEADER + 6:], 'checksum'),
    (b'', 'not "micronn 2" or "micronn 1"'),
    (resum(body().replace(b'micronn 2', b'micronn 3')), 'not "micronn 2" or "micronn 1"'),
    (resum(body().replace(b'seq 4\n', b'')), 'header needs lines seq rate inputs layers activations weights'),
    (resum(body().replace(b'activations sigmoid sigmoid', b'activations sigmoid')),
     '2 layers, 1 activations'),
    (resum(body().replace(b'activations sigmoid sigmoid', b'activations sigmoid swish')),
     "activation 'swish'"),
    (resum(body().replace(b'weights 13', b'weights 12')), '12 weights, the layers need 13'),
    (resum(body().replace(b'inputs x0 x1\n', b'inputs\n')), 'a layer of no neurons'),
    (resum(body(V1).replace(b'micronn 1', b'micronn 0')), 'not "micronn 2" or "micronn 1"'),
    (resum(body(V1).replace(b'layers 3 1', b'layers 3 2')), 'line 10 has 2 values, the layers need 4'),
    (resum(body(V1).replace(b'layers 3 1', b'layers 2 1')), 'checksum'),
    (V1[:-30], 'checksum|line'),
])
def test_damaged_model_files_are_refused_with_the_reason(data, message):
    with pytest.raises(ValueError, match=message):
        modelfile.loads(data)


@pytest.mark.parametrize('value', [float('nan'), float('inf'), -1e300, 1e7])
def test_non_finite_or_huge_weights_are_refused(value):
    with pytest.raises(ValueError, match='finite weight'):
        modelfile.loads(with_weight(5, value))


@pytest.mark.parametrize('value', [b'nan', b'inf', b'-1e300', b'1e7', b'abc'])
def test_non_finite_or_huge_weights_are_refused_in_version_1(value):
    lines = body(V1).split(b'\n')
    lines[5] = value + b' ' + b' '.join(lines[5].split()[1:])
    with pytest.raises(ValueError, match='finite weight'):
        modelfile.loads(resum(b'\n'.join(lines)))


def test_version_1_files_still_load_and_predict_the_same():
    seq, net = modelfile.loads(V1)
    assert seq == 4 and net.activations == ['sigmoid', 'sigmoid']
    for x in ([0, 1], [0.3, -2.0], [5.0, 1.5]):
        assert net.predict(x) == NET.predict(x)


def test_version_2_keeps_every_weight_exactly_and_each_layers_activation():
    assert GOOD.startswith(b'micronn 2\nseq 4\nrate 0.1\ninputs x0 x1\nlayers 3 1\n'
                           b'activations sigmoid sigmoid\nweights 13\n')
    seq, net = modelfile.loads(GOOD)
    assert net.layer_weights == NET.layer_weights and net.activations == NET.activations
    assert len(GOOD) == HEADER + 13 * 8 + 1 + len('sum 12345678\n')


def test_unknown_activation_is_a_value_error():
    with pytest.raises(ValueError, match="activation 'swish'"):
        net_of([2]).add_layer(3, 'swish')


@settings(max_examples=200)
@given(st.binary(max_size=400))
def test_random_bytes_are_refused_with_value_error(data):
    with pytest.raises(ValueError):
        modelfile.loads(data)


@settings(max_examples=200)
@given(st.integers(0, len(GOOD) - 1), st.integers(1, 255))
def test_any_flipped_byte_is_refused(at, flip):
    data = bytearray(GOOD)
    data[at] ^= flip
    with pytest.raises(ValueError):
        modelfile.loads(bytes(data))


def test_good_file_loads_with_its_seq():
    seq, net = modelfile.loads(GOOD)
    assert seq == 4 and math.isfinite(net.predict([0, 1])[0])


def test_blog_view_reads_and_writes_the_nets_numbers():
    net = net_of([2, 3, 1])
    n = net.layers[1][2]
    assert [n.bias] + n.weights == net.layer_weights[0][6:9]
    n.weights[1] = 0.5
    n.bias = -1.0
    net.layers[2][0].weights[:] = [1.0, 2.0, 3.0]
    assert net.layer_weights == [net.layer_weights[0][:6] + [-1.0, net.layer_weights[0][7], 0.5],
                                 [net.layer_weights[1][0], 1.0, 2.0, 3.0]]
    assert [u.name for u in net.layers[0]] == ['x0', 'x1']
