"""RDS's ``DeleteDBSnapshot`` and ``DeleteDBClusterSnapshot`` answer the snapshot with its status
``deleted``, as AWS answers them.

Written against moto 5.2.5, which answers the deleted snapshot as it was, ``available``: ``aws
rds delete-db-snapshot --db-snapshot-identifier X --query DBSnapshot.Status`` printed
``available`` on the emulator and ``deleted`` on AWS, so a student checking the deletion read
that the snapshot was still there. :func:`install` gives the snapshot moto deleted the status
AWS answers. Delete this module when moto does so (tests/test_emulator_rds_snapshot_delete.py
says when).
"""

from __future__ import annotations

from moto.rds.models import DBClusterSnapshot, DBSnapshot, RDSBackend

from ._common import moto_own

#: moto's own, read before :func:`install` (tests/test_emulator_rds_snapshot_delete.py runs them
#: to tell when moto no longer needs this module).
MOTO_DELETE_SNAPSHOT = moto_own(RDSBackend, "delete_db_snapshot")
MOTO_DELETE_CLUSTER_SNAPSHOT = moto_own(RDSBackend, "delete_db_cluster_snapshot")
#: The status AWS answers a deleted snapshot with.
DELETED = "deleted"


def delete_db_snapshot(self: RDSBackend, db_snapshot_identifier: str) -> DBSnapshot:
    """moto's, the snapshot answered ``deleted``."""
    snapshot = MOTO_DELETE_SNAPSHOT(self, db_snapshot_identifier)
    snapshot.status = DELETED
    return snapshot


def delete_db_cluster_snapshot(
    self: RDSBackend, db_snapshot_identifier: str
) -> DBClusterSnapshot:
    """moto's, the cluster snapshot answered ``deleted``."""
    snapshot = MOTO_DELETE_CLUSTER_SNAPSHOT(self, db_snapshot_identifier)
    snapshot.status = DELETED
    return snapshot


def install() -> None:
    """Patch moto's RDS backend as the module's docstring says (idempotent)."""
    RDSBackend.delete_db_snapshot = delete_db_snapshot  # type: ignore[method-assign]
    RDSBackend.delete_db_cluster_snapshot = (  # type: ignore[method-assign]
        delete_db_cluster_snapshot
    )
