# Host only, no board. The flash planner: from what a board lists and what must be written,
# the steps of a flash, in order.
import pytest

from micronn_tools import firmware as fw
from micronn_tools import plan
from micronn_tools.errors import BoardFull
from micronn_tools.files import adler32
from micronn_tools.firmware import EXPORT_SLOTS, SLOTS


def listing(files):
    """What a board holding files {name: bytes} lists: (sizes, sums)."""
    return ({n: len(d) for n, d in files.items()},
            {n: (len(d), adler32(d)) for n, d in files.items()})


def sums_for(firmware, board):
    """The sums a board holding board {name: bytes} reports for firmware's names."""
    return {n: (len(board[n]), adler32(board[n])) if n in board else None for n, _ in firmware}


def steps_of(firmware, board, late=('late',)):
    sizes, _ = listing(board)
    return [(op, n, a if op == 'move' else None if a is None else len(a))
            for op, n, a in plan.firmware_steps(firmware, sizes, sums_for(firmware, board),
                                                list(late))]


FIRMWARE = [('core.py', b'core 2'), ('late.py', b'late 2'), ('main.py', b'main 2')]


def test_a_board_that_holds_the_firmware_needs_no_step():
    assert steps_of(FIRMWARE, dict(FIRMWARE)) == []


def test_an_empty_board_gets_each_file_straight():
    assert steps_of(FIRMWARE, {}) == [('write', 'core.py', 6), ('write', 'main.py', 6),
                                      ('write', 'late.py', 6)]


def test_changed_boot_files_are_switched_in_together_and_the_rest_written_last():
    old = {'core.py': b'core 1', 'late.py': b'late 1', 'main.py': b'main 1'}
    assert steps_of(FIRMWARE, old) == [
        ('remove', 'late.py', None),  # room for the boot files' old and new copies
        ('write', 'core.new', 6), ('write', 'main.new', 6),
        ('move', 'core.py', 'core.new'), ('move', 'main.py', 'main.new'),
        ('write', 'late.py', 6)]


def test_only_what_changed_is_written():
    board = dict(FIRMWARE, **{'main.py': b'main 1', 'notes.txt': b'mine'})
    assert steps_of(FIRMWARE, board) == [('write', 'main.new', 6), ('move', 'main.py', 'main.new')]


def test_leftovers_of_a_cut_flash_go_first():
    board = dict(FIRMWARE, **{'core.new': b'half', 'core.py': b'core 1'})
    assert steps_of(FIRMWARE, board) == [('remove', 'core.new', None), ('write', 'core.new', 6),
                                         ('move', 'core.py', 'core.new')]


def test_a_twin_of_another_kind_goes_with_the_switch():
    # a board that held core.mpy now gets core.py: the .py would be imported first
    firmware = [('core.mpy', b'compiled 2')]
    board = {'core.mpy': b'compiled 1', 'core.py': b'source'}
    assert steps_of(firmware, board) == [('write', 'core.new', 10), ('remove', 'core.py', None),
                                         ('move', 'core.mpy', 'core.new')]


def test_what_is_written_last_comes_from_the_manifest():
    last = plan.written_last([])
    assert last == fw.off_boot()
    # a module boot imports only for a net with other activations, on the board or written:
    # then what boot imports with it is switched in, not written last
    act = [b for _, b in fw.files('model', act=True) if b not in dict(fw.files('model'))]
    booted = [n for n in act if fw.module(n) not in fw.off_boot(act=True)]
    for name in booted:
        assert plan.written_last([name]) == fw.off_boot(act=True)
    assert set(fw.off_boot(act=True)) <= set(last)


def test_a_model_flash_from_the_manifest_switches_in_every_boot_file():
    firmware = [(b, b'new ' + b.encode()) for _, b in fw.files('model')]
    board = {n: b'old ' + n.encode() for n, _ in firmware}
    sizes, _ = listing(board)
    steps = plan.firmware_steps(firmware, sizes, sums_for(firmware, board))
    late = [n for n, _ in firmware if fw.module(n) in fw.off_boot()]
    boot = [n for n, _ in firmware if n not in late]
    assert [s[:2] for s in steps] == (
        [('remove', n) for n in late] + [('write', fw.module(n) + '.new') for n in boot]
        + [('move', n) for n in boot] + [('write', n) for n in late])
    assert boot[-1] == 'main.py'  # switched in last of all


def test_a_model_flash_over_a_board_serving_model_files():
    firmware = [('main.py', b'main 2')]
    sizes, sums = listing({'main.py': b'main 1', SLOTS[0]: b'a' * 50, SLOTS[1]: b'b' * 30})
    steps, room, restore = plan.model_flash(firmware, [], sizes, sums, None, 40)
    assert steps == [('write', 'main.new', b'main 2'), ('move', 'main.py', 'main.new')]
    assert room == [('write', 'main.new', 6), ('move', 'main.py', 'main.new'),
                    ('write', SLOTS[1], 40)]  # the smaller slot counts as the one replaced
    assert restore == []


def test_a_model_flash_over_a_board_serving_an_export(monkeypatch):
    monkeypatch.setattr(plan, '_export_only', lambda: ['server.py'])
    firmware = [('main.py', b'main 2')]
    board = {'main.py': b'main 1', 'server.py': b'serves', EXPORT_SLOTS[0]: b'x',
             EXPORT_SLOTS[1]: b'y'}
    sizes, sums = listing(board)
    export_firmware = [('server.py', b'serves'), ('main.py', b'main 2')]
    steps, room, restore = plan.model_flash(firmware, export_firmware, sizes, sums,
                                            (2, EXPORT_SLOTS[1]), 40)
    # the older export and the export's server go first; the served export stays, and its
    # server is written back if the model file does not serve
    assert steps[:2] == [('remove', EXPORT_SLOTS[0], None), ('remove', 'server.py', None)]
    assert restore == [('server.py', b'serves')]
    assert room[-1] == ('write', SLOTS[0], 40)


def test_an_idle_export_server_goes(monkeypatch):
    monkeypatch.setattr(plan, '_export_only', lambda: ['server.py'])
    sizes, sums = listing({'server.py': b'serves'})
    steps, _, restore = plan.model_flash([], [], sizes, sums, None, 40)
    assert steps == [('remove', 'server.py', None)] and restore == []


def test_an_export_flash_drops_what_serves_only_model_files():
    # a board serving model_a.mn: what boot never imports and the slot not served go before
    # anything is written; what serves model_a.mn goes once it is kept as an export
    only = fw.served_by_model_files()
    board = {SLOTS[0]: b'model', SLOTS[1]: b'older', 'main.py': b'main 1', 'notes.txt': b'mine'}
    board.update({m + '.py': b'code' for m in only})
    sizes, sums = listing(board)
    firmware = [('main.py', b'main 2')]
    keep = [(EXPORT_SLOTS[1], b'the old model')]
    steps, gone, switch, room = plan.export_flash(firmware, sizes, sums, keep, EXPORT_SLOTS[0],
                                                  99, (3, SLOTS[0]))
    never = [m + '.py' for m in only if m in fw.off_boot(act=True)]
    first = [n for op, n, _ in steps if op == 'remove']
    assert sorted(first) == sorted(never + [SLOTS[1]])
    assert steps[:len(first)] == [('remove', n, None) for n in first]  # before any write
    assert sorted(gone) == sorted([SLOTS[0]] + [m + '.py' for m in only if m + '.py' not in never])
    assert 'notes.txt' not in first + gone
    assert room == (plan.sized(steps) + [('write', EXPORT_SLOTS[1], 13)]
                    + [('remove', n, None) for n in gone] + [('write', EXPORT_SLOTS[0], 99)])


def test_the_export_server_comes_in_as_micronn_goes():
    # boot tries micronn_exports wherever there is one: beside micronn, it would take the heap
    # the model file served till then needs, so it is written as a temporary and moved in by
    # the command that removes micronn
    server = [m['file'] for m in fw.manifest() if m['flash'] == ['export']
              and m['boot'] == 'always']
    assert server == ['micronn_exports.py']
    firmware = [('micronn_exports.py', b'finds'), ('main.py', b'main 2')]
    board = {'main.py': b'main 1', 'micronn.py': b'net', SLOTS[0]: b'model'}
    sizes, _ = listing(board)
    steps, gone, switch, room = plan.export_flash(
        firmware, sizes, sums_for(firmware, board), [(EXPORT_SLOTS[1], b'kept')],
        EXPORT_SLOTS[0], 99, (1, SLOTS[0]))
    assert switch == [('micronn_exports.py', b'finds')]
    assert 'micronn_exports.py' not in [n for _, n, _ in steps]
    assert sorted(gone) == ['micronn.py', SLOTS[0]]
    assert room[-6:] == [('write', EXPORT_SLOTS[1], 4), ('write', 'micronn_exports.new', 5)] + [
        ('remove', n, None) for n in gone] + [
        ('move', 'micronn_exports.py', 'micronn_exports.new'), ('write', EXPORT_SLOTS[0], 99)]


def test_an_export_flash_after_one_cut_short_clears_its_temporary_first():
    import micronn_boards as boards
    from micronn_tools import files
    firmware = [('micronn_exports.py', b'finds'), ('main.py', b'main 2')]
    board = {'main.py': b'main 2', 'micronn.py': b'net', SLOTS[0]: b'model',
             'micronn_exports.new': b'fin'}
    sizes, _ = listing(board)
    steps, gone, switch, room = plan.export_flash(
        firmware, sizes, sums_for(firmware, board), [(EXPORT_SLOTS[1], b'kept')],
        EXPORT_SLOTS[0], 99, (1, SLOTS[0]))
    assert steps[0] == ('remove', 'micronn_exports.new', None)
    assert 'micronn_exports.new' not in gone
    fs = files.for_profile(boards.get('microbit-emulated'))
    files.check_room(fs, fs.room(list(sizes.items())), room)


def test_an_export_flash_over_an_export_drops_micronn_first():
    # a board serving an export needs none of micronn: it all goes before anything is written
    only = fw.served_by_model_files()
    board = {EXPORT_SLOTS[1]: b'served', SLOTS[0]: b'old model', 'main.py': b'main 2'}
    board.update({m + '.py': b'code' for m in only})
    sizes, sums = listing(board)
    steps, gone, _, _ = plan.export_flash([('main.py', b'main 2')], sizes, sums, [],
                                          EXPORT_SLOTS[0], 99, (4, EXPORT_SLOTS[1]))
    assert sorted(n for _, n, _ in steps) == sorted([SLOTS[0]] + [m + '.py' for m in only])
    assert gone == []


def test_what_is_micronns_and_what_is_the_users():
    sizes = {'micronn.py': 1, 'micronn_train.mpy': 2, 'micronn_serve.new': 3, 'main.py': 4,
             'mine.new': 13,
             'micronn_demo.py': 5, SLOTS[0]: 6, EXPORT_SLOTS[1]: 7, 'notes.txt': 8,
             'xor_model.py': 9, 'micronn_mine.py': 10, 'boot.py': 11}
    assert plan.theirs(sizes) == [('boot.py', 11), ('micronn_mine.py', 10), ('mine.new', 13),
                                  ('notes.txt', 8), ('xor_model.py', 9)]


def microbit_firmware(kind, act=False):
    """[(name, bytes)] a flash of kind writes to the emulated micro:bit, from the manifest."""
    import micronn_boards as boards
    profile = boards.get('microbit-emulated')
    return [(b, fw.device_source(h, profile)) for h, b in
            fw.files(kind, act=act, demo=profile.get('demo_module'))]


def test_an_export_fits_where_micronn_and_a_model_filled_the_microbit():
    # the case: micronn and a [4, 5, 3] model file on a micro:bit, then an export of
    # XOR: with micronn's training modules gone first, the old model (kept as an export) and
    # the new one fit; with everything kept till the end, they would not
    import micronn_boards as boards
    from micronn_tools import files
    fs = files.for_profile(boards.get('microbit-emulated'))
    board = dict(microbit_firmware('model'))
    board[SLOTS[0]] = b'm' * 448
    export = microbit_firmware('export')
    sizes, _ = listing(board)
    room = fs.room(list(sizes.items()))
    keep, slot = [(EXPORT_SLOTS[1], b'k' * 2234)], EXPORT_SLOTS[0]
    steps, gone, switch, need = plan.export_flash(export, sizes, sums_for(export, board), keep,
                                                  slot, 1118, (1, SLOTS[0]))
    files.check_room(fs, room, need)
    late = [s for s in need if s[0] != 'remove'] + [('remove', n, None) for n in sizes
                                                     if plan.own(n) and n not in dict(export)]
    with pytest.raises(BoardFull):
        files.check_room(fs, room, late)


def test_a_full_filesystem_names_the_users_files():
    import micronn_boards as boards
    from micronn_tools import files
    fs = files.for_profile(boards.get('microbit-emulated'))
    sizes = {'micronn.py': 9000, 'notes.txt': 3000, 'log.csv': 1200}
    room = fs.room(list(sizes.items()))
    with pytest.raises(BoardFull) as e:
        files.check_room(fs, room, [('write', 'model_a.mn', 4000)], plan.theirs(sizes))
    assert 'log.csv, 1200 bytes, notes.txt, 3000 bytes' in str(e.value)
    mine = {'micronn.py': 9000, SLOTS[0]: 4200}
    with pytest.raises(BoardFull) as e:
        files.check_room(fs, fs.room(list(mine.items())), [('write', SLOTS[1], 4000)],
                         plan.theirs(mine), 'flash it with --export')
    assert "only micronn's files" in str(e.value) and 'flash it with --export' in str(e.value)


def test_slots_take_turns_and_sequence_numbers_rise():
    assert plan.next_slot(None, SLOTS) == (SLOTS[0], 1)
    assert plan.next_slot((4, SLOTS[0]), SLOTS) == (SLOTS[1], 5)
    assert plan.next_slot((5, SLOTS[1]), SLOTS) == (SLOTS[0], 6)
    # after an export, a model file goes to the first slot, above the export's number
    assert plan.next_slot((7, EXPORT_SLOTS[0]), SLOTS) == (SLOTS[0], 8)


def test_the_model_file_served_stays_as_an_export():
    assert plan.kept_as_export((3, SLOTS[1])) == EXPORT_SLOTS[1]
    assert plan.kept_as_export((3, EXPORT_SLOTS[0])) is None
    assert plan.kept_as_export(None) is None


def test_a_model_flash_over_a_live_loop_puts_what_its_boot_imports_before_main():
    # a relu net's boot imports micronn_act: written after micronn's main.py, a flash cut
    # between them would leave a main.py that cannot build the net
    firmware = [(b, b'new ' + b.encode()) for _, b in fw.files('model', act=True)]
    board = {'main.py': b"m = 'live_a.mn'", 'live_a.mn': b'gesture', 'micronn_live.py': b'l'}
    sizes, _ = listing(board)
    steps, switch, late = plan.over_live(firmware, sizes, sums_for(firmware, board),
                                         'live_a.mn', SLOTS[0], b'net', False, False)
    assert 'micronn_act.py' in [n for op, n, _ in steps if op == 'write']
    assert {fw.module(n) for _, n, _ in late} <= set(fw.off_boot(act=True)) | {
        fw.module(fw.DEMO)}
    assert [n for _, n, _ in switch] == ['main.new', 'main.py']


def test_what_steps_leave_is_named_as_it_ends():
    steps = [('remove', 'old.py', None), ('write', 'a.new', b'1'), ('write', 'b.py', b'2'),
             ('move', 'a.py', 'a.new'), ('write', 'c.py', b'3'), ('remove', 'c.py', None)]
    assert plan.left_by(steps) == [('b.py', b'2'), ('a.py', b'1')]
