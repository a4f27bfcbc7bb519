# Host only. The types of the `micronn` command's options, and its parser: a bad value is
# refused while the command line is read, naming the option, and every mistake ends as the
# tool's other errors do, one line `micronn: ...` and exit status 1.
import argparse
import math

MAX_RATE = 10  # XOR stops learning at 10 already (accuracy 50%); past it weights only blow up


def whole(example):
    def whole(text):
        try:
            n = int(text)
        except ValueError:
            n = 0
        if n < 1:
            raise argparse.ArgumentTypeError('%s is not a whole number of 1 or more; give e.g. %s'
                                             % (text, example))
        return n
    return whole


def rate(text):
    try:
        r = float(text)
    except ValueError:
        r = math.nan
    if not (math.isfinite(r) and r > 0):
        raise argparse.ArgumentTypeError('%s is not a positive number; the blog\'s rate is 0.1'
                                         % text)
    if r > MAX_RATE:
        raise argparse.ArgumentTypeError('%s is too large: past %d the weights swing too far to '
                                         'learn; use 0.01 to 1 (the blog\'s is 0.1)'
                                         % (text, MAX_RATE))
    return r


def layers(text):
    try:
        sizes = [int(s) for s in text.split()]
    except ValueError:
        sizes = [0]
    if not all(n >= 1 for n in sizes):
        raise argparse.ArgumentTypeError('"%s" is not a list of layer sizes; give whole numbers '
                                         'of 1 or more, e.g. --layers "8 4"' % text)
    return sizes


def number(text):
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError('%s is not a number; give one number per model input, '
                                         'e.g. 0 1' % text)


class Help(argparse.ArgumentDefaultsHelpFormatter):
    """Every option's help ends with its default; options whose default is None say in words
    what happens without them."""

    def _get_help_string(self, action):
        if action.default is None:
            return action.help
        return super()._get_help_string(action)


class Parser(argparse.ArgumentParser):
    """Mistakes on the command line end as every other error does: `micronn: ...`, exit 1."""

    def __init__(self, *a, **k):
        k.setdefault('formatter_class', Help)
        super().__init__(*a, **k)

    def error(self, message):
        if ';' not in message:
            message += '; see `%s --help`' % self.prog
        self.exit(1, 'micronn: %s\n' % message)
