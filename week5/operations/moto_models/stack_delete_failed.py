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
them with the last error. Delete this module when moto does so
(tests/test_emulator_refusals.py says when).
"""

from __future__ import annotations

from typing import Optional

from moto.cloudformation.models import CloudFormationBackend, Stack

#: moto's own, read before :func:`install` (tests/test_emulator_refusals.py runs it to tell when
#: moto no longer needs this module).
MOTO_DELETE_STACK = CloudFormationBackend.delete_stack


def _active(backend: CloudFormationBackend, name_or_stack_id: str) -> Optional[Stack]:
    if name_or_stack_id in backend.stacks:
        return backend.stacks[name_or_stack_id]
    return next((s for s in backend.stacks.values() if s.name == name_or_stack_id), None)


def _left(stack: Stack) -> list:
    """The logical ids of the stack's resources not yet deleted (those it retains aside)."""
    resources = stack.resource_map
    return [
        logical_id
        for logical_id, resource in resources._resource_json_map.items()
        if logical_id in resources._parsed_resources and resource.get("DeletionPolicy") != "Retain"
    ]


def delete_stack(self: CloudFormationBackend, name_or_stack_id: str) -> None:
    """moto's, with a refused resource leaving the stack ``DELETE_FAILED``."""
    stack = _active(self, name_or_stack_id)
    if stack is None:
        return MOTO_DELETE_STACK(self, name_or_stack_id)
    try:
        MOTO_DELETE_STACK(self, stack.stack_id)
    except Exception as error:  # noqa: BLE001 - any resource's refusal, as CloudFormation takes it
        self.deleted_stacks.pop(stack.stack_id, None)
        self.stacks[stack.stack_id] = stack
        stack.status = "DELETE_FAILED"
        message = getattr(error, "message", None) or str(error)
        stack._add_stack_event(
            "DELETE_FAILED",
            resource_status_reason=(
                f"The following resource(s) failed to delete: [{', '.join(_left(stack))}]. "
                f"{message}"
            ),
        )
    return None


def install() -> None:
    """Patch moto's ``DeleteStack`` as the module's docstring says (idempotent)."""
    CloudFormationBackend.delete_stack = delete_stack  # type: ignore[method-assign]
