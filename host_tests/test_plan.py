# Host only, no board. The flash planner: from what a board lists and what must be written,
# the steps of a flash, in order.
from micronn_tools import firmware as fw
from micronn_tools import plan
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
    only = fw.served_by_model_files()
    board = {SLOTS[0]: b'model', 'main.py': b'main 1', 'notes.txt': b'mine'}
    board.update({m + '.py': b'code' for m in only})
    sizes, sums = listing(board)
    firmware = [('main.py', b'main 2')]
    keep = [(EXPORT_SLOTS[1], b'the old model')]
    steps, gone, room = plan.export_flash(firmware, sizes, sums, keep, EXPORT_SLOTS[0], 99)
    assert sorted(gone) == sorted([SLOTS[0]] + [m + '.py' for m in only])
    assert room == (plan.sized(steps) + [('write', EXPORT_SLOTS[1], 13)]
                    + [('remove', n, None) for n in gone] + [('write', EXPORT_SLOTS[0], 99)])


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
