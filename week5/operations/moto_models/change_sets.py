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
Delete this module when moto finds change sets within their stack (tests/test_moto_models.py
says when).
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional

from moto.cloudformation.exceptions import AlreadyExistsException, ValidationError
from moto.cloudformation.models import ChangeSet, CloudFormationBackend
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, EmptyResult

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


def execute_change_set(self: CloudFormationResponse) -> ActionResult:
    """The change set found in its stack, executed by its ARN (the patches of moto's execution
    run), then the stack's other change sets deleted, as CloudFormation does."""
    change_set = _found(self)
    if change_set.execution_status != "AVAILABLE":
        raise InvalidChangeSetStatus(
            f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current "
            f"execution status of [{change_set.execution_status}]"
        )
    backend = self.cloudformation_backend
    backend.execute_change_set(change_set.change_set_id, change_set.stack_id)
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
