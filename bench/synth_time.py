"""Wall time of `cdk synth`: an empty-app floor, the full app, and a one-lab build.

Run: .venv/bin/python bench/synth_time.py [--runs N]
All go through the pinned CDK CLI and Node 22 with cdk.json's context, so the differences are
the labs themselves: constructs, cdk-nag's AwsSolutions pack and CDK's template validation.
Runs are interleaved (floor, full, ... in turn) so that drift in this machine's speed falls on
every variant alike; the medians are printed with every run.

Issue 2's target, again issue 18's, is "full synth within 2x the floor". The floor is CDK's
fixed start-up (CLI, Python, the jsii kernel, the template-validation engine); each lab adds a
roughly constant amount on top, which the last lines print, so the ratio grows with the catalog.
bench/synth_breakdown.py splits that amount into its parts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from week5.cli.arguments import count_of_runs  # noqa: E402
from week5.cli.synthesis import tool_env  # noqa: E402

os.environ["PATH"] = tool_env(ROOT)["PATH"]  # the catalog's import starts Node: use Node 22
from stacks.catalog import CATALOG  # noqa: E402

#: Issue 2's own labs: the app as that issue defined it.
DAY1_LABS = ("Day1Lab1", "Day1Lab2", "Day1Case")


def synth_once(app_command: Optional[str], labs: Optional[str]) -> float:
    with tempfile.TemporaryDirectory() as out:
        command = ["cdk", "synth", "--quiet", "--output", out]
        if app_command:
            command += ["--app", app_command]
        if labs:
            command += ["--context", f"labs={labs}"]
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=tool_env(ROOT), check=True, capture_output=True)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=count_of_runs, default=3)
    runs = parser.parse_args().runs
    variants = {
        "minimal app (floor)": (f"{sys.executable} bench/empty_app.py", None),
        f"full app ({len(CATALOG)} labs)": (None, None),
        f"Day 1 labs ({len(DAY1_LABS)})": (None, ",".join(DAY1_LABS)),
        "one lab (Day1Lab1)": (None, "Day1Lab1"),
    }
    times: Dict[str, List[float]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, (app_command, labs) in variants.items():
            times[name].append(synth_once(app_command, labs))
    medians = {name: statistics.median(t) for name, t in times.items()}
    floor = medians["minimal app (floor)"]
    full = medians[f"full app ({len(CATALOG)} labs)"]
    print(f"cdk synth, median of {runs} interleaved runs (pinned CLI, Node 22, cdk.json context)")
    for name, t in times.items():
        runs_text = ", ".join(f"{x:.2f}" for x in t)
        print(
            f"  {name + ':':24s}{medians[name]:6.2f} s  {medians[name] / floor:5.2f}x floor"
            f"   runs: {runs_text}"
        )
    print(f"  per lab over the floor:  {(full - floor) / len(CATALOG):6.2f} s")
    print(
        f"  target (issues 2, 18):   full app within 2x floor: "
        f"{'met' if full <= 2 * floor else 'not met'} ({full / floor:.2f}x)"
    )


if __name__ == "__main__":
    main()
