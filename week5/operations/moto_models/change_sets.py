"""A change set found within its stack (by the stack and the change set's name, or by its ARN),
and a missing one answered ``ChangeSetNotFound``, as CloudFormation does.

Written against moto 5.2.5, whose change sets are looked up by name alone, in every stack of
the region: ``DescribeChangeSet``, ``ExecuteChangeSet`` and ``DeleteChangeSet`` ignore the
``StackName``. The CDK CLI names every change set ``cdk-deploy-change-set``, so a class deploy
of several stacks at once (``cdk deploy "Day4Lab1-*" -c students=kim,lee,park``) executed the
last student's change set for every stack: the others stayed ``REVIEW_IN_PROGRESS`` while the
CLI printed success, with the last stack's outputs for each. A change set that does not exist
was answered ``ValidationError: Stack with id cdk-deploy-change-set does not exist`` (a
``DeleteChangeSet``: an internal error), where the CLI, before it updates a deployed stack,
waits for ``ChangeSetNotFound``: a second ``cdk deploy`` of a stack failed or hung.
:func:`install` makes those three calls find the change set in the stack ``StackName`` names
(the newest of that name, or the one its ARN names) and answer as CloudFormation does: a missing
change set is ``ChangeSetNotFound`` (deleting one that is not there, on a stack that is, does
nothing); a change set that is not ``AVAILABLE`` is not executed (``InvalidChangeSetStatus``);
executing one deletes the stack's others; a change set's name is taken once a stack
(``AlreadyExistsException``); and a ``CREATE`` change set for a stack left in
``REVIEW_IN_PROGRESS`` (never executed, so holding nothing) replaces that stack, where moto made a
second stack of the same name, which ``describe-stacks`` never showed. An update's
``UsePreviousValue`` of an SSM-typed parameter (the CDK CLI's, for the AMI and the bootstrap
version) gave moto the value it had resolved, which it then looked up as a parameter store path
and failed the execution with ``AttributeError`` (an HTML 500 to the CLI); it is given the path.

A change set whose execution fails rolls its stack back, as CloudFormation does: moto let the
error out of ``ExecuteChangeSet`` (an HTML 500, which the CLI's SDK retries), the stack stayed
``REVIEW_IN_PROGRESS`` with what it had made, and the retry, finding nothing left to add, ended
it ``CREATE_COMPLETE`` with nothing made (``✅`` from ``cdk deploy``). The call now succeeds and
the stack ends ``ROLLBACK_COMPLETE``: the resource that failed gets a ``CREATE_FAILED`` event with
the error ("No export named X found."), the stack ``ROLLBACK_IN_PROGRESS`` ("The following
resource(s) failed to create: [X]. Rollback requested by user.", its ``StackStatusReason``), what
it made is deleted, and the change set is ``EXECUTE_FAILED``; ``cdk deploy`` says it failed and
why, and deletes the stack before its next attempt, as on AWS. An update refused before it changed
anything ends ``UPDATE_ROLLBACK_COMPLETE``; one that failed part way ``UPDATE_ROLLBACK_FAILED``
(the emulator cannot undo what it changed; its reason says so: destroy the stack and deploy it
again). An execution's events are a millisecond apart at least (CDK sorts them by the
millisecond, ties newest first: its progress printed ``CREATE_COMPLETE`` above
``CREATE_IN_PROGRESS``).
Delete this module when moto finds change sets within their stack and rolls a failed execution
back (tests/test_moto_models.py and tests/test_emulator_cross_stack.py say when).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import AlreadyExistsException, ValidationError
from moto.cloudformation.models import ChangeSet, CloudFormationBackend, Event
from moto.cloudformation.parsing import OutputMap
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, EmptyResult

from ._common import moto_own
from .stack_delete_failed import Deleted, _made, _spaced, error_message
from .stack_outputs import RefusedBeforeChanging

#: moto's own, read before :func:`install` (tests/test_moto_models.py runs them to tell when moto
#: no longer needs this module).
MOTO_OWN: Dict[str, Callable[..., ActionResult]] = {
    name: getattr(CloudFormationResponse, name)
    for name in (
        "create_change_set",
        "describe_change_set",
        "execute_change_set",
        "delete_change_set",
    )
}


#: moto's creation of a resource, wrapped to tell which one failed (kept on moto's module, so a
#: reload of this one reads moto's).
MOTO_CREATE_RESOURCE = moto_own(parsing, "parse_and_create_resource")  # type: ignore[arg-type]
#: The attribute of an error raised creating a resource: (its logical id, its type).
FAILED_RESOURCE = "week5_failed_resource"


class ChangeSetNotFound(ServiceException):
    # The model's shape: moto's serializer answers its wire code (ChangeSetNotFound, 404).
    code = "ChangeSetNotFoundException"

    def __init__(self, name: str) -> None:
        super().__init__(f"ChangeSet [{name}] does not exist")


class InvalidChangeSetStatus(ServiceException):
    code = "InvalidChangeSetStatusException"


def _stack_ids(backend: CloudFormationBackend, stack_name: str) -> List[str]:
    """The ids of the stacks ``stack_name`` names: a live stack by name, any by id."""
    if stack_name in backend.stacks or stack_name in backend.deleted_stacks:
        return [stack_name]
    return [s.stack_id for s in backend.stacks.values() if s.name == stack_name]


def _named(backend: CloudFormationBackend, stack_name: str, name: str) -> List[ChangeSet]:
    """The change sets called ``name`` on the stack ``stack_name`` names, oldest first."""
    ids = _stack_ids(backend, stack_name)
    return [
        c for c in backend.change_sets.values() if c.change_set_name == name and c.stack_id in ids
    ]


def find(
    backend: CloudFormationBackend, stack_name: Optional[str], name_or_arn: str
) -> Optional[ChangeSet]:
    """The change set ``name_or_arn`` names (its ARN, or its name on the stack ``stack_name``:
    the newest of that name), or None."""
    if name_or_arn in backend.change_sets:
        return backend.change_sets[name_or_arn]
    if name_or_arn.startswith("arn:"):
        return None
    if not stack_name:
        raise ValidationError(
            message="StackName must be specified if ChangeSetName is not specified as an ARN."
        )
    named = _named(backend, stack_name, name_or_arn)
    return named[-1] if named else None


def _found(response: CloudFormationResponse) -> ChangeSet:
    name = response._get_param("ChangeSetName")
    change_set = find(response.cloudformation_backend, response._get_param("StackName"), name)
    if change_set is None:
        raise ChangeSetNotFound(name)
    return change_set


def previous_ssm_paths(response: CloudFormationResponse, stack_name: str) -> None:
    """The request's ``UsePreviousValue`` of an SSM-typed parameter made the parameter store path
    the stack was given (its input, else the template's default), which moto resolves again."""
    backend = response.cloudformation_backend
    stacks = [backend.stacks[i] for i in _stack_ids(backend, stack_name) if i in backend.stacks]
    if not stacks:
        return  # moto's own answer says the stack does not exist
    stack = stacks[-1]
    slots = (getattr(stack, "template_dict", None) or {}).get("Parameters") or {}
    for parameter in response._get_param("Parameters") or []:
        slot = slots.get(parameter.get("ParameterKey")) or {}
        if not parameter.get("UsePreviousValue"):
            continue
        if not str(slot.get("Type", "")).startswith("AWS::SSM::Parameter::"):
            continue
        path = (stack.parameters or {}).get(parameter["ParameterKey"], slot.get("Default"))
        if path is not None:
            del parameter["UsePreviousValue"]
            parameter["ParameterValue"] = path


def create_change_set(self: CloudFormationResponse) -> ActionResult:
    """moto's, once the name is free on the stack (and a stack never executed is replaced)."""
    backend = self.cloudformation_backend
    stack_name, name = self._get_param("StackName"), self._get_param("ChangeSetName")
    if self._get_param("ChangeSetType", "CREATE") == "CREATE":
        for stack_id in [s.stack_id for s in backend.stacks.values() if s.name == stack_name]:
            if backend.stacks[stack_id].status != "REVIEW_IN_PROGRESS":
                raise AlreadyExistsException(f"Stack [{stack_name}] already exists")
            # AWS creates into the stack it keeps; moto makes one of its own, so this one goes.
            del backend.stacks[stack_id]
            for arn in [a for a, c in backend.change_sets.items() if c.stack_id == stack_id]:
                del backend.change_sets[arn]
        return MOTO_OWN["create_change_set"](self)
    named = _named(backend, stack_name, name)
    if any(c.execution_status != "EXECUTE_COMPLETE" for c in named):
        raise AlreadyExistsException(f"ChangeSet [{name}] already exists")
    for change_set in named:  # an executed one (its ARN still answers) gives its name up
        del backend.change_sets[change_set.change_set_id]
    previous_ssm_paths(self, stack_name)
    return MOTO_OWN["create_change_set"](self)


def describe_change_set(self: CloudFormationResponse) -> ActionResult:
    return ActionResult(_found(self))


def parse_and_create_resource(
    logical_id: str, resource_json: Any, *args: Any, **kwargs: Any
) -> Any:
    """moto's, an error it raises marked with the resource (the first to fail: the one whose
    creation needed another's is not marked by that one)."""
    try:
        return MOTO_CREATE_RESOURCE(logical_id, resource_json, *args, **kwargs)
    except Exception as error:
        if not hasattr(error, FAILED_RESOURCE):
            setattr(error, FAILED_RESOURCE, (logical_id, (resource_json or {}).get("Type", "")))
        raise


def _message(error: BaseException) -> str:
    """What failed; a service's error (moto's carry its code as ``code``, older ones as
    ``error_type``) with its code as AWS's resource reasons give it, ``(... Error Code:
    InvalidSubnetID.NotFound ...)``: `cdk deploy` and `week5 local` show it. CloudFormation's
    own (a missing export) as it words them."""
    message = error_message(error) or type(error).__name__
    code = getattr(error, "code", None) or getattr(error, "error_type", None)
    if not isinstance(code, str) or not code or type(error).__module__.startswith(
        "moto.cloudformation"
    ):
        return message
    return f"{message.rstrip('.')} (Error Code: {code})"


def _resource_failed(
    stack: Any, logical_id: str, resource_type: str, status: str, reason: str
) -> None:
    """Add the resource's event ``status`` (its creation or update failed) to the stack's."""
    event = Event(
        stack_id=stack.stack_id,
        stack_name=stack.name,
        logical_resource_id=logical_id,
        physical_resource_id="",
        resource_type=resource_type,
        resource_status=status,
        resource_status_reason=reason,
        resource_properties=None,
    )
    event.sendToSns(stack.account_id, stack.region_name, stack.notification_arns)
    stack.events.append(event)


def _held_deleted(stack: Any, made: Dict[str, Deleted]) -> None:
    """The rolled back stack's resources held as :class:`.stack_delete_failed.Deleted` (listed
    ``DELETE_COMPLETE``): moto's resource map makes any it does not hold when it is read (a
    ``list-stack-resources``), the one that failed too."""
    resources = stack.resource_map
    parsed = resources._parsed_resources
    for logical_id, resource_json in resources._resource_json_map.items():
        if logical_id in parsed:  # what the rollback could not delete
            continue
        condition = (resource_json or {}).get("Condition")
        try:
            if condition and not resources.lazy_condition_map[condition]:
                continue  # not made on AWS either: not listed
        except Exception:  # noqa: BLE001 - a condition the emulator cannot read: held
            pass
        parsed[logical_id] = made.get(logical_id) or Deleted(
            logical_id, None, (resource_json or {}).get("Type", "")
        )


def rolled_back(backend: CloudFormationBackend, change_set: ChangeSet, error: Exception) -> None:
    """The change set's stack rolled back after its execution raised ``error``, as the module's
    docstring says."""
    stack = backend.stacks[change_set.stack_id]
    change_set.execution_status = "EXECUTE_FAILED"
    creating = change_set.change_set_type == "CREATE"
    message = _message(error)
    failed = getattr(error, FAILED_RESOURCE, None)
    if failed:
        status = "CREATE_FAILED" if creating else "UPDATE_FAILED"
        _resource_failed(stack, failed[0], failed[1], status, message)
        verb = "create" if creating else "update"
        reason = f"The following resource(s) failed to {verb}: [{failed[0]}]. "
    else:
        reason = message.rstrip(".") + ". "
    rollback = "ROLLBACK" if creating else "UPDATE_ROLLBACK"
    stack.status_reason = reason + "Rollback requested by user."
    stack._add_stack_event(f"{rollback}_IN_PROGRESS", resource_status_reason=stack.status_reason)
    end = f"{rollback}_COMPLETE"
    if creating:
        # nothing is left of a failed creation: its outputs (and exports) neither
        stack.output_map = OutputMap(stack.resource_map, {}, stack.stack_id)
        made = _made(stack)
        try:
            stack.resource_map.delete()
        except Exception as undone:  # noqa: BLE001 - what could not be deleted stays, told
            end, stack.status_reason = "ROLLBACK_FAILED", _message(undone)
        _held_deleted(stack, made)
    elif not isinstance(error, RefusedBeforeChanging):
        end = "UPDATE_ROLLBACK_FAILED"
        stack.status_reason = (
            f"{message} The emulator does not roll an update back: what it changed stays "
            "changed. To get back to a known state, destroy the stack and deploy it again."
        )
    stack.status = end
    stack._add_stack_event(
        end, resource_status_reason=None if end.endswith("_COMPLETE") else stack.status_reason
    )


def execute_change_set(self: CloudFormationResponse) -> ActionResult:
    """The change set found in its stack, executed by its ARN (the patches of moto's execution
    run; an execution that raised rolls its stack back), then the stack's other change sets
    deleted, as CloudFormation does."""
    change_set = _found(self)
    if change_set.execution_status != "AVAILABLE":
        raise InvalidChangeSetStatus(
            f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current "
            f"execution status of [{change_set.execution_status}]"
        )
    backend = self.cloudformation_backend
    events = backend.stacks[change_set.stack_id].events
    first = len(events)
    try:
        backend.execute_change_set(change_set.change_set_id, change_set.stack_id)
    except Exception as error:  # noqa: BLE001 - any failure, as CloudFormation takes it
        rolled_back(backend, change_set, error)
    # a millisecond apart at least: CDK sorts them by the millisecond, ties kept newest first
    # (its progress printed CREATE_COMPLETE above CREATE_IN_PROGRESS)
    _spaced(events, first)
    for arn, other in list(backend.change_sets.items()):
        if other.stack_id == change_set.stack_id and other is not change_set:
            del backend.change_sets[arn]
    return EmptyResult()


def delete_change_set(self: CloudFormationResponse) -> ActionResult:
    """Every change set of that name on the stack; none there is done (the stack must exist)."""
    backend = self.cloudformation_backend
    stack_name, name = self._get_param("StackName"), self._get_param("ChangeSetName")
    change_set = find(backend, stack_name, name)
    if change_set is None:
        if name.startswith("arn:"):
            raise ChangeSetNotFound(name)
        if not _stack_ids(backend, stack_name):
            raise ValidationError(stack_name)
        return EmptyResult()
    for other in _named(backend, change_set.stack_id, change_set.change_set_name):
        del backend.change_sets[other.change_set_id]
    backend.change_sets.pop(change_set.change_set_id, None)
    return EmptyResult()


def install() -> None:
    """Patch moto's change-set calls as the module's docstring says (idempotent)."""
    CloudFormationResponse.create_change_set = create_change_set  # type: ignore[method-assign]
    CloudFormationResponse.describe_change_set = describe_change_set  # type: ignore[method-assign]
    CloudFormationResponse.execute_change_set = execute_change_set  # type: ignore[method-assign]
    CloudFormationResponse.delete_change_set = delete_change_set  # type: ignore[method-assign]
    parsing.parse_and_create_resource = parse_and_create_resource
