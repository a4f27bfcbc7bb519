# Host only. The studio in a real browser (Debian's chromium, driven by playwright): XOR trained
# on the page, its decision boundary redrawn as it trains, then an emulated board started from
# the page (the offer made when no board is attached), flashed, and asked on the page, its
# answer shown as the board's own. No error in the browser's console throughout.
import pytest

from conftest import need
from micronn_tools.emulated import vboard
from studio_page import page, shot, studio, wait  # noqa: F401 (page is a fixture)

BOARD_WAIT = 300 * 1000  # ms: a busy 2-CPU machine starts and flashes emulated boards slowly


def colour(page, x, y):
    """The boundary canvas's colour at (x, y), as [r, g, b]."""
    return page.eval_on_selector('#boundary', '(c, [x, y]) => Array.from(c.getContext("2d")'
                                 '.getImageData(x, y, 1, 1).data.slice(0, 3))', [x, y])


def test_xor_boundary_as_it_trains(page):
    with studio() as (url, _, _):
        page.goto(url)
        page.wait_for_selector('#connection:text-is("connected")')
        page.wait_for_selector('#no-board:not([hidden])')  # the offer, with no board
        page.click('#data-xor')
        page.fill('#epochs', '4000')
        page.click('#train')
        wait(page, '#train-status:text-is("trained")', 120 * 1000)
        # redrawn as it trains: the canvas says the epoch it was last drawn at
        assert page.get_attribute('#boundary', 'data-epoch') == '4000'
        assert 'accuracy 100.0%' in page.inner_text('#accuracy')
        w = int(page.get_attribute('#boundary', 'width'))
        # XOR's corners: (0, 0) and (1, 1) one class, (0, 1) and (1, 0) the other; the
        # inputs span 10% inside each edge. Sampled beside each point, not on it.
        at = {(i, j): colour(page, int(w * (0.1 + 0.8 * i) + (8 if i == 0 else -8)),
                             int(w * (0.9 - 0.8 * j)) + (-8 if j == 0 else 8))
              for i in (0, 1) for j in (0, 1)}
        assert at[0, 0] != at[0, 1] and at[0, 0] != at[1, 0]
        assert _near(at[0, 0], at[1, 1]) and _near(at[0, 1], at[1, 0])
        assert page.inner_text('#confusion').split() == ['0', '1', '0', '2', '0', '1', '0', '2']
        assert page.errors == []


def _near(a, b):
    return max(abs(p - q) for p, q in zip(a, b)) < 40


@pytest.mark.slow
def test_xor_flashed_and_asked_on_the_board(page):
    need(vboard.missing())
    with studio() as (url, _, _):
        page.goto(url)
        page.wait_for_selector('#connection:text-is("connected")')
        page.click('#emulate-modern')
        wait(page, '#boards tbody tr .status:text-is("ready")', BOARD_WAIT)
        page.click('#train')
        wait(page, '#train-status:text-is("trained")', 120 * 1000)
        page.click('#flash-all')
        wait(page, '#flash-table:not([hidden])', BOARD_WAIT)
        assert 'flashed: seq 1' in page.inner_text('#flash-table')
        assert 'all 1 boards: ok' in page.inner_text('#flash-table')
        wait(page, '#boards tbody tr .serves:text-is("seq 1 (model file)")', BOARD_WAIT)
        page.fill('.live-input[data-i="1"]', '1')  # x1 0, x2 1: XOR says 1
        page.click('#live-ask')
        wait(page, '#live-bars .bar', BOARD_WAIT)
        answer = float(page.inner_text('#live-bars .bar span:last-child'))
        assert answer > 0.9
        assert 'answered 0 1' in page.inner_text('#live-status')
        shot(page, 'studio-xor.png')
        assert page.errors == []
