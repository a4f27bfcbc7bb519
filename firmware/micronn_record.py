# micronn_record: runs on the board. Samples for `micronn record` and micronn_live. The sensor
# is the micro:bit's accelerometer (accelerometer.get_values(): milli-g, as whole numbers) or,
# on any board, a function the user names as 'module.function' that returns one sample
# (x, y, z) in g: an I2C IMU driver's read, say, or the virtual board's vboard_accel.read.
import time


def sensor(name=None):
    """(read, per_g): read() returns one sample; divided by per_g it is in g."""
    if name:
        module, _, function = name.rpartition('.')
        return getattr(__import__(module), function), 1
    try:
        from microbit import accelerometer
    except ImportError:
        raise ValueError('no micro:bit accelerometer here: name a sensor function, '
                         'module.function returning (x, y, z) in g')
    return accelerometer.get_values, 1000


def window(n, ms, name=None):
    """n samples, one every ms milliseconds, each printed as it is read: a line 'x y z' in the
    sensor's own unit, which the host converts (no float is made here per sample)."""
    read = sensor(name)[0]
    at = time.ticks_ms()
    for _ in range(n):
        x, y, z = read()
        print(x, y, z)
        at = time.ticks_add(at, ms)
        wait = time.ticks_diff(at, time.ticks_ms())
        if wait > 0:
            time.sleep_ms(wait)


def pressed(ms):
    """Prints 'A' when button A is pressed within ms milliseconds, on a board that has one."""
    try:
        from microbit import button_a
    except ImportError:
        return
    end = time.ticks_add(time.ticks_ms(), ms)
    while time.ticks_diff(end, time.ticks_ms()) > 0:
        if button_a.was_pressed():
            print('A')
            return
        time.sleep_ms(10)
