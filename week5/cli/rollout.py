"""``week5 rollout --accounts ID,...``: synthesize InstructorAccess and roll it out to every
student account with CloudFormation StackSets (:mod:`week5.operations.stackset`)."""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from pathlib import Path

from week5.cli.arguments import command_parser
from week5.cli.errors import EXIT_OK, EXIT_USAGE, CliError
from week5.cli.synthesis import add_context_option, find_project_root, synthesize
from week5.core.errors import CourseInputError, shown
from week5.core.progress import say
from week5.core.settings import DEFAULT_REGION, NOTHING_TO_BUILD
from week5.operations import aws_errors, preflight, stackset


def register(commands: argparse._SubParsersAction) -> None:
    rollout = command_parser(
        commands,
        "rollout",
        help="roll InstructorAccess out to every student account with CloudFormation StackSets",
    )
    rollout.add_argument("--accounts", required=True, help="comma-separated student account ids")
    rollout.add_argument(
        "--name", type=stack_set_name, default="week5-instructor-access",
        help="the stack set's name (a letter, then letters, digits or -; up to 128)",
    )  # fmt: skip
    rollout.add_argument(
        "--region", default=DEFAULT_REGION,
        help="the region the stack set lives in and deploys its stacks to (default "
        f"{DEFAULT_REGION}). The role is IAM, which is global: an account gets it from one "
        "region only, so keep the region of the first rollout",
    )  # fmt: skip
    rollout.add_argument(
        "--profile", help="an AWS CLI profile of the instructor's account (default: the "
        "environment's)"
    )  # fmt: skip
    rollout.add_argument(
        "--dry-run", action="store_true",
        help="synthesize, read the stack set and say what would change (the accounts added, "
        "and the template and trust of those that have it); change nothing. What the rollout "
        "refuses, it refuses too (one line, exit 2)",
    )  # fmt: skip
    rollout.add_argument(
        stackset.CHANGE_TRUST_FLAG, action="store_true",
        help="let the update change the role's trust (external id or MFA, the instructor "
        "account) in the accounts that have it, which breaks the profiles written for the old "
        "trust; without it such a rollout is refused",
    )  # fmt: skip
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
    # The instructor app's context first, as scripts/instructor checks it: one line before AWS
    # and the synthesis, and a key given twice refused (the app took the last: a stack set that
    # trusted the second account given).
    try:
        preflight.check_context(
            ["synth", *(arg for item in args.context for arg in ("-c", item))],
            root,
            app="instructor",
        )
    except CourseInputError as error:
        if str(error) != NOTHING_TO_BUILD:
            raise
        # Rollout builds InstructorAccess alone: the app's line also offers BudgetGuard.
        raise CliError(
            "rollout needs InstructorAccess's trusted account: pass -c instructor_account=<12 "
            "digits> (the instructor's account, which may assume the role)",
            EXIT_USAGE,
        ) from None
    # Then profile, credentials and endpoint, before a minute of synthesis; for a dry run too:
    # one that cannot read the stack set cannot say what the rollout would do.
    make_client = aws_errors.clients(args.profile, args.region)
    aws_errors.account_id(make_client, args.profile, args.region)
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
        return dry_run(make_client, args, accounts, template)
    cloudformation = make_client("cloudformation")
    found = _checked_plan(make_client, args, accounts, template)  # before anything changes
    say(f"==> stack set {args.name}: {len(accounts)} account(s) in {args.region}")
    for line in _plan_lines(found):
        say(f"    {line}")
    try:
        with aws_errors.translated(args.profile, args.region):
            report = stackset.roll_out(
                cloudformation, template, accounts, name=args.name, regions=[args.region],
                change_trust=args.change_trust, found=found,
            )  # fmt: skip
    except RuntimeError as error:
        raise CliError(str(error)) from None
    action = "created" if report["created"] else "updated"
    done = report["plan"]
    print(
        f"Stack set {args.name} {action}; added {len(report['added'])} account(s), "
        f"{len(report['already'])} had it already."
        + (f" {_capital(done.update_line())}." if done.present else "")
    )
    return EXIT_OK


def _capital(line: str) -> str:
    return line[:1].upper() + line[1:]


def _plan_lines(found: stackset.Plan) -> list:
    """What the rollout changes, in words: the accounts that have it first (an update reaches
    them all, named or not), then a trust change's consequence."""
    lines = [found.update_line()] if found.update_line() else []
    if found.breaks_profiles:
        lines.append(f"trust change allowed by {stackset.CHANGE_TRUST_FLAG}")
    return lines


class Refused(CliError):
    """What the rollout refuses before it changes anything (exit 2): its dry run too, so a
    script can take a dry run's exit as the check."""

    def __init__(self, message: str) -> None:
        super().__init__(message, EXIT_USAGE)


def _checked_plan(make_client, args: argparse.Namespace, accounts, template) -> stackset.Plan:
    """The stack set read, and the rollout's refusals (:class:`Refused`), for the run and its
    dry run alike: a dry run that passes is a run that is not refused."""
    with aws_errors.translated(args.profile, args.region):
        _refuse_a_second_stack_set(make_client, args, accounts)
        found = stackset.plan(make_client("cloudformation"), template, accounts, name=args.name)
    if found.breaks_profiles and not args.change_trust:
        raise Refused(found.refusal())
    return found


def _refuse_a_second_stack_set(make_client, args: argparse.Namespace, accounts) -> None:
    """Another stack set (this name in the default region, or the default name in either)
    already gave these accounts the role: a second one's stack would fail on the role's name
    (IAM is global) and change nothing (another region; a hostile trial: another ``--name``)."""
    default = stackset.DEFAULT_STACK_SET_NAME
    others = [(DEFAULT_REGION, args.name), (DEFAULT_REGION, default), (args.region, default)]
    for region, name in dict.fromkeys(others):  # in order, once each
        if (region, name) == (args.region, args.name):
            continue
        cloudformation = make_client("cloudformation", region_name=region)
        have = stackset.instances_elsewhere(cloudformation, name, accounts)
        if not have:
            continue
        leave_out = [f"--region {args.region}"] if region != args.region else []
        leave_out += [f"--name {args.name}"] if name != args.name else []
        where = region if name == args.name else f"{name} in {region}"
        raise Refused(
            f"{', '.join(have)} already {'has' if len(have) == 1 else 'have'} the role from "
            f"stack set {name} in {region}, and IAM is global (one role per account): leave "
            f"out {' and '.join(leave_out)} to roll out from {where}"
        )


def dry_run(make_client, args: argparse.Namespace, accounts, template) -> int:
    """What the rollout would do, read from the stack set (AWS reachable: :func:`run` asked it
    whose credentials these are; an error now is one line, exit 2, as the rollout's). What the
    rollout refuses is refused here as there, one line and exit 2, with no "Would" after it: a
    trial's dry run printed the refusal, then "Would roll out", and exit 0."""
    try:
        found = _checked_plan(make_client, args, accounts, template)
    except Refused as refused:
        raise Refused(f"the rollout refuses this: {refused}") from None
    if found.exists:
        print(f"Would update stack set {args.name} in {args.region}: {found.update_line()}.")
        if found.breaks_profiles:  # allowed: _checked_plan refused it without the flag
            print(
                f"With {stackset.CHANGE_TRUST_FLAG} the rollout makes this change: then write "
                "each account's profile again from its CliProfile output."
            )
    else:
        print(f"Would create stack set {args.name} in {args.region}.")
    added = found.new
    print(f"Would roll {args.name} out to {len(added)} account(s): {', '.join(added) or 'none'}"
          + (f" ({len(found.already)} named had it already)" if found.already else ""))
    return EXIT_OK
