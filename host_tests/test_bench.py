# Host only. `micronn bench` when a part fails: it exits 1 naming the part and where its report
# is, and the report keeps what was measured before. Quick: a part that raises, run through
# bench's own parts and reporting. Slow: a real failure, the emulated micro:bit's QEMU killed
# while the search runs (CPython timing and the micro:bit's upload and timing come first, one
# to three minutes); the report then marks each goal met, missed or not measured, and the
# largest-net search shows each size as it is decided.
import os
import re
import signal
import subprocess
import sys

import pytest

from micronn_tools import cli
from micronn_tools.bench import bench, on_microbit, report
from micronn_tools.emulated import microbit as emulator

from conftest import need
from helpers import cli as run_cli

RECURSION = "the board raised RuntimeError: maximum recursion depth exceeded"


def test_a_failed_part_makes_bench_exit_1_naming_it_and_its_report(tmp_path, monkeypatch,
                                                                     capsys):
    def fails():
        raise RuntimeError(RECURSION)
    monkeypatch.setattr(bench, 'run_cpython', fails)
    out = tmp_path / 'B.md'
    assert cli.main(['bench', '--runtime', 'cpython', '-o', str(out), '--chart', '']) == 1
    said, err = capsys.readouterr()
    assert err == ('micronn: the bench failed in 1 part(s): cpython: %s; the report of what was '
                   'measured is in %s\n' % (RECURSION, out)), err
    assert 'cpython failed: %s' % RECURSION in said
    assert '**cpython failed: %s.**' % RECURSION in out.read_text()


def test_a_part_that_fails_is_named_and_the_parts_before_keep_their_figures():
    said = []
    part = bench.Parts(said.append)
    part.runtime = 'microbit'
    r = {}

    def heap():
        raise RuntimeError(RECURSION)
    assert part(None, lambda: r.update({('micronn', 'heap', 'import'): 1234}))
    assert not part("the line server's heap", heap)
    assert part.failed == [("microbit (the line server's heap)", RECURSION)]
    assert said == ["microbit (the line server's heap) failed: %s; the report keeps what was "
                    "measured before" % RECURSION]
    text = report.report({'microbit': r}, 'micronn bench', failed=part.failed)
    assert "**microbit (the line server's heap) failed: %s.**" % RECURSION in text
    assert '| `import micronn` takes at most 1,500 B of heap | 1,234 B | met |' in text


def test_the_gesture_goal_and_table_come_from_the_live_parts_figures():
    from micronn_tools.bench import live_time
    def live(worst):
        r = {'goal ms': live_time.GOAL_MS}
        for shape in live_time.SHAPES:
            for call in live_time.CALLS:
                r[str(shape), call] = {'mean': worst - 5, 'min': worst - 9, 'max': worst,
                                       'calls': 18}
            r[str(shape), 'heap free'], r[str(shape), 'heap free, no window'] = 3120, 4080
        return r
    goal = '| features plus predict of a [24, 16, 3] gesture net take at most 250 ms | '
    mb = {('floor', '[2, 2, 1]', 'predict'): 0}
    assert goal + '218.7 ms at most | met |' in report.goals_table({'live': live(218.7)})
    assert goal + '250.1 ms at most | **missed** |' in report.goals_table({'live': live(250.1)})
    assert goal + 'not measured in this run | - |' in report.goals_table(mb)
    lines = live_time.lines(live(218.7))
    assert '| [24, 16, 5] | features+predict | 213.7 | 209.7 | 218.7 | 18 |' in lines
    assert any('3120 B (4080 B before the window)' in line for line in lines)


def children(pid, name):
    """Pids of the processes pid started whose command is name."""
    out = []
    for d in os.listdir('/proc'):
        try:
            with open('/proc/%s/stat' % d) as f:
                fields = f.read().rsplit(')', 1)[1].split()
            with open('/proc/%s/comm' % d) as f:
                comm = f.read().strip()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid and comm == name:
            out.append(int(d))
    return out


@pytest.mark.slow
@pytest.mark.microbit
def test_bench_keeps_what_it_measured_when_the_board_dies_in_the_search(tmp_path):
    need(emulator.missing())
    report = tmp_path / 'B.md'
    p = subprocess.Popen([sys.executable, '-m', 'micronn_tools.cli', 'bench', '--runtime',
                          'cpython,microbit', '-o', str(report), '--chart', ''],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []
    searched = False
    try:
        for line in p.stdout:
            seen.append(line)
            if line.startswith('  [2, ') and (' trains ' in line or 'out of memory' in line):
                searched = True  # the search's first size, decided and shown
                break
        if searched:
            qemu = children(p.pid, 'qemu-system-arm')
            assert len(qemu) == 1, qemu
            os.kill(qemu[0], signal.SIGKILL)
        # else the link failed by itself before the search (this busy machine; issue 12): the
        # report must keep what was measured all the same
        rest, err = p.communicate(timeout=300)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 1, err
    assert err.startswith('micronn: ') and 'Traceback' not in err, err
    text = report.read_text()
    assert '**microbit failed: ' in text
    assert '## CPython' in text  # the runtime before keeps its figures
    assert '| a [4, 16, 3] net trains | not measured in this run | - |' in text
    assert 'microbit failed: ' in ''.join(seen) + rest
    if searched:
        assert '## Emulated micro:bit' in text  # its timing, done before the search, is kept
        line = [l for l in text.splitlines() if l.startswith('| `import micronn`')][0]
        assert line.endswith(('| met |', '| **missed** |')), line


@pytest.mark.slow
@pytest.mark.microbit
def test_the_line_servers_heap_is_measured_as_at_boot(fresh_microbit, tmp_path):
    # on a board flashed as the bench's served search leaves it: imported by checked commands,
    # inside exec(), the modules nest too deep for the micro:bit
    code, out, err = run_cli('train', '--epochs', '300', '-o', str(tmp_path / 'x.mn'))
    assert code == 0, err
    code, out, err = run_cli('flash', str(tmp_path / 'x.mn'), '--port', fresh_microbit.port)
    assert code == 0, err
    free = int(re.search(r'\((\d+) bytes of heap free\)', out).group(1))
    left = on_microbit.line_server_heap(fresh_microbit.port)
    assert 0 < left < free, (left, free)


@pytest.mark.slow
@pytest.mark.microbit
def test_a_board_that_dies_in_the_served_search_fails_the_part_not_the_size(fresh_microbit):
    # a size the board was never asked about must not count as not served
    with on_microbit._board(fresh_microbit.port) as board:
        fresh_microbit.proc.kill()
        fresh_microbit.proc.wait()
        with pytest.raises(on_microbit.BROKEN):
            on_microbit.serves(board, [2, 2, 1])


def test_the_room_part_flashes_boards_and_reports_against_its_goal():
    need(emulator.missing())
    from micronn_tools.bench import room
    r = {}
    part = bench.Parts(print)
    part.runtime = 'room'
    room.BOARDS, saved = 2, room.BOARDS  # two boards: the same code, a quicker test
    try:
        room.run_room(part, r)
        assert not part.failed, part.failed
        assert r['room', 1] > 0 and r['room', 2] > 0
        assert '| 2 boards at once (one command) |' in room.room_table(r)
    finally:
        room.BOARDS = saved
    slow = {('room', 1): 4.0, ('room', 5): 12.5}
    assert '3.12x' in room.room_table(slow) and '**missed**' in room.room_table(slow)
    assert room.room_table({('room', 1): 4.0}) is None  # a part that failed shows no table
