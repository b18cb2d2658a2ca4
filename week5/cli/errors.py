"""How a command fails: one line on stderr and an exit code (0 ok, 1 failed, 2 usage)."""

from __future__ import annotations

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

#: What ``week5 preflight`` tells the launchers (scripts/cdk, scripts/instructor): done, exit 0,
#: do not run cdk; refused, exit 1; bad input, exit 2 (each without running cdk).
EXIT_DONE, EXIT_REFUSED, EXIT_BAD_CONTEXT = 10, 11, 12


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit code in ``code``."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code
