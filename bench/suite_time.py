"""The test suite's wall time, its CPU time, and the test files that cost the most.

Run: .venv/bin/python bench/suite_time.py [--top N] [-- PYTEST_ARGS...]

Runs the README's test command (`scripts/test`, one pytest-xdist worker per core) once, with a
small pytest plugin in each worker that adds up, per test file, the wall time of its tests and
the CPU time the worker and its descendants used meanwhile, the live ones read from /proc (a
session fixture's cost, the session's Chromium included, falls on the files that use it; before
/proc was read, a server's CPU fell on the file running when it was reaped: 23 s of CPU in a
2.6 s file that starts no process. A process whose parent exits before it is moved to init and
leaves the sum). Prints the suite's wall time, its CPU seconds, the
floor those CPU seconds set on this machine's cores (CPU / cores: no ordering of the files can
beat it), and the N files with the most CPU and the most wall time.

It also times a fixed pure-Python workload before and after the suite (the median of three
runs each): this machine's pace moves from hour to hour (the same code took 241 s one evening
and 395 s the next morning), so two runs' figures compare only beside their paces.

Issue 18's target: the suite under 3 minutes here. When the floor alone is above it, only less
CPU helps (not more workers or another order); the CPU list says where it goes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent

#: The plugin each worker loads: figures per test file, written as JSON when the worker ends.
PLUGIN = '''
import collections, json, os, resource, time

_files = collections.defaultdict(lambda: [0.0, 0.0])
_open = {}  # test file -> (cpu, wall) when its current run of tests on this worker began
_closes = set()  # node ids after which another file (or nothing) runs
_TICK = os.sysconf("SC_CLK_TCK")


def _live_descendants_cpu():
    """CPU seconds of this worker's live descendants and of the children they reaped. A server
    that outlives a test file (Chromium, an emulator) reaches RUSAGE_CHILDREN only when reaped,
    so without this its CPU fell on whatever file ran then."""
    children, used = collections.defaultdict(list), {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        children[int(fields[1])].append(int(pid))
        used[int(pid)] = sum(int(f) for f in fields[11:15]) / _TICK  # utime stime cutime cstime
    total, todo = 0.0, list(children[os.getpid()])
    while todo:
        pid = todo.pop()
        total += used[pid]
        todo.extend(children[pid])
    return total


def _cpu():
    own = resource.getrusage(resource.RUSAGE_SELF)
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime
            + _live_descendants_cpu())


def _file(nodeid):
    return nodeid.split("::")[0]


def pytest_runtest_protocol(item, nextitem):
    # /proc is read where a file's run starts and ends, not around every test (1 to 3 ms a read)
    name = _file(item.nodeid)
    if name not in _open:
        _open[name] = (_cpu(), time.perf_counter())
    if nextitem is None or _file(nextitem.nodeid) != name:
        _closes.add(item.nodeid)


def pytest_runtest_logfinish(nodeid, location):
    if nodeid in _closes:
        _closes.discard(nodeid)
        cpu, wall = _open.pop(_file(nodeid))
        figures = _files[_file(nodeid)]
        figures[0] += _cpu() - cpu
        figures[1] += time.perf_counter() - wall


def pytest_sessionfinish(session):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with open(os.path.join(os.environ["WEEK5_SUITE_FIGURES"], worker + ".json"), "w") as out:
        json.dump(_files, out)
'''


#: The fixed workload: pure Python, no I/O, under a second of CPU on this machine.
PACE_WORKLOAD = "sum(i * i % 7 for i in range(12_000_000))"


def pace() -> float:
    """CPU seconds of the fixed workload in a fresh interpreter: the median of three runs."""
    runs = []
    for _ in range(3):
        before = os.times()
        subprocess.run([sys.executable, "-c", PACE_WORKLOAD], check=True)
        after = os.times()
        runs.append(after.children_user - before.children_user
                    + after.children_system - before.children_system)
    return sorted(runs)[1]


def run_suite(pytest_args: List[str]) -> Dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "week5_suite_figures.py").write_text(PLUGIN)
        env = dict(os.environ, WEEK5_SUITE_FIGURES=folder)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [folder, env.get("PYTHONPATH")]))
        before = os.times()
        started = time.perf_counter()
        done = subprocess.run(
            [str(ROOT / "scripts" / "test"), "-q", "-p", "week5_suite_figures", *pytest_args],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        wall = time.perf_counter() - started
        after = os.times()
        files: Dict[str, List[float]] = {}
        for worker in Path(folder).glob("*.json"):
            if worker.name == "week5_suite_figures.json":
                continue
            for name, (cpu, seconds) in json.loads(worker.read_text()).items():
                figures = files.setdefault(name, [0.0, 0.0])
                figures[0] += cpu
                figures[1] += seconds
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    lines = done.stdout.strip().splitlines()
    failed = [line for line in lines if line.startswith(("FAILED ", "ERROR "))]
    log = None
    if failed:  # the failures' tracebacks, kept for reading after the run
        fd, log = tempfile.mkstemp(prefix="week5-suite-", suffix=".log")
        with os.fdopen(fd, "w") as kept:
            kept.write(done.stdout)
    return {
        "wall": wall,
        "cpu": cpu,
        "files": files,
        "code": done.returncode,
        "summary": lines[-1] if lines else "",
        "failed": failed,
        "log": log,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=12, help="files to list (default 12)")
    parser.add_argument("pytest_args", nargs="*", help="after --: more pytest arguments")
    args = parser.parse_args()
    pace_before = pace()
    result = run_suite(args.pytest_args)
    pace_after = pace()
    cores = os.cpu_count() or 1
    print(f"suite: {result['summary']}")
    for line in result["failed"]:
        print(f"  {line}")
    if result["log"]:
        print(f"  pytest's output: {result['log']}")
    print(
        f"wall {result['wall']:.1f} s; CPU {result['cpu']:.1f} s on {cores} cores: "
        f"floor {result['cpu'] / cores:.1f} s (target 180 s)"
    )
    print(
        f"pace: the fixed workload took {pace_before:.2f} s of CPU before the suite and "
        f"{pace_after:.2f} s after (compare runs only at a like pace)"
    )
    files = result["files"]
    for title, column in (("CPU", 0), ("wall", 1)):
        print(f"the {args.top} test files with the most {title} seconds (cpu, wall):")
        for name, (cpu, wall) in sorted(files.items(), key=lambda f: -f[1][column])[: args.top]:
            print(f"  {cpu:7.1f} {wall:7.1f}  {name}")
    return result["code"]


if __name__ == "__main__":
    sys.exit(main())
