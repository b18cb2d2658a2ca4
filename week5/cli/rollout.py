"""``week5 rollout --accounts ID,...``: synthesize InstructorAccess and roll it out to every
student account with CloudFormation StackSets (:mod:`week5.operations.stackset`)."""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from pathlib import Path

from week5.cli.errors import EXIT_OK, EXIT_USAGE, CliError
from week5.cli.synthesis import add_context_option, find_project_root, synthesize
from week5.core.errors import shown
from week5.core.progress import say
from week5.operations import aws_errors, preflight, stackset


def register(commands: argparse._SubParsersAction) -> None:
    rollout = commands.add_parser(
        "rollout",
        help="roll InstructorAccess out to every student account with CloudFormation StackSets",
    )
    rollout.add_argument("--accounts", required=True, help="comma-separated student account ids")
    rollout.add_argument(
        "--name", type=stack_set_name, default="week5-instructor-access",
        help="the stack set's name (a letter, then letters, digits or -; up to 128)",
    )  # fmt: skip
    rollout.add_argument("--region", default="ap-northeast-2", help="where the instances go")
    rollout.add_argument(
        "--profile", help="an AWS CLI profile of the instructor's account (default: the "
        "environment's)"
    )  # fmt: skip
    rollout.add_argument(
        "--dry-run", action="store_true", help="synthesize and list, change nothing"
    )
    add_context_option(rollout)
    rollout.set_defaults(handler=run)


#: What CloudFormation takes as a stack set's name.
_STACK_SET_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$", re.ASCII)


def stack_set_name(text: str) -> str:
    """``--name``: refused here, so a dry run does not say "Would roll out" a name AWS refuses."""
    if not _STACK_SET_NAME.match(text):
        raise argparse.ArgumentTypeError(
            f"{shown(text)} is not a stack set name: a letter, then letters, digits or -, up to "
            "128 (e.g. week5-instructor-access)"
        )
    return text


def run(args: argparse.Namespace) -> int:
    """Synthesize InstructorAccess and roll it out to the student accounts with StackSets."""
    accounts = stackset.parse_accounts(args.accounts)
    aws_errors.check_region(args.region)
    root = find_project_root()
    make_client = None
    if not args.dry_run:
        # Credentials, profile and endpoint are checked before a minute of synthesis.
        make_client = aws_errors.clients(args.profile, args.region)
        aws_errors.account_id(make_client, args.profile, args.region)
    # Then the instructor app's context, as scripts/instructor checks it: one line before the
    # synthesis, and a key given twice refused (the app took the last: a stack set that
    # trusted the second account given).
    preflight.check_context(
        ["synth", *(arg for item in args.context for arg in ("-c", item))], root, app="instructor"
    )
    with tempfile.TemporaryDirectory(prefix="week5-instructor-") as out:
        say("==> synthesizing InstructorAccess (both rule packs run)")
        synthesize(root, Path(out), args.context, app="python3 instructor_app.py")
        path = Path(out) / "InstructorAccess.template.json"
        if not path.is_file():
            raise CliError(
                "no InstructorAccess: pass -c instructor_account=<12 digits>", EXIT_USAGE
            )
        template = json.loads(path.read_text(encoding="utf-8"))
    if args.dry_run:
        print(f"Would roll {args.name} out to {len(accounts)} account(s): {', '.join(accounts)}")
        return EXIT_OK
    say(f"==> stack set {args.name}: {len(accounts)} account(s) in {args.region}")
    try:
        with aws_errors.translated(args.profile, args.region):
            report = stackset.roll_out(
                make_client("cloudformation"), template, accounts, name=args.name,
                regions=[args.region],
            )  # fmt: skip
    except RuntimeError as error:
        raise CliError(str(error)) from None
    action = "created" if report["created"] else "updated"
    print(
        f"Stack set {args.name} {action}; added {len(report['added'])} account(s), "
        f"{len(report['already'])} had it already."
    )
    return EXIT_OK
