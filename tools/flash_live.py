# Host only. The flashes that involve a gesture model's live loop (`micronn flash MODEL` of a
# model with its .gesture file), on a flash.Flash f: put_live() makes the board run the loop at
# boot; put_over_live() puts a plain model back over it. A cut before main.py is switched in
# leaves the board booting the model before; after the switch, a boot that fails its check
# puts the main.py before back, unless room was short and the loop's files went with the switch.
import micronn_save

from . import files, gesture_board, plan
from . import firmware as fw
from .errors import BoardError, BoardExecError, BoardFull, NotWhole
from .firmware import SLOTS


def put_live(f, model, main, check, fits=None):
    """Flash a gesture model to run its live loop at boot: micronn's files that neither
    what the board boots now nor the live loop needs go first (and the demo, where room
    is short), said; then the gesture firmware, the model file (its bytes) in the live
    slot the board's main.py does not name, checked loading there, then main(slot), the
    boot program naming it, switched in last; then the board boots once and check(lines
    it printed) must pass, else the main.py before is put back. fits(room, plan): what
    would fit, for a refusal when the filesystem cannot hold it. Returns the slot."""
    board, link = f.board, f.link
    room = f.read_room()
    now = link.eval('open("main.py","rb").read()') if 'main.py' in room.sizes else None
    slot = plan.live_slot(now)
    named = plan.live_named(now)
    needs = plan.live_needs(named, room.sizes) if named else plan.serving_needs(
        served_now(f, now), room.sizes)
    modules = gesture_board.modules(board, 'live')
    sums = f.sums(modules)

    def planned(drop):
        return plan.live_flash(modules, room.sizes, sums, slot, model, main(slot), needs,
                               board.fs.copies, drop)
    demo = [n for n in needs if plan.own(n) and fw.module(n) == fw.module(fw.DEMO)]
    for drop in ([], demo) if demo else ([],):
        steps, switch, first = planned(drop)
        try:
            files.check_room(board.fs, room, plan.sized(steps + switch),
                             plan.theirs(room.sizes), fits and fits(room, plan.sized(
                                 steps + switch)) or 'use fewer neurons')
            break
        except BoardFull:
            if drop or not demo:
                raise
    f.put_firmware(steps[:len(first)])
    unneeded = [n for n in first if n not in drop]
    if unneeded:
        f.say('  removed what neither the board\'s boot now nor the live loop needs: %s'
              % ', '.join(unneeded))
    if len(unneeded) < len(first):
        f.say('  removed the demo for room (%s); micronn serves over serial without it'
              % ', '.join(n for n in first if n in drop))
    f.put_firmware(steps[len(first):])
    f.check_intact(modules + [(slot, model)])
    link.exec('import micronn_gmodel\nmicronn_gmodel.load(%r)' % slot, alone=True)
    link.soft_reset()  # the switch's command on a clean heap
    f.put_firmware(switch)
    problem = None
    try:
        problem = check(gesture_board.boot_lines(board, 1, max(link.timeout, 60)))
    except BoardError as e:
        problem = str(e)
    if problem:
        # the board would meet it at every boot: it boots as before the flash instead
        if now is None:
            link.remove('main.py')
        else:
            f.put_firmware(plan.main_switch(now, True, board.fs.copies))
        raise BoardError('%s; the board boots as it did before this flash' % problem)
    return slot


def served_now(f, main_now):
    """(seq, slot) that micronn's main.py serves at boot, or None (none, or another
    main.py than micronn's)."""
    if main_now is None or b'micronn_serve' not in main_now:
        return None
    try:
        return f.board.newest()
    except (NotWhole, BoardExecError):  # it boots serving nothing; a lost link is no answer
        return None


def put_over_live(f, net, room, now):
    """put_model() on a board whose main.py runs the live loop: the model file goes in
    before micronn's main.py does, so that a flash cut at any point leaves the live loop
    booting or the new model served; the live loop's files go in the switch's command
    where room is short."""
    board = f.board
    firmware = board.firmware(net)
    sums = f.sums(firmware)
    slot, seq = plan.next_slot(None, SLOTS)
    data = micronn_save.dumps(net, seq)
    for leave in (False, True):
        steps, switch, late = plan.over_live(firmware, room.sizes, sums,
                                             plan.live_named(now), slot, data,
                                             board.fs.copies, leave)
        try:
            files.check_room(board.fs, room, plan.sized(steps + switch + late),
                             plan.theirs(room.sizes), 'use fewer neurons')
            break
        except BoardFull:
            if leave:
                raise
    f.put_firmware(steps)
    first = [n for op, n, _ in steps if op == 'remove' and n not in dict(firmware)]
    if first:
        f.say('  removed what neither the live loop nor micronn needs: %s' % ', '.join(first))
    f.check_intact(plan.left_by(steps))
    f.link.soft_reset()  # the switch's command on a clean heap
    f.put_firmware(switch)
    gone = [n for op, n, _ in switch if op == 'remove']
    if gone:
        f.say('  removed the live loop\'s files, which micronn\'s main.py does not need: %s'
              % ', '.join(gone))
    f.put_firmware(late)

    def fallback():
        """What the board boots if the new model does not serve: the live loop put back."""
        if leave:
            return ('the live loop\'s files were removed for room, so it has no model: '
                    'flash a smaller model, or the gesture model again')
        f.put_firmware(plan.main_switch(now, True, board.fs.copies))
        return 'the board runs its gesture model at boot again, as before this flash'
    f.put_slot(slot, data, seq, None, firmware, there=True, fallback=fallback)
    f.note_demo()
    return seq
