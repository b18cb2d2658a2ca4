"""RDS's ``DeleteDBSnapshot`` and ``DeleteDBClusterSnapshot`` answer the snapshot with its status
``deleted`` on the emulator, as on AWS (week5/operations/moto_models/rds_snapshot_delete.py).

A student trial (`week5 local`): ``aws rds delete-db-snapshot --db-snapshot-identifier X --query
DBSnapshot.Status`` printed ``available`` (moto 5.2.5 answers the snapshot as it was), where AWS
prints ``deleted``.

Through the real emulator (moto's server with the project's models, started as `week5 local`
starts it), with boto3; moto's own answer in process, with moto alone.
"""

from __future__ import annotations

import boto3
import own_emulator
import pytest
from botocore.exceptions import ClientError

#: The file's own emulator (tests/own_emulator.py), by the names the tests use.
emulator = own_emulator.emulator
aws = own_emulator.aws

REGION = own_emulator.REGION
DATABASE = "week5-park-day3lab1-db"
CLUSTER = "week5-park-day3lab1-cluster"


def database_snapshot(rds, name: str) -> None:
    """A database and a manual snapshot ``name`` of it, as the lab's ``SnapshotCommand`` takes."""
    rds.create_db_instance(DBInstanceIdentifier=DATABASE, DBInstanceClass="db.t3.micro",
                           Engine="mysql", MasterUsername="admin", MasterUserPassword="week5pass1",
                           AllocatedStorage=20)  # fmt: skip
    rds.create_db_snapshot(DBInstanceIdentifier=DATABASE, DBSnapshotIdentifier=name)


def cluster_snapshot(rds, name: str) -> None:
    """An Aurora cluster and a manual snapshot ``name`` of it."""
    rds.create_db_cluster(DBClusterIdentifier=CLUSTER, Engine="aurora-mysql",
                          MasterUsername="admin", MasterUserPassword="week5pass1")  # fmt: skip
    rds.create_db_cluster_snapshot(DBClusterIdentifier=CLUSTER, DBClusterSnapshotIdentifier=name)


def gone(call) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"]


def test_delete_db_snapshot_answers_deleted(aws):
    rds = aws("rds")
    database_snapshot(rds, "before-change")
    (listed,) = rds.describe_db_snapshots(DBSnapshotIdentifier="before-change")["DBSnapshots"]
    assert listed["Status"] == "available"
    answer = rds.delete_db_snapshot(DBSnapshotIdentifier="before-change")["DBSnapshot"]
    # --query DBSnapshot.Status
    assert answer["Status"] == "deleted"
    assert answer["DBSnapshotIdentifier"] == "before-change"
    assert gone(lambda: rds.describe_db_snapshots(DBSnapshotIdentifier="before-change")) == (
        "DBSnapshotNotFound"
    )
    # the database it was taken of is as it was
    (database,) = rds.describe_db_instances(DBInstanceIdentifier=DATABASE)["DBInstances"]
    assert database["DBInstanceStatus"] == "available"


def test_delete_db_cluster_snapshot_answers_deleted(aws):
    rds = aws("rds")
    cluster_snapshot(rds, "cluster-before-change")
    answer = rds.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier="cluster-before-change")
    assert answer["DBClusterSnapshot"]["Status"] == "deleted"
    assert gone(
        lambda: rds.describe_db_cluster_snapshots(
            DBClusterSnapshotIdentifier="cluster-before-change"
        )
    ) == "DBClusterSnapshotNotFoundFault"


def test_moto_alone_still_answers_available(monkeypatch):
    from moto import mock_aws
    from moto.rds.models import RDSBackend

    from week5.operations.moto_models import rds_snapshot_delete as patch

    monkeypatch.setattr(RDSBackend, "delete_db_snapshot", patch.MOTO_DELETE_SNAPSHOT)
    monkeypatch.setattr(
        RDSBackend, "delete_db_cluster_snapshot", patch.MOTO_DELETE_CLUSTER_SNAPSHOT
    )
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        rds = boto3.client("rds", region_name=REGION)
        database_snapshot(rds, "a")
        cluster_snapshot(rds, "b")
        snapshot = rds.delete_db_snapshot(DBSnapshotIdentifier="a")["DBSnapshot"]
        cluster = rds.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier="b")
    assert (snapshot["Status"], cluster["DBClusterSnapshot"]["Status"]) == (
        "available",
        "available",
    ), "moto now answers a deleted snapshot as AWS does: delete rds_snapshot_delete.py"
