"""Wall time of `cdk synth` for the full app versus an empty-app floor (issue 2's target: 2x).

Run: .venv/bin/python bench/synth_time.py [--runs N]
Both go through the pinned CDK CLI and Node 22 with cdk.json's context, so the difference is
the labs themselves: constructs, cdk-nag's AwsSolutions pack and CDK's template validation.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from week5.cli import tool_env  # noqa: E402


def time_synth(app_command: str | None, runs: int) -> list[float]:
    env = tool_env(ROOT)
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as out:
            command = ["cdk", "synth", "--quiet", "--output", out]
            if app_command:
                command += ["--app", app_command]
            started = time.perf_counter()
            subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
            times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    python = sys.executable
    floor = time_synth(f"{python} bench/empty_app.py", runs)
    full = time_synth(None, runs)
    f, a = statistics.median(floor), statistics.median(full)
    print(f"cdk synth, median of {runs} runs (pinned CLI, Node 22, cdk.json context)")
    print(f"  minimal app (floor): {f:6.2f} s   runs: {', '.join(f'{t:.2f}' for t in floor)}")
    print(f"  full app:            {a:6.2f} s   runs: {', '.join(f'{t:.2f}' for t in full)}")
    print(f"  ratio full/floor:    {a / f:6.2f}x  (target: within 2x)")


if __name__ == "__main__":
    main()
