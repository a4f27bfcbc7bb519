# Host only. CreateAI's gesture features, the host's reference: written filter by filter as
# microbit-foundation/ml-trainer writes them in TypeScript (src/mlConfig.ts: the filters and
# their ranges; src/ml.ts: applyFilters, their order; src/project-utils.ts: the data window),
# so that it can be read against that source line by line. The board computes the same numbers
# with firmware/micronn_features.py, written for a small heap; the tests hold the two together.
import math

FILTERS = ('max', 'mean', 'min', 'std', 'peaks', 'acc', 'zcr', 'rms')  # mlSettings' order
AXES = ('x', 'y', 'z')
NAMES = ['%s_%s' % (f, a) for f in FILTERS for a in AXES]  # a gesture model's inputs
SAMPLES = 50  # currentDataWindow.deviceSamplesLength: 1 s of samples on the board...
PERIOD_MS = 20  # ...at deviceSamplesPeriod, the accelerometer's default
MIN_SAMPLES = 7  # peaks' lag of 5, and two more: CreateAI's "data sample is too short"


def _mean(d):
    total = d[0]  # d.reduce((a, b) => a + b): no initial value
    for b in d[1:]:
        total += b
    return total / len(d)


def _stddev(d):
    total = 0.0
    for b in d:
        total += (b - _mean(d)) ** 2
    return math.sqrt(total / len(d))


def peaks(data):
    lag, threshold, influence = 5, 3.5, 0.5
    count = 0
    if len(data) < lag + 2:
        raise ValueError('data sample is too short')
    signals = [0] * len(data)
    filtered = list(data)
    lead_in = data[:lag]
    avg = {lag - 1: _mean(lead_in)}
    std = {lag - 1: _mean(lead_in)}  # sic: CreateAI starts its deviation at the mean
    for i in range(lag, len(data)):
        if (abs(data[i] - avg[i - 1]) > 0.1
                and abs(data[i] - avg[i - 1]) > threshold * std[i - 1]):
            if data[i] > avg[i - 1]:
                signals[i] = 1
                if i - 1 > 0 and signals[i - 1] == 0:
                    count += 1
            else:
                signals[i] = -1
            filtered[i] = influence * data[i] + (1 - influence) * filtered[i - 1]
        else:
            signals[i] = 0
            filtered[i] = data[i]
        y_lag = filtered[i - lag:i]
        avg[i] = _mean(y_lag)
        std[i] = _stddev(y_lag)
    return count


def zcr(data):
    count = 0
    for i in range(1, len(data)):
        if (data[i] >= 0 and data[i - 1] < 0) or (data[i] < 0 and data[i - 1] >= 0):
            count += 1
    return count / (len(data) - 1)


def acc(data):
    total = 0.0
    for b in data:
        total += abs(b)
    return total / len(data) * SAMPLES  # scaled to the board's window, as CreateAI does


def rms(d):
    total = 0.0
    for b in d:
        total += b ** 2
    return math.sqrt(total / len(d))


STRATEGIES = {'max': max, 'mean': _mean, 'min': min, 'std': _stddev, 'peaks': peaks,
              'acc': acc, 'zcr': zcr, 'rms': rms}


def apply_filters(x, y, z):
    """CreateAI's applyFilters: {'max_x': ..., ...} in NAMES' order (theirs is 'max-x')."""
    if not x or not y or not z:
        raise ValueError('Empty x/y/z data')
    out = {}
    for f in FILTERS:
        for a, d in zip(AXES, (x, y, z)):
            out['%s_%s' % (f, a)] = float(STRATEGIES[f](d))
    return out


def features(x, y, z):
    """The 24 features of a recording, as a list in NAMES' order."""
    return list(apply_filters(x, y, z).values())
