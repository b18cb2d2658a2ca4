"""``week5 labs``: every lab with its estimated $/hour and create/delete time, against the
course's figure and the 50-minute slot (the verdict is :mod:`week5.analysis.verdict`'s); then
each day's cost for a class against the course plan's daily figure
(:func:`week5.analysis.pricing.class_day_costs`)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Dict, List, Optional, Sequence

from week5.analysis import pricing
from week5.analysis.assembly import SynthesizedLab, read_labs
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
        labs = read_labs(outdir)
        rows = lab_rows(labs)
    days = day_costs(labs)
    if args.json:
        print(json_text(with_days(rows, days), indent=2))
    else:
        colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        print(format_labs(rows, colour=colour, days=days))
    return EXIT_OK


def day_costs(labs: Sequence[SynthesizedLab]) -> List[Dict[str, Any]]:
    """Each day's class total against the plan's (:func:`pricing.class_day_costs`)."""
    estimates = [(lab.lab_id, pricing.estimate(lab.template)) for lab in labs]
    return pricing.class_day_costs(
        [(lab_id, est.hourly, len(est.not_priced)) for lab_id, est in estimates]
    )


def with_days(rows: List[Dict[str, Any]], days: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """``rows`` as before (a list, one object a lab), each with its day's class total under
    ``day_class`` (:func:`pricing.class_day_costs`'s object for the row's day) and whether the
    total sums the lab (``in_day_class``: a Session 4 case is not summed)."""
    by_day = {day["day"]: day for day in days}
    out = []
    for row in rows:
        day = by_day.get(row["day"])
        base = row["lab"].partition("-")[0]
        summed = day is not None and base in day["labs"]
        out.append({**row, "in_day_class": summed, "day_class": day})
    return out


#: The day table's header and what it is.
DAY_HEADER = ("Day", "Labs summed", "Class $", "Plan $", "Against the plan", "Not summed")


def format_days(days: Sequence[Dict[str, Any]]) -> str:
    """Each day's class total beside the course plan's "일별 예상 비용 (12명 기준)", which labs
    it sums, and what it leaves out (a Session 4 case; a lab not synthesized)."""
    if not days:
        return ""
    students = days[0]["students"]
    scaled = (
        ""
        if students == pricing.COURSE_CLASS_SIZE
        else f" (the plan's figures are for {pricing.COURSE_CLASS_SIZE}: scaled to {students})"
    )
    rows = []
    for day in days:
        course = day["course_usd"]
        if course is None:
            against = "-"
        elif day["over_usd"] > 0:
            against = f"{usd(day['over_usd'], 2)} over"
        else:
            against = "within"
        if day["not_priced"]:
            against += f"; {day['not_priced']} resource(s) not priced"
        if not day["complete"]:
            against += "; not the whole day (Lab 1 and Lab 2 or Challenge)"
        left_out = ", ".join(f"{c['lab']} {usd(c['class_usd'], 2)}" for c in day["not_summed"])
        rows.append(
            (
                day["day"],
                " + ".join(day["labs"]) or "-",
                usd(day["class_usd"], 2),
                "-" if course is None else usd(course, 2),
                against,
                left_out or "-",
            )
        )
    return "\n".join(
        [
            f"A day for a class of {students}{scaled}: each student deploys the day's Lab 1 "
            f"and Lab 2 or Challenge for its {pricing.LAB_MINUTES} minutes, against the course "
            "plan's \"일별 예상 비용 (12명 기준)\":",
            render_table(rows, DAY_HEADER),
            "Not summed: the Session 4 customer case, a morning theory session the plan does not "
            "have students deploy (its figure is what it would add if every student did).",
        ]
    )


def format_labs(
    rows: List[Dict[str, Any]], colour: bool = False, days: Optional[Sequence[Dict]] = None
) -> str:
    """The verdict table (green "ok", red otherwise when ``colour``), how it was estimated,
    and each day's class total against the plan's (:func:`format_days`).

    @default ``days`` None: no day table."""
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
    text = render_table(table, HEADER) + "\n" + FOOTNOTE
    return text + ("\n\n" + format_days(days) if days else "")
