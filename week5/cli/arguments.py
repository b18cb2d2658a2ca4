"""Command-line values the commands share, checked where they are read: a bad one is one line
that names the option as the user typed it and the fix (exit 2)."""

from __future__ import annotations

import argparse
import functools
from typing import Optional, Tuple

from week5.cli.errors import EXIT_USAGE, CliError
from week5.cli.synthesis import find_project_root
from week5.core.errors import CourseInputError
from week5.core.settings import (
    DEFAULT_REGION,
    MAX_CLASS_SIZE,
    STUDENT_NAME_RULE,
    check_context,
    configured_student,
    parse_student,
    read_project_context,
    shown,
)


def student_argument(value: str, command: str) -> str:
    """``--student VALUE`` of ``week5 COMMAND``: a course student name (as ``-c student``)."""
    try:
        return parse_student(value)
    except CourseInputError:
        raise CliError(
            f"--student {shown(value)} is not a student name: use {STUDENT_NAME_RULE}; e.g. "
            f"week5 {command} --student kim-minsu",
            EXIT_USAGE,
        ) from None


def project_student() -> Optional[str]:
    """The student `week5 init` set for this project (or cdk.json or ~/.cdk.json names), as
    ``scripts/cdk`` deploys for them; None when none is set or outside a project folder. The
    project's context is checked as the app checks it: a misspelt ``studnet`` or a null
    ``student`` there would otherwise read as "no student set", and cleanup would take every
    student's resources."""
    return project_student_and_source()[0]


def project_student_and_source() -> Tuple[Optional[str], str]:
    """:func:`project_student` and the file that names it (``cdk.context.json``, ``cdk.json``
    or ``~/.cdk.json``; "the default" for none), for a line that says where it came from."""
    try:
        root = find_project_root()
    except CliError:
        return None, "the default"
    check_context(read_project_context(root, user=True))
    student, source = configured_student(root)
    return (None if source == "the default" else student), source


def class_size(text: str, option: str = "--students") -> int:
    """A class size for argparse (``type=``): ASCII digits only (``str.isdigit`` also takes
    ``１２``, ``١٢`` and ``²``), from 1 to :data:`~week5.core.settings.MAX_CLASS_SIZE`, the bound
    ``-c students`` has: the course's twelve students and a few spare, one account's class. A
    larger number is a typo; a price or a quota check for it describes no class of the course."""
    number = whole_number_in(text, 1, MAX_CLASS_SIZE)
    if number is None:
        raise argparse.ArgumentTypeError(
            f"{shown(text)} is not a class size; pass a whole number from 1 to "
            f"{MAX_CLASS_SIZE} in ASCII digits, e.g. {option} 12"
        )
    return number


#: ``--region``'s help: the session is opened with this region, which wins over the
#: environment's and the profile's; said, or an AWS_REGION set for other tools looks obeyed.
REGION_HELP = (
    f"default {DEFAULT_REGION} (the course's region; AWS_REGION, AWS_DEFAULT_REGION and the "
    "profile's region are not read)"
)


class GivenOnce(argparse.Action):
    """An option that takes one value, given once: argparse keeps the last of two silently, and
    `cleanup --day Day1 --day Day2 --apply` then deleted Day 2's, `rollout --accounts A
    --accounts B` rolled out to B alone. :func:`command_parser` makes it every such option's."""

    def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        convert = self.type
        if callable(convert) and self.nargs is None:
            # argparse converts before the action sees the value: the text is kept on the way,
            # so a refusal can quote what was typed (quotas' --students: a tuple of names).
            @functools.wraps(convert)
            def typed(text):  # noqa: ANN001, ANN202
                self._typed = text
                return convert(text)

            self.type = typed
        self._typed = None

    def __call__(self, parser, namespace, values, option_string=None):  # noqa: ANN001
        typed, self._typed = self._typed, None
        # A positional is filled once by argparse; only an option can come twice.
        if option_string is not None and getattr(namespace, f"_{self.dest}_given", False):
            first = getattr(namespace, self.dest)
            if not (isinstance(values, (str, int)) and isinstance(first, (str, int))):
                # A converted value (--students 3's names) would not read as typed: the text.
                first, values = getattr(namespace, f"_{self.dest}_typed", None), typed
            both = (
                f" ({shown(first)}, then {shown(values)})"
                if isinstance(values, (str, int)) and isinstance(first, (str, int))
                else ""
            )
            parser.error(f"{option_string} given twice{both}: pass it once")
        setattr(namespace, f"_{self.dest}_given", True)
        setattr(namespace, f"_{self.dest}_typed", typed)
        setattr(namespace, self.dest, values)


def command_parser(
    commands: argparse._SubParsersAction, name: str, **kwargs
) -> argparse.ArgumentParser:
    """``commands.add_parser(name, **kwargs)``, whose options that take a value (argparse's
    default action, ``store``) are :class:`GivenOnce`: the shared ones too (``--assembly``), and
    any added later, which cannot forget it. Flags and ``-c`` (``append``) may repeat. No
    option is taken from its first letters (``cleanup --ap`` was ``--apply``, and deleted)."""
    parser = commands.add_parser(name, allow_abbrev=False, **kwargs)
    for default in (None, "store"):  # argparse's name for no action= given, and "store"
        parser.register("action", default, GivenOnce)
    return parser


def count_of_runs(text: str) -> int:
    """An argparse type for a bench's ``--runs``: 1 to 1000 (0 ended in a median of nothing,
    a StatisticsError traceback)."""
    runs = whole_number_in(text, 1, 1000)
    if runs is None:
        raise argparse.ArgumentTypeError(f"{shown(text)} is not a number of runs from 1 to 1000")
    return runs


def whole_number_in(text: str, low: int, high: int) -> Optional[int]:
    """``text`` as a whole number from ``low`` to ``high``, else None. ASCII digits only:
    ``str.isdigit`` and ``int`` take other scripts' digits too (``１２``, ``٣٠٠٠``); and a few of
    them: ``int`` refuses over 4,300 digits with an error argparse would print whole."""
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        return None
    number = int(text)
    return number if low <= number <= high else None
