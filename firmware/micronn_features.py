# micronn_features: runs on the board and on the host. The features of a gesture window as
# micro:bit CreateAI computes them (microbit-foundation/ml-trainer, src/mlConfig.ts and
# src/ml.ts; see docs/gestures.md): eight filters per axis, in CreateAI's order max, mean, min,
# std, peaks, acc, zcr, rms, each for x, then y, then z. Samples are in g. A gesture model's 24
# inputs are these numbers as they come: its first layer holds the scaling.
# Only math, and few functions: it compiles beside a net on a micro:bit, and runs several times
# a second there.
import math

DEVICE_SAMPLES = 50  # CreateAI's window on the board, 1 s at 20 ms: acc is scaled to it


def features(x, y, z):
    """The 24 features of one window: per filter, its value for x, y and z."""
    a = axis(x)
    b = axis(y)
    c = axis(z)
    out = []
    for i in range(8):
        out.append(a[i])
        out.append(b[i])
        out.append(c[i])
    return out


def axis(d, abs=abs, sqrt=math.sqrt):
    """[max, mean, min, std, peaks, acc, zcr, rms] of one axis' samples."""
    # Sums run in CreateAI's order, from the first sample on (MicroPython's sum() adds in
    # order), so that rounding falls as in CreateAI. Builtins come in as arguments and sums
    # are taken by sum() where they can: on a micro:bit a global lookup or a loop is slow.
    n = len(d)
    if n < 7:  # CreateAI's peaks needs its lag of 5 and two more
        raise ValueError('need 7 or more samples per axis, got %d' % n)
    mean = sum(d) / n
    squares = 0.0
    spread = 0.0
    crossings = 0
    before = d[0] >= 0
    for v in d:
        squares += v * v
        spread += (v - mean) * (v - mean)
        if (v >= 0) != before:  # a sign change, 0 counting as positive
            crossings += 1
            before = not before
    return [max(d), mean, min(d), sqrt(spread / n), peaks(d),
            sum(map(abs, d)) / n * DEVICE_SAMPLES, crossings / (n - 1), sqrt(squares / n)]


def peaks(d, abs=abs, sqrt=math.sqrt):
    """Rising runs that stand out, by CreateAI's smoothed z-score detector (lag 5, threshold
    3.5, influence 0.5): a sample counts when it is more than 0.1 and 3.5 deviations above the
    mean of the five smoothed samples before the one before it. As CreateAI does, its first
    deviation is the lead-in's mean."""
    a, b, c, e, f = d[0], d[1], d[2], d[3], d[4]  # the last five smoothed samples
    average = deviation = (a + b + c + e + f) / 5
    count = 0
    signal = 0  # the last sample's: 1 above the average, -1 below, 0 neither
    for i in range(5, len(d)):
        v = d[i]
        off = abs(v - average)
        if off > 0.1 and off > 3.5 * deviation:
            if v > average:
                if not signal:  # a new rise
                    count += 1
                signal = 1
            else:
                signal = -1
            v = 0.5 * v + 0.5 * f  # smoothed, half towards the sample before
        else:
            signal = 0
        # the next sample is judged by these five, which leave out this one
        average = (a + b + c + e + f) / 5
        deviation = sqrt(((a - average) * (a - average) + (b - average) * (b - average)
                          + (c - average) * (c - average) + (e - average) * (e - average)
                          + (f - average) * (f - average)) / 5)
        a, b, c, e, f = b, c, e, f, v
    return count
