# micronn_live: runs on the board. Classifies gestures live, as micro:bit CreateAI does: samples
# the sensor (micronn_record) every period, keeps the last window, and every few samples
# computes CreateAI's features (micronn_features) and the gesture model's prediction, then says
# the action: a line 'action confidence' over serial, and on a micro:bit the action's first
# letter on its display. It runs the net itself (micronn_gmodel reads it), not through micronn:
# micronn, its reader and micronn_act leave a 16 KB micro:bit no room for a [24, 16, 5] net
# beside the features and the window.
import math


def predict(net, x, exp=math.exp):
    """The outputs for inputs x, each layer as micronn computes it."""
    layers, acts = net
    for k in range(len(layers)):
        row = layers[k]
        f = acts[k]
        out = []
        at = 0
        while at < len(row):
            s = row[at]
            at += 1
            for v in x:
                s += row[at] * v
                at += 1
            if f == 'relu':
                if s < 0:
                    s = 0.0
            elif f == 'sigmoid':  # as micronn's: exp() only sees s <= 0
                if s < 0:
                    s = exp(s)
                    s = s / (1.0 + s)
                else:
                    s = 1.0 / (1.0 + exp(-s))
            out.append(s)
        if f == 'softmax':  # less the largest, so exp() only sees s <= 0
            m = max(out)
            for j in range(len(out)):
                out[j] = exp(out[j] - m)
            m = sum(out)
            for j in range(len(out)):
                out[j] /= m
        x = out
    return x


def run(net, actions, n=50, ms=20, every=250, sensor=None, count=0):
    """Classify the sensor's last n samples, taken every ms milliseconds, every `every`
    milliseconds' worth of samples; count: stop after that many (0: never)."""
    import time
    import micronn_features
    import micronn_record
    read, per_g = micronn_record.sensor(sensor)
    try:
        from microbit import display
    except ImportError:
        display = None
    x, y, z = [], [], []
    step = max(1, every // ms)
    since = done = 0
    at = time.ticks_ms()
    while True:
        v = read()
        x.append(v[0] / per_g)
        y.append(v[1] / per_g)
        z.append(v[2] / per_g)
        if len(x) > n:
            del x[0], y[0], z[0]
        since += 1
        if len(x) == n and since >= step:
            since = 0
            p = predict(net, micronn_features.features(x, y, z))
            j = p.index(max(p))
            print(actions[j], '%.3f' % p[j])
            if display:
                display.show(actions[j][0])
            done += 1
            if done == count:
                return
        at = time.ticks_add(at, ms)
        wait = time.ticks_diff(at, time.ticks_ms())
        if wait > 0:
            time.sleep_ms(wait)
        else:  # behind, after the features: the next sample now, the period from there
            at = time.ticks_ms()
