"""RDS's ``RebootDBInstance --force-failover``: refused on a Single-AZ database, a standby
that takes over on a Multi-AZ one, as on AWS.

Written against moto 5.2.5, whose ``RebootDBInstance`` ignores ``ForceFailover`` and whose
database has no standby AZ:
- the course's failure test (:func:`week5.constructs.commands.failover_command`) "succeeded" on
  a Single-AZ database, where AWS refuses it (there is no standby to fail over to);
- on a Multi-AZ database, ``AvailabilityZone`` stayed the same after the failover and
  ``SecondaryAvailabilityZone`` was absent though ``MultiAZ`` was true; on AWS the standby's AZ
  becomes the database's and the old primary's the standby's.
:func:`install` gives a Multi-AZ database a ``SecondaryAvailabilityZone`` (the first AZ of its
subnet group, else of the region, other than its own) and makes ``ForceFailover`` swap the two,
or refuse a Single-AZ database with ``InvalidDBInstanceState`` (the error botocore's model
lists for the call; AWS's wording of the message is not checked here). Delete this module when
moto does both (tests/test_emulator_events.py says when).
"""

from __future__ import annotations

from typing import List, Optional

from moto.core.responses import ActionResult
from moto.rds.exceptions import RDSClientError
from moto.rds.models import DBInstance
from moto.rds.responses import RDSResponse

from ._common import flag

#: moto's own, read before :func:`install` (tests/test_emulator_events.py runs it to tell when
#: moto no longer needs this module).
MOTO_REBOOT = RDSResponse.reboot_db_instance
#: The database's attribute holding its standby's AZ once a failover has moved it.
STANDBY = "week5_standby_az"


def _azs(database: DBInstance) -> List[str]:
    """The AZs the database may be in: its subnet group's in order, else the region's a-d."""
    subnet_group = getattr(database, "db_subnet_group", None)
    subnets = getattr(subnet_group, "subnets", None) or []
    azs = [s["SubnetAvailabilityZone"]["Name"] for s in subnets]
    return list(dict.fromkeys(azs)) or [f"{database.region}{z}" for z in "abcd"]


def secondary_availability_zone(database: DBInstance) -> Optional[str]:
    """A Multi-AZ database's standby AZ (None on a Single-AZ one, as AWS leaves it out)."""
    if not flag(database.multi_az):
        return None
    stored = database.__dict__.get(STANDBY)
    if stored and stored != database.availability_zone:
        return stored
    others = [az for az in _azs(database) if az != database.availability_zone]
    return others[0] if others else None


def reboot_db_instance(self: RDSResponse) -> ActionResult:
    """moto's reboot, after a forced failover: refused without Multi-AZ, else the primary and
    the standby swap AZs."""
    if flag(self.params.get("ForceFailover")):
        identifier = self.params.get("DBInstanceIdentifier")
        database = self.backend.describe_db_instances(identifier)[0]
        standby = secondary_availability_zone(database)
        if standby is None:
            raise RDSClientError(
                "InvalidDBInstanceState",
                f"Cannot force a failover of DB instance {identifier}: it is not a Multi-AZ "
                "deployment, so it has no standby to fail over to.",
            )
        setattr(database, STANDBY, database.availability_zone)
        database.availability_zone = standby
    return MOTO_REBOOT(self)


def install() -> None:
    """Patch moto's RDS as the module's docstring says (idempotent)."""
    DBInstance.secondary_availability_zone = property(  # type: ignore[attr-defined]
        secondary_availability_zone
    )
    RDSResponse.reboot_db_instance = reboot_db_instance  # type: ignore[method-assign]
