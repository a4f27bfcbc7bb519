# Host only. `micronn bench` when a runtime fails part way: the report keeps what was measured
# before, says which runtime stopped and why, marks each goal met, missed or not measured, and
# the largest-net search shows each size as it is decided. The failure is real: the emulated
# micro:bit's QEMU is killed while the search runs. Costly: CPython timing and the micro:bit's
# upload and timing come first, one to three minutes.
import os
import signal
import subprocess
import sys

import pytest

from micronn_tools.emulated import microbit as emulator

from conftest import need


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
    assert '**microbit stopped part way: ' in text
    assert '## CPython' in text  # the runtime before keeps its figures
    assert '| a [4, 16, 3] net trains | not measured in this run | - |' in text
    assert 'microbit failed: ' in ''.join(seen) + rest
    if searched:
        assert '## Emulated micro:bit' in text  # its timing, done before the search, is kept
        line = [l for l in text.splitlines() if l.startswith('| `import micronn`')][0]
        assert line.endswith(('| met |', '| **missed** |')), line
