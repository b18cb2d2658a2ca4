"""``week5 quotas --students kim,lee,... [LAB ...]``: whether a class deploy fits the account's
quotas (VPCs, Elastic IPs, internet gateways per region; NAT gateways per zone; the On-Demand
vCPUs of the standard instance families), with the numbers and the command that raises each one
that does not (:mod:`week5.operations.quotas`).

Labs named are deployed together, so their needs add up; with none, each lab is deployed on
its own and the most any one lab needs is checked. ``scripts/cdk deploy ... -c students=...``
runs the same check before a class deploy (:mod:`.preflight`).

A quota Service Quotas cannot report (an emulator that does not implement the call, a server
error after the retries) is shown "not checked" with the reason (``--json``: ``"checked":
false``, ``"not_checked_reason"``); the other quotas and the usage are still shown. Exit 0: every
quota that was checked fits (a quota not checked is named, not guessed), or the endpoint is an
emulator, which enforces none (the figures, and a line saying so); 1: a checked quota is
short; 2: one line, when the check cannot run (credentials, access denied, throttling, bad input).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from week5.analysis.assembly import read_labs
from week5.cli.arguments import REGION_HELP, class_size, command_parser
from week5.cli.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CliError
from week5.cli.synthesis import add_synth_options, require_lab_id, select_labs, synthesized
from week5.cli.table import render_table
from week5.core.errors import CourseInputError
from week5.core.progress import say
from week5.core.settings import (
    CONTEXT_STUDENTS,
    DEFAULT_REGION,
    parse_students,
    shown,
)
from week5.operations import aws_errors, preflight, quotas
from week5.operations.preflight import stack_states

#: The exit codes, for `week5 quotas --help`.
EPILOG = f"""exit codes:
  {EXIT_OK}  every quota that was checked fits (a quota Service Quotas cannot report, as on
     an emulator, is shown "not checked" with the reason, and does not change the code)
  {EXIT_FAILED}  a quota that was checked is short: the lines name the fix (not on an
     emulator such as week5 local's, which enforces none: a line says so)
  {EXIT_USAGE}  the check could not run (credentials, access denied, throttling, bad input,
     or not one quota could be read): one line"""

HEADER = ("Quota", "Code", "Limit", "Source", "In use", "Deploy adds", "After", "Verdict")


def students_argument(text: str) -> Tuple[str, ...]:
    """Names (``kim,lee``) or a class size (``12``, for planning before the names are known)."""
    if text.isdigit():  # any script's digits: a count meant, refused unless ASCII
        count = class_size(text)
        return tuple(f"#{i}" for i in range(1, count + 1))  # never a stack's student name
    try:
        names = parse_students(text)
    except CourseInputError as error:
        message = str(error).replace("context 'students'", "--students")
        raise argparse.ArgumentTypeError(message.replace("-c students=", "--students ")) from None
    if not names:
        raise argparse.ArgumentTypeError("names no student; pass e.g. --students kim,lee,park")
    return names


def _as_typed(students: Sequence[str]) -> str:
    """``--students`` as the user gave it: a class size (``2``) for its placeholders."""
    if students and all(s.startswith("#") for s in students):
        return str(len(students))
    return ",".join(students)


def register(commands: argparse._SubParsersAction) -> None:
    parser = command_parser(
        commands,
        "quotas",
        help="whether a class deploy fits the account's VPC, Elastic IP, internet gateway, "
        "NAT gateway and On-Demand vCPU quotas, and how to raise them",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--students", required=True, type=students_argument,
        help="the class: names (kim,lee,park) or a count (12)",
    )  # fmt: skip
    parser.add_argument("labs", nargs="*", metavar="LAB", help="labs deployed together "
                        "(default: each lab on its own, the largest counts)")  # fmt: skip
    parser.add_argument("--profile", help="an AWS CLI profile (default: the environment's)")
    parser.add_argument("--region", default=DEFAULT_REGION, help=REGION_HELP)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    add_synth_options(parser)
    parser.set_defaults(handler=run)


def lab_templates(args: argparse.Namespace, labs: Sequence[str]) -> Dict[str, Dict[str, Any]]:
    """The labs' templates (one student's copy: a class has N of them), by lab id."""
    args.context = [c for c in args.context if not c.startswith(f"{CONTEXT_STUDENTS}=")]
    # Only reads what the templates create: CDK's CloudFormation validation is skipped.
    with synthesized(args, [require_lab_id(lab) for lab in labs], validation=False) as (outdir, _):
        found = select_labs(read_labs(outdir), labs)
        return {lab.lab_id: lab.template for lab in found}


def needs_for(
    templates: Mapping[str, Mapping[str, Any]],
    students: Sequence[str],
    live: Mapping[str, str],
    together: bool,
) -> quotas.Needs:
    """Together: the labs' needs added up; else the most any one lab needs, per quota."""
    if together:
        return quotas.class_needs(templates, students, live)[0]
    most: quotas.Needs = Counter()
    for lab_id, template in templates.items():
        one = quotas.class_needs({lab_id: template}, students, live)[0]
        for key, count in one.items():
            most[key] = max(most[key], count)
    return most


def check_class(
    make_client: Callable[..., Any],
    templates: Mapping[str, Mapping[str, Any]],
    students: Sequence[str],
    region: str,
    together: bool = True,
) -> List[quotas.QuotaRow]:
    """The quota rows for deploying ``templates`` for ``students`` (those whose stacks exist
    already add nothing, unless they hold nothing yet: :func:`quotas.holding_stacks`)."""
    live = stack_states(make_client("cloudformation"))
    return quotas.check(make_client, needs_for(templates, students, live, together), region)


def _names(item: str) -> Tuple[str, ...]:
    """The students of ``-c students=...`` (none when it names no valid class)."""
    try:
        return parse_students(item.split("=", 1)[1])
    except CourseInputError:
        return ()


def run(args: argparse.Namespace) -> int:
    for item in args.context:  # the class is --students; a -c students that differs was dropped
        if item.startswith(f"{CONTEXT_STUDENTS}=") and _names(item) != tuple(args.students):
            raise CliError(
                f"--students {_as_typed(args.students)} and -c {shown(item)} name different "
                f"classes: pass the class once, as --students",
                EXIT_USAGE,
            )
    aws_errors.check_region(args.region)
    for lab in args.labs:  # the user's input is named before AWS's answer
        require_lab_id(lab)
    # An --assembly is read first, as the other commands read it: it costs no synthesis, and a
    # broken one is the line to fix whatever AWS would answer.
    templates = lab_templates(args, args.labs) if args.assembly is not None else None
    make_client = aws_errors.clients(args.profile, args.region)
    aws_errors.account_id(make_client, args.profile, args.region)  # fail fast, before synth
    if templates is None:
        templates = lab_templates(args, args.labs)
    if not templates:
        raise CliError("no lab to check; name one, e.g. Day4Lab1", EXIT_USAGE)
    say(f"==> quotas and usage in {args.region} for {len(args.students)} student(s)")
    with aws_errors.translated(args.profile, args.region):
        rows = check_class(make_client, templates, args.students, args.region, bool(args.labs))
    if rows and not any(r.checked for r in rows):
        # "fits" of nothing checked would be success for work not done (a hostile trial: a
        # Service Quotas endpoint answering 500 passed every row, exit 0)
        (reason,) = quotas.not_checked(rows)[:1]
        raise CliError(f"no quota could be checked: {reason}", EXIT_USAGE)
    lines = quotas.shortfalls(rows, args.region)
    # An emulator (week5 local's) enforces no quota: the figures, and exit 0, as scripts/cdk's
    # check goes on there (it exited 1 "ask AWS for more" with raise commands that fail there).
    emulator = preflight.emulator_endpoint(make_client("cloudformation")) if lines else None
    if args.json:
        print(json.dumps({
            "region": args.region,
            "students": len(args.students),
            "labs": list(templates),
            "together": bool(args.labs),
            "quotas": [r.to_json() for r in rows],
            "fits": not lines,  # every quota that was checked
            "not_checked": sorted({r.spec.code for r in rows if not r.checked}),
            "fixes": lines,
            "emulator": emulator,  # the endpoint that enforces no quota, or null
        }, indent=2))  # fmt: skip
    else:
        print(format_rows(rows, len(args.students), list(templates), bool(args.labs), emulator))
        for line in lines:
            print(f"  {line}")
    return EXIT_FAILED if lines and not emulator else EXIT_OK


def format_rows(
    rows: Sequence[quotas.QuotaRow],
    students: int,
    labs: Sequence[str],
    together: bool,
    emulator: Optional[str] = None,
) -> str:
    """The table and the verdict; ``emulator``: the endpoint read is an emulator's, which
    enforces no quota (:func:`preflight.emulator_endpoint`), so a shortfall is what AWS would
    say with these figures, not a refusal there."""
    what = " + ".join(labs) if together else f"the largest of {len(labs)} lab(s), one at a time"
    table = render_table(
        [
            (
                r.label,
                f"{r.spec.service}/{r.spec.code}",
                str(r.quota) if r.checked else "?",
                r.source,
                str(r.in_use),
                str(r.needed),
                str(r.after),
                verdict_of(r),
            )
            for r in rows
        ],
        HEADER,
        align="<<><>>><",
    )
    unchecked = [r for r in rows if not r.checked]
    if any(r.short for r in rows) and emulator:
        verdict = (
            f"It does not fit these figures, but the emulator at {emulator} enforces none: a "
            "deploy there goes on. With these figures AWS would refuse it until raised (the "
            "commands below are AWS's):"
        )
    elif any(r.short for r in rows):
        verdict = (
            "It does not fit: ask AWS for more before the class deploys (Service Quotas "
            "console, or the commands below; an increase can take a while to be granted):"
        )
    elif unchecked:
        verdict = (
            f"What was checked fits; {len(unchecked)} quota(s) not checked: compare them in the "
            "Service Quotas console before the class deploys."
        )
    else:
        verdict = "It fits."
    notes = "".join(f"\nNote: {r.label}: {r.note}." for r in rows if r.note)
    notes += "".join(f"\nNote: {line}" for line in quotas.not_checked(rows))
    return f"Class deploy of {what} for {students} student(s):\n{table}{notes}\n{verdict}"


def verdict_of(row: quotas.QuotaRow) -> str:
    if not row.checked:
        return "not checked"
    return f"SHORT by {row.short}" if row.short else "ok"
