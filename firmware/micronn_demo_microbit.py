# Goes to a micro:bit as micronn_demo.py: XOR without a computer. Buttons A and B are the
# inputs (pressed is 1) and the display shows the answer, 1 or 0. main.py runs idle() while
# nobody types on the serial console, so the line server and the tool are never shut out.
from microbit import button_a, button_b, display, uart, sleep


def idle(net):
    """Show the net's answer to the buttons until a character waits on the serial port."""
    if len(net.inputs) != 2:
        return  # a model that is not a two-input one has nothing to show here
    while True:
        y = net.predict([float(button_a.is_pressed()), float(button_b.is_pressed())])[0]
        display.show('1' if y >= 0.5 else '0')
        if uart.any():
            return
        sleep(50)
