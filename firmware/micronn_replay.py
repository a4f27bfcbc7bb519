# micronn_replay: runs on the board, for `micronn verify --data`: recorded windows typed at a
# prompt, classified by the board's own features and net (micronn_features.features and
# micronn_live.predict, passed in: this module imports only gc, so it compiles first).
# Lines the board echoes, so that the host types a damaged one again; no command parsed per
# window, which a micro:bit has no heap for beside a gesture net.
import gc


def replay(net, features, predict):
    """For `micronn verify --data`, until Ctrl-C: lines typed at its prompt, each one whole in
    itself, so that a line typed again after damage does no harm. 'n N' makes a window of N
    samples per axis; 'A I v v ...' puts samples in g into axis A (0 x, 1 y, 2 z) from sample
    I on; 'p' prints the net's outputs for the window. Lines are short and the window's lists
    made whole before they are filled: long lines and grown lists leave no room beside the
    net. A line it cannot read is answered '?'."""
    print('micronn replay')  # a line before the first prompt, as the host waits for one
    w = None
    while True:
        words = input('> ').split()
        try:
            if words[0] == 'n':
                n = int(words[1])
                if not w or len(w[0]) != n:  # as the last window's: its lists serve again
                    w = None
                    gc.collect()  # the lists in pieces the heap still has
                    w = [[0.0] * n, [0.0] * n, [0.0] * n]
            elif words[0] == 'p':
                print(' '.join([repr(v) for v in predict(net, features(w[0], w[1], w[2]))]))
            else:
                d = w[int(words[0])]
                i = int(words[1])
                for v in words[2:]:
                    d[i] = float(v)
                    i += 1
        except (ValueError, IndexError, TypeError):
            print('?')
