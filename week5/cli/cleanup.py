"""``week5 cleanup --day DayN``: list, or with ``--apply`` delete, one course day's tagged
resources in a region, dependents first (:mod:`week5.operations.cleanup`).

Exit 0 when everything found was deleted (or, without --apply, listed); 1 when something
failed, was left because it is tied to a resource outside the day's tags, or could not be
checked; 2 for bad input or when AWS refused to be read (one line naming the cause and fix).
"""

from __future__ import annotations

import argparse
from typing import List

from week5.cli.arguments import student_argument
from week5.cli.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CliError
from week5.cli.table import render_table
from week5.core.progress import say
from week5.operations.aws_errors import clients as aws_clients
from week5.operations.aws_errors import explain, region_problem
from week5.operations.cleanup import Cleaner, Found, Report

NOTHING_FOUND = "Nothing tagged for this day (and student) in this region."
#: Exit code after Ctrl-C, as shells report it.
EXIT_INTERRUPTED = 130


def register(commands: argparse._SubParsersAction) -> None:
    cleanup = commands.add_parser(
        "cleanup",
        help="list (or with --apply delete) one course day's tagged resources, dependents first",
    )
    cleanup.add_argument("--day", required=True, help="Day1 .. Day5 (the Day tag)")
    cleanup.add_argument("--student", help="only this student's (the Student tag)")
    cleanup.add_argument("--apply", action="store_true", help="delete; without it, only list")
    cleanup.add_argument("--region", default="ap-northeast-2")
    cleanup.add_argument("--profile", help="an AWS CLI profile (default: the environment's)")
    cleanup.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """List, or with --apply delete, one day's tagged course resources in a region."""
    problem = region_problem(args.region)
    if problem:
        raise CliError(problem, EXIT_USAGE)
    if args.student is not None:
        student_argument(args.student, "cleanup")
    try:
        # Clients that time out in seconds when AWS is out of reach; global services' region
        # (us-east-1 for CloudFront's web ACLs) passed as region_name=.
        make_client = aws_clients(args.profile, args.region)
        cleaner = Cleaner(make_client, region=args.region, day=args.day, student=args.student)
        who = f"student {args.student}" if args.student else "every student"
        say(f"==> Week5 {args.day} resources of {who} in {args.region}", err=True)
        found = cleaner.find()
        print(format_found(found, cleaner.scope.label))
        for line in cleaner.warnings:
            print(f"  not checked: {line}")
        if not args.apply:
            if any(not f.held for f in found):
                print("Nothing deleted: run again with --apply to delete these.")
            return EXIT_FAILED if cleaner.warnings else EXIT_OK
        report = cleaner.apply(found, say=lambda line: say(line, err=True))
    except KeyboardInterrupt:
        print("Interrupted: run the same command again to see what is left.")
        return EXIT_INTERRUPTED
    except Exception as error:
        line = explain(error, args.profile, args.region)
        if line is None:
            raise
        raise CliError(line, EXIT_USAGE) from None
    print(format_report(report))
    return EXIT_FAILED if report.failed or report.left or cleaner.warnings else EXIT_OK


def format_found(found: List[Found], label: str = "the day") -> str:
    """One line per resource with its hourly cost, and the total; then what will be left
    and why."""
    if not found:
        return NOTHING_FOUND
    rows = [
        (
            item.kind,
            item.id,
            "not priced" if item.hourly is None else f"${item.hourly:.4f}/h",
            item.name + ("  [left: see below]" if item.held else ""),
        )
        for item in found
    ]
    priced = sum(f.hourly for f in found if f.hourly is not None)
    table = render_table(rows, align="<<><", min_widths=(0, 24, 12), indent="  ")
    text = f"{table}\n  {len(found)} resource(s), ${priced:.4f}/h where priced"
    left = [f for f in found if f.held]
    if left:
        text += (
            f"\n{len(left)} left as they are: tied to resources not tagged {label} (cleanup "
            "never changes those). Delete or tag the other resource, then run again:"
        )
        text += "".join(f"\n  {item}: {item.held}" for item in left)
    return text


def format_report(report: Report) -> str:
    lines = [
        f"Deleted {len(report.deleted)}, failed {len(report.failed)}, left {len(report.left)}."
    ]
    lines += [f"  failed: {item}: {why}" for item, why in report.failed]
    lines += [f"  left: {item}: {why}" for item, why in report.left]
    return "\n".join(lines)
