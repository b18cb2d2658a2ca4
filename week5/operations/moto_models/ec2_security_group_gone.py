"""A stack's security group deleted by hand counts as deleted at the stack's deletion, as on
AWS.

Written against moto 5.2.5, whose stack deletion deletes a security group by its id through
``DeleteSecurityGroup``: one already deleted (``aws ec2 delete-security-group``, an instructor's
trial of ``week5-jung-Day1Lab1``) failed the deletion with "The security group 'sg-..' does not
exist", the stack left ``DELETE_FAILED`` (:mod:`.stack_delete_failed`) however often ``cdk
destroy`` ran. CloudFormation counts a resource that no longer exists as deleted.
:func:`install` makes the group's deletion do nothing when it is gone, and moto's deletion
otherwise. Delete this module when moto does so (tests/test_emulator_hand_deletes.py says when).
"""

from __future__ import annotations

from moto.ec2.models.security_groups import SecurityGroup

#: moto's own, read before :func:`install` (tests/test_emulator_hand_deletes.py runs it to tell
#: when moto no longer needs this module).
MOTO_DELETE = SecurityGroup.delete


def delete(self: SecurityGroup, account_id: str, region_name: str) -> None:
    """moto's, unless the group is gone already."""
    if self.ec2_backend.get_security_group_from_id(self.id) is not None:
        MOTO_DELETE(self, account_id, region_name)


def install() -> None:
    """Patch moto's security group as the module's docstring says (idempotent)."""
    SecurityGroup.delete = delete  # type: ignore[method-assign]
