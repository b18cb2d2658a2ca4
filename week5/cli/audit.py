"""``week5 audit LAB``: check a student's hand-built lab against the reference lab with
read-only calls (:mod:`week5.operations.audit`); exit 1 when a check fails."""

from __future__ import annotations

import argparse
import json

from week5.analysis.topology import extract
from week5.cli.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CliError
from week5.cli.synthesis import add_synth_options, synthesized_lab
from week5.core.settings import parse_student
from week5.core.tags import tag_filter
from week5.operations.audit import Check, audit, find_vpc, read_account, to_json


def register(commands: argparse._SubParsersAction) -> None:
    audit_ = commands.add_parser(
        "audit",
        help="check a student's hand-built lab against the reference lab (read-only calls)",
    )
    audit_.add_argument("lab", metavar="LAB", help="lab id, e.g. Day1Lab1")
    audit_.add_argument("--student", help="the student's name (their Student tag)")
    audit_.add_argument("--profile", help="an AWS CLI profile for the student's account")
    audit_.add_argument("--region", default="ap-northeast-2")
    audit_.add_argument("--json", action="store_true", help="machine-readable output")
    add_synth_options(audit_)
    audit_.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Check a student's hand-built lab against the reference lab, read-only."""
    import boto3  # only for the commands that call AWS

    student = None if args.student is None else parse_student(args.student)
    lab = synthesized_lab(args, quiet=True)
    lab_tags = tag_filter(lab.day, lab.kind, student)
    session = boto3.Session(profile_name=args.profile, region_name=args.region)
    (reference_vpc,) = extract(lab.template).vpcs or [None]
    if reference_vpc is None:
        raise CliError(f"{lab.lab_id} has no VPC to audit", EXIT_USAGE)
    vpc = find_vpc(session.client("ec2"), lab_tags, reference_vpc.name)
    if vpc is None:
        checks = [
            Check(
                "vpc",
                False,
                f"no single VPC tagged {lab_tags} or named {reference_vpc.name} in {args.region}",
            )
        ]
    else:
        checks = audit(lab.template, read_account(session.client, vpc), lab_tags)
    if args.json:
        print(json.dumps({"lab": lab.lab_id, "student": student, "checks": to_json(checks)}))
    else:
        for check in checks:
            print(check)
        failed = sum(1 for c in checks if not c.passed)
        print(f"{lab.lab_id}: {len(checks) - failed} passed, {failed} failed.")
    return EXIT_FAILED if any(not c.passed for c in checks) else EXIT_OK
