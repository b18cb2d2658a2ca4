"""``week5 cleanup --day DayN``: list, or with ``--apply`` delete, one course day's tagged
resources in a region, dependents first (:mod:`week5.operations.cleanup`); ``--day all``
every day's in one run, one report (each resource with its day), one exit code.

Exit 0 when everything found was deleted (or, without --apply, listed); 1 when something
failed, was left because it is tied to a resource outside the day's tags, or could not be
checked; 2 for bad input or when AWS refused to be read (one line naming the cause and fix); 3
when nothing failed or was left but AWS was still deleting something when the waits ran out
(or something waits on that): run the command again after the minutes its line names.
A call the endpoint does not implement (an emulator's gap) is no refusal: what it would have
found is reported "not checked" and the rest goes on. ``--json`` prints JSON alone on stdout
(progress on stderr).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from typing import Any, Dict, List, Optional, Sequence

from week5.cli.arguments import (
    REGION_HELP,
    command_parser,
    project_student_and_source,
    student_argument,
)
from week5.cli.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, CliError
from week5.cli.table import render_table
from week5.cli.output import json_text
from week5.core.progress import say
from week5.core.settings import DEFAULT_REGION
from week5.core.tags import WEEK_TAG_VALUE
from week5.operations.aws_errors import clients as aws_clients
from week5.operations.aws_errors import Heading, after_first_answer, explain, region_problem
from week5.operations.cleanup import ALL_DAYS, Cleaner, Found, Report
from week5.operations.cleanup.scope import JSON_PLACES, course_days, whose

#: What a dry run prints when it finds nothing: ``label`` is the day, or the day and student.
NOTHING_FOUND = "Nothing tagged for {label} in this region."
#: What the $/hour figures are, beside `week5 status`'s (a stack's deployed template, with the
#: estimates' assumed use): the two differ by design, by that use, and each says what it priced.
#: Day5Lab1 on the emulator: $0.2157/h here, $0.2358/h there, the $0.0200/h apart its ALB's
#: LCU and its distribution's 0.1 GB an hour, as `week5 cost Day5Lab1` lists them.
PRICED = (
    "what exists now and carries the day's tags (a stack: the tagged resources found in it, "
    "and what it made that no finder looks for, priced by type as `week5 cost` prices it), "
    "by the hour at on-demand Seoul prices; use (ALB LCUs, NAT gateway data) is not counted, "
    "and what is billed by use alone (an S3 bucket, a CloudFront distribution) is not priced, "
    "where `week5 cost` and `week5 status` price the use they assume: a stack's figure there "
    "is higher by that. `week5 status` prices a stack's deployed template instead"
)
#: Exit code when nothing failed or was left, but AWS is still deleting something (or something
#: waits on that): not done, and no failure either; the same command run again later confirms.
EXIT_STILL_DELETING = 3


def register(commands: argparse._SubParsersAction) -> None:
    cleanup = command_parser(
        commands,
        "cleanup",
        help="list (or with --apply delete) one course day's (or every day's) tagged resources, "
        "dependents first",
    )
    cleanup.add_argument(
        "--day",
        required=True,
        help=f"Day1 .. Day5 (the Day tag), or {ALL_DAYS}: every day's in one run",
    )
    who = cleanup.add_mutually_exclusive_group()
    who.add_argument(
        "--student",
        help="only this student's (the Student tag; default: the name `week5 init` set, else "
        "every student's)",
    )
    who.add_argument(
        "--all", action="store_true", help="every student's, even where `week5 init` set a name"
    )
    cleanup.add_argument("--apply", action="store_true", help="delete; without it, only list")
    cleanup.add_argument(
        "--region",
        default=DEFAULT_REGION,
        help=f"the region to clean: {REGION_HELP}",
    )
    cleanup.add_argument("--profile", help="an AWS CLI profile (default: the environment's)")
    cleanup.add_argument("--json", action="store_true", help="machine-readable output")
    cleanup.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """List, or with --apply delete, one day's tagged course resources in a region."""
    problem = region_problem(args.region)
    if problem:
        raise CliError(problem, EXIT_USAGE)
    from_init = False
    if args.student is not None:
        student_argument(args.student, "cleanup --day Day1")
    elif not args.all:
        # As scripts/cdk deploys: a student's `week5 cleanup --day Day1 --apply` in a shared
        # account must not take the class's Day 1 with it.
        args.student, source = project_student_and_source()
        from_init = args.student is not None
    report: Optional[Report] = None
    try:
        # Clients that time out in seconds when AWS is out of reach; global services' region
        # (us-east-1 for CloudFront's web ACLs) passed as region_name=.
        heading = Heading(say)  # said once AWS answered: an AWS error is its one line alone
        make_client = after_first_answer(aws_clients(args.profile, args.region), heading)
        cleaner = Cleaner(make_client, region=args.region, day=args.day, student=args.student)
        who = f"student {args.student}" if args.student else "every student"
        if from_init:
            who += f" (from {source}; --all for every student)"
        all_days = args.day == ALL_DAYS
        label = cleaner.label if all_days else cleaner.scope.label
        days = f"every day's ({label.split('/')[0]})" if all_days else args.day
        heading.text = f"==> Week5 {days} resources of {who} in {args.region}"
        found = cleaner.find()
        heading()  # every call failed, and was noted: still before the list
        # every student's: each line says whose it is (the Student tag's value)
        by_student = args.student is None
        if not args.json:
            print(format_found(found, label, by_day=all_days, by_student=by_student))
            for line in cleaner.warnings:
                print(f"  not checked: {line}")
        if args.apply:
            report = cleaner.apply(found, say=say)
    except KeyboardInterrupt:
        # stdout holds JSON alone: a partial run has none
        print(
            "Interrupted: run the same command again to see what is left.",
            file=sys.stderr if args.json else sys.stdout,
        )
        return EXIT_INTERRUPTED
    except Exception as error:
        line = explain(error, args.profile, args.region)
        if line is None:
            raise
        raise CliError(line, EXIT_USAGE) from None
    if args.json:
        print(json_text(to_json(args, found, cleaner.warnings, report), indent=2))
    elif report is None:
        if any(not f.held for f in found):
            print("Nothing deleted: run again with --apply to delete these.")
    else:
        print(
            format_report(
                report, cleaner.warnings, by_day=args.day == ALL_DAYS, by_student=by_student
            )
        )
    if report is None:
        return EXIT_FAILED if cleaner.warnings else EXIT_OK
    if report.failed or report.left or cleaner.warnings:
        return EXIT_FAILED
    return EXIT_STILL_DELETING if report.unfinished else EXIT_OK


def to_json(
    args: argparse.Namespace, found: List[Found], warnings: List[str], report: Optional[Report]
) -> Dict[str, Any]:
    """What was found (each with its $/hour and why it is left, if it is) and, with --apply,
    what was deleted, what was gone before its deletion (``already_gone``: not among
    ``deleted``), what failed, what was left, what AWS was still deleting when the waits ran
    out (``still_deleting``) and what waits on that (``waiting``), each of those two with its
    ``state``: neither deleted nor failed; all null when nothing was tried. ``not_checked``:
    what could not be read, so was neither listed nor deleted. Each $/hour figure is rounded to
    :data:`JSON_PLACES` places and ``usd_per_hour`` is the sum of those printed: they add up.
    Each entry's ``day`` is the day it was found by (``--day all``: ``day`` is ``all``, ``days``
    the days cleaned); each entry's ``student`` its Student tag's value (null when it has
    none), whoever the run was for. ``not_priced``: how many resources no figure prices, those
    listed without one and a stack's its own figure leaves out (each stack's ``not_priced``
    names them); a stack's ``held_by``: what is listed before it as it holds one of its
    resources. What was deleted (or already gone, still deleting, not deleted yet) is named
    without what the listing said to do (a stack's "held by ...: that goes first")."""
    listed = [item.to_json() for item in found]
    return {
        "day": args.day,
        "days": course_days() if args.day == ALL_DAYS else [args.day],
        "student": args.student,
        "region": args.region,
        "applied": report is not None,
        "found": listed,
        "usd_per_hour": round(
            sum(i["usd_per_hour"] for i in listed if i["usd_per_hour"] is not None), JSON_PLACES
        ),
        "not_priced": sum(
            (1 if f.hourly is None else 0) + len(f.not_priced or ()) for f in found
        ),
        "priced": PRICED,
        "not_checked": list(warnings),
        **(
            report.to_json()
            if report
            else {
                "deleted": None,
                "already_gone": None,
                "failed": None,
                "left": None,
                "still_deleting": None,
                "waiting": None,
            }
        ),
    }


def format_found(
    found: List[Found], label: str = "the day", by_day: bool = False, by_student: bool = False
) -> str:
    """One line per resource with its hourly cost, and the total; then what will be left
    and why. ``by_day`` (``--day all``): each line begins with the resource's day;
    ``by_student`` (every student's): then with whose it is (its Student tag's value)."""
    if not found:
        return NOTHING_FOUND.format(label=label)
    rows = [
        (
            *((item.day or "",) if by_day else ()),
            *((whose(item),) if by_student else ()),
            item.kind,
            item.id,
            "not priced" if item.hourly is None else f"${item.hourly:.4f}/h",
            item.name + ("  [left: see below]" if item.held else ""),
        )
        for item in found
    ]
    priced = sum(f.hourly for f in found if f.hourly is not None)
    before = ("<" if by_day else "") + ("<" if by_student else "")
    table = render_table(
        rows,
        align=before + "<<><",
        min_widths=(0,) * len(before) + (0, 24, 12),
        indent="  ",
    )
    text = f"{table}\n  {len(found)} resource(s), ${priced:.4f}/h where priced"
    if by_day:
        text += f" ({_per_day(found)})"
    text += f"\n  Priced: {PRICED}."
    left = [f for f in found if f.held]
    if left:
        text += (
            f"\n{len(left)} left as they are, each with why (cleanup never changes a resource "
            f"not tagged {WEEK_TAG_VALUE}/{label}, a live stack of another region or a deploy in "
            "progress). Deal "
            "with what each line names, then run again:"
        )
        text += "".join(
            f"\n  {_day(item, by_day, by_student)}{item}: {item.held}" for item in left
        )
    return text


def _day(item: Found, by_day: bool, by_student: bool = False) -> str:
    """``Day1 ``, before a resource's line of an every-day run; ``kim `` (whose it is: its
    Student tag's value) after it, of an every-student run."""
    day = f"{item.day} " if by_day and item.day else ""
    return day + (f"{whose(item)} " if by_student else "")


def _per_day(items: Sequence[Found]) -> str:
    """``Day1: 3, Day4: 1``: how many of ``items`` each day has, in day order."""
    counts = Counter(item.day or "?" for item in items)
    return ", ".join(f"{day}: {counts[day]}" for day in sorted(counts))


def format_report(
    report: Report,
    not_checked: Sequence[str] = (),
    by_day: bool = False,
    by_student: bool = False,
) -> str:
    """The summary of a deletion, one line per what did not simply go. ``by_day`` (``--day
    all``): how many each day had deleted, failed and left, and each line with its day;
    ``by_student`` (every student's): each line with whose it is. A line of what was done
    (already gone, still deleting, not deleted yet) names the resource without what the
    listing said to do (:meth:`Found.done`)."""
    lines = [
        f"Deleted {len(report.deleted)}, failed {len(report.failed)}, left {len(report.left)}."
        + (
            f" Already gone, so not deleted by this run: {len(report.gone)}."
            if report.gone
            else ""
        )
    ]
    if by_day:
        for name, items in (
            ("deleted", report.deleted),
            ("failed", [item for item, _ in report.failed]),
            ("left", [item for item, _ in report.left]),
        ):
            if items:
                lines.append(f"  {name} by day: {_per_day(items)}")
    lines += [
        f"  already gone: {_day(item, by_day, by_student)}{item.done()} ({code})"
        for item, code in report.gone
    ]
    if report.unfinished:
        lines.append(
            f"Still deleting {len(report.still_deleting)}, not deleted yet "
            f"{len(report.waiting)}: AWS is not done, nothing of it failed."
        )
    lines += [
        f"  still deleting: {_day(item, by_day, by_student)}{item.done()}: {why}"
        for item, why in report.still_deleting
    ]
    lines += [
        f"  not deleted yet: {_day(item, by_day, by_student)}{item.done()}: {why}"
        for item, why in report.waiting
    ]
    lines += [
        f"  failed: {_day(item, by_day, by_student)}{item}: {why}" for item, why in report.failed
    ]
    lines += [
        f"  left: {_day(item, by_day, by_student)}{item}: {why}" for item, why in report.left
    ]
    lines += [f"  not checked, so nothing of it deleted: {line}" for line in not_checked]
    return "\n".join(lines)
