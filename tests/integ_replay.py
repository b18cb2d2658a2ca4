"""integ-runner's ``--app`` for the suite: hand it the cloud assembly this session already
synthesized for an integ test, instead of synthesizing it again.

integ-runner runs ``python integ_<lab>.py`` once per lab, each paying CDK's start-up (Python,
the jsii kernel, Node) on top of what tests/test_integ.py's ``integ_apps`` fixture already did
in one process. With ``--app "python tests/integ_replay.py {filePath}"`` it gets that fixture's
assembly copied into its ``CDK_OUTDIR`` and compares it with the committed snapshot by its own
rules. One lab still goes through integ-runner end to end (tests/test_integ.py), and
`scripts/integ check` synthesizes every one.

Usage (integ-runner runs it in integ/): WEEK5_INTEG_REPLAY=<folder of assemblies named after
the integ files> python tests/integ_replay.py integ_day1_lab1.py
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

REPLAY_ENV = "WEEK5_INTEG_REPLAY"


def main(argv: list) -> int:
    if len(argv) != 2:
        sys.exit("usage: integ_replay.py INTEG_FILE (integ-runner's {filePath})")
    folder, outdir = os.environ.get(REPLAY_ENV), os.environ.get("CDK_OUTDIR")
    if not folder or not outdir:
        sys.exit(f"integ_replay.py: {REPLAY_ENV} and CDK_OUTDIR must both be set")
    assembly = Path(folder) / Path(argv[1]).name
    if not (assembly / "manifest.json").is_file():
        sys.exit(f"integ_replay.py: no assembly synthesized for {argv[1]} in {folder}")
    # Hard links: the assertion handler alone is 6 MB a lab, and nothing writes to these files.
    shutil.copytree(assembly, outdir, copy_function=os.link, dirs_exist_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
