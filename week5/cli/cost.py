"""``week5 cost LAB``: what one lab costs per hour, lab, 24 hours and month, itemized from its
synthesized template (:mod:`week5.analysis.pricing`), for one student or a class.

The price table is Seoul's (the course's region): a lab built for another region with ``-c
region`` is priced at Seoul's prices, and the output says so."""

from __future__ import annotations

import argparse
from typing import Optional

from week5.analysis import pricing
from week5.cli.arguments import class_size, command_parser
from week5.cli.errors import EXIT_OK, EXIT_USAGE, CliError
from week5.cli.synthesis import add_synth_options, class_students, synthesized_lab
from week5.cli.table import render_table, usd
from week5.cli.output import json_text
from week5.core.settings import MAX_CLASS_SIZE

HEADER = ("Resource", "Count", "Unit", "Unit $", "Price date / basis", "$/hour")


def register(commands: argparse._SubParsersAction) -> None:
    cost = command_parser(
        commands,
        "cost",
        help="what one lab costs per hour, lab, 24 hours and month, priced from its template",
    )
    cost.add_argument(
        "lab", metavar="LAB", help="lab id, e.g. Day1Lab2 (with -c students=kim,lee, one "
        "student's copy: Day1Lab2-kim)"
    )  # fmt: skip
    cost.add_argument(
        "--students",
        type=class_size,
        help=f"multiply for a class (the course's: 12; at most {MAX_CLASS_SIZE}; default: 1)",
    )
    cost.add_argument("--json", action="store_true", help="machine-readable output")
    add_synth_options(cost)
    cost.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """The line items behind one lab's estimated cost, from its synthesized template."""
    if args.students is not None and args.assembly is None:
        class_ = class_students(args)
        if class_ and args.students != len(class_):  # which size is the class? (hostile trial)
            raise CliError(
                f"--students {args.students} with -c students naming {len(class_)} "
                f"({', '.join(class_)}): pass --students {len(class_)}, or drop one of them",
                EXIT_USAGE,
            )
    lab = synthesized_lab(args, quiet=args.json)
    students = 1 if args.students is None else args.students
    est = pricing.estimate(lab.template)
    region = lab.region
    if args.json:
        body = est.to_json(students)
        body.update(
            lab=lab.lab_id,
            course_usd_per_hour=lab.course_cost_usd,
            region=region,
            prices_region=pricing.load_prices()["region"],
        )
        print(json_text(body, indent=2))
    else:
        print(format_cost(lab.lab_id, lab.course_cost_usd, est, students, region))
    return EXIT_OK


def format_cost(
    lab_id: str,
    course_usd: Optional[float],
    est: pricing.Estimate,
    students: int = 1,
    region: Optional[str] = None,
) -> str:
    """The priced line items as a table, what is not priced, and the totals.

    ``region`` is the lab's (None: not known): the prices are the price table's region's
    (Seoul), and a lab in another region gets a header and a note that say so, as its own
    prices are not in the table.
    """
    # Each row is named as the lab's guide names it (the Name tag, else the construct path),
    # so a student can match the two tables; `--json` keeps the logical id (``logical_id``).
    rows = [
        (
            f"{est.name_of(i)} [{i.price_key}]",
            f"{i.count:g}",
            i.unit,
            f"{i.unit_price:g}",
            f"{i.date} / {i.basis}",
            f"{i.hourly:.4f}",
        )
        # Stable, template order aside: by name, then logical id (two may share a Name tag).
        for i in sorted(est.items, key=lambda item: (est.name_of(item), item.resource))
        if i.hourly is not None
    ]
    priced = pricing.load_prices()["region"]
    if region is None or region == priced:
        lines = [f"{lab_id}: estimated cost in {priced} (on-demand, USD)"]
    else:
        lines = [
            f"{lab_id} ({region}): estimated cost at {priced} prices (on-demand, USD)",
            f"Note: the price table is Seoul's ({priced}), the course's region; {region}'s "
            "prices differ, so these figures are Seoul's for the same resources.",
        ]
    lines.append(render_table(rows, HEADER))
    for item in est.not_priced:
        lines.append(f"NOT PRICED: {est.name_of(item)} ({item.resource_type}): {item.note}")
    one = est.totals(1)
    minutes = pricing.LAB_MINUTES
    lines.append(
        f"Total: {usd(one['hour'], 4)}/hour, {usd(one['lab'], 4)} per {minutes}-minute lab, "
        f"{usd(one['day'], 2)} per 24 h, {usd(one['month'], 2)}/month"
    )
    if students > 1:
        many = est.totals(students)
        lines.append(
            f"For {students} students: {usd(many['hour'], 4)}/hour, {usd(many['lab'], 4)} per "
            f"lab, {usd(many['day'], 2)} per 24 h, {usd(many['month'], 2)}/month"
        )
    if course_usd is not None:
        verdict = "within" if one["hour"] <= course_usd else "ABOVE"
        lines.append(f"Course figure: ${course_usd:.2f}/hour; the estimate is {verdict} it.")
    lines.append(
        "Assumes no free tier (accounts opened after 2025-07-15 have credits, not free hours); "
        "usage-based items use the assumptions in week5/analysis/data/prices.json."
    )
    return "\n".join(lines)
