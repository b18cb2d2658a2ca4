"""Command-line values the commands share, checked where they are read: a bad one is one line
that names the option as the user typed it and the fix (exit 2)."""

from __future__ import annotations

from week5.cli.errors import EXIT_USAGE, CliError
from week5.core.errors import CourseInputError
from week5.core.settings import STUDENT_MAX_LENGTH, parse_student


def student_argument(value: str, command: str) -> str:
    """``--student VALUE`` of ``week5 COMMAND``: a course student name (as ``-c student``)."""
    try:
        return parse_student(value)
    except CourseInputError:
        shown = value if len(value) <= 40 else value[:37] + "..."  # a pasted file: not all of it
        raise CliError(
            f"--student {shown!r} is not a student name: use a lowercase letter first, then "
            f"lowercase letters, digits or '-', at most {STUDENT_MAX_LENGTH} characters; e.g. "
            f"week5 {command} --student kim-minsu",
            EXIT_USAGE,
        ) from None
