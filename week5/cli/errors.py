"""How a command fails: one line on stderr and an exit code (0 ok, 1 failed, 2 usage)."""

from __future__ import annotations

import unicodedata
from typing import Iterable

from week5.core.errors import shown

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
#: Ctrl-C: 128 + SIGINT, as a shell reports a command it interrupted.
EXIT_INTERRUPTED = 130

#: What ``week5 preflight`` tells the launchers (scripts/cdk, scripts/instructor): done, exit 0,
#: do not run cdk; refused, exit 1; bad input, exit 2 (each without running cdk).
EXIT_DONE, EXIT_REFUSED, EXIT_BAD_CONTEXT = 10, 11, 12


def reason(error: BaseException) -> str:
    """Why ``error`` failed, for a line to the user: an OSError's ``strerror`` (``Permission
    denied``, without the path the line names anyway), else its text."""
    return getattr(error, "strerror", None) or str(error)


def has_control_character(text: str) -> bool:
    """Whether ``text`` holds a control character (Unicode's Cc: U+0000 to U+001F, U+007F to
    U+009F) or a line or paragraph separator: no usable name for what a command writes
    (``-o``): a line break or a terminal's bell in a folder's name."""
    return any(unicodedata.category(c) == "Cc" or c in "\u2028\u2029" for c in text)


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit code in ``code``."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


def usage_text(message: str, typed: Iterable[str]) -> str:
    """``message`` (argparse's, which echoes an argument whole: ``unrecognized arguments:`` as
    typed, ``invalid choice:`` and ``ignored explicit argument`` in Python's quotes) as one short
    line: each of the ``typed`` arguments in it, and each option's value (``--json=VALUE``,
    ``-cVALUE``), shown as :func:`~week5.core.errors.shown` shows a value when it is longer than
    40 characters or holds a line break, a tab or a terminal control; then anything else not
    printable escaped (a check's own text, which quotes with ``shown`` already, is kept whole)."""
    parts = set()
    for arg in typed:
        parts.add(arg)
        if arg.startswith("-"):
            parts.add(arg.partition("=")[2])
            if not arg.startswith("--"):
                parts.add(arg[2:])
    for part in sorted(parts, key=len, reverse=True):  # a long one before the shorter in it
        if part and (len(part) > 40 or not part.isprintable()):
            message = message.replace(repr(part), shown(part)).replace(part, shown(part))
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)


#: ``unrecognized arguments:`` names this many (each cut as :func:`as_typed` cuts it), then
#: how many more: a pasted paragraph is hundreds of words, the line one.
UNRECOGNIZED_NAMED = 3


def as_typed(arg: str) -> str:
    """``arg`` named in a usage error: as typed when that reads back as typed (1 to 40
    printable characters, no space), else as :func:`~week5.core.errors.shown` shows it (``''``,
    ``'a b'``)."""
    readable = arg and len(arg) <= 40 and arg.isprintable() and " " not in arg
    return arg if readable else shown(arg)
