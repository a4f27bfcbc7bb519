// Host only (Node). The virtual modern board's firmware loop: MicroPython 1.27 WebAssembly (the
// official npm port) driven as a board's main.c drives its REPL, over the pty master fd that
// vboard.py hands over. Usage: node vboard.mjs MASTER_FD SLAVE_FD JSON_OPTIONS
// Options: {"heap": bytes, "flash": bytes, "without": ["uname", "statvfs", "rename",
// "ticks_us", "mpy"], "report": [platform, machine] (what the board calls itself instead of
// "webassembly", "JS with Emscripten"), "accel": a JSON file of [[x, y, z], ...] in g, the
// samples a simulated accelerometer replays}.
// What the port lacks and this loop supplies, each said where it is done:
// - a UART: bytes from the pty go to the REPL one at a time; output goes back with "\n" sent as
//   "\r\n", as a board's UART does (the port writes bare "\n");
// - a soft reset (Ctrl-D): a fresh interpreter, then boot.py, then main.py (friendly REPL only);
//   the filesystem is copied into it, so files survive until this process ends;
// - Ctrl-C while code runs: the port has no VM hook, so it is noticed only when the running code
//   prints, reads input() or the clock (time.sleep, time.ticks_ms), as an interrupt routine
//   would see it; a loop that does none of these cannot be stopped;
// - input() and sys.stdin: the port's stdin reads the process's, so both are given the serial
//   link instead;
// - a filesystem of a board's size whose errors carry MicroPython's errno numbers, and
//   os.uname() (see SETUP below, which runs inside MicroPython as each interpreter starts);
// - an accelerometer, simulated: vboard_accel.read() gives a recording's next sample per call
//   (however busy the machine), from the start after the last, on across soft resets;
// - raw-paste mode: the port's raw-paste reader reads that same empty stdin, so this board
//   answers "R\x00" (understood, not supported) and hosts fall back to the plain raw REPL.
import fs from "fs";
import { pathToFileURL } from "url";

// argv[2]: the npm package's entry file, found by wasm.py (source tree or the user's cache)
const { loadMicroPython } = await import(pathToFileURL(process.argv[2]).href);

const master = Number(process.argv[3]);
// argv[4], the slave fd, is only held open: with no slave open the master's reads fail (EIO)
const options = JSON.parse(process.argv[5] || "{}");
const FLASH = "/flash"; // the board's filesystem; Emscripten's own /dev, /proc, /tmp stay apart

const queue = []; // bytes received and not yet read: the board's UART receive buffer
const rx = Buffer.alloc(4096);
let out = []; // output not yet written to the pty
let lastOut = 0;
let mute = false;
let said = ""; // the end of what the port printed since the last byte fed to its REPL
let mp = null;
let raw = false; // which REPL the port is in, as its own output says
let rawLine = 0; // bytes of the raw REPL command received so far
let lastPump = 0;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const accel = options.accel ? JSON.parse(fs.readFileSync(options.accel, "utf8")) : null;
let accelAt = 0; // the simulated accelerometer's next sample

function accelRead() { // "x y z": a string, which the port hands over as a str
  const s = accel[accelAt];
  accelAt = (accelAt + 1) % accel.length;
  return s.map(String).join(" ");
}

function sleep(ms) {
  Atomics.wait(sleeper, 0, 0, ms);
}

function emit(byte) {
  if (mute) return;
  if (byte === 10 && lastOut !== 13) out.push(13);
  out.push(byte);
  lastOut = byte;
  said = (said + String.fromCharCode(byte)).slice(-64);
  flush(); // at once, as a UART sends: code may run on without printing for a long time
}

function flush() {
  let data = Buffer.from(out);
  out = [];
  while (data.length) {
    try {
      data = data.subarray(fs.writeSync(master, data));
    } catch (e) {
      if (e.code !== "EAGAIN") throw e;
      pump(); // Ctrl-C still gets through
      sleep(1); // nobody reads the port yet: the pty is full, as a USB serial port blocks
    }
  }
}

// Move what arrived into the receive buffer. While code runs the port's interrupt character
// (Ctrl-C) is taken out and raises KeyboardInterrupt, as a board's UART interrupt does.
// Returns true when it scheduled one.
function pump() {
  lastPump = performance.now();
  let n;
  try {
    n = fs.readSync(master, rx, 0, rx.length, null);
  } catch (e) {
    if (e.code === "EAGAIN") return false;
    throw e;
  }
  let hit = false;
  const ichar = mp ? mp._module._mp_hal_get_interrupt_char() : -1;
  for (let i = 0; i < n; i++) {
    if (rx[i] === ichar) {
      mp._module._mp_sched_keyboard_interrupt();
      hit = true;
    } else queue.push(rx[i]);
  }
  return hit;
}

function nextByte() {
  for (;;) {
    if (queue.length) return queue.shift();
    flush();
    if (!pump() && !queue.length) sleep(1);
  }
}

// The port reads its clock (time.ticks_ms, the busy wait of time.sleep) through Date.now(): a
// moment when an interrupt routine would run too, so Ctrl-C reaches a loop that sleeps. The
// KeyboardInterrupt comes when that sleep ends, as the port's sleep checks nothing meanwhile.
const realNow = Date.now;
Date.now = () => {
  if (mp && performance.now() - lastPump > 2) pump();
  return realNow();
};

function onOutput(bytes) {
  for (const b of bytes) emit(b);
  if (performance.now() - lastPump > 2) pump();
}

// input() for code on the board: a line from the serial link, echoed, as the port's own
// readline would do with a working stdin. null means Ctrl-C arrived (it is already scheduled).
function readLine() {
  const line = [];
  for (;;) {
    flush();
    if (pump()) return null;
    if (!queue.length) {
      sleep(1);
      continue;
    }
    const c = queue.shift();
    if (c === 13) {
      emit(13);
      emit(10);
      return Buffer.from(line).toString();
    } else if (c === 8 || c === 127) {
      if (line.length) {
        line.pop();
        for (const b of [8, 32, 8]) emit(b);
      }
    } else if (c === 4 && !line.length) {
      return false; // Ctrl-D on an empty line: EOFError, as the port's readline gives
    } else if (c >= 32) {
      line.push(c); // "\n" alone ends no line, as in MicroPython's readline: only "\r" does
      emit(c);
    }
  }
}

// sys.stdin for code on the board: the serial link's bytes, not echoed, as a board's stdin
// gives them. null (a read that returns "") when Ctrl-C arrived: it is already scheduled.
function readStdin() {
  for (;;) {
    flush();
    if (pump()) return null;
    if (queue.length) return queue.shift();
    sleep(1);
  }
}

function snapshot(FS, dir, files) {
  for (const name of FS.readdir(dir)) {
    if (name === "." || name === "..") continue;
    const path = dir + "/" + name;
    if (FS.isDir(FS.stat(path).mode)) {
      files.push([path, null]);
      snapshot(FS, path, files);
    } else files.push([path, FS.readFile(path)]);
  }
  return files;
}

// Runs once in every fresh interpreter, before boot.py: the board's firmware-level setup.
const SETUP = `
def _vb_setup(without, flash, report, accel):
    import builtins, os, sys, vfs, micropython, _vb_uart
    from collections import namedtuple

    class Module:  # this build cannot make module objects; import takes any object
        pass
    # Emscripten's errno numbers (a missing file is 44) become MicroPython's (2, ENOENT), as a
    # board's littlefs or FAT reports them; mpremote reads OSError by them
    errs = {44: 2, 20: 17, 54: 20, 31: 21, 28: 22, 55: 39, 51: 28, 8: 9, 2: 13, 63: 1, 29: 5}

    base = getattr(__import__('io'), 'IOBase', object)

    def call(f, *a):
        try:
            return f(*a)
        except OSError as e:
            raise OSError(errs.get(e.errno, e.errno))

    class Flash:
        # A flash of a board's size: 4096-byte blocks, a block per started block of a file and
        # one per folder, counted by statvfs and enforced on writes (ENOSPC, 28), as littlefs
        # does. The port's own statvfs reports a fixed 500,000 free blocks whatever is written.
        def __init__(self, fs, blocks):
            self.fs = fs
            self.blocks = blocks

        def mount(self, readonly, mkfs):
            pass

        def umount(self):
            pass

        def used(self, path=''):
            n = 0
            for e in self.fs.ilistdir(path or '/'):
                p = path + '/' + e[0]
                n += 1 + self.used(p) if e[1] == 0x4000 else blocks(self.fs.stat(p)[6])
            return n

        def statvfs(self, path):
            free = self.blocks - self.used()
            return (4096, 4096, self.blocks, free, free, 0, 0, 0, 0, 255)

        def mkdir(self, path):
            if self.used() >= self.blocks:
                raise OSError(28)
            call(self.fs.mkdir, path)

        def open(self, path, mode):
            f = call(self.fs.open, path, mode)
            return Limited(self, f) if ('w' in mode or 'a' in mode or '+' in mode) else f

        def ilistdir(self, path):
            # with each file's size, as littlefs and FAT list them (mpremote's ls shows it)
            for e in call(self.fs.ilistdir, path):
                yield e[:3] + (self.fs.stat((path.rstrip('/') or '') + '/' + e[0])[6],)

        def __getattr__(self, name):
            f = getattr(self.fs, name)
            return lambda *a: call(f, *a)

    def blocks(size):
        return max(1, -(-size // 4096))

    class Limited(base):
        def __init__(self, flash, f):
            self.flash = flash
            self.f = f

        def write(self, data):
            at = self.f.tell()
            size = self.f.seek(0, 2)
            self.f.seek(at)
            grow = blocks(max(size, at + len(data))) - blocks(size)
            if grow and grow > self.flash.blocks - self.flash.used():
                raise OSError(28)
            return self.f.write(data)

        def readinto(self, buf):
            return self.f.readinto(buf)

        def ioctl(self, op, arg):
            return 0

        def __getattr__(self, name):
            return getattr(self.f, name)

        def __enter__(self):
            return self

        def __exit__(self, *a):
            self.f.close()

    vfs.umount('/')
    vfs.mount(Flash(os.VfsPosix('${FLASH}'), flash // 4096), '/')
    os.chdir('/')

    def input(prompt=''):
        if prompt:
            print(prompt, end='')
        line = _vb_uart.read_line()
        while line is None:  # Ctrl-C: KeyboardInterrupt is raised in this loop
            pass
        if line is False:
            raise EOFError
        return line
    builtins.input = input
    impl = sys.implementation
    platform, machine = report or (sys.platform, impl._machine)
    if 'uname' not in without:
        # the port has no os.uname; ports that do report these fields
        un = namedtuple('uname_result', ('sysname', 'nodename', 'release', 'version', 'machine'))
        rel = '%d.%d.%d' % impl.version[:3]
        os.uname = lambda: un(platform, platform, rel, 'v' + rel, machine)
    for name in ('statvfs', 'rename'):
        if name in without:
            delattr(os, name)
    if 'ticks_us' in without:
        import time
        del time.ticks_us
    if report or 'mpy' in without:
        # the port's sys is read-only: a copy in its place, found first by every import, says
        # what another port would (its platform and machine; no _mpy on a port built without
        # .mpy import), and the rest of it is the port's own
        fields = [f for f in ('name', 'version', '_machine', '_mpy', '_build')
                  if hasattr(impl, f) and not (f == '_mpy' and 'mpy' in without)]
        fake = Module()
        for k in dir(sys):
            if not k.startswith('__'):
                setattr(fake, k, getattr(sys, k))
        fake.platform = platform
        fake.implementation = namedtuple('implementation', fields)(
            *[machine if f == '_machine' else getattr(impl, f) for f in fields])
        sys.modules['sys'] = fake
    if 'mpy' in without:
        # a port built without .mpy import: a module found only as .mpy does not import
        real_import = builtins.__import__

        def exists(p):
            try:
                os.stat(p)
                return True
            except OSError:
                return False

        def no_mpy_import(name, *a):
            if name not in sys.modules and not (len(a) > 3 and a[3]):
                top = name.split('.')[0]
                for d in sys.path:
                    base = (d + '/' if d else '') + top
                    if exists(base + '.py') or exists(base):
                        break
                    if exists(base + '.mpy'):
                        raise ImportError("no module named '%s'" % name)
            return real_import(name, *a)
        builtins.__import__ = no_mpy_import

    def run(name):
        # as a board's pyexec_file: main.py's names stay in the REPL's globals
        try:
            with open(name) as f:
                src = f.read()
        except OSError:
            return
        g = sys.modules['_vb_boot'].main_globals
        micropython.kbd_intr(3)
        try:
            exec(compile(src, name, 'exec'), g)
        except SystemExit:
            pass
        except BaseException as e:
            # the traceback as a board prints it: without this runner's own frame
            import io
            buf = io.StringIO()
            sys.print_exception(e, buf)
            print('\\n'.join(l for l in buf.getvalue().split('\\n')
                            if not l.startswith('  File "<stdin>"')), end='')
        finally:
            micropython.kbd_intr(-1)
    if accel:
        import _vb_accel

        def read():
            x, y, z = _vb_accel.read().split()
            return (float(x), float(y), float(z))
        sensor = Module()
        sensor.read = read
        sys.modules['vboard_accel'] = sensor
    boot = Module()
    boot.run = run
    sys.modules['_vb_boot'] = boot
_vb_setup(%WITHOUT%, %FLASH%, %REPORT%, %ACCEL%)
__import__('_vb_boot').main_globals = globals()
del _vb_setup
`;

async function boot(softReset) {
  const files = mp ? snapshot(mp.FS, FLASH, []) : [];
  if (softReset) for (const b of Buffer.from("MPY: soft reboot\n")) emit(b);
  mp = null;
  const board = await loadMicroPython({
    heapsize: options.heap || 256 * 1024,
    linebuffer: false,
    stdin: readStdin,
    stdout: onOutput,
    stderr: onOutput,
  });
  board.FS.mkdir(FLASH);
  for (const [path, data] of files) {
    if (data === null) board.FS.mkdir(path);
    else board.FS.writeFile(path, data);
  }
  board.registerJsModule("_vb_uart", { read_line: readLine });
  if (accel) board.registerJsModule("_vb_accel", { read: accelRead });
  mp = board;
  mp.runPython(SETUP.replace("%WITHOUT%", JSON.stringify(options.without || []))
    .replace("%FLASH%", String(options.flash || 256 * 1024))
    .replace("%REPORT%", options.report ? JSON.stringify(options.report) : "None")
    .replace("%ACCEL%", accel ? "True" : "False"));
  runFile("boot.py");
  if (!raw) runFile("main.py");
  if (raw) {
    // the port's REPL starts friendly: switch it over unseen, then let it print its prompt
    mute = true;
    mp.replInit();
    mp.replProcessChar(1);
    mute = false;
    feed(1);
  } else {
    mp.replInit();
  }
}

// As a board's pyexec_file: a Ctrl-C ends the file, never the board, even one that arrives
// while the file's traceback prints (past the runner's own handler) or just after it ended.
function runFile(name) {
  try {
    mp.runPython(`__import__('_vb_boot').run('${name}')`);
  } catch (e) {
    if (!(e && e.name === "PythonError" && String(e.type).includes("KeyboardInterrupt"))) throw e;
  }
}

function feed(byte) {
  const wasRaw = raw;
  said = "";
  const ret = mp.replProcessChar(byte);
  if (said.includes("raw REPL; CTRL-B to exit")) raw = true;
  else if (wasRaw && byte === 2) raw = false;
  if (raw) rawLine = said.endsWith(">") || byte === 3 ? 0 : rawLine + 1;
  return ret;
}

function reply(text) {
  for (const b of Buffer.from(text, "latin1")) out.push(b);
}

process.on("uncaughtException", (e) => {
  process.stderr.write("vboard: " + (e && e.name === "PythonError" ? e.message : e && e.stack ? e.stack : e) + "\n");
  process.exit(1);
});

await boot(false);
process.stdout.write("ready\n");
for (;;) {
  const b = nextByte();
  if (raw && rawLine === 0 && b === 5) {
    // a host asking for raw-paste mode: "\x05A\x01"
    const b2 = nextByte();
    const b3 = b2 === 65 ? nextByte() : -1;
    if (b2 === 65 && b3 === 1) {
      reply("R\x00");
      continue;
    }
    for (const x of [b, b2, b3]) if (x >= 0 && feed(x)) await boot(true);
    continue;
  }
  if (feed(b)) await boot(true);
}
