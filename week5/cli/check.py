"""``week5 check [LAB ...]``: synthesize the labs with the pinned CDK CLI (AwsSolutions and the
course rules run as part of synthesis and fail it on any unacknowledged finding), lint every
template with cfn-lint, run the teardown check, and print the lab catalog with the results."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from week5.analysis.assembly import SynthesizedLab, read_labs
from week5.analysis.teardown import teardown_findings
from week5.cli.arguments import command_parser
from week5.cli.errors import EXIT_OK, EXIT_USAGE, CliError
from week5.cli.lint_cache import cached_lint
from week5.cli.synthesis import (
    NO_LAB_STACKS,
    add_cache_option,
    add_context_option,
    base_lab,
    class_students,
    existing_assembly,
    lab_to_build,
    refuse_context_with_assembly,
    find_project_root,
    output_folder,
    select_labs,
    synthesized,
)
from week5.cli.table import render_table
from week5.core.progress import say

HEADER = ("Lab", "Day", "Kind", "Title", "Course $/h", "Resources", "cdk-nag", "cfn-lint")


def register(commands: argparse._SubParsersAction) -> None:
    check = command_parser(
        commands,
        "check",
        help="synthesize every lab (both rule packs), run cfn-lint and the teardown check, print "
        "the lab catalog",
    )
    check.add_argument("labs", nargs="*", metavar="LAB", help="lab ids (default: all)")
    add_context_option(check)
    add_cache_option(check)
    where = check.add_mutually_exclusive_group()
    where.add_argument("-o", "--output", help="keep the cloud assembly in this folder")
    where.add_argument(
        "--assembly",
        metavar="DIR",
        help="check an assembly `cdk synth` already wrote (e.g. cdk.out) instead of synthesizing",
    )
    check.set_defaults(handler=run)


def format_catalog(labs: List[SynthesizedLab], lint_results: Dict[str, list]) -> str:
    """The catalog table: each lab with its course cost, resources and check results."""
    rows = []
    for lab in labs:
        findings = lint_results[lab.lab_id]
        errors = sum(1 for f in findings if f.is_error)
        warnings = len(findings) - errors
        cost = "-" if lab.course_cost_usd is None else f"${lab.course_cost_usd:.2f}"
        rows.append(
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
    return render_table(rows, HEADER)


def _project_root() -> Optional[Path]:
    """Where the lint cache lives; None (lint without one) outside a project folder."""
    try:
        return find_project_root()
    except CliError:
        return None


def run(args: argparse.Namespace) -> int:
    # Each named once and well-formed: '' or Day9Lab9 was taken for `-c labs=...` (a message
    # about a -c never given), and a lab named twice was listed and linted twice.
    # (An unknown but well-formed id gets the catalog's message, with the valid ids.)
    # In class mode a lab is one student's copy (Day4Lab1-kim), as `week5 labs` lists it: a
    # copy's id was "not a lab id", and the lab's own was refused after its synthesis (a trial).
    args.labs = list(dict.fromkeys(args.labs))
    for lab in args.labs:
        base_lab(lab)  # a lab's id or a class copy's, before anything is read or synthesized
    lint = dict(root=_project_root(), refresh=args.no_cache)
    if args.assembly is not None:
        refuse_context_with_assembly(args)
        return check_assembly(existing_assembly(args.assembly), args.labs, **lint)
    students = class_students(args) if args.labs else ()
    build = list(dict.fromkeys(lab_to_build(lab, students, "check") for lab in args.labs))
    keep = output_folder(args.output) if args.output is not None else None
    # With -o, exactly the labs named (in class mode, each with every student's copy, as the
    # app builds them): the folder is the user's assembly of them.
    with synthesized(args, build, exact=keep is not None) as (outdir, seconds):
        if seconds:
            say(f"    synthesized, both rule packs clean, in {seconds:.1f} s")
        else:  # a cache entry exists only for a synthesis both packs passed
            say("    both rule packs passed when it was synthesized")
        if keep is not None:
            # As `cdk synth -o` does: the assembly's files over whatever the folder holds.
            shutil.copytree(outdir, keep, symlinks=True, dirs_exist_ok=True)
            outdir = keep
        code = check_assembly(outdir, args.labs, **lint)
        if keep is not None:
            print(f"Templates: {outdir}")
        return code


def check_assembly(
    outdir: Path, wanted: Sequence[str], root: Optional[Path] = None, refresh: bool = False
) -> int:
    """cfn-lint the labs of a synthesized assembly and print the catalog table. Findings are
    kept in ``root``'s cache by template content (:mod:`.lint_cache`); ``refresh`` lints afresh."""
    labs = select_labs(read_labs(outdir), wanted)
    if not labs:  # a manifest of `{}`: the user's to fix, as cost and diagram say it
        raise CliError(NO_LAB_STACKS, EXIT_USAGE)
    say(f"==> cfn-lint on {len(labs)} template(s)")
    linted = {lab.lab_id: cached_lint(root, lab.template_path, refresh) for lab in labs}
    lint_results = {lab_id: findings for lab_id, (findings, _) in linted.items()}
    kept = sum(1 for _, from_cache in linted.values() if from_cache)
    if kept:
        say(f"    {kept} of them unchanged since an earlier check: findings from the cache")
    print()
    print(format_catalog(labs, lint_results))
    for lab_id, findings in lint_results.items():
        for finding in findings:
            print(f"  {lab_id}: {finding}")
    failed = [k for k, v in lint_results.items() if any(f.is_error for f in v)]
    if failed:
        raise CliError(f"cfn-lint found errors in {', '.join(failed)}")
    say(f"==> teardown check on {len(labs)} template(s)")
    blocked = {lab.lab_id: teardown_findings(lab.template) for lab in labs}
    for lab_id, findings in blocked.items():
        for finding in findings:
            print(f"  {lab_id}: {finding}")
    if any(blocked.values()):
        raise CliError(
            "`cdk destroy` would leave or be blocked by the resources above in "
            f"{', '.join(k for k, v in blocked.items() if v)}"
        )
    print(
        f"\nAll {len(labs)} lab(s) pass cdk-nag, the course rules, cfn-lint and the teardown check."
    )
    return EXIT_OK
