# Host only. Recordings as files, beside CreateAI's dataset JSON (gesture_data): the CSV that
# `micronn record` writes for other tools (timestamp, x, y, z, action, recording; samples in g,
# timestamps in milliseconds from the recording's start), and a recording file read back as
# one stream of samples, as the virtual board's simulated accelerometer replays it.
import csv
import json

from . import gesture_data
from .gesture_features import AXES

CSV_HEADER = ['timestamp', 'x', 'y', 'z', 'action', 'recording']


def write_csv(path, actions, period_ms):
    """One row per sample of each recording of [gesture_data.Action]."""
    with open(path, 'w', newline='') as f:
        out = csv.writer(f)
        out.writerow(CSV_HEADER)
        number = 0
        for action in actions:
            for rec in action.recordings:
                number += 1
                for i, sample in enumerate(zip(*rec)):
                    out.writerow([i * period_ms] + [repr(v) for v in sample]
                                 + [action.name, number])


def write_dataset(path, actions):
    with open(path, 'w') as f:
        f.write(gesture_data.dumps(actions))


def samples(path):
    """[(x, y, z)] in g of a recording file: a CreateAI dataset (each action's recordings in
    turn) or a CSV with columns x, y and z (as `micronn record` writes). ValueError naming the
    file and what is wrong."""
    if path.lower().endswith('.json'):
        return [s for a in gesture_data.load(path) for rec in a.recordings for s in zip(*rec)]
    try:
        with open(path, newline='') as f:
            rows = list(csv.reader(f))
    except OSError as e:
        raise ValueError('cannot read recording %s: %s' % (path, e.strerror))
    head = [h.strip().lower() for h in rows[0]] if rows else []
    if not set(AXES) <= set(head):
        raise ValueError('%s: no columns x, y and z in its first line: give a CreateAI dataset '
                         '(.json) or a CSV as `micronn record` writes it' % path)
    cols = [head.index(a) for a in AXES]
    out = []
    for n, row in enumerate(rows[1:], 2):
        try:
            out.append(tuple(float(row[c]) for c in cols))
        except (ValueError, IndexError):
            raise ValueError('%s: line %d: x, y and z must be numbers (in g)' % (path, n))
    if not out:
        raise ValueError('%s holds no samples' % path)
    return out


def dump_samples(path, stream):
    """The stream as JSON [[x, y, z], ...], as the virtual board's Node loop reads it."""
    with open(path, 'w') as f:
        json.dump([list(s) for s in stream], f)
