"""``week5 audit LAB``: check a student's hand-built lab against the reference lab with
read-only calls (:mod:`week5.operations.audit`); exit 1 when a check fails, 2 for bad input or
when AWS refuses to be read (one line naming the cause and fix)."""

from __future__ import annotations

import argparse
import json
import sys

from week5.analysis.topology import extract
from week5.cli.arguments import REGION_HELP, command_parser, project_student, student_argument
from week5.cli.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, CliError
from week5.cli.synthesis import (
    CLASS_LAB_ID_RE,
    add_synth_options,
    class_students,
    given_context,
    lab_to_build,
    synthesized_lab,
)
from week5.core.settings import DEFAULT_REGION, parse_student, shown
from week5.core.tags import tag_filter
from week5.operations.audit import (
    Check,
    audit,
    audit_site,
    no_single_vpc,
    read_account,
    to_json,
    vpc_candidates,
)
from week5.operations.aws_errors import account_id
from week5.operations.aws_errors import clients as aws_clients
from week5.operations.aws_errors import explain, region_problem



def register(commands: argparse._SubParsersAction) -> None:
    audit_ = command_parser(
        commands,
        "audit",
        help="check a student's hand-built lab against the reference lab (read-only calls)",
    )
    audit_.add_argument(
        "lab", metavar="LAB", help="lab id, e.g. Day1Lab1 (with -c students=kim,lee, one "
        "student's copy: Day1Lab1-kim)"
    )  # fmt: skip
    audit_.add_argument(
        "--student",
        help="the student's name (their Student tag; default: the name `week5 init` set, else "
        "any student's)",
    )
    audit_.add_argument("--profile", help="an AWS CLI profile for the student's account")
    audit_.add_argument("--region", default=DEFAULT_REGION, help=REGION_HELP)
    audit_.add_argument("--json", action="store_true", help="machine-readable output")
    add_synth_options(audit_)
    audit_.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Check a student's hand-built lab against the reference lab, read-only."""
    copy = CLASS_LAB_ID_RE.match(args.lab)  # a class's copy, Day4Lab1-kim: kim's resources
    # A name first: the copy to suggest below is built from it.
    given = None if args.student is None else student_argument(args.student, "audit LAB")
    given_as, option = f"--student {shown(given)}", "--student"
    # -c student= names whose lab is synthesized: the same student's resources are audited
    # (it synthesized for that name and then read the resources of the name `init` set).
    context_student = given_context(args).get("student")
    if context_student is not None:
        context_student = parse_student(context_student)  # "context 'student'=...", as cdk
        if given is not None and given != context_student:
            raise CliError(
                f"--student {shown(given)} and -c student={shown(context_student)} name two "
                "students: pass one of them",
                EXIT_USAGE,
            )
        given, given_as = context_student, f"-c student={shown(context_student)}"
        option = "-c student"
    if copy and given is not None and given != copy.group("student"):
        raise CliError(
            f"{given_as} with {args.lab}, which is {copy.group('student')}'s "
            f"copy: pass {copy.group('lab')}-{given}, or leave {option} out",
            EXIT_USAGE,
        )
    if copy:
        student = copy.group("student")
    else:
        student = project_student() if given is None else given
    problem = region_problem(args.region)
    if problem:
        raise CliError(problem, EXIT_USAGE)
    # An --assembly is read first, as the other commands read it (no synthesis, and a broken
    # one is the line to fix whatever AWS answers); then the AWS settings and credentials, in
    # one cheap call, before a synthesis that may take seconds.
    if args.assembly is not None:
        lab = synthesized_lab(args, quiet=True)
    else:  # the lab id and the context: the user's input is named before AWS's answer
        lab_to_build(args.lab, class_students(args), "audit")
        lab = None
    make_client = aws_clients(args.profile, args.region)  # time out in seconds, not minutes
    account_id(make_client, args.profile, args.region)
    if lab is None:
        if given is not None and context_student is None and not copy:
            # --student names whose lab is synthesized too: the lab's Names (the VPC an
            # untagged build is found by) are that student's, not those of the name `init`
            # set. After lab_to_build, whose class-mode line comes first.
            args.context = [*args.context, f"student={given}"]
        lab = synthesized_lab(args, quiet=True)
    lab_tags = tag_filter(lab.day, lab.kind, student)
    try:
        vpcs = extract(lab.template).vpcs
        if not vpcs:  # Day 2's static site: buckets and CloudFront
            checks = audit_site(lab.template, make_client, lab_tags)
        else:
            found = vpc_candidates(make_client("ec2"), lab_tags, vpcs[0].name)
            if len(found) != 1:
                why = no_single_vpc(found, lab_tags, vpcs[0].name, args.region)
                checks = [Check("vpc", False, why)]
            else:
                account = read_account(make_client, found[0], lab_tags)
                checks = audit(lab.template, account, lab_tags)
    except KeyboardInterrupt:
        # stdout holds JSON alone with --json: a partial run has none
        print(
            "Interrupted: nothing was changed (audit only reads).",
            file=sys.stderr if args.json else sys.stdout,
        )
        return EXIT_INTERRUPTED
    except Exception as error:
        line = explain(error, args.profile, args.region)
        if line is None:
            raise
        raise CliError(line, EXIT_USAGE) from None
    if args.json:
        print(json.dumps({"lab": lab.lab_id, "student": student, "checks": to_json(checks)}))
    else:
        for check in checks:
            print(check)
        failed = sum(1 for c in checks if not c.passed)
        print(f"{lab.lab_id}: {len(checks) - failed} passed, {failed} failed.")
    return EXIT_FAILED if any(not c.passed for c in checks) else EXIT_OK
