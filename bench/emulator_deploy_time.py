"""Wall time of deploying every lab into the local emulator with the real CDK CLI: in one run
of the CLI (what `week5 local --coverage` and the suite's emulator do) and in a run per lab
(what `week5 local LAB` does for one).

Run: .venv/bin/python bench/emulator_deploy_time.py [--runs N]
The app is synthesized once (the pinned `cdk synth`, cdk.json's context); each run starts two
fresh moto servers with week5's models (what `week5 local` starts), bootstraps them and deploys
the 14 labs, into one in a single CLI run and into the other one lab after another, interleaved.
Prints each run's totals, the medians with their ratio and CPU seconds (the CLI's and the
emulator's), and each lab's median of the run per lab. Issue #16's figure: all 14 deploys
together under 2 minutes on this machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Dict, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from week5.cli.arguments import count_of_runs  # noqa: E402
from week5.analysis.assembly import read_labs  # noqa: E402
from week5.cli.synthesis import tool_env  # noqa: E402
from week5.operations import local  # noqa: E402

BUDGET_S = 120.0


def children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


def in_emulator(deploy: Callable[[Dict[str, str]], Dict[str, float]]) -> Tuple[Dict[str, float], float]:
    """Run ``deploy`` against a fresh, bootstrapped emulator: (its seconds, CPU of the CLI
    runs and the emulator, bootstrap included)."""
    cpu = children_cpu()
    emulator = local.start_emulator(Path(sys.executable).parent)
    try:
        env = local.emulator_env(tool_env(ROOT), emulator)
        local.bootstrap(env)
        seconds = deploy(env)
    finally:
        emulator.stop()  # waits for the server: its CPU is counted
        emulator.remove_log()
    return seconds, children_cpu() - cpu


def one_run(outdir: Path, lab_ids: List[str]) -> Callable[[Dict[str, str]], Dict[str, float]]:
    def deploy(env: Dict[str, str]) -> Dict[str, float]:
        error, seconds = local.deploy_labs(outdir, lab_ids, env)
        if error:
            raise SystemExit(f"the labs did not deploy in one run: {error}")
        return {"all": seconds}

    return deploy


def run_per_lab(outdir: Path, lab_ids: List[str]) -> Callable[[Dict[str, str]], Dict[str, float]]:
    def deploy(env: Dict[str, str]) -> Dict[str, float]:
        seconds = {}
        for lab_id in lab_ids:
            error, seconds[lab_id] = local.deploy(outdir, lab_id, env)
            if error:
                raise SystemExit(f"{lab_id} did not deploy: {error}")
        return seconds

    return deploy


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=count_of_runs, default=3)
    args = parser.parse_args(argv)
    env = tool_env(ROOT)
    together: List[Tuple[float, float]] = []
    apart: List[Tuple[Dict[str, float], float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        synthesized = Path(tmp) / "synth" / "cdk.out"
        subprocess.run(
            ["cdk", "synth", "--quiet", "--output", str(synthesized)], cwd=ROOT, env=env, check=True
        )
        lab_ids = [lab.lab_id for lab in read_labs(synthesized)]
        for index in range(args.runs):
            # A copy per run: `cdk deploy` writes its asset zips into the assembly.
            for name in ("together", "apart"):
                shutil.rmtree(Path(tmp) / name, ignore_errors=True)
                shutil.copytree(synthesized, Path(tmp) / name / "cdk.out")
            seconds, cpu = in_emulator(one_run(Path(tmp) / "together" / "cdk.out", lab_ids))
            together.append((seconds["all"], cpu))
            each, cpu_each = in_emulator(run_per_lab(Path(tmp) / "apart" / "cdk.out", lab_ids))
            apart.append((each, cpu_each))
            print(
                f"run {index + 1}: {len(lab_ids)} labs in one CLI run {seconds['all']:.1f} s "
                f"(CPU {cpu:.1f} s); a run per lab {sum(each.values()):.1f} s (CPU {cpu_each:.1f} s)"
            )
    one = statistics.median(s for s, _ in together)
    per_lab = statistics.median(sum(e.values()) for e, _ in apart)
    print(
        f"median: one CLI run {one:.1f} s ({one / BUDGET_S:.2f}x of 120 s), CPU "
        f"{statistics.median(c for _, c in together):.1f} s; a run per lab {per_lab:.1f} s, CPU "
        f"{statistics.median(c for _, c in apart):.1f} s; per lab / one run {per_lab / one:.2f}x"
    )
    print("each lab in a run of its own (median):")
    for lab_id in lab_ids:
        print(f"  {lab_id:14s} {statistics.median(e[lab_id] for e, _ in apart):5.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
