# Host only. The bench's gesture part (tools/bench/live_time.py): the board's own features and
# predict timed on the emulated micro:bit under -icount, for [24, 16, 3] and [24, 16, 5] nets,
# and the heap left beside the net, a window and the live loop's modules. Checked for figures
# that are there and make sense; how fast they are is the bench's to report, not a test's.
import subprocess
import sys

import pytest

from micronn_tools.bench import live_time
from micronn_tools.emulated import microbit as emulator

from conftest import need

pytestmark = [pytest.mark.slow, pytest.mark.microbit]


def test_features_and_predict_are_timed_on_the_board_and_the_heap_left_is_read():
    need(emulator.missing())
    said = []
    r = live_time.run_live_time(say=said.append)
    assert r['goal ms'] == 250
    for shape in ('[24, 16, 3]', '[24, 16, 5]'):
        f = {c: r[shape, c] for c in live_time.CALLS}
        for c in live_time.CALLS:
            assert f[c]['calls'] == len(live_time.KINDS) * len(live_time.PHASES) * live_time.REPEAT
            assert 0 < f[c]['min'] <= f[c]['mean'] <= f[c]['max'], (shape, c, f[c])
        # both in one call do the work of each alone
        assert f['features+predict']['mean'] >= f['features']['mean'], (shape, f)
        assert f['features+predict']['mean'] >= f['predict']['mean'], (shape, f)
        # a window's three lists of 50 take room: less is free with them than without
        assert 0 < r[shape, 'heap free'] < r[shape, 'heap free, no window'] < 16 * 1024
    # five outputs take more weights, and more time, than three
    assert r['[24, 16, 5]', 'predict']['mean'] > r['[24, 16, 3]', 'predict']['mean']
    text = '\n'.join(live_time.lines(r))
    assert ('Goal: features plus predict for a [24, 16, 3] net take at most 250 ms on the '
            'micro:bit V1: %.1f ms at most' % r['[24, 16, 3]', 'features+predict']['max']) in text
    assert said[0].startswith('gesture features and predict on the emulated micro:bit on ')


def test_the_part_runs_on_its_own_and_prints_its_figures_beside_the_goal():
    need(emulator.missing())
    p = subprocess.run([sys.executable, '-m', 'micronn_tools.bench.live_time'],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    rows = [line.split(' | ')[:2] for line in p.stdout.splitlines() if line.startswith('| [')]
    assert rows == [['| [24, 16, %d]' % k, c] for k in (3, 5) for c in live_time.CALLS]
    assert 'net take at most 250 ms on the micro:bit V1: ' in p.stdout
