"""Long-running steps that say they are still running, so nothing waits silently.

Every line here goes to stderr, for every command: stdout is the command's result alone.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Mapping, Sequence, Tuple

#: A line every this many seconds while a step runs.
PROGRESS_EVERY_S = 3.0


def say(message: str) -> None:
    """A progress line or a note, always on stderr: stdout carries only a command's result
    (a table, or JSON with ``--json``, which ``| jq`` must be able to read whole)."""
    print(message, flush=True, file=sys.stderr)


def run_with_progress(
    command: Sequence[str], *, cwd: Path, env: Mapping[str, str], doing: str
) -> Tuple[subprocess.CompletedProcess, float]:
    """Run ``command``, printing ``... still <doing> (N s)`` every few seconds.

    Returns the finished process (output captured as text) and the seconds it took.
    """
    started = time.monotonic()
    done = threading.Event()

    def tick() -> None:
        while not done.wait(PROGRESS_EVERY_S):
            say(f"   ... still {doing} ({time.monotonic() - started:.0f} s)")

    threading.Thread(target=tick, daemon=True).start()
    try:
        result = subprocess.run(
            list(command), cwd=cwd, env=dict(env), capture_output=True, text=True, check=False
        )
    finally:
        done.set()
    return result, time.monotonic() - started
