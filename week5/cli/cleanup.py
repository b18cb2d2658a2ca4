"""``week5 cleanup --day DayN``: list, or with ``--apply`` delete, one course day's tagged
resources in a region, dependents first (:mod:`week5.operations.cleanup`)."""

from __future__ import annotations

import argparse
from typing import List

from week5.cli.errors import EXIT_FAILED, EXIT_OK
from week5.cli.table import render_table
from week5.core.progress import say
from week5.operations.cleanup import Cleaner, Found

NOTHING_FOUND = "Nothing tagged for this day (and student) in this region."


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
    import boto3  # only for the commands that call AWS

    session = boto3.Session(profile_name=args.profile, region_name=args.region)
    cleaner = Cleaner(session.client, region=args.region, day=args.day, student=args.student)
    who = f"student {args.student}" if args.student else "every student"
    say(f"==> Week5 {args.day} resources of {who} in {args.region}", err=True)
    found = cleaner.find()
    print(format_found(found))
    if not args.apply:
        if found:
            print("Nothing deleted: run again with --apply to delete these.")
        return EXIT_OK
    report = cleaner.apply(found, say=lambda line: say(line, err=True))
    print(f"Deleted {len(report.deleted)}, failed {len(report.failed)}.")
    for item, why in report.failed:
        print(f"  failed: {item}: {why}")
    return EXIT_FAILED if report.failed else EXIT_OK


def format_found(found: List[Found]) -> str:
    """One line per resource with its hourly cost, and the total."""
    if not found:
        return NOTHING_FOUND
    rows = [
        (
            item.kind,
            item.id,
            "not priced" if item.hourly is None else f"${item.hourly:.4f}/h",
            item.name,
        )
        for item in found
    ]
    priced = sum(f.hourly for f in found if f.hourly is not None)
    table = render_table(rows, align="<<><", min_widths=(0, 24, 12), indent="  ")
    return f"{table}\n  {len(found)} resource(s), ${priced:.4f}/h where priced"
