#!/usr/bin/env python3
"""The instructor's CDK app: InstructorAccess and BudgetGuard (see stacks/instructor.py).

scripts/instructor deploy InstructorAccess -c instructor_account=111122223333
scripts/instructor deploy BudgetGuard -c budget_email=instructor@example.com
scripts/instructor destroy BudgetGuard --force    (no context needed)
"""

import os
import sys

import aws_cdk as cdk

from stacks.instructor import BudgetGuardStack, DestroyOnlyStack, InstructorAccessStack
from week5.core.errors import CourseInputError
from week5.core.settings import (
    CONTEXT_BUDGET_EMAIL,
    CONTEXT_BUDGET_STUDENTS,
    CONTEXT_BUDGET_TOPIC,
    CONTEXT_EXTERNAL_ID,
    CONTEXT_INSTRUCTOR_ACCOUNT,
    INSTRUCTOR_STACKS,
    NOTHING_TO_BUILD,
    check_context,
)
from week5.synth.nag import enable_nag

#: Set to 1 by scripts/instructor for ``destroy`` only: a stack without its context is built as
#: a :class:`DestroyOnlyStack`, since deleting it needs none of the deploy-time values.
DESTROY_ENV = "WEEK5_INSTRUCTOR_DESTROY"


def build(app: cdk.App, environ=None) -> dict:
    """The stacks whose context is given; a stack without its context is not built, or, for
    ``scripts/instructor destroy`` (:data:`DESTROY_ENV`), built as a stand-in to delete."""
    # First: a misspelt key (-c instructor_acount=...) would otherwise build nothing and say so.
    check_context(app.node.get_all_context())
    get = app.node.try_get_context
    enable_nag(app)
    stacks = {}
    if get(CONTEXT_INSTRUCTOR_ACCOUNT) is not None:
        stacks["InstructorAccess"] = InstructorAccessStack(
            app,
            instructor_account=get(CONTEXT_INSTRUCTOR_ACCOUNT),
            external_id=get(CONTEXT_EXTERNAL_ID) or None,
        )
    if get(CONTEXT_BUDGET_EMAIL) is not None or get(CONTEXT_BUDGET_TOPIC) is not None:
        stacks["BudgetGuard"] = BudgetGuardStack(
            app,
            email=get(CONTEXT_BUDGET_EMAIL) or None,
            topic_arn=get(CONTEXT_BUDGET_TOPIC) or None,
            students=get(CONTEXT_BUDGET_STUDENTS) or (),
        )
    if (os.environ if environ is None else environ).get(DESTROY_ENV) == "1":
        for construct_id in INSTRUCTOR_STACKS:
            if construct_id not in stacks:
                stacks[construct_id] = DestroyOnlyStack(app, construct_id)
    if not stacks:
        raise CourseInputError(NOTHING_TO_BUILD)
    return stacks


if __name__ == "__main__":
    app = cdk.App()
    try:
        build(app)
    except CourseInputError as error:
        sys.exit(f"week5: {error}")
    app.synth()
