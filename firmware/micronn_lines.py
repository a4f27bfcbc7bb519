# micronn_lines: runs on the board. The lines typed on the serial console, for micronn_serve:
# each ends at "\r", "\n" or "\r\n", as terminals and scripts send them. MicroPython's input()
# ends a line at "\r" only, so this reads each character and echoes it itself.
try:
    from sys import stdin

    def char():
        """The next character typed: '' where a port's read is cut short by Ctrl-C."""
        return stdin.read(1)
except ImportError:  # the micro:bit's MicroPython has no sys.stdin: its console is the uart
    from microbit import uart, sleep

    def char():
        while not uart.any():
            sleep(1)  # the board idles, as input() lets it
        return chr(uart.read(1)[0])


last = ''  # the character that ended the line before: a "\n" after "\r" ends nothing


def line(idle, net):
    """The next line typed, echoed as it is typed, backspace and all. idle(net) runs while no
    line is begun. A function, not a generator: a generator's frame stays on a heap that a
    16 KB board needs for its model."""
    global last
    text = ''
    while True:
        if idle and not text:
            idle(net)
        c = char()
        if c == '\n' and last == '\r':
            pass  # the end of a "\r\n" whose "\r" ended the line
        elif c == '\r' or c == '\n':
            last = c
            print()
            return text
        elif c == '\b' or c == '\x7f':  # backspace, as terminals send it
            if text:
                text = text[:-1]
                print('\b \b', end='')
        elif c >= ' ':
            text += c
            print(c, end='')
        last = c
