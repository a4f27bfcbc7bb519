# micronn_features: runs on the board and on the host. The features of a gesture window as
# micro:bit CreateAI computes them (microbit-foundation/ml-trainer, src/mlConfig.ts and
# src/ml.ts; see docs/gestures.md): eight filters per axis, in CreateAI's order max, mean, min,
# std, peaks, acc, zcr, rms, each for x, then y, then z. Samples are in g. A gesture model's 24
# inputs are these numbers as they come: its first layer holds the scaling.
# Only math, and one function per job a board calls: it compiles beside a net on a micro:bit.
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


def axis(d):
    """[max, mean, min, std, peaks, acc, zcr, rms] of one axis' samples."""
    n = len(d)
    if n < 7:  # CreateAI's peaks needs its lag of 5 and two more
        raise ValueError('need 7 or more samples per axis, got %d' % n)
    total = 0.0
    absolute = 0.0
    squares = 0.0
    crossings = 0
    high = low = d[0]
    before = d[0] >= 0
    for v in d:
        total += v
        absolute += abs(v)
        squares += v * v
        if v > high:
            high = v
        if v < low:
            low = v
        if (v >= 0) != before:  # a sign change, 0 counting as positive
            crossings += 1
            before = not before
    mean = total / n
    spread = 0.0
    for v in d:
        spread += (v - mean) * (v - mean)
    return [high, mean, low, math.sqrt(spread / n), peaks(d), absolute / n * DEVICE_SAMPLES,
            crossings / (n - 1), math.sqrt(squares / n)]


def peaks(d, lag=5):
    """Rising runs that stand out, by CreateAI's smoothed z-score detector (lag 5, threshold
    3.5, influence 0.5). As CreateAI does, its first deviation is the lead-in's mean."""
    smooth = list(d)
    average = deviation = moments(smooth, 0, lag)[0]
    count = 0
    signal = 0  # the last sample's: 1 above the average, -1 below, 0 neither
    for i in range(lag, len(d)):
        v = d[i]
        off = abs(v - average)
        if off > 0.1 and off > 3.5 * deviation:
            if v > average:
                if not signal:  # a new rise
                    count += 1
                signal = 1
            else:
                signal = -1
            smooth[i] = 0.5 * v + 0.5 * smooth[i - 1]
        else:
            signal = 0
        average, deviation = moments(smooth, i - lag, i)
    return count


def moments(d, start, stop):
    """(mean, standard deviation) of d[start:stop], without a slice."""
    total = 0.0
    for i in range(start, stop):
        total += d[i]
    mean = total / (stop - start)
    spread = 0.0
    for i in range(start, stop):
        spread += (d[i] - mean) * (d[i] - mean)
    return mean, math.sqrt(spread / (stop - start))
