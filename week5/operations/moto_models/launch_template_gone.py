"""A stack's launch template deleted by hand counts as deleted at the stack's deletion, as on
AWS.

Written against moto 5.2.5, whose stack deletion deletes a launch template by its name: one
already deleted (``aws ec2 delete-launch-template``, an instructor's trial of
``week5-jung-Day1Lab1``) has no name left to find, and the deletion failed with "The request must
contain the parameter launch template ID or launch template name", the stack left
``DELETE_FAILED`` (:mod:`.stack_delete_failed`) however often ``cdk destroy`` ran. CloudFormation
counts a resource that no longer exists as deleted. :func:`install` makes the template's
deletion do nothing when its id is gone (a template made again by hand under the same name is
another template, and stays), and moto's deletion otherwise. Delete this module when moto does
so (tests/test_emulator_hand_deletes.py says when).
"""

from __future__ import annotations

from moto.ec2.models.launch_templates import LaunchTemplate

#: moto's own, read before :func:`install` (tests/test_emulator_hand_deletes.py runs it to tell
#: when moto no longer needs this module).
MOTO_DELETE = LaunchTemplate.delete


def delete(self: LaunchTemplate, account_id: str, region_name: str) -> None:
    """moto's, unless the template is gone already."""
    from moto.ec2.models import ec2_backends

    if self.id in ec2_backends[account_id][region_name].launch_templates:
        MOTO_DELETE(self, account_id, region_name)


def install() -> None:
    """Patch moto's launch template as the module's docstring says (idempotent)."""
    LaunchTemplate.delete = delete  # type: ignore[method-assign]
