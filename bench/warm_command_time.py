"""Wall time of `week5 cost Day4Lab1` and `week5 labs`, cold (synthesizing) and warm (reading
the assembly cache), against the `cdk synth` floor.

Run: .venv/bin/python bench/warm_command_time.py [--runs N]
Each command runs as a user runs it (a new `python -m week5` process) in a copy of the
project's sources, so that edits made in the checkout meanwhile cannot change the cache's key
halfway. Cold is `--no-cache` (it synthesizes, then stores); warm is the same command again,
and must say that it read the cache. The floor is an empty app (`bench/empty_app.py`) through
the same `cdk synth`. Runs are interleaved (floor, cost cold, cost warm, labs cold, labs warm,
... in turn), so drift in this shared machine's speed falls on every variant alike.

Issue 18's target: warm `cost Day4Lab1` and warm `labs` at or under 0.6x the floor. The key's
own cost (hashing the sources, listing the installed packages) is printed too.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from week5.cli.arguments import count_of_runs  # noqa: E402
from week5.cli import assembly_cache  # noqa: E402
from week5.cli.synthesis import synth_python, tool_env  # noqa: E402

TARGET = 0.6  # warm commands at or under this many floors


def copy_project(folder: Path) -> Path:
    """The sources that decide the templates, and the pinned Node tools, in ``folder``."""
    for name in ("app.py", "cdk.json"):
        shutil.copy2(ROOT / name, folder / name)
    skip = shutil.ignore_patterns("node_modules", "__pycache__", "*.pyc")
    for name in ("stacks", "week5"):
        shutil.copytree(ROOT / name, folder / name, ignore=skip)
    (folder / "node_modules").symlink_to(ROOT / "node_modules")
    return folder


def timed(command: List[str], cwd: Path, expect: str) -> float:
    """Seconds ``command`` took; its stderr must contain ``expect`` (cache hit or synthesis).

    A warm run that synthesized anyway saw its inputs change (in this shared checkout, say, a
    package installed into the venv meanwhile: the key lists them all): it is said, and the
    command is timed again, now on the new inputs' entry."""
    for attempt in range(2):
        started = time.perf_counter()
        result = subprocess.run(
            command, cwd=cwd, env=tool_env(ROOT), capture_output=True, text=True
        )
        seconds = time.perf_counter() - started
        if result.returncode == 0 and expect in result.stderr:
            return seconds
        if result.returncode == 0 and attempt == 0 and "==> synthesizing" in result.stderr:
            print(f"  {' '.join(command[3:])}: inputs changed meanwhile; again", file=sys.stderr)
            continue
        break
    sys.exit(f"{' '.join(command[3:])}: exit {result.returncode}, no {expect!r}:\n{result.stderr}")


def week5(*args: str) -> List[str]:
    return [sys.executable, "-m", "week5", *args]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=count_of_runs, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="week5-bench-") as scratch:
        project = copy_project(Path(scratch))
        floor_app = f"{sys.executable} {ROOT / 'bench' / 'empty_app.py'}"
        synthesizing, hit = "==> synthesizing", "==> assembly from the cache"
        variants: Dict[str, Callable[[], float]] = {
            "floor (empty app, cdk synth)": lambda: timed(
                ["cdk", "synth", "--quiet", "--app", floor_app, "--output", str(project / "floor")],
                project,
                "",
            ),
            "cost Day4Lab1, cold": lambda: timed(
                week5("cost", "Day4Lab1", "--no-cache"), project, synthesizing
            ),
            "cost Day4Lab1, warm": lambda: timed(week5("cost", "Day4Lab1"), project, hit),
            "labs, cold": lambda: timed(week5("labs", "--no-cache"), project, synthesizing),
            "labs, warm": lambda: timed(week5("labs"), project, hit),
        }
        times: Dict[str, List[float]] = {name: [] for name in variants}
        for index in range(runs):
            for name, run in variants.items():
                times[name].append(run())
            print(
                f"  run {index + 1} of {runs} done (load {os.getloadavg()[0]:.1f})", file=sys.stderr
            )
        key_times = []
        for _ in range(20):
            started = time.perf_counter()
            assembly_cache.project_state(project, python=synth_python(project))
            key_times.append(time.perf_counter() - started)
        files = sum(1 for _ in assembly_cache.source_files(project))
    medians = {name: statistics.median(t) for name, t in times.items()}
    floor = medians["floor (empty app, cdk synth)"]
    print(f"week5 commands, median of {runs} interleaved runs (a new process each, Node 22)")
    for name, t in times.items():
        runs_text = ", ".join(f"{x:.2f}" for x in t)
        print(
            f"  {name + ':':30s}{medians[name]:6.2f} s  {medians[name] / floor:5.2f}x floor"
            f"   runs: {runs_text}"
        )
    for command in ("cost Day4Lab1", "labs"):
        cold, warm = medians[f"{command}, cold"], medians[f"{command}, warm"]
        print(f"  {command}: warm is {cold / warm:.1f}x faster than cold")
    print(
        f"  the cache key over {files} files and the installed packages: "
        f"{statistics.median(key_times) * 1000:.1f} ms (median of 20)"
    )
    worst = max(medians["cost Day4Lab1, warm"], medians["labs, warm"]) / floor
    print(
        f"  target (issue 18): warm cost and labs at or under {TARGET}x floor: "
        f"{'met' if worst <= TARGET else 'not met'} (the slower: {worst:.2f}x)"
    )


if __name__ == "__main__":
    main()
