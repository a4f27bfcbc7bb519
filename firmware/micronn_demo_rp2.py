# Goes to a Raspberry Pi Pico as micronn_demo.py: XOR without a computer. Two push buttons,
# GP14 to GND and GP15 to GND, are the inputs (pressed is 1; the pins pull up when open) and
# the on-board LED lights for 1. main.py runs idle() while nobody types on the serial console.
import select
import sys
import time
from machine import Pin

PINS = (Pin(14, Pin.IN, Pin.PULL_UP), Pin(15, Pin.IN, Pin.PULL_UP))
LED = Pin('LED', Pin.OUT)


def idle(net):
    """Light the LED for the net's answer to the buttons until a character waits on stdin."""
    if len(net.inputs) != 2:
        return  # a model that is not a two-input one has nothing to show here
    p = select.poll()
    p.register(sys.stdin, select.POLLIN)
    while True:
        LED.value(net.predict([1.0 - x.value() for x in PINS])[0] >= 0.5)
        if p.poll(0):
            return
        time.sleep_ms(20)
