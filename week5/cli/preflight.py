"""``week5 preflight -- CDK ARGS``: what ``scripts/cdk`` and ``scripts/cdk.py`` run before a
CDK command that runs the app (``synth``, ``diff``, ``deploy``, ``destroy``, ``ls``, ``watch``)
(:mod:`week5.operations.preflight`).

Exit 0: run cdk. :data:`EXIT_DONE` (10): nothing to do, the wrapper exits 0 without running cdk
(``destroy`` of a stack that exists under no name). :data:`EXIT_REFUSED` (11): the wrapper
exits 1 without running cdk (``destroy`` under a name that is not the student's while another
copy exists, or a class deploy that the quotas cannot hold). :data:`EXIT_BAD_CONTEXT` (12): the
app would refuse the context (a misspelt key, an empty value); the wrapper exits 2 without
running cdk, whose own exit would be 1. Any other code means the check itself could not run (a
broken venv): the wrapper runs cdk. The lines go to stderr, prefixed with ``--prog``. A check
that cannot ask AWS (no credentials yet, offline, no boto3 and no AWS CLI) is one note, and cdk
runs: it reports such problems itself. A profile that does not exist (``--profile`` or
``AWS_PROFILE``) is refused (exit 2 through the wrapper): the CDK CLI would go on with the
environment's keys, or report a destroy of nothing as done.
"""

from __future__ import annotations

import argparse
import os
from typing import List, Sequence

from week5.analysis.assembly import read_labs
from week5.cli import instructor_destroy
from week5.cli.errors import EXIT_BAD_CONTEXT, EXIT_DONE, EXIT_OK, EXIT_REFUSED, CliError
from week5.cli.synthesis import find_project_root, synthesize, with_labs
from week5.core.errors import CourseInputError
from week5.core.progress import say
from week5.core.settings import CONTEXT_LABS, CONTEXT_STUDENTS
from week5.operations import aws_errors, preflight, quotas

__all__ = ["EXIT_BAD_CONTEXT", "EXIT_DONE", "EXIT_REFUSED", "check", "register", "run"]


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "preflight",
        help="run by scripts/cdk before the commands that run the app: the context, and before "
        "deploy and destroy the student's stack name against the account's stacks, and the "
        "quotas for a class deploy",
    )
    parser.add_argument("--prog", default="scripts/cdk", help="the name to prefix lines with")
    parser.add_argument(
        "--app", choices=("labs", "instructor"), default="labs",
        help="whose context to check: the labs' (app.py) or the instructor's (instructor_app.py)",
    )  # fmt: skip
    parser.add_argument("cdk_args", nargs=argparse.REMAINDER, help="the cdk command line")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    cdk_args = list(args.cdk_args)
    if cdk_args[:1] == ["--"]:
        cdk_args = cdk_args[1:]

    def tell(line: str) -> None:
        say(f"{args.prog}: {line}")

    try:
        return check(cdk_args, tell, args.app)
    except KeyboardInterrupt:
        return 130
    except aws_errors.AwsInputError as error:  # a profile that does not exist: not a deploy
        tell(f"{error}; nothing was run")  # with whatever credentials the CDK CLI finds
        return EXIT_BAD_CONTEXT
    except (aws_errors.AwsError, OSError) as error:
        tell(f"note: could not check the account before {_command(cdk_args)} ({error}); going on")
    except Exception as error:  # a bug here must not stop a deploy: say so, go on
        failure = f"{type(error).__name__}: {error}"
        tell(f"note: the check before {_command(cdk_args)} failed ({failure}); going on")
    return EXIT_OK


def _command(cdk_args: Sequence[str]) -> str:
    return preflight.command_context(cdk_args)[0] or "cdk"


def check(cdk_args: List[str], tell, app: str = "labs") -> int:
    if app == "instructor" and preflight.command_context(cdk_args)[0] == "destroy":
        return instructor_destroy.check(cdk_args, tell)  # needs none of the deploy values
    root = find_project_root()
    try:
        preflight.check_context(cdk_args, root, dict(os.environ), app=app)
    except CourseInputError as error:
        tell(str(error))
        return EXIT_BAD_CONTEXT
    if app == "instructor":  # no lab stacks to compare with the account's; the profile only
        command, _, profile = preflight.command_context(cdk_args)
        if command in preflight.CHECKED_COMMANDS:
            aws_errors.session(profile)  # a profile that does not exist: AwsInputError, exit 2
        return EXIT_OK
    plan = preflight.plan(cdk_args, root, dict(os.environ))
    if plan is None:
        return EXIT_OK
    names = live_stack_names(plan)
    verdict = preflight.judge(plan, names)
    for line in verdict.lines:
        tell(line)
    if not verdict.proceed:
        return EXIT_DONE if verdict.code == 0 else EXIT_REFUSED
    if plan.class_mode and plan.command == "deploy":
        return check_quotas(plan, root, names, tell)
    return EXIT_OK


def live_stack_names(plan: preflight.Plan) -> List[str]:
    """The region's live stack names: boto3 when the venv has it, else the AWS CLI."""
    try:
        import boto3  # noqa: F401  (a student's venv has no boto3; the AWS CLI may do)
    except ImportError:
        return preflight.stack_names_with_cli(plan.region, plan.profile)
    make_client = aws_errors.clients(plan.profile, plan.region)
    with aws_errors.translated(plan.profile, plan.region):
        return preflight.stack_names(make_client("cloudformation"))


def check_quotas(plan: preflight.Plan, root, live: Sequence[str], tell) -> int:
    """Synthesize the labs once (one student's copy) and check a class's needs against the
    quotas; refuse with the numbers and the fix when they do not fit."""
    import tempfile
    from pathlib import Path

    labs = plan.labs
    context = [
        f"{key}={value}"
        for key, value in plan.context.items()
        if key not in (CONTEXT_STUDENTS, CONTEXT_LABS)
    ]
    tell(f"checking the quotas in {plan.region} for {len(plan.students)} students "
         "(synthesizing the labs once)")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="week5-preflight-") as out:
        try:
            # Only reads the quotas' figures; the deploy's own synth validates.
            synthesize(root, Path(out), with_labs(context, labs), validation=False)
        except CliError:
            return EXIT_OK  # the deploy's own synth prints the app's one-line reason
        templates = {lab.lab_id: lab.template for lab in read_labs(Path(out))}
    if plan.labs:
        templates = {k: v for k, v in templates.items() if k in plan.labs}
    needs, _ = quotas.class_needs(templates, plan.students, live)
    make_client = aws_errors.clients(plan.profile, plan.region)
    with aws_errors.translated(plan.profile, plan.region):
        rows = quotas.check(make_client, needs, plan.region)
    short = quotas.shortfalls(rows, plan.region)
    if not short:
        return EXIT_OK
    tell(
        f"refused: {len(plan.students)} students' {' + '.join(templates)} would exceed "
        f"{len(short)} quota(s) in {plan.region}; nothing was deployed. Raise them, then deploy "
        "again (`week5 quotas --students ...` shows the table):"
    )
    for line in short:
        tell(f"  {line}")
    return EXIT_REFUSED
