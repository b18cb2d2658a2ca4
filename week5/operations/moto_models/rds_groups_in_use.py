"""A DB subnet group or a security group that a database uses refused deletion, as on AWS.

Written against moto 5.2.5, whose ``DeleteDBSubnetGroup`` and ``DeleteSecurityGroup`` delete a
group whatever uses it: ``cdk destroy`` of Day3Lab1 ended ``DELETE_COMPLETE`` while the database
a student restored by hand (its ``RestoreDbCommand``) still sat in the stack's subnet group and
security group. AWS refuses both, ``InvalidDBSubnetGroupStateFault`` ("Cannot delete the subnet
group '..' because at least one database instance: .. is still using it.") and
``DependencyViolation`` ("resource sg-.. has a dependent object": the database's network
interface uses the group), and the stack ends ``DELETE_FAILED`` (:mod:`.stack_delete_failed`).
:func:`install` makes both deletions (the API's and a stack's) refuse so while an RDS database
of the account and region uses the group. The stack's own database goes first: moto's stack
deletion tries a refused resource again after the others, as CloudFormation deletes the database
before the groups it names. Delete this module when moto does so
(tests/test_emulator_rds_and_retain.py says when).
"""

from __future__ import annotations

from typing import Any, List, Optional

from moto.ec2.exceptions import DependencyViolationError
from moto.ec2.models.security_groups import SecurityGroupBackend
from moto.rds.exceptions import RDSClientError
from moto.rds.models import RDSBackend, rds_backends

#: moto's own, read before :func:`install` (tests/test_emulator_rds_and_retain.py runs them to
#: tell when moto no longer needs this module).
MOTO_DELETE_SUBNET_GROUP = RDSBackend.delete_subnet_group
MOTO_DELETE_SECURITY_GROUP = SecurityGroupBackend.delete_security_group


def _databases(account_id: str, region_name: str) -> List[Any]:
    """The account's RDS databases in the region."""
    return list(rds_backends[account_id][region_name].databases.values())


def delete_subnet_group(self: RDSBackend, subnet_name: str) -> Any:
    """moto's, refused while a database is in the group."""
    using = [
        d.db_instance_identifier
        for d in self.databases.values()
        if str(d.__dict__.get("_db_subnet_group_name") or "").lower() == subnet_name.lower()
    ]
    if using:
        raise RDSClientError(
            "InvalidDBSubnetGroupStateFault",
            f"Cannot delete the subnet group '{subnet_name}' because at least one database "
            f"instance: {using[0]} is still using it.",
        )
    return MOTO_DELETE_SUBNET_GROUP(self, subnet_name)


def delete_security_group(
    self: SecurityGroupBackend, name: Optional[str] = None, group_id: Optional[str] = None
) -> None:
    """moto's, refused while a database is in the group."""
    group = (
        self.get_security_group_from_id(group_id)  # type: ignore[attr-defined]
        if group_id
        else self.get_security_group_by_name_or_id(name)  # type: ignore[attr-defined]
    )
    if group is not None and any(
        group.id in (d.vpc_security_group_ids or [])
        for d in _databases(self.account_id, self.region_name)  # type: ignore[attr-defined]
    ):
        raise DependencyViolationError(f"resource {group.id} has a dependent object")
    return MOTO_DELETE_SECURITY_GROUP(self, name, group_id)


def install() -> None:
    """Patch moto's RDS and EC2 backends as the module's docstring says (idempotent)."""
    RDSBackend.delete_subnet_group = delete_subnet_group  # type: ignore[method-assign]
    SecurityGroupBackend.delete_security_group = (  # type: ignore[method-assign]
        delete_security_group
    )
