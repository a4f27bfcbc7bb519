# Host only. The tool's error types: expected failures (no board, busy port, bad model)
# raise BoardError with a message that says what went wrong and what to do; only cli.main()
# prints it, as one line, as mpremote does.


class BoardError(Exception):
    pass


class BoardExecError(BoardError):
    """Code run on the board raised; .traceback is the board's own text."""

    def __init__(self, message, traceback=''):
        super().__init__(message)
        self.traceback = traceback


class LinkLost(BoardError):
    """The serial port itself failed (unplugged, hung up): nothing more can be sent on it."""


class BoardFull(BoardError):
    """The board's filesystem has no room for a file; writing it again will not help."""


class LinkDamaged(BoardError):
    """Commands keep arriving damaged, however slowly they are sent."""


class NoModel(BoardError):
    """The board has micronn but no model that loads."""


class NotAnswering(BoardError):
    """The board does not answer even Ctrl-C: frozen, unpowered, or not MicroPython."""


class NotMicronn(BoardError):
    """The board's main.py is not micronn's: it runs on without serving."""


class NotWhole(BoardError):
    """A module micronn's main.py imports at boot is missing on the board."""


class TooBig(BoardError):
    """The net needs more heap than the board has, in the form tried."""
