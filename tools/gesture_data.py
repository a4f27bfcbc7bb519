# Host only. micro:bit CreateAI's dataset file, read and written: what CreateAI exports as
# "data samples" (microbit-foundation/ml-trainer, src/model.ts: DatasetUserFileFormat, a list
# of ActionData): a JSON list of actions, each with a name and recordings, each recording's
# "data" holding lists x, y and z of accelerometer samples in g. CreateAI's own fields beside
# them (ID or id, icon, createdAt, requiredConfidence) are kept by CreateAI and ignored here.
# A project file's {"data": [...]} form (DatasetEditorJsonFormat) is read too.
import json
import math

from .gesture_features import AXES, MIN_SAMPLES

G_LIMIT = 16  # beyond any accelerometer's range in g: such samples are in milli-g or raw counts


class Action:
    def __init__(self, name, recordings):
        self.name = name
        self.recordings = recordings  # [(x, y, z)], lists of floats


def _fail(path, where, what):
    raise ValueError('%s: %s%s' % (path, where + ': ' if where else '', what))


def load(path):
    """[Action] of a CreateAI dataset file; ValueError naming the file, the place in it and
    what is wrong there."""
    try:
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
    except OSError as e:
        raise ValueError('cannot read dataset %s: %s' % (path, e.strerror))
    except (ValueError, UnicodeDecodeError) as e:
        raise ValueError('%s is not a JSON file (%s); give the dataset CreateAI exports '
                         '("Save data samples") or `micronn record` writes' % (path, e))
    return parse(data, path)


def parse(data, path='dataset'):
    """[Action] of a dataset already read from JSON."""
    if isinstance(data, dict) and isinstance(data.get('data'), list):
        data = data['data']  # a CreateAI project's dataset
    if not isinstance(data, list):
        _fail(path, '', 'not a CreateAI dataset: expected a JSON list of actions, each '
                        '{"name": ..., "recordings": [{"data": {"x": [...], "y": [...], '
                        '"z": [...]}}]}')
    actions = []
    seen = set()
    for i, item in enumerate(data, 1):
        where = 'action %d' % i
        if not isinstance(item, dict):
            _fail(path, where, 'not an object with "name" and "recordings"')
        name = item.get('name')
        if not isinstance(name, str) or not name.strip():
            _fail(path, where, 'no name: give each action a "name"')
        name = name.strip()
        where = 'action %d ("%s")' % (i, name)
        if '\n' in name or '\r' in name:
            _fail(path, where, 'its name spans lines: give it a name on one line')
        if name in seen:
            _fail(path, where, 'a second action of that name: rename one, or merge them')
        seen.add(name)
        recordings = item.get('recordings')
        if not isinstance(recordings, list) or not recordings:
            _fail(path, where, 'no recordings: record this action at least once, or remove it')
        actions.append(Action(name, [_recording(path, '%s, recording %d' % (where, j), r)
                                     for j, r in enumerate(recordings, 1)]))
    if len(actions) < 2:
        _fail(path, '', '%d action(s): a classifier needs 2 or more' % len(actions))
    return actions


def _recording(path, where, rec):
    if not isinstance(rec, dict) or not isinstance(rec.get('data'), dict):
        _fail(path, where, 'no "data" object holding "x", "y" and "z"')
    axes = []
    for a in AXES:
        d = rec['data'].get(a)
        if not isinstance(d, list):
            _fail(path, where, 'no list "%s" of samples' % a)
        for k, v in enumerate(d, 1):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                _fail(path, where, '%s sample %d is %s, not a finite number'
                      % (a, k, json.dumps(v)))
            if abs(v) > G_LIMIT:
                _fail(path, where, '%s sample %d is %s: samples are in g (about -2 to 2); '
                      'raw micro:bit readings are milli-g, so divide them by 1000' % (a, k, v))
        axes.append([float(v) for v in d])
    lengths = [len(d) for d in axes]
    if len(set(lengths)) != 1:
        _fail(path, where, 'x, y and z hold %s samples: they must hold as many'
              % ', '.join(map(str, lengths)))
    if lengths[0] < MIN_SAMPLES:
        _fail(path, where, '%d samples per axis: CreateAI\'s features need %d or more (its '
              'recordings hold about 50, 1 s at 20 ms)' % (lengths[0], MIN_SAMPLES))
    return tuple(axes)


def dumps(actions):
    """CreateAI's dataset JSON for [Action]: what it reads back with "Load data samples"."""
    out = []
    for i, action in enumerate(actions, 1):
        out.append({'ID': i, 'name': action.name, 'recordings': [
            {'ID': i * 1000 + j, 'data': dict(zip(AXES, rec))}
            for j, rec in enumerate(action.recordings, 1)]})
    return json.dumps(out)
