"""What ``week5 preflight --app instructor`` checks before ``scripts/instructor destroy`` runs
``cdk destroy`` (:mod:`week5.cli.preflight` calls :func:`check`, with its exit codes and its
handling of AWS problems).

Deleting InstructorAccess or BudgetGuard needs none of their deploy-time values (the
instructor's account, the e-mail): the wrapper has the app build a stand-in for a stack
without its context (``instructor_app.DESTROY_ENV``). So "nothing to build" is no refusal here,
while a bad value that is given still is. And the CDK CLI reports a stack that does not exist
as "destroyed": when none of the stacks named exists in the account, this says "nothing to
destroy" and the wrapper does not run cdk; a name or pattern that matches neither stack (for
which the CDK CLI says "No stacks match" and exits 0) is refused, exit 2
(:func:`week5.operations.preflight.check_app_stacks`, which the other commands get too).
"""

from __future__ import annotations

import fnmatch
import os
from typing import Callable, List, Optional, Sequence, Tuple

from week5.cli.errors import EXIT_BAD_CONTEXT, EXIT_DONE, EXIT_OK
from week5.cli.synthesis import find_project_root
from week5.core.errors import CourseInputError
from week5.core.settings import DEFAULT_REGION, INSTRUCTOR_STACKS, NOTHING_TO_BUILD
from week5.operations import aws_errors, preflight


def named_stacks(cdk_args: Sequence[str]) -> Tuple[List[str], bool]:
    """(the stack names or patterns a ``cdk destroy`` line names, True for ``--all``)."""
    names: List[str] = []
    every = False
    command_seen = False
    items = list(cdk_args)
    index = 0
    while index < len(items):
        arg = items[index]
        if arg in preflight.VALUE_OPTIONS:
            index += 2
            continue
        if arg == "--all":
            every = True
        elif not arg.startswith("-"):
            if command_seen:
                names.append(arg)
            command_seen = True
        index += 1
    return names, every


def targets(cdk_args: Sequence[str]) -> List[str]:
    """The instructor stacks the line selects (a pattern as the CDK CLI matches it, its braces
    expanded)."""
    names, every = named_stacks(cdk_args)
    if every:
        return list(INSTRUCTOR_STACKS)
    patterns = [a for n in names for a in (preflight.brace_alternatives(n) or [n])]
    return [s for s in INSTRUCTOR_STACKS if any(fnmatch.fnmatchcase(s, n) for n in patterns)]


def check(cdk_args: List[str], tell: Callable[[str], None], environ=None) -> int:
    """The context (a bad value refused, a missing one not), then whether the stacks exist."""
    environ = dict(os.environ if environ is None else environ)
    try:
        preflight.check_context(cdk_args, find_project_root(), environ, app="instructor")
    except CourseInputError as error:
        if str(error) != NOTHING_TO_BUILD:  # the stand-ins need no context
            tell(str(error))
            return EXIT_BAD_CONTEXT
    if environ.get(preflight.SKIP_ENV) == "0":
        return EXIT_OK
    try:  # the CDK CLI: "No stacks match", exit 0, as if it had destroyed something
        preflight.check_app_stacks(cdk_args, app="instructor")
    except CourseInputError as error:
        tell(str(error))
        return EXIT_BAD_CONTEXT
    chosen = targets(cdk_args)
    if not chosen:  # no stack named: cdk asks which
        return EXIT_OK
    _, _, profile = preflight.command_context(cdk_args)
    live = set(live_stack_names(profile))
    absent = [name for name in chosen if name not in live]
    where = DEFAULT_REGION + (f" (profile {profile})" if profile else "")
    if len(absent) == len(chosen):
        tell(f"nothing to destroy: no stack {', '.join(absent)} in {where}; nothing was run")
        return EXIT_DONE
    if absent:
        tell(
            f"note: {', '.join(absent)} {'does' if len(absent) == 1 else 'do'} not exist in "
            f"{where}: cdk will call {'it' if len(absent) == 1 else 'them'} destroyed, but "
            "there was nothing to remove"
        )
    return EXIT_OK


def live_stack_names(profile: Optional[str]) -> List[str]:
    make_client = aws_errors.clients(profile, DEFAULT_REGION)
    with aws_errors.translated(profile, DEFAULT_REGION):
        return preflight.stack_names(make_client("cloudformation"))
