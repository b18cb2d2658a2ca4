"""A DB subnet group's ``Ref`` (and physical id) is its name, as on AWS.

Written against moto 5.2.5, whose ``AWS::RDS::DBSubnetGroup`` model gives its group no
``physical_resource_id``: a ``Ref`` to it resolved to the Python object, so Day3Lab1's
``RestoreDbCommand`` output (``Fn::Join`` of the ``Ref``) printed ``--db-subnet-group-name
<moto.rds.models.DBSubnetGroup object at 0x7f...>`` and ``ListStackResources`` gave the group an
empty ``PhysicalResourceId``. On AWS both are the group's name (lowercase, as RDS stores it).
:func:`install` gives moto's group that physical id; moto's own ``AWS::RDS::DBInstance`` model,
which read the ``Ref`` as the object (``.name``), then gets the group by that name from
:mod:`.rds_db_instance`. Delete this module when moto does so (tests/test_emulator_rds_and_retain.py
says when).
"""

from __future__ import annotations

from moto.rds.models import DBSubnetGroup

#: moto's own, None while it has none (read before :func:`install`;
#: tests/test_emulator_rds_and_retain.py reads it to tell when moto no longer needs this module).
MOTO_PHYSICAL_ID = vars(DBSubnetGroup).get("physical_resource_id")


def physical_resource_id(self: DBSubnetGroup) -> str:
    """The group's name, as CloudFormation's ``Ref`` gives it."""
    return self.name


def install() -> None:
    """Patch moto's DB subnet group as the module's docstring says (idempotent)."""
    DBSubnetGroup.physical_resource_id = property(  # type: ignore[attr-defined]
        physical_resource_id
    )
