# Host only. A flash carried out on a board session: what the board holds is read, plan.py
# gives the steps, and they are done so that no cut link or killed tool leaves the board
# without a model it serves.
import micronn_save

from . import files, modelfile, plan
from .errors import BoardError, BoardExecError, NoModel, NotWhole, TooBig
from .files import adler32
from .firmware import EXPORT_SLOTS, LIVE_SLOTS, SLOTS
from .flash_live import put_over_live
from .link import is_virtual


class Flash:
    """One flash of board (a Board): put_model(net) or put_export(net), each returning the
    sequence number the net is served under. A gesture model's flash is flash_live.put_live(),
    on a Flash, which returns the live slot it wrote. say: where its progress lines go."""

    def __init__(self, board, say=print):
        self.board = board
        self.link = board.link
        self.say = say
        self.before = {}  # the sums of the flash's files before it, to tell damage from age

    def put(self, net):
        """Flash net in the form the heap estimate says fits the board: a model file, else an
        export (its server is smaller than micronn), said in a note. Returns the sequence
        number it is served under."""
        board = self.board
        if board.form_that_fits(net) == 'model':  # else refused, saying what would fit
            return self.put_model(net)
        from .board import heap_need  # (board.py imports this module)
        self.say('note: as a model file the model needs about %d bytes of heap and this %s has '
                 '%d free: flashing it as an export (`micronn flash --export`), which serves it '
                 'without micronn' % (heap_need(net), board.profile['name'], board.free))
        return self.put_export(net)

    def put_model(self, net):
        """Write net to the older slot with the next sequence number; return that number."""
        board, link = self.board, self.link
        board.check_fits(net)
        room = self.read_room()
        now = self.live_main(room)
        if now:
            return put_over_live(self, net, room, now)
        firmware = board.firmware(net)
        exports = plan.serves_export(room.sizes)
        served = board.newest() if exports else None
        size = len(micronn_save.dumps(net, 10 ** 9))  # a sequence number longer than any
        steps, need, restore = plan.model_flash(
            firmware, board.firmware(export=True) if exports else [], room.sizes,
            self.sums(firmware), served, size)
        files.check_room(board.fs, room, need, plan.theirs(room.sizes),
                         'flash it with --export, which takes less room, or use fewer neurons')
        self.put_firmware(steps)
        cur = served or board.newest()  # (with its server gone, an export no longer serves)
        slot, seq = plan.next_slot(cur, SLOTS)
        self.put_slot(slot, micronn_save.dumps(net, seq), seq, cur, firmware, restore=restore)
        link.remove(*EXPORT_SLOTS)  # the export served before is no fallback now
        self.note_demo()
        return seq

    def put_export(self, net):
        """Write net as a module of its own (`micronn export`), which the board serves without
        micronn, so nets too big for micronn there serve; return its sequence number. The
        model file the board served is first put into the other export slot, converted on the
        host: then micronn's own files, not needed to serve an export, make room on a small
        board, and a failed flash still leaves the previous model serving."""
        board, link = self.board, self.link
        board.check_fits(net, export=True)
        room = self.read_room()
        if self.live_main(room):
            # the export's plan would remove the live loop's files before its switch
            raise BoardError('this %s runs a gesture model at boot, which an export\'s flash '
                             'cannot replace: flash a model file that fits as one first (e.g. '
                             '`micronn flash xor.mn`), then this one' % board.profile['name'])
        cur = board.newest() if 'main.py' in room.sizes else None
        keep = []  # (slot, bytes) of the model served now, as an export
        kept = plan.kept_as_export(cur)
        if kept:
            old = link.eval('open(%r,"rb").read()' % cur[1], alone=True)
            keep = [(kept, export_slot(modelfile.loads(old)[1], cur[0]))]
        slot, seq = plan.next_slot(cur, EXPORT_SLOTS)
        data = export_slot(net, seq)
        firmware = board.firmware(export=True)
        steps, gone, switch, need = plan.export_flash(
            firmware, room.sizes, self.sums(firmware), keep, slot, len(data), cur)
        files.check_room(board.fs, room, need, plan.theirs(room.sizes), 'use fewer neurons')
        self.put_firmware(steps)
        for name, old in keep:
            link.write_file(name, old)
            self.say('  %-18s %5d bytes, the model served till now as an export'
                     % (name, len(old)))
        for name, new in switch:
            link.write_file(plan.temporary(name), new)
            self.say('  %-18s %5d bytes, checked on the board' % (plan.temporary(name), len(new)))
        # from micronn serving the model file to the export's server serving it, in one command
        link.exec(board.fs.replace([(plan.temporary(n), n) for n, _ in switch], gone),
                  timeout=max(link.timeout, 60))
        dropped = sorted(set(n for op, n, _ in steps if op == 'remove' and plan.own(n)
                             and n not in dict(firmware)) | set(gone))
        if dropped:
            self.say('  removed what a board serving an export does not need: %s'
                     % ', '.join(dropped))
        self.put_slot(slot, data, seq, cur, firmware + keep, export=True)
        self.note_demo()
        return seq

    def read_room(self):
        """What the board lists, and the room left, read on a clean heap: what ran before may
        have filled a small one."""
        self.link.soft_reset()
        return self.board.fs.room(self.link.eval(self.board.fs.LIST))

    def live_main(self, room):
        """The board's main.py, if it is the live loop's (a gesture model at boot)."""
        if any(n in room.sizes for n in LIVE_SLOTS) and 'main.py' in room.sizes:
            now = self.link.eval('open("main.py","rb").read()')
            if plan.live_named(now):
                return now
        return None

    def sums(self, firmware):
        self.before = self.link.file_sums([n for n, _ in firmware])
        return self.before

    def put_firmware(self, steps):
        """Carry out plan.firmware_steps(): each run of removes and moves as one command. A
        file missing on the way may be one the filesystem damaged: then that is what it
        says."""
        try:
            self._carry_out(steps)
        except BoardExecError as e:
            if 'OSError' in e.traceback:
                # each file may be as it was before the flash, or as written, or gone
                known = {n: [s] for n, s in self.before.items()}
                for op, n, d in steps:
                    if op == 'write':
                        known.setdefault(n, []).append((len(d), adler32(d)))
                    elif op == 'move':  # d: the temporary written before
                        known[n] = known.get(n, []) + known[d]
                self.link.soft_reset()
                now = self.link.file_sums(sorted(known))
                self._say_damaged([n for n in sorted(known)
                                   if now[n] is not None and now[n] not in known[n]])
            raise

    def _carry_out(self, steps):
        link, say = self.link, self.say
        sums = {n: (len(d), adler32(d)) for op, n, d in steps if op == 'write'}
        puts = {n: (len(d), adler32(d)) for op, n, d in steps if op == 'put'}
        run = []
        for op, name, arg in steps + [('write', None, None)]:
            if op != 'write':
                run.append((op, name, arg))
                continue
            if run:
                moves = [(tmp, n) for o, n, tmp in run if o == 'move']
                put = [(n, d) for o, n, d in run if o == 'put']
                link.exec(self.board.fs.replace(moves, [n for o, n, _ in run if o == 'remove'])
                          + ''.join("\n_f=open(%r,'wb')\n_f.write(%r)\n_f.close()" % p
                                    for p in put), timeout=max(link.timeout, 60))
                link.soft_reset()  # a clean heap for one long command: copying fragmented it
                now = link.file_sums([n for _, n in moves] + [n for n, _ in put])
                # copied on the board from checked temporaries: a file that differs is one
                # its filesystem damaged while making room, which flashing again cannot mend
                self._say_damaged([n for tmp, n in moves if now[n] != sums[tmp]])
                if any(now[n] != puts[n] for n, _ in put):
                    raise BoardError('%s is not as sent after the command that wrote it: flash '
                                     'again' % ', '.join(n for n, _ in put))
                for n in [n for _, n in moves] + [n for n, _ in put]:
                    say('  %-18s in use' % n)
                run = []
            if name:
                def progress(done, total, name=name):
                    say('  %-18s %5d/%d bytes' % (name, done, total), end='\r')
                link.write_file(name, arg, progress)
                say('  %-18s %5d bytes, checked on the board' % (name, len(arg)))

    def check_intact(self, written):
        """Every file of the flash, read back once all are written. Each was checked as it
        was written, but a filesystem that moves files to make room can damage those it
        already held: the emulated micro:bit's does, when it compacts its scattered free
        chunks (host_tests/test_faults.py shows it)."""
        self.link.soft_reset()  # a clean heap for one long command: writing fragmented it
        sums = self.link.file_sums([n for n, _ in written])
        self._say_damaged([n for n, d in written if sums[n] != (len(d), adler32(d))])

    def _say_damaged(self, damaged):
        if damaged:
            raise BoardError('files on the board changed after they were written and checked '
                             '(%s): its filesystem damaged them while making room. %s, then '
                             'flash again' % (', '.join(damaged), self._erase_advice()))

    def _erase_advice(self):
        profile = self.board.profile
        if profile.get('emulated') or is_virtual(self.link.port):
            return 'Restart the emulated board (it starts with no files)'
        if profile['files'] == 'microbit':
            return ('Copy MicroPython\'s .hex onto the MICROBIT drive again: that erases the '
                    'board\'s files, and only that repairs its filesystem')
        return 'Erase the board\'s filesystem (e.g. mpremote rm each file)'

    def put_slot(self, slot, data, seq, cur, written, export=False, restore=(),
                  there=False, fallback=None):
        """Write a model's slot (unless there already), check every file of the flash, then
        boot: the model must be the one served, or its slot is taken back (and the files in
        restore written back) so that the board serves what it served before. fallback: a
        function that then puts back what the board booted before, saying what it boots."""
        def progress(done, total):
            self.say('  %-18s %5d/%d bytes' % (slot, done, total), end='\r')
        if not there:
            self.link.write_file(slot, data, progress)
        self.check_intact(written + [(slot, data)])
        failed = None
        try:
            with self.board.serving() as got:  # what the board does at boot
                pass
        except (BoardExecError, NoModel, NotWhole) as e:  # out of heap building it, or worse
            failed, got = e, None
        if not got or got[0] != seq:  # its sum checked out: the board could not load it
            # taken back, or the board would try it at every boot and serve nothing
            self.link.remove(slot)
            for name, old in restore:
                self.link.write_file(name, old)
            # not the heap: the board's own error (an export that does not compile is passed
            # over at boot, with no error to show, and micronn's reader skips a file that
            # does not fit, saying only that it has no model)
            if fallback:
                kept = fallback()
            else:
                kept = ('it keeps the model it had (seq %d)' % cur[0] if cur
                        else 'it has no model')
            if not export and (isinstance(failed, NotWhole) or isinstance(
                    failed, BoardExecError) and 'MemoryError' not in failed.traceback):
                raise BoardError('%s; %s' % (failed, kept))
            raise TooBig('this %s has too little heap to load the new model (%d bytes in '
                         'its file): %s; use fewer neurons%s'
                         % (self.board.profile['name'], len(data), kept,
                            '' if export or fallback else ', or flash it with --export'))
        self.say('  %-18s %5d bytes, model seq %d, checked on the board'
                 % (slot, len(data), seq))

    def note_demo(self):
        problem = self.board.profile.get('demo_module') and self.board.demo_problem()
        if problem:
            self.say('note: the standalone demo cannot start on this board (%s); it serves '
                     'over serial without it' % problem)


def export_slot(net, seq):
    """An export slot's bytes: the module, after a first line that the line server checks."""
    from .export import source
    body = source(net, 'a net flashed by micronn').encode()
    return b'# micronn seq %d sum %s layers %s\n' % (
        seq, adler32(body).encode(), ' '.join(str(len(k)) for k in net.layers).encode()) + body
