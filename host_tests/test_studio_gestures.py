# Host only. Gestures in the studio, in a real browser (Debian's chromium, driven by
# playwright): a CreateAI dataset uploaded, its recordings relabelled and deleted on the page
# and downloaded in CreateAI's format; then the whole flow on the virtual board: gestures
# recorded from its simulated accelerometer with the x/y/z plot filling, trained, flashed, and
# classified live by the board itself, its answers shown as confidence bars. No error in the
# browser's console throughout.
import json

import pytest

import gesture_motions
from conftest import need
from micronn_tools import gesture_data, live
from micronn_tools.emulated import vboard
from studio_page import page, shot, studio, wait  # noqa: F401 (page is a fixture)

BOARD_WAIT = 300 * 1000  # ms: a busy 2-CPU machine starts and flashes emulated boards slowly


def rows(page):
    """[(action, samples)] of the recordings list."""
    return [tuple(page.inner_text('#recordings tbody tr:nth-child(%d) td:nth-child(%d)'
                                  % (i + 1, k)) for k in (1, 3))
            for i in range(page.locator('#recordings tbody tr').count())]


def test_a_dataset_uploaded_relabelled_deleted_and_downloaded(page, tmp_path):
    source = gesture_motions.write(tmp_path / 'source.json', gesture_motions.dataset(2))
    with studio() as (url, _, _):
        page.goto(url)
        page.wait_for_selector('#connection:text-is("connected")')
        page.set_input_files('#data-json', source)
        page.wait_for_selector('#data-summary:has-text("3 actions, 6 recordings")')
        assert rows(page) == [('still', '50')] * 2 + [('shake', '50')] * 2 + [
            ('circle', '50')] * 2
        # the second still is a circle: relabelled, then the first shake deleted
        page.select_option('#recordings tbody tr:nth-child(2) select.relabel', 'circle')
        page.wait_for_selector('#data-summary:has-text("3 actions, 6 recordings")')
        page.wait_for_selector('#recordings tbody tr:nth-child(6) td:text-is("circle")')
        page.click('#recordings tbody tr:nth-child(2) button.delete')
        page.wait_for_selector('#data-summary:has-text("3 actions, 5 recordings")')
        assert [a for a, _ in rows(page)] == ['still', 'shake', 'circle', 'circle', 'circle']
        with page.expect_download() as d:
            page.click('#data-download')
        d.value.save_as(str(tmp_path / 'got.json'))
        got = gesture_data.load(str(tmp_path / 'got.json'))  # as `micronn train` reads it
        played = json.load(open(source))
        assert [(a.name, len(a.recordings)) for a in got] == [('still', 1), ('shake', 1),
                                                               ('circle', 3)]
        assert list(got[2].recordings[2][0]) == played[0]['recordings'][1]['data']['x']
        page.fill('#epochs', '40')
        page.click('#train')
        wait(page, '#train-status:text-is("trained")', 120 * 1000)
        page.wait_for_selector('#confusion-figure:not([hidden])')
        assert page.get_attribute('#side-download', 'href').startswith(
            '/api/model/download?file=model.gesture')
        saved = []
        for link in ('#model-download', '#side-download'):
            with page.expect_download() as d:
                page.click(link)
            saved.append(str(tmp_path / d.value.suggested_filename))
            d.value.save_as(saved[-1])
        assert live.read_model(saved[0])[1]['actions'] == ['still', 'shake', 'circle']
    # a studio of its own takes them back, ready to classify live on a board
    with studio() as (url, _, _):
        page.goto(url)
        page.wait_for_selector('#connection:text-is("connected")')
        page.set_input_files('#model-upload', saved)
        wait(page, '#model-summary:has-text("classes still, shake, circle")', 30 * 1000)
        page.wait_for_selector('#live-gesture:not([hidden])')
        assert page.errors == []


@pytest.mark.slow
def test_record_train_flash_and_classify_live_on_the_virtual_board(page, tmp_path):
    need(vboard.missing())
    # the simulated accelerometer replays still, still, shake, shake, circle, circle, then again
    source = gesture_motions.write(tmp_path / 'source.json', gesture_motions.dataset(2))
    with studio('--accel', source) as (url, _, _):
        page.goto(url)
        page.wait_for_selector('#connection:text-is("connected")')
        page.click('#emulate-modern')
        wait(page, '#boards tbody tr .status:text-is("ready")', BOARD_WAIT)
        page.click('#data-gestures')
        page.wait_for_selector('#record:not([hidden])')
        assert page.input_value('#record-sensor') == 'vboard_accel.read'
        done = 0
        for action in gesture_motions.ACTIONS:
            page.fill('#new-action', action)
            page.click('#add-action')
            for _ in range(2):
                page.click('#record-start')
                done += 1
                wait(page, '#data-summary:has-text("%d recordings")' % done, BOARD_WAIT)
                # the plot filled as the samples came: uPlot's legend holds the last one
                assert page.locator('#xyz-plot canvas').count() == 1
        assert [a for a, _ in rows(page)] == [a for a in gesture_motions.ACTIONS
                                              for _ in range(2)]
        page.fill('#epochs', '60')
        page.click('#train')
        wait(page, '#train-status:text-is("trained")', 120 * 1000)
        diagonal = [page.inner_text('#confusion tr:nth-child(%d) td:nth-child(%d)' % (k + 2,
                                                                                     k + 2))
                    for k in range(3)]
        assert diagonal == ['2', '2', '2']
        page.click('#flash-all')
        wait(page, '#flash-table:not([hidden])', BOARD_WAIT)
        assert 'all 1 boards: ok' in page.inner_text('#flash-table')
        page.click('#live-start')
        wait(page, '#live-bars .bar.top', BOARD_WAIT)
        said = page.get_attribute('#live-bars .bar.top', 'data-class')
        assert said in gesture_motions.ACTIONS
        assert page.inner_text('#live-status').endswith(': ' + said)
        shot(page, 'studio-gestures.png')
        page.click('#live-stop')
        assert page.errors == []
