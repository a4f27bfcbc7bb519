# Host only. Model files on the host, read by the code the board runs (micronn_model): checked
# whole first, then read again to build the net, as the board does. micronn_model.load reads
# a path that way; loads() does it for bytes.
import io

import micronn
import micronn_model


def loads(data, cls=micronn.NeuralNet):
    """Model file bytes -> (seq, net); ValueError naming what is wrong."""
    micronn_model.read(io.BytesIO(data))
    return micronn_model.read(io.BytesIO(data), cls)


def read(path):
    """The net in the model file at path; ValueError naming the file and what is wrong."""
    try:
        return micronn_model.load(micronn.NeuralNet, path)
    except OSError as e:
        raise ValueError('cannot read model %s: %s' % (path, e.strerror))
    except ValueError as e:
        raise ValueError('%s: %s (not a file micronn saved, or changed since: save it again)'
                         % (path, e))
