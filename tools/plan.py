# Host only. The flash planner: from what the board lists (names, sizes, sums) and what must be
# written, the steps of a flash, in order. It reads nothing from the board: flash.py gathers
# what the board holds, asks here, and carries the steps out. What a module is for comes from
# the firmware's manifest, through firmware.py.
#
# A step is ('write', name, bytes), ('remove', name, None) or ('move', name, temporary): the
# temporary, written by an earlier step, replaces name.
from . import firmware as fw
from .files import adler32
from .firmware import EXPORT_SLOTS, SLOTS


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
    # a file the board does not have goes straight in: no old firmware imports it
    new = [(n, d) for n, d in stale if fw.module(n) not in late and n not in sizes]
    boot = [(n, d) for n, d in stale if fw.module(n) not in late and n in sizes]
    # first go leftovers of a flash cut short and the old copies of what is written last;
    # with the switch, the .py/.mpy twins of what is written (.py is imported first)
    first = [n for n in sizes if n.endswith('.new')] + [n for n, _ in last if n in sizes]
    twins = [t for t in (_twin(n) for n, _ in stale) if t in sizes]
    return ([('remove', n, None) for n in first]
            + [('write', n, d) for n, d in new]
            + [('write', _temporary(n), d) for n, d in boot]
            + [('remove', n, None) for n in twins]
            + [('move', n, _temporary(n)) for n, _ in boot]
            + [('write', n, d) for n, d in last])


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


def export_flash(firmware, sizes, sums, keep, slot, size):
    """An export's flash: (steps, gone, room). keep: [(slot, bytes)], the model file served
    now as an export, written after steps; gone: the model files and what serves only them,
    removed then, to make room on a small board; then slot is written, size bytes. room: all
    of it, for the room check."""
    steps = firmware_steps(firmware, sizes, sums)
    served_by_model_files = fw.served_by_model_files()
    gone = [n for n in sizes if n in SLOTS or fw.module(n) in served_by_model_files]
    return steps, gone, (sized(steps) + [('write', n, len(d)) for n, d in keep]
                         + [('remove', n, None) for n in gone] + [('write', slot, size)])


def kept_as_export(served):
    """The export slot the model file served now goes to, converted, when an export is
    flashed (None if the board serves no model file): the previous model stays a fallback."""
    return EXPORT_SLOTS[1] if served and served[1] in SLOTS else None


def next_slot(served, slots):
    """(slot, seq) for a new model: the slot of slots not in use, and a sequence number above
    every other slot's, since the newest serves. served: (seq, slot) or None."""
    slot = slots[1] if served and served[1] == slots[0] else slots[0]
    return slot, served[0] + 1 if served else 1


def sized(steps):
    """steps as files.check_room counts them: a write's size in place of its bytes."""
    return [(op, n, len(a) if op == 'write' else a) for op, n, a in steps]


def _export_only():
    """Files on the board only an export's server needs."""
    model = {b for _, b in fw.files('model', act=True)}
    return [b for _, b in fw.files('export') if b not in model]


def _temporary(name):
    return fw.module(name) + '.new'


def _twin(name):
    """micronn.py for micronn.mpy, and the other way round."""
    return fw.module(name) + ('.py' if name.endswith('.mpy') else '.mpy')
