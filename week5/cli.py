"""The ``week5`` command line.

``week5 check [LAB ...]``: synthesize every lab with the pinned CDK CLI (cdk-nag's AwsSolutions
runs as part of synthesis and fails it on any unacknowledged finding), lint every template with
cfn-lint, and print the lab catalog with the results.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import List, Optional, Sequence

from week5.assembly import SynthesizedLab, read_labs
from week5.catalog import unknown_lab_message
from week5.lint import lint_template
from week5.settings import CONTEXT_LABS

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
_PROGRESS_EVERY_S = 3.0


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit code in ``code``."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


def find_project_root(start: Optional[Path] = None) -> Path:
    """The folder holding ``cdk.json``: the working directory or one above it."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "cdk.json").is_file():
            return folder
    raise CliError(
        f"no cdk.json in {here} or above it: run week5 from the project folder", EXIT_USAGE
    )


def tool_env(root: Path) -> dict:
    """PATH with the project's Node 22 and CDK CLI and this Python's venv first."""
    env = dict(os.environ)
    paths = [str(root / "node_modules" / ".bin"), str(Path(sys.executable).parent)]
    env["PATH"] = os.pathsep.join(paths + [env.get("PATH", "")])
    return env


def synthesize(root: Path, outdir: Path, context: Sequence[str] = ()) -> float:
    """Run ``cdk synth`` into ``outdir``; returns seconds taken. Raises CliError on failure."""
    env = tool_env(root)
    cdk = shutil.which("cdk", path=env["PATH"])
    if cdk is None:
        raise CliError("the CDK CLI is missing: run scripts/setup (it installs it with Node 22)")
    if shutil.which("node", path=env["PATH"]) is None:
        raise CliError("Node.js is missing: run scripts/setup (it installs Node 22 from npm)")
    command = [cdk, "synth", "--quiet", "--output", str(outdir)]
    for item in context:
        command += ["--context", item]
    started = time.monotonic()
    done = threading.Event()

    def progress() -> None:
        while not done.wait(_PROGRESS_EVERY_S):
            _say(f"   ... still synthesizing ({time.monotonic() - started:.0f} s)")

    ticker = threading.Thread(target=progress, daemon=True)
    ticker.start()
    try:
        result = subprocess.run(
            command, cwd=root, env=env, capture_output=True, text=True, check=False
        )
    finally:
        done.set()
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        raise CliError(f"cdk synth failed (exit {result.returncode}):\n{output}")
    return time.monotonic() - started


def select_labs(labs: List[SynthesizedLab], wanted: Sequence[str]) -> List[SynthesizedLab]:
    if not wanted:
        return labs
    by_id = {lab.lab_id: lab for lab in labs}
    for lab_id in wanted:
        if lab_id not in by_id:
            raise CliError(unknown_lab_message(lab_id, by_id), EXIT_USAGE)
    return [by_id[lab_id] for lab_id in wanted]


def format_catalog(rows: List[SynthesizedLab], lint_results: dict) -> str:
    header = ("Lab", "Day", "Kind", "Title", "Course $/h", "Resources", "cdk-nag", "cfn-lint")
    table = [header]
    for lab in rows:
        findings = lint_results[lab.lab_id]
        errors = sum(1 for f in findings if f.is_error)
        warnings = len(findings) - errors
        cost = "-" if lab.course_cost_usd is None else f"${lab.course_cost_usd:.2f}"
        table.append(
            (
                lab.lab_id,
                lab.day,
                lab.kind,
                lab.title_ko,
                cost,
                str(lab.resource_count),
                "pass",
                f"{errors} errors, {warnings} warnings",
            )
        )
    widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
    lines = []
    for index, row in enumerate(table):
        lines.append("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def run_check(args: argparse.Namespace) -> int:
    if args.assembly:
        outdir = Path(args.assembly).resolve()
        if not (outdir / "manifest.json").is_file():
            raise CliError(f"{outdir} is not a cloud assembly (no manifest.json)", EXIT_USAGE)
        return _check_assembly(outdir, args.labs)
    root = find_project_root()
    keep = args.output is not None
    outdir = Path(args.output).resolve() if keep else Path(tempfile.mkdtemp(prefix="week5-synth-"))
    try:
        which = ", ".join(args.labs) if args.labs else "every lab"
        _say(f"==> synthesizing {which} with the pinned CDK CLI; cdk-nag AwsSolutions runs too")
        context = list(args.context)
        if args.labs and not any(item.startswith(f"{CONTEXT_LABS}=") for item in context):
            context.append(f"{CONTEXT_LABS}={','.join(args.labs)}")  # build only what is checked
        seconds = synthesize(root, outdir, context)
        _say(f"    synthesized, cdk-nag clean, in {seconds:.1f} s")
        code = _check_assembly(outdir, args.labs)
        if keep:
            print(f"Templates: {outdir}")
        return code
    finally:
        if not keep:
            shutil.rmtree(outdir, ignore_errors=True)


def _check_assembly(outdir: Path, wanted: Sequence[str]) -> int:
    """cfn-lint the labs of a synthesized assembly and print the catalog table."""
    labs = select_labs(read_labs(outdir), wanted)
    if not labs:
        raise CliError(f"{outdir} holds no Week 5 lab stacks")
    _say(f"==> cfn-lint on {len(labs)} template(s)")
    lint_results = {lab.lab_id: lint_template(lab.template_path) for lab in labs}
    print()
    print(format_catalog(labs, lint_results))
    for lab_id, findings in lint_results.items():
        for finding in findings:
            print(f"  {lab_id}: {finding}")
    failed = [k for k, v in lint_results.items() if any(f.is_error for f in v)]
    if failed:
        raise CliError(f"cfn-lint found errors in {', '.join(failed)}")
    print(f"\nAll {len(labs)} lab(s) pass cdk-nag and cfn-lint.")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="week5", description="Week 5 AWS course labs as CDK.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check", help="synthesize every lab, run cdk-nag and cfn-lint, print the lab catalog"
    )
    check.add_argument("labs", nargs="*", metavar="LAB", help="lab ids (default: all)")
    check.add_argument(
        "-c",
        "--context",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="CDK context, as for cdk (e.g. -c student=kim)",
    )
    where = check.add_mutually_exclusive_group()
    where.add_argument("-o", "--output", help="keep the cloud assembly in this folder")
    where.add_argument(
        "--assembly",
        metavar="DIR",
        help="check an assembly `cdk synth` already wrote (e.g. cdk.out) instead of synthesizing",
    )
    check.set_defaults(handler=run_check)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except CliError as error:
        print(f"week5: {error}", file=sys.stderr)
        return error.code


def _say(message: str) -> None:
    print(message, flush=True)


def _width(text: str) -> int:
    """Terminal columns: Hangul and other wide characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


if __name__ == "__main__":
    sys.exit(main())
