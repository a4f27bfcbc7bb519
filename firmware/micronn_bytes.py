# micronn_bytes: runs on the board and on the host. The bytes of a model file (micronn_model
# has the format): their running sum (micronn's Adler-32), lines, and version 2's weights,
# which go straight into the net's lists, 8 bytes at a time through one small buffer (reading
# text a line at a time leaves a 16 KB micro:bit's heap in fragments). Apart from
# micronn_model: two small modules compile on a micro:bit where one large one does not.
import struct

BIG = 1e6  # no trained weight comes near this; past it the file is damaged, not a model


def add(data, a, b):
    """Adler-32's (a, b) after the bytes data, from (a, b) so far: (1, 0) to start."""
    for c in data:
        a = (a + c) % 65521
        b = (b + a) % 65521
    return a, b


def bad(what):
    raise ValueError('model file: ' + what)


def line(f, sums):
    """The next line's words; its bytes go into sums, Adler-32's [a, b] so far."""
    raw = f.readline()
    sums[0], sums[1] = add(raw, sums[0], sums[1])
    try:
        return str(raw, 'utf-8').split()
    except ValueError:  # not text
        return []


def weights(f, count, net, sums):
    """Version 2's count weights, 8 bytes at a time through one small buffer, into net's
    lists (net None: only checked and summed), then the newline after them. One loop, no
    calls of our own inside: the micro:bit's C stack ends a few Python calls deep."""
    buffer = bytearray(8)
    layer = at = 0  # where the next weight goes: net.layer_weights[layer][at]
    for _ in range(count):
        if f.readinto(buffer) != 8:
            bad('truncated')
        sums[0], sums[1] = add(buffer, sums[0], sums[1])
        value = struct.unpack_from('<d', buffer, 0)[0]
        if not -BIG <= value <= BIG:  # False for nan too
            bad('%r is not a finite weight' % value)
        if net is not None:
            row = net.layer_weights[layer]
            row[at] = value
            at += 1
            if at == len(row):
                at = 0
                layer += 1
    if line(f, sums):
        bad('no newline after the weights')
