# Host only. The README's main job, `micronn demo`, as a new user runs it: no board attached,
# so it starts its own emulated micro:bit; and on a busy machine, two processes keeping both
# CPUs busy beside it, as other work does on a user's laptop.
import pytest

from micronn_tools.emulated import microbit as emulator

from conftest import need
from helpers import cli


@pytest.mark.slow
@pytest.mark.microbit
@pytest.mark.usefixtures('busy')
def test_demo_on_a_busy_machine(tmp_path):
    need(emulator.missing())
    code, out, err = cli('demo', '-o', str(tmp_path / 'xor.mn'), cwd=tmp_path)
    assert code == 0, out + err
    assert 'no board attached: starting the' in out
    assert 'the board answers XOR like the host: done' in out
    worst = float(out.split('largest difference ')[1].split()[0])
    assert worst <= 1e-5
