# Host only. The tool's one error type: expected failures (no board, busy port, bad model)
# raise BoardError with a message that says what went wrong and what to do; only cli.main()
# prints it, as one line, as mpremote does.


class BoardError(Exception):
    pass


class BoardExecError(BoardError):
    """Code run on the board raised; .traceback is the board's own text."""

    def __init__(self, message, traceback=''):
        super().__init__(message)
        self.traceback = traceback
