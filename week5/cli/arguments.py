"""Command-line values the commands share, checked where they are read: a bad one is one line
that names the option as the user typed it and the fix (exit 2)."""

from __future__ import annotations

import argparse

from week5.cli.errors import EXIT_USAGE, CliError
from week5.core.errors import CourseInputError
from week5.core.settings import MAX_CLASS_SIZE, STUDENT_MAX_LENGTH, parse_student, shown


def student_argument(value: str, command: str) -> str:
    """``--student VALUE`` of ``week5 COMMAND``: a course student name (as ``-c student``)."""
    try:
        return parse_student(value)
    except CourseInputError:
        raise CliError(
            f"--student {shown(value)} is not a student name: use a lowercase letter first, then "
            f"lowercase letters, digits or '-', at most {STUDENT_MAX_LENGTH} characters; e.g. "
            f"week5 {command} --student kim-minsu",
            EXIT_USAGE,
        ) from None


def class_size(text: str, option: str = "--students") -> int:
    """A class size for argparse (``type=``): ASCII digits only (``str.isdigit`` also takes
    ``１２``, ``١٢`` and ``²``), from 1 to :data:`~week5.core.settings.MAX_CLASS_SIZE`, the bound
    ``-c students`` has: the course's twelve students and a few spare, one account's class. A
    larger number is a typo; a price or a quota check for it describes no class of the course."""
    digits = text.isascii() and text.isdigit() and len(text) <= 9  # int() refuses 4,300 digits
    if not digits or not 1 <= int(text) <= MAX_CLASS_SIZE:
        raise argparse.ArgumentTypeError(
            f"{shown(text)} is not a class size; pass a whole number from 1 to "
            f"{MAX_CLASS_SIZE} in ASCII digits, e.g. {option} 12"
        )
    return int(text)
