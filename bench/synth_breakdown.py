"""Where a full `cdk synth` of the labs spends its time: each part's seconds and share.

Run: .venv/bin/python bench/synth_breakdown.py [--runs N]

Each part is the difference between two variants of the same build, each run as a fresh
process (interleaved, medians of N): importing aws_cdk (Python, Node and aws-cdk-lib), building
the labs' constructs, synthesizing their templates, the two rule packs (cdk-nag's AwsSolutions
and the course's), CDK's CloudFormation validation (a WASM engine: started once, then run over
each template), and the CDK CLI around the app. The build is split further into the time its
jsii round trips take (Node's work and the pipe between the two processes) and Python's own
(construct code and module imports), with the number of round trips.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from week5.cli.arguments import count_of_runs  # noqa: E402

#: What each variant runs, cumulatively; its difference from the one before is one part.
VARIANTS = ("import", "build", "synth", "nag", "validation")
PARTS = {
    "import": "import aws_cdk (Python, Node, aws-cdk-lib)",
    "build": "build the labs (with week5, cdk-nag imports)",
    "synth": "synthesize templates and assembly",
    "nag": "rule packs (AwsSolutions, Week5)",
    "validation": "CDK's CloudFormation validation",
}


def run_variant(variant: str) -> Dict[str, float]:
    """In this process: do ``variant``'s share of a full synth; return its timings."""
    from jsii._kernel.providers import process as jsii_process

    started = time.perf_counter()
    jsii_time = [0.0]
    jsii_calls = [0]
    send = jsii_process._NodeProcess.send

    def timed_send(self, request, response_type):
        before = time.perf_counter()
        try:
            return send(self, request, response_type)
        finally:
            jsii_time[0] += time.perf_counter() - before
            jsii_calls[0] += 1

    jsii_process._NodeProcess.send = timed_send
    import aws_cdk as cdk

    result: Dict[str, float] = {}
    if variant != "import":
        from stacks.catalog import CATALOG
        from week5.synth.app_builder import build_labs, synth_context

        with tempfile.TemporaryDirectory() as out:
            app = cdk.App(context=synth_context(ROOT / "cdk.json"), outdir=out)
            jsii_time[0], jsii_calls[0] = 0.0, 0
            build_started = time.perf_counter()
            build_labs(app, CATALOG, nag=variant in ("nag", "validation"))
            result["build_seconds"] = time.perf_counter() - build_started
            result["build_jsii_seconds"] = jsii_time[0]
            result["build_jsii_calls"] = jsii_calls[0]
            if variant != "build":
                app.synth()
    result["seconds"] = time.perf_counter() - started
    return result


def measure(variant: str, env: Dict[str, str]) -> Dict[str, float]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--variant", variant],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["wall"] = time.perf_counter() - started
    return figures


def cli_synth(env: Dict[str, str], app: str = "") -> float:
    with tempfile.TemporaryDirectory() as out:
        command = ["cdk", "synth", "--quiet", "--output", out] + (["--app", app] if app else [])
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=count_of_runs, default=3)
    parser.add_argument("--variant", choices=VARIANTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(run_variant(args.variant)))
        return

    from week5.cli.synthesis import tool_env

    env = tool_env(ROOT)
    no_validation = {**env, "CDK_VALIDATION": "false"}
    runs: Dict[str, List[Dict[str, float]]] = {v: [] for v in (*VARIANTS, "cli", "floor")}
    for _ in range(args.runs):
        for variant in VARIANTS:
            variant_env = env if variant == "validation" else no_validation
            runs[variant].append(measure(variant, variant_env))
        runs["cli"].append({"wall": cli_synth(env)})
        runs["floor"].append({"wall": cli_synth(env, f"{sys.executable} bench/empty_app.py")})

    def median(variant: str, key: str = "wall") -> float:
        return statistics.median(r[key] for r in runs[variant])

    totals = {v: median(v) for v in (*VARIANTS, "cli")}
    parts = {}
    previous = 0.0
    for variant in VARIANTS:
        parts[PARTS[variant]] = totals[variant] - previous
        previous = totals[variant]
    parts["the CDK CLI around the app"] = totals["cli"] - totals["validation"]
    full = totals["cli"]
    print(f"Full `cdk synth` of the labs: {full:.2f} s (median of {args.runs}); its parts:")
    for name, seconds in parts.items():
        print(f"  {name + ':':46s}{seconds:6.2f} s  {seconds / full:6.1%}")
    build = median("build", "build_seconds")
    jsii_seconds = median("build", "build_jsii_seconds")
    calls = median("build", "build_jsii_calls")
    print(
        f"  of the build ({build:.2f} s): jsii round trips {jsii_seconds:.2f} s "
        f"({calls:.0f} of them, {jsii_seconds / calls * 1000:.2f} ms each), "
        f"Python {build - jsii_seconds:.2f} s"
    )
    floor = median("floor")
    print(f"  empty-app floor (bench/empty_app.py): {floor:.2f} s; full: {full / floor:.2f}x floor")


if __name__ == "__main__":
    main()
