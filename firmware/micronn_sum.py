# micronn_sum: runs on the board and on the host. Adler-32 (zlib's), the sum every model file
# and export carries, in a module of its own: a board serving an export or running a gesture
# model checks its file with it and never compiles micronn_bytes.


def add(data, a, b):
    """Adler-32's (a, b) after the bytes data, from (a, b) so far: (1, 0) to start."""
    for c in data:
        a = (a + c) % 65521
        b = (b + a) % 65521
    return a, b
