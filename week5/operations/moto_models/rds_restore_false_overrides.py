"""A database restored from a snapshot takes the request's false settings (``--no-multi-az``,
``--no-publicly-accessible``), as on AWS.

Written against moto 5.2.5, whose ``RestoreDBInstanceFromDBSnapshot`` copies the snapshot's
database and then applies only the request's truthy values: Day3Lab1's ``RestoreDbCommand``
(``--no-multi-az --no-publicly-accessible``) on a snapshot of its Multi-AZ database gave a
restored database with ``MultiAZ`` true (so ``reboot-db-instance --force-failover``, which
:mod:`.rds_force_failover` refuses on a Single-AZ one, went through). RDS takes each setting the
request gives, false too. :func:`install` sets the request's false ones on the restored
database. Delete this module when moto does so (tests/test_emulator_rds_and_retain.py says when).
"""

from __future__ import annotations

from typing import Any, Dict

from moto.rds.models import DBInstance, RDSBackend

#: moto's own, read before :func:`install` (tests/test_emulator_rds_and_retain.py runs it to
#: tell when moto no longer needs this module).
MOTO_RESTORE = RDSBackend.restore_db_instance_from_db_snapshot
#: The request's flags (moto's names for them) that a restore takes when false.
FLAGS = (
    "multi_az",
    "publicly_accessible",
    "copy_tags_to_snapshot",
    "deletion_protection",
    "auto_minor_version_upgrade",
)


def restore_db_instance_from_db_snapshot(
    self: RDSBackend, from_snapshot_id: str, overrides: Dict[str, Any]
) -> DBInstance:
    """moto's, with the request's false flags kept."""
    database = MOTO_RESTORE(self, from_snapshot_id, overrides)
    for key in FLAGS:
        if overrides.get(key) is False:
            setattr(database, key, False)
    return database


def install() -> None:
    """Patch moto's RDS backend as the module's docstring says (idempotent)."""
    RDSBackend.restore_db_instance_from_db_snapshot = (  # type: ignore[method-assign]
        restore_db_instance_from_db_snapshot
    )
