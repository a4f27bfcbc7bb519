# Host only. The flash planner: from what the board lists (names, sizes, sums) and what must be
# written, the steps of a flash, in order. It reads nothing from the board: flash.py gathers
# what the board holds, asks here, and carries the steps out. What a module is for comes from
# the firmware's manifest, through firmware.py.
#
# A step is ('write', name, bytes), ('remove', name, None), ('move', name, temporary): the
# temporary, written by an earlier step, replaces name; or ('put', name, bytes): a write in one
# command.
from . import firmware as fw
from .files import adler32
from .firmware import EXPORT_SLOTS, LIVE_SLOTS, SLOTS


def firmware_steps(firmware, sizes, sums, late=None):
    """The steps that put firmware [(name, bytes)] on a board that lists sizes {name: size}
    and holds sums {name: (size, adler32 hex) or None} for firmware's names. Files boot
    imports that differ from the board's copies are all written as temporaries first, then
    switched in by one command: a cut link leaves the old firmware or the new, never a mix.
    late: modules boot does not import (default: from the manifest), written last, their old
    copies removed first, so that old and new copies of what boot imports fit side by side."""
    if late is None:
        late = written_last(list(sizes) + [n for n, _ in firmware])
    stale = [(n, d) for n, d in firmware if sums[n] != (len(d), adler32(d))]
    last = [(n, d) for n, d in stale if fw.module(n) in late]
    # a file the board does not have goes straight in: no old firmware imports it (but see
    # export_flash for micronn_exports, which boot tries where there is one)
    new = [(n, d) for n, d in stale if fw.module(n) not in late and n not in sizes]
    boot = [(n, d) for n, d in stale if fw.module(n) not in late and n in sizes]
    # first go leftovers of a flash cut short and the old copies of what is written last;
    # with the switch, the .py/.mpy twins of what is written (.py is imported first)
    first = [n for n in sizes if n.endswith('.new')] + [n for n, _ in last if n in sizes]
    twins = [t for t in (_twin(n) for n, _ in stale) if t in sizes]
    return ([('remove', n, None) for n in first]
            + [('write', n, d) for n, d in new]
            + [('write', temporary(n), d) for n, d in boot]
            + [('remove', n, None) for n in twins]
            + [('move', n, temporary(n)) for n, _ in boot]
            + [('write', n, d) for n, d in last])


def _tried():
    """Modules main.py tries at every boot, where they are, and not every flash writes."""
    kinds = {k for m in fw.manifest() for k in m['flash'] if k in ('model', 'export')}
    return {fw.module(m['file']) for m in fw.manifest() if m['boot'] == 'always'
            and not kinds <= set(m['flash']) and 'demo' not in m['flash']}


def written_last(names):
    """The modules a flash writes last, for a board whose files and firmware are names: what
    boot does not import. Where a module that boot imports only for a net whose layers are not
    all sigmoid is among them (a slot may hold such a net), fewer."""
    plain = {b for _, b in fw.files('model')}
    act_only = {fw.module(b) for _, b in fw.files('model', act=True) if b not in plain}
    booted = act_only - set(fw.off_boot(act=True))
    return fw.off_boot(act=any(fw.module(n) in booted for n in names))


def serves_export(sizes):
    """Whether the board holds an export: what it serves must then be read before planning."""
    return any(n in sizes for n in EXPORT_SLOTS)


def model_flash(firmware, export_firmware, sizes, sums, served, size):
    """A model file's flash: (steps, room, restore). export_firmware: what an export's flash
    writes; served: (seq, slot) the board serves, read where serves_export(sizes); size: the
    model file's. The exports not served and what only an export's server needs go first,
    so that boot goes to micronn with all the heap there is; restore: those server files,
    written back if the model file does not serve (the served export stays, a fallback).
    room: steps, then the model file's write, for the room check: the slot written is known
    only once the new firmware runs, so the smaller one counts as the one replaced."""
    exports = [n for n in EXPORT_SLOTS if n in sizes]
    only = _export_only()
    older = [n for n in exports if not served or n != served[1]]
    restore = [(n, d) for n, d in export_firmware if n in only] if exports else []
    # and a server of exports with none to serve (a first export flash that failed) goes too:
    # boot would compile it first, into the heap micronn needs
    idle = [n for n in only if n in sizes] if not exports else []
    steps = ([('remove', n, None) for n in older + [n for n, _ in restore] + idle]
             + firmware_steps(firmware, sizes, sums))
    slot = min(SLOTS, key=lambda s: sizes.get(s, 0))
    return steps, sized(steps) + [('write', slot, size)], restore


def export_flash(firmware, sizes, sums, keep, slot, size, served=None):
    """An export's flash: (steps, gone, switch, room). keep: [(slot, bytes)], the model file
    served now as an export, written after steps; served: (seq, slot) the board serves now,
    or None. micronn's files that the export's flash does not need go: first, before anything
    is written, those that what is served now does not need either (the training modules, a
    slot not served); gone, once keep is written, the rest (the served model file and what
    serves it). switch: [(name, bytes)] of the export's server new to the board, written as
    temporaries after keep and moved in by the one command that removes gone: boot tries
    micronn_exports wherever there is one, and beside micronn it would take the heap that the
    model file served till then needs. Then slot is written, size bytes. room: all of it, for
    the room check."""
    # both export slots stay: the one not written is the fallback should the new one not serve
    needed = {n for n, _ in firmware + keep} | set(EXPORT_SLOTS)
    unneeded = [n for n in sizes if own(n) and n not in needed]
    now = serving_needs(served, sizes)
    first = [n for n in unneeded if n not in now]
    gone = [n for n in unneeded if n in now]
    left = {n: s for n, s in sizes.items() if n not in first}
    switch = [(n, d) for n, d in firmware if n not in sizes and fw.module(n) in _tried()]
    steps = [('remove', n, None) for n in first] + firmware_steps(
        [f for f in firmware if f not in switch], left, sums)
    return steps, gone, switch, (
        sized(steps) + [('write', n, len(d)) for n, d in keep]
        + [('write', temporary(n), len(d)) for n, d in switch]
        + [('remove', n, None) for n in gone]
        + [('move', n, temporary(n)) for n, _ in switch] + [('write', slot, size)])


def live_named(main_now):
    """The live slot a board's main.py (its bytes, or None) boots, or None: not a live loop."""
    for slot in LIVE_SLOTS:
        if main_now and (b"'%s'" % slot.encode()) in main_now:
            return slot
    return None


def live_slot(main_now):
    """The live slot a gesture model's flash writes: the one the board's main.py (its bytes,
    or None) does not name, so that the model it boots now stays whole until the switch."""
    return LIVE_SLOTS[1] if live_named(main_now) == LIVE_SLOTS[0] else LIVE_SLOTS[0]


def live_needs(slot, sizes):
    """The files on a board that its boot needs to run the live loop on slot."""
    return {n for n in sizes if fw.module(n) in _live_modules()} | {slot, 'main.py'}


def live_flash(modules, sizes, sums, slot, model, main, needs, copies, drop=()):
    """A gesture model's flash, to run its live loop at boot: (steps, switch, first). modules:
    [(name, bytes)], the gesture firmware; sums: the board's, for their names; model: the model
    file's bytes, for slot (live_slot()); main: the boot program naming slot; needs: what the
    board's boot needs now (serving_needs(), live_needs()); drop: of those, what may go too
    (the demo, when room is short); copies: the board replaces a file by copying it.
    first: micronn's files that neither boot now nor the live loop needs, removed before
    anything is written. steps then put the firmware and the model there, each module the
    board holds switched in with the others by one command (the live loop may import them at
    boot); switch then puts main in, alone. Until switch the board boots as before: a flash cut
    short leaves the model it ran."""
    keep = (set(needs) - set(drop)) | {n for n, _ in modules} | {slot, 'main.py'}
    first = sorted(n for n in sizes if own(n) and n not in keep)
    left = {n: s for n, s in sizes.items() if n not in first}
    steps = ([('remove', n, None) for n in first]
             + firmware_steps(modules, left, sums, late=()) + [('write', slot, model)])
    return steps, main_switch(main, 'main.py' in sizes, copies), first


def main_switch(main, there, copies):
    """The steps that put main.py's bytes main in place of the one there (or not). Where the
    board replaces a file by copying it, a temporary keeps nothing whole that the one command
    carrying the bytes does not (a cut link stops neither), and it would take room beside
    both: the command ('put') carries them."""
    if not there:
        return [('write', 'main.py', main)]
    if copies:
        return [('put', 'main.py', main)]
    return [('write', temporary('main.py'), main), ('move', 'main.py', temporary('main.py'))]


def over_live(firmware, sizes, sums, named, slot, model, copies, leave):
    """A model file's flash on a board whose main.py runs the live loop on the live slot named:
    (steps, switch, late). steps: first micronn's files that neither the live loop nor this
    flash needs go (model and export slots a live loop does not serve, the other live slot,
    an export's server); then what micronn's main.py imports, and the model file, in slot
    (model: its bytes). switch: micronn's main.py in, in one command that also removes the
    live loop's files if leave (room is short). late: the rest of firmware, written after the
    switch (the demo and the training modules: boot does without them). A flash cut before
    the switch leaves the live loop booting."""
    # what boot does without, for this net (micronn_act it imports for one that needs it)
    last = set(written_last(list(sizes) + [n for n, _ in firmware])) | {fw.module(fw.DEMO)}
    main = dict(firmware)['main.py']
    early = [(n, d) for n, d in firmware if fw.module(n) not in last and n != 'main.py']
    later = [(n, d) for n, d in firmware if fw.module(n) in last]
    needed = live_needs(named, sizes) | {n for n, _ in firmware}
    first = [n for n in sizes if own(n) and n not in needed]
    left = {n: s for n, s in sizes.items() if n not in first}
    steps = ([('remove', n, None) for n in first] + firmware_steps(early, left, sums, late=())
             + [('write', slot, model)])
    gone = sorted(live_needs(named, sizes) - {'main.py'} - {n for n, _ in firmware}) \
        if leave else []
    after = {n: s for n, s in left.items() if n not in gone}
    after.update((n, len(d)) for n, d in early + [(slot, model), ('main.py', main)])
    return (steps, [('remove', n, None) for n in gone] + main_switch(main, True, copies),
            firmware_steps(later, after, sums))


def own(name):
    """Whether a file on a board is one micronn put there: a firmware module (as .py or .mpy),
    the demo, a model, export or live slot, `micronn live`'s model, or a temporary of a flash
    cut short."""
    if name in SLOTS + EXPORT_SLOTS + LIVE_SLOTS + (fw.GESTURE_FILE,):
        return True
    if name.endswith('.new'):
        return own(fw.module(name) + '.py')
    return name.endswith(('.py', '.mpy')) and fw.module(name) in _flashed()


def theirs(sizes):
    """[(name, size)] of the files on a board that are not micronn's: the user's own, which a
    full filesystem's refusal names."""
    return sorted((n, s) for n, s in sizes.items() if not own(n))


def serving_needs(served, sizes):
    """The files on a board that its boot needs to serve what it serves now, served (seq, slot)
    or None: a model file needs micronn, an export only its server."""
    if not served:
        return set()
    kinds = ('always', 'model', 'act') if served[1] in SLOTS else ('always',)
    booted = {fw.module(m['file']) for m in fw.manifest() if m['boot'] in kinds}
    booted.add(fw.module(fw.DEMO))
    return {n for n in sizes if n.endswith(('.py', '.mpy')) and own(n)
            and fw.module(n) in booted} | {served[1]}


def _flashed():
    """The modules some kind of flash writes, under their names on the board."""
    return {fw.module(m['file']) for m in fw.manifest() if m['flash']} | {fw.module(fw.DEMO)}


def kept_as_export(served):
    """The export slot the model file served now goes to, converted, when an export is
    flashed (None if the board serves no model file): the previous model stays a fallback."""
    return EXPORT_SLOTS[1] if served and served[1] in SLOTS else None


def next_slot(served, slots):
    """(slot, seq) for a new model: the slot of slots not in use, and a sequence number above
    every other slot's, since the newest serves. served: (seq, slot) or None."""
    slot = slots[1] if served and served[1] == slots[0] else slots[0]
    return slot, served[0] + 1 if served else 1


def left_by(steps):
    """[(name, bytes)] of the files steps leave written on a board, under their final names:
    a temporary counts under the name it is moved to, a file removed after it is written not
    at all."""
    out = {}
    for op, n, a in steps:
        if op in ('write', 'put'):
            out[n] = a
        elif op == 'move':
            out[n] = out.pop(a)
        else:
            out.pop(n, None)
    return list(out.items())


def sized(steps):
    """steps as files.check_room counts them: a write's size in place of its bytes (a 'put'
    is a write whose bytes go in one command)."""
    return [('write', n, len(a)) if op in ('write', 'put') else (op, n, a)
            for op, n, a in steps]


def _live_modules():
    return {fw.module(m['file']) for m in fw.manifest() if 'live' in m['flash']}


def _export_only():
    """Files on the board only an export's server needs."""
    model = {b for _, b in fw.files('model', act=True)}
    return [b for _, b in fw.files('export') if b not in model]


def temporary(name):
    """The name a file is written under before one command moves it into place."""
    return fw.module(name) + '.new'


def _twin(name):
    """micronn.py for micronn.mpy, and the other way round."""
    return fw.module(name) + ('.py' if name.endswith('.mpy') else '.mpy')
