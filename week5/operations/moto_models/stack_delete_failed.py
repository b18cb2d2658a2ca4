"""A stack whose deletion a resource refuses ends ``DELETE_FAILED``, as on AWS.

Written against moto 5.2.5, whose ``DeleteStack`` takes the stack off its list before deleting
its resources: when one refused (a subnet that still holds an instance made by hand, refused by
:mod:`.ec2_subnet_dependencies`), the call failed with that resource's error and the stack was
gone from ``DescribeStacks``, neither listed ``DELETE_FAILED`` nor its resources left to retry.
On AWS the call is accepted, CloudFormation deletes what it can and the stack ends
``DELETE_FAILED`` ("The following resource(s) failed to delete: [...]"), with what it could not
delete still in it (``cdk destroy`` says it failed; deleting the stack again retries them).
:func:`install` makes moto's ``DeleteStack`` do so: what moto deleted stays deleted, the stack
stays listed ``DELETE_FAILED`` with its exports and the resources left, and a stack event names
them ("The following resource(s) failed to delete: [A, B]. "), which ``DescribeStacks`` gives as
its ``StackStatusReason``, as CloudFormation words it.

Each resource's deletion has its own events, as on AWS: moto added the stack's alone (a student
trial's failed ``cdk destroy`` of Day3Case: 5 events, all the stack's; ``cdk destroy`` printed no
resource; the four resources left listed with no reason, and only the internet gateway's error
told in the stack's reason, the subnet's nowhere). A resource the deletion deletes has
``DELETE_IN_PROGRESS`` then ``DELETE_COMPLETE``; one it could not delete ``DELETE_IN_PROGRESS``
then ``DELETE_FAILED`` with its own (last) error, which ``ListStackResources`` and
``DescribeStackResources`` give as its ``ResourceStatusReason`` (and the time of its last event
as its ``LastUpdatedTimestamp``). A resource moto's deletion refused and then deleted on a later
pass (moto deletes in no dependency order) has its two events when it is deleted, as
CloudFormation, deleting in order, would have. The stack's events are at least a millisecond
apart, in the order they happened: CDK sorts what it reads by the millisecond, keeping ties as
listed (newest first), so a successful destroy printed ``DELETE_COMPLETE`` before
``DELETE_IN_PROGRESS``.

What the failed deletion deleted stays deleted when the stack is read: moto's resource map makes
any resource of the template it does not hold (at a lookup), so ``ListStackResources``,
``DescribeStackResources``, a ``Ref`` in an output, made them all again after the failure (a
re-trial: four running instances, three security groups, a subnet, secrets, a key pair). Each
deleted resource is held as a :class:`Deleted` (its logical and physical ids and type), which
makes nothing, and both reads list it ``DELETE_COMPLETE``, as CloudFormation does (moto lists
every resource ``CREATE_COMPLETE``, or in the stack's status).

A resource moto did not make (a type it lacks, skipped; one whose ``Condition`` is false) is
left out of those reads: moto listed it as a blank row (no logical id, type or physical id),
``DELETE_FAILED`` after a failed deletion, so cleanup named "; AWS::EC2::VPC ..." for a VPC alone.

And ``DeleteStack``'s ``RetainResources`` (``aws cloudformation delete-stack --retain-resources
ID``, which cleanup prints for a ``DELETE_FAILED`` stack) is honoured: moto ignored it, and the
stack stayed ``DELETE_FAILED`` on what it could not delete. On AWS, for a ``DELETE_FAILED``
stack, the named resources are kept (not deleted) and the stack deleted; naming one its deletion
deleted is refused (``ValidationError``).

A stack whose export another stack imports (``Fn::ImportValue``: a CDK app's strong reference)
is not deleted, as on AWS: the call is accepted, nothing is deleted, and the stack ends
``DELETE_FAILED`` with CloudFormation's reason ("Export MyNet:ExportsOutputRef... cannot be
deleted as it is in use by MyShop"; :func:`.stack_outputs.importers` finds them); moto deleted it
and dropped the export under its importer. Delete this module when moto does all of this
(tests/test_emulator_refusals.py, tests/test_emulator_rds_and_retain.py and
tests/test_emulator_cross_stack.py say when).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Callable, Dict, List, Optional, Sequence

from moto.cloudformation import responses
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import CloudFormationBackend, Event, Stack
from moto.core.responses import ActionResult

from .stack_outputs import in_use_reason

#: moto's own, read before :func:`install` (tests/test_emulator_refusals.py runs it to tell when
#: moto no longer needs this module).
MOTO_DELETE_STACK = CloudFormationBackend.delete_stack
MOTO_RESOURCE_DTO = responses.StackResourceDTO
#: (tests/test_delete_failed_reads.py runs it to tell when moto lists a deleted resource so.)
MOTO_LIST_STACK_RESOURCES = responses.CloudFormationResponse.list_stack_resources
#: (tests/test_emulator_rds_and_retain.py reads them to tell when moto leaves out what it did
#: not make, and honours RetainResources.)
MOTO_STACK_RESOURCES = Stack.stack_resources
MOTO_DELETE_STACK_RESPONSE = responses.CloudFormationResponse.delete_stack
#: The stack's attribute holding the logical ids a ``DeleteStack`` retains (while it runs).
RETAIN = "week5_retain_resources"

#: The status CloudFormation lists a resource its stack's deletion deleted with.
DELETED = "DELETE_COMPLETE"
#: The stack's attribute holding its last deletion's errors: logical id -> the error of each
#: resource it could not delete (their ``ResourceStatusReason``).
REASONS = "week5_delete_reasons"
#: The stack's attribute holding each resource's last deletion event (its time is read when
#: answering: :func:`_spaced` moves the events' times after they are made).
TIMES = "week5_delete_times"
#: The least time between two of a stack's events: CDK reads their times to the millisecond.
STEP = timedelta(milliseconds=1)


class Deleted:
    """A resource the stack's failed deletion deleted, held in its place in the stack's resource
    map: listed ``DELETE_COMPLETE`` with its ids and type, never made again; a retried deletion
    has nothing to delete."""

    resource_status = DELETED

    def __init__(self, logical_id: str, physical_id: Optional[str], resource_type: str) -> None:
        self.logical_resource_id = logical_id
        self.physical_resource_id = physical_id
        self.cf_resource_type = resource_type

    def delete(self, account_id: str, region_name: str) -> None:
        """Gone already."""

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        # moto leaves an output whose Fn::GetAtt it cannot evaluate out (stack_outputs)
        raise NotImplementedError(f"{{0}} was deleted: no {attribute_name}")


def _active(backend: CloudFormationBackend, name_or_stack_id: str) -> Optional[Stack]:
    if name_or_stack_id in backend.stacks:
        return backend.stacks[name_or_stack_id]
    return next((s for s in backend.stacks.values() if s.name == name_or_stack_id), None)


def _left(stack: Stack, retained: Sequence[str] = ()) -> list:
    """The logical ids of the stack's resources not yet deleted (those it retains aside)."""
    resources = stack.resource_map
    return [
        logical_id
        for logical_id, resource in resources._resource_json_map.items()
        if logical_id in resources._parsed_resources
        and not isinstance(resources._parsed_resources[logical_id], Deleted)
        and resource.get("DeletionPolicy") != "Retain"
        and logical_id not in retained
    ]


def stack_resources(self: Stack) -> List[Any]:
    """moto's, without what it did not make (a type it lacks, a false ``Condition``)."""
    return [r for r in MOTO_STACK_RESOURCES.fget(self) if r is not None]


def _retaining(stack: Stack, retained: Sequence[str]) -> Dict[str, Any]:
    """The stack's resource templates with ``retained`` kept as by ``DeletionPolicy: Retain``
    (moto's deletion leaves those), for the deletion's time."""
    return {
        logical_id: {**resource, "DeletionPolicy": "Retain"}
        if logical_id in retained
        else resource
        for logical_id, resource in stack.resource_map._resource_json_map.items()
    }


def _made(stack: Stack) -> Dict[str, Any]:
    """The stack's resources as its deletion starts: logical id -> what moto made, or the
    :class:`Deleted` a failed deletion left (its ids read now: a deleted resource may no longer
    answer them)."""
    resources = stack.resource_map
    made = {}
    for logical_id, resource_json in resources._resource_json_map.items():
        resource = resources._parsed_resources.get(logical_id)
        if resource is None or isinstance(resource, str):
            continue
        if not isinstance(resource, Deleted):
            resource = Deleted(
                logical_id,
                getattr(resource, "physical_resource_id", None),
                resource_json.get("Type", ""),
            )
        made[logical_id] = resource
    return made


def error_message(error: BaseException) -> str:
    """An error's message, as CloudFormation gives a resource's refusal."""
    return getattr(error, "message", None) or str(error)


def _resource_event(
    stack: Stack, resource: Deleted, status: str, reason: Optional[str] = None
) -> None:
    """Add the resource's deletion event ``status`` to the stack's events."""
    event = Event(
        stack_id=stack.stack_id,
        stack_name=stack.name,
        logical_resource_id=resource.logical_resource_id,
        physical_resource_id=resource.physical_resource_id or "",
        resource_type=resource.cf_resource_type,
        resource_status=status,
        resource_status_reason=reason,
        resource_properties=None,
    )
    event.sendToSns(stack.account_id, stack.region_name, stack.notification_arns)
    stack.events.append(event)
    stack.__dict__.setdefault(TIMES, {})[resource.logical_resource_id] = event


def _recording(stack: Stack, made: Dict[str, Deleted], reasons: Dict[str, str]) -> Callable:
    """The stack's resource map's ``_delete_resource`` (what moto's deletion calls for each
    resource, each pass), adding a deleted resource's events, ``DELETE_IN_PROGRESS`` then
    ``DELETE_COMPLETE``, as it is deleted, and keeping its last error in ``reasons`` while it is
    not (a refusal moto's order met and a later pass got past is no failure: CloudFormation
    deletes in dependency order)."""
    delete = stack.resource_map._delete_resource

    def _delete_resource(parsed_resource: Any, resource_json: Dict[str, Any]) -> None:
        resource = made.get(getattr(parsed_resource, "logical_resource_id", None))
        if resource is None or isinstance(parsed_resource, Deleted):  # gone already: no event
            return delete(parsed_resource, resource_json)
        try:
            delete(parsed_resource, resource_json)
        except Exception as error:
            reasons[resource.logical_resource_id] = error_message(error)
            raise
        reasons.pop(resource.logical_resource_id, None)
        _resource_event(stack, resource, "DELETE_IN_PROGRESS")
        _resource_event(stack, resource, DELETED)
        return None

    return _delete_resource


def _spaced(events: List[Any], first: int) -> None:
    """Events ``first`` on (added by one deletion) each at least :data:`STEP` after the one
    before: moto times them to the microsecond, CDK sorts them by the millisecond."""
    for before, event in zip(events[max(first - 1, 0) :], events[max(first, 1) :]):
        if isinstance(before.timestamp, datetime) and event.timestamp < before.timestamp + STEP:
            event.timestamp = before.timestamp + STEP


def delete_stack(self: CloudFormationBackend, name_or_stack_id: str) -> None:
    """moto's, with a refused resource leaving the stack ``DELETE_FAILED``, what it deleted held
    as :class:`Deleted`, and each resource's deletion events added."""
    stack = _active(self, name_or_stack_id)
    if stack is None:
        return MOTO_DELETE_STACK(self, name_or_stack_id)
    exported = [export.name for export in stack.exports]
    in_use = in_use_reason(self, exported, stack.stack_id)
    if in_use is not None:
        stack._add_stack_event("DELETE_IN_PROGRESS", resource_status_reason="User Initiated")
        stack.status, stack.status_reason = "DELETE_FAILED", in_use
        stack._add_stack_event("DELETE_FAILED", resource_status_reason=in_use)
        _spaced(stack.events, len(stack.events) - 2)
        return None
    made = _made(stack)
    retained = stack.__dict__.pop(RETAIN, ())
    templates = stack.resource_map._resource_json_map
    if retained:
        stack.resource_map._resource_json_map = _retaining(stack, retained)
    stack.status_reason = None
    reasons: Dict[str, str] = {}
    setattr(stack, REASONS, reasons)
    first = len(stack.events)
    stack.resource_map._delete_resource = _recording(stack, made, reasons)
    try:
        MOTO_DELETE_STACK(self, stack.stack_id)
    except Exception as error:  # noqa: BLE001 - any resource's refusal, as CloudFormation takes it
        self.deleted_stacks.pop(stack.stack_id, None)
        self.stacks[stack.stack_id] = stack
        parsed = stack.resource_map._parsed_resources
        for logical_id, deleted in made.items():
            if logical_id not in parsed:
                parsed[logical_id] = deleted
        stack.status = "DELETE_FAILED"
        left = _left(stack, retained)
        for logical_id in left:
            _resource_event(stack, made[logical_id], "DELETE_IN_PROGRESS")
        for logical_id in left:
            reasons.setdefault(logical_id, error_message(error))
            _resource_event(stack, made[logical_id], "DELETE_FAILED", reasons[logical_id])
        stack.status_reason = f"The following resource(s) failed to delete: [{', '.join(left)}]. "
        stack._add_stack_event("DELETE_FAILED", resource_status_reason=stack.status_reason)
    finally:
        del stack.resource_map._delete_resource
        stack.resource_map._resource_json_map = templates
        _spaced(stack.events, first)
    return None


def delete_stack_response(self: responses.CloudFormationResponse) -> ActionResult:
    """moto's ``DeleteStack``, with a ``DELETE_FAILED`` stack's ``RetainResources`` kept by its
    deletion; one its deletion deleted (or not the stack's) refused, as CloudFormation does."""
    retained = self._get_param("RetainResources", [])
    stack = _active(self.cloudformation_backend, self._get_param("StackName"))
    if retained and stack is not None and stack.status == "DELETE_FAILED":
        parsed = stack.resource_map._parsed_resources
        if any(
            r not in stack.resource_map._resource_json_map or isinstance(parsed.get(r), Deleted)
            for r in retained
        ):
            raise ValidationError(
                message=(
                    "The specified resources to retain must be in a valid state. Do not specify "
                    "resources that are in the DELETE_COMPLETE state."
                )
            )
        setattr(stack, RETAIN, tuple(retained))
    try:
        return MOTO_DELETE_STACK_RESPONSE(self)
    finally:
        if stack is not None:
            stack.__dict__.pop(RETAIN, None)


class StackResourceDTO(MOTO_RESOURCE_DTO):
    """moto's ``DescribeStackResource(s)`` entry, a :class:`Deleted` one ``DELETE_COMPLETE``."""

    def __init__(self, stack: Stack, resource: Any) -> None:
        super().__init__(stack, resource)
        if isinstance(resource, Deleted):
            self.resource_status = DELETED
        logical_id = getattr(resource, "logical_resource_id", None)
        last = stack.__dict__.get(TIMES, {}).get(logical_id)
        if last is not None:
            self.timestamp = last.timestamp
        if self.resource_status == "DELETE_FAILED":
            self.resource_status_reason = stack.__dict__.get(REASONS, {}).get(logical_id)


def list_stack_resources(self: responses.CloudFormationResponse) -> ActionResult:
    """moto's ``ListStackResources`` (every resource ``CREATE_COMPLETE``, the time the stack's),
    a :class:`Deleted` one ``DELETE_COMPLETE``."""
    stack, resources = self.cloudformation_backend.list_stack_resources(
        self._get_param("StackName")
    )
    left_status = "DELETE_FAILED" if stack.status == "DELETE_FAILED" else "CREATE_COMPLETE"
    reasons = stack.__dict__.get(REASONS, {}) if left_status == "DELETE_FAILED" else {}
    times = stack.__dict__.get(TIMES, {})
    return ActionResult(
        {
            "StackResourceSummaries": [
                {
                    # what is left of a DELETE_FAILED stack reads DELETE_FAILED, as in
                    # DescribeStackResources (and AWS's listing)
                    "ResourceStatus": DELETED if isinstance(r, Deleted) else left_status,
                    # what moto did not make is left out (stack_resources): each listed
                    # resource has its logical id and type
                    "LogicalResourceId": r.logical_resource_id,
                    "LastUpdatedTimestamp": (
                        times[r.logical_resource_id].timestamp
                        if r.logical_resource_id in times
                        else stack.creation_time
                    ),
                    "PhysicalResourceId": getattr(r, "physical_resource_id", ""),
                    "ResourceType": r.cf_resource_type,
                    **(
                        {"ResourceStatusReason": reasons[r.logical_resource_id]}
                        if not isinstance(r, Deleted) and reasons.get(r.logical_resource_id)
                        else {}
                    ),
                }
                for r in resources
            ]
        }
    )


def install() -> None:
    """Patch moto's ``DeleteStack`` and its reads of a stack's resources as the module's
    docstring says (idempotent)."""
    CloudFormationBackend.delete_stack = delete_stack  # type: ignore[method-assign]
    # below stack_termination_protection's refusal, which wraps the response installed here
    responses.CloudFormationResponse.delete_stack = (  # type: ignore[method-assign]
        delete_stack_response
    )
    Stack.stack_resources = property(stack_resources)  # type: ignore[assignment]
    responses.StackResourceDTO = StackResourceDTO  # type: ignore[misc]
    responses.CloudFormationResponse.list_stack_resources = (  # type: ignore[method-assign]
        list_stack_resources
    )
