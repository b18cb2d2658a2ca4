"""The one error type for input the course cannot use (a context value, a prop, a CLI argument),
and how such a message quotes the input."""

from typing import Any


class CourseInputError(ValueError):
    """A context value or construct prop that the course cannot use; the message says the fix.

    Raised before anything is synthesized or deployed. ``week5``'s commands and the launchers'
    preflight print its message as one line and exit 2; ``app.py``, which the CDK CLI runs,
    prints it as one line and exits 1, which the CLI reports as the app's failure.
    """


def shown(value: Any, limit: int = 40) -> str:
    """``value`` quoted for a one-line message: escapes (a line break, a terminal control) shown
    as such, and a pasted file cut to its first ``limit`` characters (a path may take more). A
    value that is not a string (from cdk.json) is shown as Python shows it, cut the same way."""
    if not isinstance(value, str):
        text = repr(value)
        return text if len(text) <= limit else text[: limit - 3] + "..."
    return repr(value if len(value) <= limit else value[: limit - 3] + "...")
