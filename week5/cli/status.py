"""``week5 status``: which lab stacks exist in the account for this student (``--all``: every
student), how old each is and what it costs an hour, and what is tagged for the course but
belongs to no stack (:mod:`week5.operations.status`). Read-only calls only."""

from __future__ import annotations

import argparse
import re
from typing import Optional

from week5.cli.arguments import REGION_HELP, command_parser, project_student, student_argument
from week5.cli.errors import EXIT_OK
from week5.cli.local import DESTROYED_HERE
from week5.cli.table import render_table, usd
from week5.cli.output import json_text
from week5.core.errors import shown
from week5.core.progress import say
from week5.core.settings import (
    DEFAULT_REGION,
    DEFAULT_STUDENT,
)
from week5.core.tags import DAY_KEY
from week5.operations import aws_errors
from week5.operations.cleanup.network import DEFAULT_VPC
from week5.operations.cleanup.stacks import found_kind
from week5.operations.preflight import emulator_endpoint
from week5.operations.status import (
    NO_COURSE_DAY,
    NO_DAY_TAG,
    PRICED,
    SNAPSHOT_CLEANUP_TYPE,
    StatusReport,
    Untracked,
    format_age,
    read_status,
    stack_cleanup_takes,
)

HEADER = ("Stack", "Student", "Lab", "Status", "Created (UTC)", "Age", "Est $/h")
OTHER_HEADER = ("Stack", "Student", "Day", "Status", "Created (UTC)", "Age", "Est $/h", "")


def register(commands: argparse._SubParsersAction) -> None:
    status = command_parser(
        commands,
        "status",
        help="the lab stacks in the account (age, estimated $/hour) and course-tagged "
        "resources that belong to no stack; read-only",
    )
    who = status.add_mutually_exclusive_group()
    who.add_argument(
        "--student", help="this student's (default: the name `week5 init` set, else instructor)"
    )
    who.add_argument("--all", action="store_true", help="every student's (the instructor's view)")
    status.add_argument("--profile", help="an AWS CLI profile (default: the environment's)")
    status.add_argument("--region", default=DEFAULT_REGION, help=REGION_HELP)
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    aws_errors.check_region(args.region)
    student: Optional[str] = None
    if not args.all:
        student = (
            student_argument(args.student, "status")
            if args.student is not None
            else project_student() or DEFAULT_STUDENT
        )
    who = "every student" if student is None else f"student {student}"
    heading = aws_errors.Heading(say, f"==> Week5 lab stacks of {who} in {args.region}")
    # A bad --profile before any line; the heading once AWS answered (an AWS error: one line).
    clients = aws_errors.after_first_answer(aws_errors.clients(args.profile, args.region), heading)
    with aws_errors.translated(args.profile, args.region):
        report = read_status(clients, args.region, student)
        heading()  # every call failed, and was noted: still before the report
        emulator = emulator_endpoint(clients("cloudformation"))  # week5 local's, or None
    if args.json:
        data = report.to_json()
        for item, u in zip(data["untracked"], report.untracked):
            item["cleanup_takes_it"] = cleanup_takes(u)
            if u.cleanup_takes_it and not item["cleanup_takes_it"]:  # a kind it does not find
                item["cleanup_leaves_it"] = _kind_not_looked_for(u.arn)
        for item, stack in zip(data["other_stacks"], report.other_stacks):  # as the text says
            item["cleanup_leaves_it"] = (
                None if item["cleanup_takes_it"] else _left_why(stack)[1:-1]
            )
        print(json_text(data, indent=2))
    else:
        print(format_status(report, emulator))
    return EXIT_OK


def cleanup_runs_at_destroy(emulator: Optional[str]) -> bool:
    """Whether a stack's snapshot cleanup deletes what it names at `cdk destroy` where status
    reads (``emulator``: the emulator's endpoint, else None for AWS): not on the emulator, which
    runs no Lambda function, as `week5 local`'s destroy note decides (its
    :data:`~week5.cli.local.DESTROYED_HERE`). A trial read on the emulator that the snapshot
    goes at destroy; it stayed."""
    return emulator is None or SNAPSHOT_CLEANUP_TYPE in DESTROYED_HERE


def _left_why(stack) -> str:
    """Why `week5 cleanup` leaves a stack of :attr:`StatusReport.other_stacks`."""
    if stack.status in ("DELETE_IN_PROGRESS", "DELETE_COMPLETE"):
        return "(being deleted)"
    if not stack.day:
        return f"({NO_DAY_TAG})"
    if stack.protected:
        return (
            "(termination protection: cleanup leaves it; aws cloudformation "
            "update-termination-protection --no-enable-termination-protection --stack-name "
            f"{stack.name})"
        )
    return f"({NO_COURSE_DAY})"


def _cost(stack) -> str:
    if stack.usd_per_hour is None:
        return "not priced"
    extra = f" +{stack.not_priced} not priced" if stack.not_priced else ""
    return f"{usd(stack.usd_per_hour)}{extra}"


def tag_value(value: str) -> str:
    """A tag's value as is, or quoted (:func:`shown`) when it would not read as itself:
    empty, with spaces around it (``Student='kim '`` is not kim's), or with a control
    character."""
    if value and value == value.strip() and value.isprintable():
        return value
    return shown(value, 80)


def cleanup_takes(u: Untracked) -> bool:
    """Whether `week5 cleanup --day DayN` deletes ``u``: its Day tag is a course day's
    (``cleanup_takes_it``) and a finder of cleanup looks for its kind
    (:func:`~week5.operations.cleanup.stacks.found_kind`): status never says cleanup removes
    what it does not look for (an SNS topic, an ElastiCache subnet group)."""
    return u.cleanup_takes_it and found_kind(u.arn) is not None


def _kind_not_looked_for(arn: str) -> str:
    """Why `week5 cleanup` leaves a resource of a kind no finder of its looks for."""
    return f"`week5 cleanup` does not look for this kind ({_arn_kind(arn)}): delete it by hand"


def _arn_kind(arn: str) -> str:
    """``sns`` or ``elasticache subnetgroup``: the service and resource type an ARN names
    (an SNS topic's and an SQS queue's ARN name no type)."""
    fields = arn.split(":", 5)
    if len(fields) < 6:
        return "this kind"
    if fields[2] == "elasticloadbalancing" and fields[5].startswith("loadbalancer/"):
        return "Classic Load Balancer"  # an application or network one it finds
    kind = re.split(r"[/:]", fields[5].lstrip("/"), maxsplit=1)[0]
    return f"{fields[2]} {kind}".strip() if kind and kind != fields[5] else fields[2]


def _in(region: str) -> str:
    return f" in {region}" if region else ""


def format_status(report: StatusReport, emulator: Optional[str] = None) -> str:
    """The report as text; ``emulator``: the endpoint of the emulator it was read from (`week5
    local`'s, :func:`~week5.operations.preflight.emulator_endpoint`), None for AWS."""
    who = "any student" if report.student is None else f"student {report.student}"
    at_destroy = cleanup_runs_at_destroy(emulator)
    lines = []
    if report.stacks:
        rows = [
            (
                s.name,
                s.student,
                s.lab,
                s.status + (f" ({s.note})" if s.note else ""),
                s.created.strftime("%Y-%m-%d %H:%M"),
                format_age(s.age_hours(report.now)),
                _cost(s),
            )
            for s in report.stacks
        ]
        lines.append(render_table(rows, HEADER, align="<<<<<>>"))
        unpriced = sum(1 for s in report.stacks if s.usd_per_hour is None)
        lines.append(
            f"{len(report.stacks)} stack(s), {usd(report.usd_per_hour)}/hour estimated"
            + (f" ({unpriced} stack(s) not priced)" if unpriced else "")
            + f". Priced: {PRICED}."
        )
    else:
        lines.append(f"No lab stacks of {who} in {report.region}.")
        if report.others:
            lines.append(
                f"{report.others} stack(s) of other students: week5 status --all lists them."
            )
    if report.other_stacks:
        lines.append(
            f"Stacks tagged Week=Week5 that are no lab's ({len(report.other_stacks)}): made by "
            "hand or by your own CDK app; `week5 cleanup --day DayN` deletes them (but those "
            "marked otherwise):"
        )
        rows = [
            (
                s.name,
                s.student,
                s.day or "-",
                s.status + (f" ({s.note})" if s.note else ""),
                s.created.strftime("%Y-%m-%d %H:%M"),
                format_age(s.age_hours(report.now)),
                _cost(s),
                "" if stack_cleanup_takes(s) else _left_why(s),
            )
            for s in report.other_stacks
        ]
        lines.append(render_table(rows, OTHER_HEADER, align="<<<<<>><", indent="  "))
        unpriced = sum(1 for s in report.other_stacks if s.usd_per_hour is None)
        lines.append(
            f"  {len(report.other_stacks)} stack(s), {usd(report.other_usd_per_hour)}/hour "
            "estimated" + (f" ({unpriced} stack(s) not priced)" if unpriced else "")
            + ", not in the lab stacks' total."
        )
    if report.untracked:
        # A lab's LeftoverCleanup deletes its snapshots at destroy (Day2Lab1's, Day3Lab1's):
        # "cdk destroy does not remove these" was said of them too.
        but_marked = (
            " (but those marked as a stack's snapshot cleanup's)"
            if at_destroy and any(u.destroy_deletes for u in report.untracked)
            else ""
        )
        lines.append(
            f"Tagged Week=Week5 but in no stack ({len(report.untracked)}): made by hand or left "
            f"behind; cdk destroy does not remove these{but_marked}, `week5 cleanup --day DayN` "
            "does (but those marked otherwise):"
        )
        rows = [
            (
                u.arn,
                " ".join(f"{k}={tag_value(v)}" for k, v in u.tags.items()),
                " ".join(
                    note
                    for note, applies in (
                        (f"(stack {u.gone_stack}{_in(u.stack_region)} is gone)", u.gone_stack),
                        (f"(tagged as stack {u.live_stack}'s but none of its resources: left "
                         "by an earlier stack of that name, or kept by an update)",
                         u.live_stack and not u.copied_stack_tags),
                        # a manual snapshot of a live database: CopyTagsToSnapshot's copies
                        (f"(tagged as stack {u.live_stack}'s by RDS, which copies a database's "
                         "tags to its snapshots and a snapshot's to a database restored from "
                         "it: none of the stack's resources)", u.copied_stack_tags),
                        (f"(stack {u.destroy_deletes}'s snapshot cleanup deletes it at cdk "
                         "destroy)", u.destroy_deletes and at_destroy),
                        (f"(stack {u.destroy_deletes}'s snapshot cleanup deletes it at cdk "
                         f"destroy on AWS, not on the emulator at {emulator}, which runs no "
                         "function: it stays after destroy)",
                         u.destroy_deletes and not at_destroy),
                        (f"({NO_DAY_TAG})", DAY_KEY not in u.tags),
                        (f"({NO_COURSE_DAY})", DAY_KEY in u.tags and not u.course_day),
                        (f"({DEFAULT_VPC}: cleanup leaves it)", u.default_vpc),
                        (f"({_kind_not_looked_for(u.arn)})",
                         u.cleanup_takes_it and found_kind(u.arn) is None),
                    )
                    if applies
                ),
            )
            for u in report.untracked
        ]
        lines.append(render_table(rows, indent="  "))
    else:
        lines.append(f"Nothing tagged Week=Week5 of {who} outside a stack.")
    return "\n".join(lines)
