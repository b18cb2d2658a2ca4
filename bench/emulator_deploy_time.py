"""Wall time of deploying every lab into the local emulator with the real CDK CLI.

Run: .venv/bin/python bench/emulator_deploy_time.py [--runs N]
The app is synthesized once (the pinned `cdk synth`, cdk.json's context); each run starts a
fresh moto server with week5's models (what `week5 local` starts), bootstraps it and deploys the
14 labs one after another. Prints each run's total and each lab's time, then the medians.
Issue #16's figure: all 14 deploys together under 2 minutes on this machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from week5.analysis.assembly import read_labs  # noqa: E402
from week5.cli.synthesis import tool_env  # noqa: E402
from week5.operations import local  # noqa: E402

BUDGET_S = 120.0


def one_run(outdir: Path, lab_ids: List[str], env: Dict[str, str]) -> Dict[str, float]:
    emulator = local.start_emulator(Path(sys.executable).parent)
    try:
        run_env = local.emulator_env(env, emulator)
        local.bootstrap(run_env)
        seconds = {}
        for lab_id in lab_ids:
            error, seconds[lab_id] = local.deploy(outdir, lab_id, run_env)
            if error:
                raise SystemExit(f"{lab_id} did not deploy: {error}")
        return seconds
    finally:
        emulator.stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    env = tool_env(ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        outdir = Path(tmp) / "cdk.out"
        subprocess.run(
            ["cdk", "synth", "--quiet", "--output", str(outdir)], cwd=ROOT, env=env, check=True
        )
        lab_ids = [lab.lab_id for lab in read_labs(outdir)]
        runs = []
        for index in range(args.runs):
            seconds = one_run(outdir, lab_ids, env)
            runs.append(seconds)
            print(f"run {index + 1}: {sum(seconds.values()):.1f} s for {len(seconds)} labs")
    totals = [sum(r.values()) for r in runs]
    median = statistics.median(totals)
    print(f"median: {median:.1f} s for {len(lab_ids)} deploys ({median / BUDGET_S:.2f}x of 120 s)")
    for lab_id in lab_ids:
        print(f"  {lab_id:14s} {statistics.median(r[lab_id] for r in runs):5.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
