"""integ-runner's ``--app`` for the suite: hand it a cloud assembly already synthesized for an
integ test, instead of synthesizing it again.

integ-runner runs ``python integ_<lab>.py`` twice per lab (once to read its integ.json, once to
compare: a FIXME in its snapshot runner), each paying CDK's start-up (Python, the jsii kernel,
Node) and the engine of CDK's CloudFormation validation: 9.5 s of CPU for Day1Lab1, 5 s of it
the engine (`/usr/bin/time python integ_day1_lab1.py` in integ/), on top of what
tests/test_integ.py's ``integ_apps`` fixture already did in one process. Two modes:

- ``WEEK5_INTEG_REPLAY=<folder of assemblies named after the integ files> python
  tests/integ_replay.py integ_day1_lab1.py``: that fixture's assembly is copied into integ-runner's
  ``CDK_OUTDIR``; integ-runner compares it with the committed snapshot by its own rules.
- ``WEEK5_INTEG_ONCE=<empty folder> python tests/integ_replay.py --once python3
  integ/integ_day1_lab1.py``: runs that command (integ-runner's own for Python) as integ-runner
  asked; asked again with the same arguments, working folder and environment, it hands over the
  first run's assembly instead of running the app again. The key leaves out the app's own
  files: give each run a fresh folder. One lab goes through integ-runner end to
  end so (tests/test_integ.py), and `scripts/integ check` synthesizes every one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPLAY_ENV = "WEEK5_INTEG_REPLAY"
ONCE_ENV = "WEEK5_INTEG_ONCE"


def _link_tree(source: Path, target: Path) -> None:
    # Hard links: the assertion handler alone is 6 MB a lab, and nothing writes to these files.
    # Not the CDK toolkit's lock files (synth.lock): it holds its own while the app runs.
    shutil.copytree(
        source,
        target,
        copy_function=os.link,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("*.lock"),
    )


def replay(integ_file: str, outdir: str) -> int:
    folder = os.environ.get(REPLAY_ENV)
    if not folder:
        sys.exit(f"integ_replay.py: {REPLAY_ENV} must be set")
    assembly = Path(folder) / Path(integ_file).name
    if not (assembly / "manifest.json").is_file():
        sys.exit(f"integ_replay.py: no assembly synthesized for {integ_file} in {folder}")
    _link_tree(assembly, Path(outdir))
    return 0


def once(command: list, outdir: str) -> int:
    folder = os.environ.get(ONCE_ENV)
    if not folder:
        sys.exit(f"integ_replay.py: {ONCE_ENV} must be set")
    # Everything the app could read from integ-runner: its arguments, the folder it runs in and
    # the environment (CDK_CONTEXT_JSON, CDK_OUTDIR...). Any difference runs the app again.
    inputs = json.dumps([command, os.getcwd(), sorted(os.environ.items())])
    saved = Path(folder) / hashlib.sha256(inputs.encode()).hexdigest()
    if saved.is_dir():
        _link_tree(saved, Path(outdir))
        return 0
    status = subprocess.run(command).returncode
    if status == 0:
        # Kept aside: integ-runner deletes CDK_OUTDIR between its two synths.
        _link_tree(Path(outdir), saved)
    return status


def main(argv: list) -> int:
    outdir = os.environ.get("CDK_OUTDIR")
    if not outdir:
        sys.exit("integ_replay.py: CDK_OUTDIR must be set (integ-runner sets it)")
    if argv[1:2] == ["--once"]:
        if len(argv) < 3:
            sys.exit("integ_replay.py --once: give the app's command, e.g. python3 {filePath}")
        return once(argv[2:], outdir)
    if len(argv) == 2:
        return replay(argv[1], outdir)
    sys.exit(
        "usage: integ_replay.py INTEG_FILE | integ_replay.py --once COMMAND... "
        "(integ-runner's {filePath} in INTEG_FILE or COMMAND)"
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv))
