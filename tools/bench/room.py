# Host only. The bench's classroom part: the wall time of one `micronn flash` to one emulated
# micro:bit, and to five at once. Boards wait on their serial links, so on a machine with cores
# to spare five take about as long as one; on a busy 2-CPU machine the five QEMUs share it.
# Wall time is what a teacher waits, so wall time is measured here, and only reported.
import contextlib
import os
import subprocess
import sys
import tempfile
import time

import micronn

BOARDS = 5


def xor_model(path):
    """A [2, 3, 1] net as `micronn train` writes one; its weights do not matter here."""
    net = micronn.NeuralNet(['x1', 'x2'], seed=1)
    net.add_layer(3)
    net.add_layer(1)
    net.save(path)


def flash_seconds(model, ports):
    """Wall seconds of `micronn flash model --port P ...` over ports, as a user runs it."""
    args = [a for p in ports for a in ('--port', p)]
    start = time.monotonic()
    p = subprocess.run([sys.executable, '-m', 'micronn_tools.cli', 'flash', model] + args,
                       capture_output=True, text=True)
    took = time.monotonic() - start
    if p.returncode:
        raise RuntimeError('flash to %d board(s) failed: %s'
                           % (len(ports), (p.stderr.strip().splitlines() or ['?'])[-1]))
    return took


def run_room(part, r):
    """r['room', k] = seconds to flash k fresh emulated micro:bits with one command."""
    from ..emulated.microbit import EmulatedMicrobit

    def measure():
        with tempfile.TemporaryDirectory() as d:
            model = os.path.join(d, 'xor.mn')
            xor_model(model)
            for k in (1, BOARDS):
                with contextlib.ExitStack() as stack:
                    ports = [stack.enter_context(EmulatedMicrobit(seed=1)).port
                             for _ in range(k)]
                    r['room', k] = flash_seconds(model, ports)
    part(None, measure)


def room_table(r):
    """Markdown: one board's flash against five at once, and the goal."""
    one, five = r.get(('room', 1)), r.get(('room', BOARDS))
    if not one or not five:
        return None
    return '\n'.join([
        '| `micronn flash` to fresh emulated micro:bits | wall time | / one board |',
        '|---|---:|---:|',
        '| 1 board | %.1f s | 1.00x |' % one,
        '| %d boards at once (one command) | %.1f s | %.2fx |' % (BOARDS, five, five / one),
        '',
        'Goal: %d boards take at most 3x one board\'s flash on this %d-CPU machine: %s.'
        % (BOARDS, os.cpu_count() or 0, 'met' if five <= 3 * one else '**missed**')])
