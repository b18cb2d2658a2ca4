"""Roll InstructorAccess out to every student account at once with CloudFormation StackSets.

For a class with one AWS account per student: the instructor's (administrator) account holds a
stack set of the synthesized InstructorAccess template and adds one stack instance per student
account. The self-managed permission model needs, once, the AWSCloudFormationStackSetAdministration
role in the instructor's account and AWSCloudFormationStackSetExecutionRole in each student
account (AWS's two templates for them are linked from the README); with AWS Organizations, the
service-managed model needs neither.
"""

from __future__ import annotations

import json
import time
from typing import Any, Dict, List, Mapping, Sequence

from week5.core.errors import CourseInputError
from week5.core.settings import is_account_id

DEFAULT_STACK_SET_NAME = "week5-instructor-access"
#: Bounded: a stack set operation over a class's accounts takes minutes, not hours.
WAIT_S = 900
POLL_S = 10


def parse_accounts(value: str) -> List[str]:
    """Comma-separated 12-digit account ids, each once."""
    accounts = [part.strip() for part in str(value or "").split(",") if part.strip()]
    example = "--accounts 111122223333,444455556666"
    if not accounts:
        raise CourseInputError(f"--accounts names no account; pass e.g. {example}")
    bad = [a for a in accounts if not is_account_id(a)]
    if bad:
        raise CourseInputError(
            f"--accounts has {bad[0]!r}, not a 12-digit account id; e.g. {example}"
        )
    if len(set(accounts)) != len(accounts):
        raise CourseInputError(f"--accounts names an account twice; e.g. {example}")
    return accounts


def _wait(cloudformation, name: str, operation_id: str, wait_s: float, poll_s: float) -> str:
    deadline = time.monotonic() + wait_s
    while True:
        status = cloudformation.describe_stack_set_operation(
            StackSetName=name, OperationId=operation_id
        )["StackSetOperation"]["Status"]
        if status not in ("RUNNING", "QUEUED", "STOPPING"):
            return status
        if time.monotonic() >= deadline:
            return f"{status} after {wait_s:.0f} s"
        time.sleep(poll_s)


def roll_out(
    cloudformation,
    template: Mapping[str, Any],
    accounts: Sequence[str],
    *,
    regions: Sequence[str] = ("ap-northeast-2",),
    name: str = DEFAULT_STACK_SET_NAME,
    wait_s: float = WAIT_S,
    poll_s: float = POLL_S,
) -> Dict[str, Any]:
    """Create the stack set (or update it to ``template``), then add an instance for each
    account that has none. Returns what was done; raises RuntimeError if an operation fails."""
    body = json.dumps(template)
    report: Dict[str, Any] = {"stack_set": name, "created": False, "updated": False}
    try:
        cloudformation.describe_stack_set(StackSetName=name)
        exists = True
    except cloudformation.exceptions.StackSetNotFoundException:
        exists = False
    if exists:
        operation = cloudformation.update_stack_set(
            StackSetName=name, TemplateBody=body, Capabilities=["CAPABILITY_NAMED_IAM"]
        )
        status = _wait(cloudformation, name, operation["OperationId"], wait_s, poll_s)
        if status != "SUCCEEDED":
            raise RuntimeError(f"updating stack set {name}: {status}")
        report["updated"] = True
    else:
        cloudformation.create_stack_set(
            StackSetName=name,
            TemplateBody=body,
            Capabilities=["CAPABILITY_NAMED_IAM"],
            Description="Week 5: the instructor's read-only role in each student account",
        )
        report["created"] = True
    summaries = cloudformation.list_stack_instances(StackSetName=name)["Summaries"]
    present = {s["Account"] for s in summaries}
    new = [a for a in accounts if a not in present]
    report["already"] = sorted(present & set(accounts))
    report["added"] = new
    if new:
        operation = cloudformation.create_stack_instances(
            StackSetName=name,
            Accounts=new,
            Regions=list(regions),
            OperationPreferences={"MaxConcurrentPercentage": 100, "FailureTolerancePercentage": 0},
        )
        status = _wait(cloudformation, name, operation["OperationId"], wait_s, poll_s)
        if status != "SUCCEEDED":
            raise RuntimeError(f"adding stack instances to {name}: {status}")
    return report
