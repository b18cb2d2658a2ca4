"""``week5 labs``: every lab with its estimated $/hour and create/delete time, against the
course's figure and the 50-minute slot (the verdict is :mod:`week5.analysis.verdict`'s)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Dict, List

from week5.analysis.assembly import read_labs
from week5.analysis.verdict import OK, lab_rows
from week5.cli.arguments import command_parser
from week5.cli.errors import EXIT_OK
from week5.cli.synthesis import add_synth_options, synthesized
from week5.cli.table import GREEN, RED, Painted, render_table, usd
from week5.cli.output import json_text

HEADER = ("Lab", "Day", "Title", "Res.", "Est $/h", "Course $/h", "Create", "Delete", "Verdict")
FOOTNOTE = (
    "Estimates: on-demand Seoul prices with their dates in week5/analysis/data/prices.json (no free "
    "tier: accounts since 2025-07-15 have credits); ASGs at their desired size; times are "
    "the longest chain of dependent resources (week5/analysis/timing.py). `week5 cost LAB` itemizes."
)


def register(commands: argparse._SubParsersAction) -> None:
    labs = command_parser(
        commands,
        "labs",
        help="every lab: resources, estimated $/hour and create/delete time against the "
        "course's figure and the 50-minute slot",
    )
    labs.add_argument("--json", action="store_true", help="machine-readable output")
    add_synth_options(labs)
    labs.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Every lab with its estimated cost and time, against the course's figure and slot."""
    # Only reads the templates' figures: CDK's CloudFormation validation is skipped.
    with synthesized(args, quiet=args.json, validation=False) as (outdir, _):
        rows = lab_rows(read_labs(outdir))
    if args.json:
        print(json_text(rows, indent=2))
    else:
        print(format_labs(rows, colour=sys.stdout.isatty() and not os.environ.get("NO_COLOR")))
    return EXIT_OK


def format_labs(rows: List[Dict[str, Any]], colour: bool = False) -> str:
    """The verdict table (green "ok", red otherwise when ``colour``) and how it was estimated."""
    table = []
    for r in rows:
        course = "-" if r["course_usd_per_hour"] is None else f"${r['course_usd_per_hour']:.2f}"
        verdict = r["verdict"]
        table.append(
            (
                r["lab"],
                r["day"],
                r["title"],
                str(r["resources"]),
                usd(r["estimated_usd_per_hour"]),
                course,
                f"{r['create_minutes']:.1f} min",
                f"{r['delete_minutes']:.1f} min",
                Painted(verdict, GREEN if verdict == OK else RED) if colour else verdict,
            )
        )
    return render_table(table, HEADER) + "\n" + FOOTNOTE
