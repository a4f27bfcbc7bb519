# Host only. Small CreateAI datasets made up for the gesture tests: three motions anyone can
# tell apart (held still, shaken along x, drawn in a circle), 50 samples a recording (1 s at
# 20 ms), in g with three decimals as CreateAI stores them. Made here rather than committed.
import json
import math
import random

ACTIONS = ('still', 'shake', 'circle')


def recording(kind, rng, n=50):
    """(x, y, z) of one made-up recording of kind."""
    phase = rng.uniform(0, 2 * math.pi)
    out = []
    for axis in range(3):
        samples = []
        for i in range(n):
            if kind == 'still':  # lying flat: gravity on z
                v = (0.0, 0.0, -1.0)[axis] + rng.gauss(0, 0.01)
            elif kind == 'shake':  # fast along x
                v = ((1.5 * math.sin(i * 1.3 + phase), 0.1, -1.0)[axis] + rng.gauss(0, 0.05))
            else:  # a slow circle in x and y
                v = (0.8 * math.sin(2 * math.pi * i / n + phase + axis * math.pi / 2)
                     if axis < 2 else -0.6) + rng.gauss(0, 0.03)
            samples.append(round(v, 3))
        out.append(samples)
    return out


def dataset(recordings=8, seed=1, n=50):
    """CreateAI's dataset JSON (a list of actions) as Python data."""
    rng = random.Random(seed)
    return [{'ID': k + 1, 'name': name, 'icon': 'Heart', 'recordings': [
        {'ID': 100 * k + j, 'data': dict(zip('xyz', recording(name, rng, n)))}
        for j in range(recordings)]} for k, name in enumerate(ACTIONS)]


def write(path, data=None):
    with open(str(path), 'w') as f:
        json.dump(dataset() if data is None else data, f)
    return str(path)
