"""Roll InstructorAccess out to every student account at once with CloudFormation StackSets.

For a class with one AWS account per student: the instructor's (administrator) account holds a
stack set of the synthesized InstructorAccess template and adds one stack instance per student
account. The self-managed permission model needs, once, the AWSCloudFormationStackSetAdministration
role in the instructor's account and AWSCloudFormationStackSetExecutionRole in each student
account (AWS's two templates for them are linked from the README); with AWS Organizations, the
service-managed model needs neither.

An update of the stack set reaches every account that has an instance, not only the accounts a
rollout names; :func:`plan` reads the stack set first and says, in words, what changes there. A
change of the role's trust (external id or MFA, the instructor's account) breaks the profiles
written for the old one, so it is refused unless asked for. The role is IAM, which is global: a
stack set in a second region cannot give an account the role again, and a first rollout that
fails deletes the stack set it created.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from week5.core.errors import CourseInputError, shown
from week5.core.settings import is_account_id
from week5.operations import aws_errors

DEFAULT_STACK_SET_NAME = "week5-instructor-access"
#: Bounded: a stack set operation over a class's accounts takes minutes, not hours.
WAIT_S = 900
POLL_S = 10


def parse_accounts(value: str) -> List[str]:
    """Comma-separated 12-digit account ids, each once."""
    parts = [part.strip() for part in str(value or "").split(",")]
    accounts = [part for part in parts if part]
    example = "--accounts 111122223333,444455556666"
    if not accounts:
        raise CourseInputError(f"--accounts names no account; pass e.g. {example}")
    if len(accounts) != len(parts):  # as -c students refuses kim,,lee: a name lost on the way?
        raise CourseInputError(
            f"--accounts {shown(value)} has an empty entry between commas; e.g. {example}"
        )
    bad = [a for a in accounts if not is_account_id(a)]
    if bad:
        raise CourseInputError(
            f"--accounts has {shown(bad[0])}, not a 12-digit account id; e.g. {example}"
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
        if status == "SUCCEEDED":
            return status
        if status not in ("RUNNING", "QUEUED", "STOPPING"):
            return status + _why(cloudformation, name, operation_id)
        if time.monotonic() >= deadline:
            return f"{status} after {wait_s:.0f} s"
        time.sleep(poll_s)


def _why(cloudformation, name: str, operation_id: str) -> str:
    """The first failed account's reason (AWS says only FAILED for the operation): best effort,
    as the failure itself is what is reported."""
    try:
        results = cloudformation.list_stack_set_operation_results(
            StackSetName=name, OperationId=operation_id
        ).get("Summaries", [])
    except Exception:  # the reason is a help, not the report
        return ""
    for result in results:
        if result.get("Status") not in (None, "SUCCEEDED") and result.get("StatusReason"):
            return f" ({result.get('Account')}: {result['StatusReason']})"
    return ""


#: The flag that lets a rollout change the role's trust in the accounts that have it.
CHANGE_TRUST_FLAG = "--change-trust"
_PRINCIPAL_ACCOUNT = re.compile(r":iam::([0-9]{12}):root", re.ASCII)


class TrustChangeRefused(CourseInputError):
    """The update would change who may assume the role, or with what proof, in accounts whose
    profiles were written for the old trust."""


class RolloutFailed(RuntimeError):
    """An operation failed; the message says what was left behind."""


@dataclass
class Trust:
    """Who may assume the read-only role, and with what proof."""

    account: Optional[str]
    external_id: Optional[str]
    mfa: bool

    @property
    def proof(self) -> str:
        if self.external_id is not None:
            return f"the external id {self.external_id!r}"
        return "an MFA sign-in" if self.mfa else "no external id or MFA"


def trust_of(template: Mapping[str, Any]) -> Optional[Trust]:
    """The trust of the template's IAM role (InstructorAccess has one), or None."""
    for resource in (template.get("Resources") or {}).values():
        if not isinstance(resource, Mapping) or resource.get("Type") != "AWS::IAM::Role":
            continue
        document = (resource.get("Properties") or {}).get("AssumeRolePolicyDocument") or {}
        for statement in document.get("Statement") or []:
            condition = statement.get("Condition") or {}
            external_id = (condition.get("StringEquals") or {}).get("sts:ExternalId")
            mfa = (condition.get("Bool") or {}).get("aws:MultiFactorAuthPresent")
            accounts = _PRINCIPAL_ACCOUNT.findall(json.dumps(statement.get("Principal")))
            return Trust(accounts[0] if accounts else None, external_id, str(mfa) == "true")
    return None


@dataclass
class Plan:
    """What a rollout of ``template`` does to the stack set as it is now."""

    name: str
    exists: bool
    #: Accounts that have an instance now: an update gives each of them the new template.
    present: List[str] = field(default_factory=list)
    #: Of the accounts asked for, those without an instance (added) and those with one.
    new: List[str] = field(default_factory=list)
    already: List[str] = field(default_factory=list)
    #: In words: what changes for the accounts that have an instance.
    trust_changes: List[str] = field(default_factory=list)
    other_changes: List[str] = field(default_factory=list)
    #: How to keep the old trust (the -c values it was rolled out with), when it changes.
    keep: str = ""

    @property
    def changes(self) -> List[str]:
        return self.trust_changes + self.other_changes

    @property
    def breaks_profiles(self) -> bool:
        """A trust change reaches accounts whose profiles were written for the old trust."""
        return bool(self.trust_changes and self.present)

    def update_line(self) -> Optional[str]:
        """One line for the accounts that already have an instance, or None (a new stack set)."""
        if not self.exists:
            return None
        if not self.present:
            return f"stack set {self.name} has no account yet"
        where = f"{len(self.present)} account(s) that have it ({_listed(self.present)})"
        if not self.changes:
            return f"the template is unchanged for the {where}"
        return f"the new template goes to the {where}: " + "; ".join(self.changes)

    def refusal(self) -> str:
        return (
            f"stack set {self.name} not updated: with these values "
            f"{'; '.join(self.trust_changes)}, in the {len(self.present)} account(s) that have "
            f"it ({_listed(self.present)}); "
            f"{self.keep}, or pass {CHANGE_TRUST_FLAG} to change it in every one of them"
        )


def _listed(accounts: Sequence[str], shown: int = 5) -> str:
    more = len(accounts) - shown
    return ", ".join(accounts[:shown]) + (f" and {more} more" if more > 0 else "")


def _trust_changes(old: Optional[Trust], new: Optional[Trust]) -> Tuple[List[str], str]:
    """The trust changes in words, and how to keep the old trust."""
    if old is None or new is None or old == new:
        return [], ""
    lines, keep = [], []
    if old.account != new.account:
        lines.append(
            f"the role trusts account {new.account} instead of {old.account}, whose profiles "
            "stop working"
        )
        keep.append(f"-c instructor_account={old.account}")
    if (old.external_id, old.mfa) != (new.external_id, new.mfa):
        if old.external_id is not None:
            broken = f"the CLI profiles written with external_id = {old.external_id}"
            keep.append(f"-c external_id={old.external_id}")
        else:
            broken = "the MFA profiles and switch-role links, which send no external id,"
            keep.append("no -c external_id")
        lines.append(
            f"the role's trust changes from {old.proof} to {new.proof}, so {broken} stop "
            "working"
        )
    return lines, "to keep it, pass " + " and ".join(keep) if keep else ""


def _other_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> List[str]:
    """What else differs, by resource and output (the trust itself is said apart)."""
    old_resources, new_resources = old.get("Resources") or {}, new.get("Resources") or {}
    differ = sorted(
        logical for logical in set(old_resources) | set(new_resources)
        if old_resources.get(logical) != new_resources.get(logical)
        and (old_resources.get(logical) or new_resources.get(logical) or {}).get("Type")
        != "AWS::IAM::Role"
    )  # fmt: skip
    lines = [f"resources {', '.join(differ)} change"] if differ else []
    rest = {k: v for k, v in old.items() if k not in ("Resources", "Outputs")}
    if rest != {k: v for k, v in new.items() if k not in ("Resources", "Outputs")}:
        lines.append("the template's other sections change")
    role = [
        logical for logical, r in new_resources.items()
        if isinstance(r, Mapping) and r.get("Type") == "AWS::IAM::Role"
    ]  # fmt: skip
    if any(old_resources.get(logical) != new_resources.get(logical) for logical in role):
        if trust_of(old) == trust_of(new):  # the role changed in something other than trust
            lines.append(f"the role ({', '.join(role)}) changes")
    return lines


def _instance_accounts(cloudformation, name: str) -> List[str]:
    accounts: List[str] = []
    token = None
    while True:
        page = cloudformation.list_stack_instances(
            StackSetName=name, **({"NextToken": token} if token else {})
        )
        accounts += [s["Account"] for s in page.get("Summaries", [])]
        token = page.get("NextToken")
        if not token:
            return sorted(set(accounts))


def plan(
    cloudformation,
    template: Mapping[str, Any],
    accounts: Sequence[str],
    *,
    name: str = DEFAULT_STACK_SET_NAME,
) -> Plan:
    """Read the stack set (if any) and say what a rollout of ``template`` changes: the
    accounts added, and for the accounts that have it, whether the template (and the role's
    trust) changes. Read-only."""
    try:
        current = cloudformation.describe_stack_set(StackSetName=name)["StackSet"]
    except cloudformation.exceptions.StackSetNotFoundException:
        return Plan(name=name, exists=False, new=list(accounts))
    present = _instance_accounts(cloudformation, name)
    result = Plan(
        name=name, exists=True, present=present,
        new=[a for a in accounts if a not in present],
        already=sorted(set(present) & set(accounts)),
    )  # fmt: skip
    try:
        old = json.loads(current.get("TemplateBody") or "{}")
    except ValueError:
        result.other_changes = ["its current template is not JSON, so what changes is unknown"]
        return result
    result.trust_changes, result.keep = _trust_changes(trust_of(old), trust_of(template))
    result.other_changes = _other_changes(old, template)
    if current.get("Parameters"):  # InstructorAccess has none: an update would drop them
        keys = ", ".join(p.get("ParameterKey", "?") for p in current["Parameters"])
        result.other_changes.append(f"its parameters ({keys}) are dropped")
    return result


def _delete_created(cloudformation, name: str, regions: Sequence[str], wait_s: float,
                    poll_s: float) -> str:  # fmt: skip
    """Delete the stack set this run created (and any instance it got): what was left, in
    words for the error."""
    try:
        accounts = _instance_accounts(cloudformation, name)
        if accounts:
            operation = cloudformation.delete_stack_instances(
                StackSetName=name, Accounts=accounts, Regions=list(regions), RetainStacks=False
            )
            status = _wait(cloudformation, name, operation["OperationId"], wait_s, poll_s)
            if status != "SUCCEEDED":
                raise RuntimeError(f"deleting its stack instances: {status}")
        cloudformation.delete_stack_set(StackSetName=name)
    except Exception as error:  # the first failure is the one to report; this one is named
        return (
            f"; the stack set {name} it created is still there ({type(error).__name__}: "
            f"{error}): delete it in the CloudFormation console (StackSets)"
        )
    return f"; the stack set {name} it created was deleted again"


def _failure(error: BaseException) -> str:
    """One line for what failed: botocore's message, without its "An error occurred" wrapper."""
    response = getattr(error, "response", None)
    if isinstance(response, Mapping) and "Error" in response:
        return f"{response['Error'].get('Code')}: {response['Error'].get('Message')}"
    return str(error)


def roll_out(
    cloudformation,
    template: Mapping[str, Any],
    accounts: Sequence[str],
    *,
    regions: Sequence[str] = ("ap-northeast-2",),
    name: str = DEFAULT_STACK_SET_NAME,
    wait_s: float = WAIT_S,
    poll_s: float = POLL_S,
    change_trust: bool = False,
    found: Optional["Plan"] = None,
) -> Dict[str, Any]:
    """Create the stack set (or update it to ``template``), then add an instance for each
    account that has none. Returns what was done (``plan``: :class:`Plan`; ``found``: the one
    the caller already read, not read again).

    An update reaches every account that has an instance, not only those named: a change of
    the role's trust there is refused (:class:`TrustChangeRefused`) unless ``change_trust``.
    Raises :class:`RolloutFailed` if an operation fails; a stack set this call created is
    deleted again first, so a failed first rollout leaves nothing behind."""
    body = json.dumps(template)
    if found is None:
        found = plan(cloudformation, template, accounts, name=name)
    if found.breaks_profiles and not change_trust:
        raise TrustChangeRefused(found.refusal())
    report: Dict[str, Any] = {"stack_set": name, "created": False, "updated": False,
                              "plan": found}  # fmt: skip
    if found.exists:
        operation = cloudformation.update_stack_set(
            StackSetName=name, TemplateBody=body, Capabilities=["CAPABILITY_NAMED_IAM"]
        )
        status = _wait(cloudformation, name, operation["OperationId"], wait_s, poll_s)
        if status != "SUCCEEDED":
            raise RolloutFailed(f"updating stack set {name}: {status}")
        report["updated"] = True
    else:
        cloudformation.create_stack_set(
            StackSetName=name,
            TemplateBody=body,
            Capabilities=["CAPABILITY_NAMED_IAM"],
            Description="Week 5: the instructor's read-only role in each student account",
        )
        report["created"] = True
    report["already"] = found.already
    report["added"] = new = found.new
    if new:
        try:
            operation = cloudformation.create_stack_instances(
                StackSetName=name,
                Accounts=new,
                Regions=list(regions),
                OperationPreferences={
                    "MaxConcurrentPercentage": 100, "FailureTolerancePercentage": 0
                },
            )  # fmt: skip
            status = _wait(cloudformation, name, operation["OperationId"], wait_s, poll_s)
            failure = None if status == "SUCCEEDED" else status
        except Exception as error:  # AWS may refuse at once (moto does) or fail the operation
            failure = aws_errors.describe(error, region=regions[0]) or _failure(error)
        if failure is not None:
            left = (
                _delete_created(cloudformation, name, regions, wait_s, poll_s)
                if report["created"] else ""
            )  # fmt: skip
            raise RolloutFailed(
                f"adding stack instances to {name} in {', '.join(regions)}: {failure}{left}"
            )
    return report


def instances_elsewhere(cloudformation, name: str, accounts: Sequence[str]) -> List[str]:
    """Of ``accounts``, those with an instance of stack set ``name`` in ``cloudformation``'s
    region (another than the rollout's): their role exists already, and IAM is global."""
    try:
        present = _instance_accounts(cloudformation, name)
    except cloudformation.exceptions.StackSetNotFoundException:
        return []
    return [a for a in accounts if a in present]
