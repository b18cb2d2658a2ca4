"""What the course's rule pack adds to a synthesis: CourseChecks over every lab, timed alone.

Run: .venv/bin/python bench/course_checks_time.py [--runs N]
The app is synthesized once (no validation plugins), then the pack's ``validate_scope`` runs over
every lab stack N times; prints the median for the whole app, per lab and per resource. The
pack's cost is one Python callback per resource plus a few reads of the stack; a rule that fails
calls back into cdk-nag, a compliant one does not.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from week5.cli.arguments import count_of_runs  # noqa: E402
from week5.cli.synthesis import tool_env  # noqa: E402

os.environ["PATH"] = tool_env(ROOT)["PATH"]  # jsii starts Node at the first import: Node 22

import aws_cdk as cdk  # noqa: E402

from stacks.catalog import CATALOG  # noqa: E402
from week5.synth.app_builder import build_labs, synth_context  # noqa: E402
from week5.synth.course_checks import CourseChecks  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=count_of_runs, default=5)
    args = parser.parse_args()
    context = synth_context(ROOT / "cdk.json")
    with tempfile.TemporaryDirectory() as out:
        app = cdk.App(context=context, outdir=out)
        stacks = build_labs(app, CATALOG, nag=False)
        app.synth()
        resources = sum(
            len(json.loads((Path(out) / s.template_file).read_text())["Resources"])
            for s in stacks.values()
        )
        times = []
        for _ in range(args.runs):
            pack = CourseChecks()  # a fresh pack reads each template again, as a synth does
            start = time.perf_counter()
            for stack in stacks.values():
                report = pack.validate_scope(stack)
                assert report.success, [v.rule_name for v in report.violations]
            times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"CourseChecks over {len(stacks)} labs ({resources} resources), median of {args.runs}")
    print(f"  whole app:     {median:.2f} s   runs: {', '.join(f'{t:.2f}' for t in times)}")
    print(f"  per lab:       {median / len(stacks) * 1000:.0f} ms")
    print(f"  per resource:  {median / resources * 1000:.2f} ms")


if __name__ == "__main__":
    main()
