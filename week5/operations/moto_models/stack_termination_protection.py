"""A stack's termination protection turned off (and on) and kept, as on AWS.

Written against moto 5.2.5, which keeps ``EnableTerminationProtection`` from ``CreateStack`` and
shows it in ``DescribeStacks`` but has no ``UpdateTerminationProtection`` (the command
``week5 cleanup`` prints to lift a stack's protection, ``aws cloudformation
update-termination-protection --no-enable-termination-protection --stack-name X``, answered HTTP
500 "has not been implemented"), and whose ``DeleteStack`` deleted a protected stack. On AWS the
call sets the flag and answers the stack's id, and ``DeleteStack`` on a protected stack fails
with ``ValidationError`` "Stack [X] cannot be deleted while TerminationProtection is enabled",
the stack left as it was. :func:`install` adds the call to moto's CloudFormation responses and
makes ``DeleteStack`` refuse a protected stack so. Delete this module when moto does both
(tests/test_emulator_protection.py says when).
"""

from __future__ import annotations

from typing import Optional

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import CloudFormationBackend, Stack
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult

from ._common import flag

#: The method moto's dispatch calls for the action (its name, in snake case).
ACTION = "update_termination_protection"
#: moto's own method for the action, None while it lacks one (read before :func:`install`).
MOTO_OWN = vars(CloudFormationResponse).get(ACTION)
#: moto's own ``DeleteStack`` response, read before :func:`install` (tests/test_emulator_protection.py
#: runs it to tell when moto no longer needs this module).
MOTO_DELETE_STACK = CloudFormationResponse.delete_stack


def _active(backend: CloudFormationBackend, name_or_stack_id: str) -> Optional[Stack]:
    """The stack not yet deleted that the name or id names, if any."""
    if name_or_stack_id in backend.stacks:
        return backend.stacks[name_or_stack_id]
    return next((s for s in backend.stacks.values() if s.name == name_or_stack_id), None)


def update_termination_protection(self: CloudFormationResponse) -> ActionResult:
    """Set the stack's protection; its id, or ``ValidationError`` for a stack not held."""
    name_or_stack_id = self._get_param("StackName")
    stack = _active(self.cloudformation_backend, name_or_stack_id)
    if stack is None:
        raise ValidationError(name_or_stack_id)
    stack.enable_termination_protection = flag(self._get_param("EnableTerminationProtection"))
    return ActionResult({"StackId": stack.stack_id})


def delete_stack(self: CloudFormationResponse) -> ActionResult:
    """moto's, refused while the stack's termination protection is on."""
    name_or_stack_id = self._get_param("StackName")
    stack = _active(self.cloudformation_backend, name_or_stack_id)
    if stack is not None and flag(stack.enable_termination_protection):
        raise ValidationError(
            message=(
                f"Stack [{name_or_stack_id}] cannot be deleted while TerminationProtection "
                "is enabled"
            )
        )
    return MOTO_DELETE_STACK(self)


def install() -> None:
    """Patch moto's CloudFormation responses as the module's docstring says (idempotent)."""
    setattr(CloudFormationResponse, ACTION, update_termination_protection)
    CloudFormationResponse.delete_stack = delete_stack  # type: ignore[method-assign]
