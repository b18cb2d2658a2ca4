"""An encrypted database's snapshots and restores stay encrypted with its key on the emulator, as
on AWS (week5/operations/moto_models/rds_storage_encryption.py).

A student trial (`week5 local`): Day3Lab1's database said ``StorageEncrypted`` true, yet ``aws
rds create-db-snapshot`` answered ``Encrypted: false`` with no ``KmsKeyId``, and the database its
``RestoreDbCommand`` restored from that snapshot said ``StorageEncrypted`` false. moto 5.2.5's
CloudFormation model gives a database with ``StorageEncrypted`` and no ``KmsKeyId`` (CDK writes
none) no key, and takes a snapshot's encryption from its key. On AWS such a database is
encrypted with the account's ``aws/rds`` key, and its snapshots, their copies and what is
restored from them (or to a point in time) with the same key.

Through the real emulator (moto's server with the project's models, started as `week5 local`
starts it), with boto3: a stack deployed as the CDK CLI deploys (a change set) with the lab's
encrypted database and an unencrypted one, the snapshots and restores made by hand; moto's own
answer in process, with moto alone.
"""

from __future__ import annotations

import json
from typing import Any, Dict

import boto3
import own_emulator
from own_emulator import cdk_deploy

#: The file's own emulator (tests/own_emulator.py), by the names the tests use.
emulator = own_emulator.emulator
aws = own_emulator.aws

REGION = own_emulator.REGION
STACK = "week5-park-Day3Lab1"
ENCRYPTED = "week5-park-day3lab1-db"
PLAIN = "week5-park-plain-db"
#: Day3Lab1's database as CDK writes it: encrypted, no key named, a day of automated backups.
DATABASE: Dict[str, Any] = {
    "Type": "AWS::RDS::DBInstance",
    "DeletionPolicy": "Delete",
    "Properties": {
        "DBInstanceIdentifier": ENCRYPTED,
        "AllocatedStorage": "20",
        "BackupRetentionPeriod": 1,
        "DBInstanceClass": "db.t3.micro",
        "DBName": "week5",
        "Engine": "postgres",
        "MasterUsername": "labadmin",
        "MasterUserPassword": "secret-password",
        "MultiAZ": True,
        "StorageEncrypted": True,
        "StorageType": "gp3",
    },
}
RESOURCES: Dict[str, Any] = {
    "Database": DATABASE,
    "Plain": {
        **DATABASE,
        "Properties": {
            **{k: v for k, v in DATABASE["Properties"].items() if k != "StorageEncrypted"},
            "DBInstanceIdentifier": PLAIN,
            "MultiAZ": False,
        },
    },
}


def database(rds, name: str) -> Dict[str, Any]:
    (found,) = rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"]
    return found


def encryption(answer: Dict[str, Any], flag: str) -> tuple:
    """``answer``'s encryption as ``--query`` reads it: (StorageEncrypted or Encrypted, KmsKeyId)."""
    return answer[flag], answer.get("KmsKeyId")


def restore(rds, snapshot: str, name: str) -> Dict[str, Any]:
    """The database Day3Lab1's ``RestoreDbCommand`` restores from ``snapshot``."""
    return rds.restore_db_instance_from_db_snapshot(
        DBInstanceIdentifier=name, DBSnapshotIdentifier=snapshot, DBInstanceClass="db.t3.micro",
        MultiAZ=False, PubliclyAccessible=False,
    )["DBInstance"]  # fmt: skip


def test_an_encrypted_databases_snapshots_and_restores_keep_its_aws_rds_key(aws):
    cdk_deploy(aws, STACK, {"Resources": RESOURCES})
    rds = aws("rds")
    key = aws("kms").describe_key(KeyId="alias/aws/rds")["KeyMetadata"]
    expected = (True, key["Arn"])
    assert encryption(database(rds, ENCRYPTED), "StorageEncrypted") == expected
    # the automated snapshot RDS takes of it
    automated = rds.describe_db_snapshots(DBInstanceIdentifier=ENCRYPTED,
                                          SnapshotType="automated")["DBSnapshots"]  # fmt: skip
    assert [encryption(s, "Encrypted") for s in automated] == [expected]
    # the lab's SnapshotCommand (aws rds create-db-snapshot), as answered and as listed
    taken = rds.create_db_snapshot(DBInstanceIdentifier=ENCRYPTED,
                                   DBSnapshotIdentifier="week5-park-day3-manual")["DBSnapshot"]  # fmt: skip
    assert encryption(taken, "Encrypted") == expected
    (listed,) = rds.describe_db_snapshots(DBSnapshotIdentifier="week5-park-day3-manual")[
        "DBSnapshots"
    ]
    assert encryption(listed, "Encrypted") == expected
    copied = rds.copy_db_snapshot(SourceDBSnapshotIdentifier="week5-park-day3-manual",
                                  TargetDBSnapshotIdentifier="week5-park-copy")["DBSnapshot"]  # fmt: skip
    assert encryption(copied, "Encrypted") == expected
    # the lab's RestoreDbCommand, and a point-in-time restore
    restored = restore(rds, "week5-park-day3-manual", "week5-park-day3-restored")
    assert encryption(restored, "StorageEncrypted") == expected
    assert encryption(database(rds, "week5-park-day3-restored"), "StorageEncrypted") == expected
    assert database(rds, "week5-park-day3-restored")["MultiAZ"] is False
    from_copy = restore(rds, "week5-park-copy", "week5-park-from-copy")
    assert encryption(from_copy, "StorageEncrypted") == expected
    in_time = rds.restore_db_instance_to_point_in_time(
        SourceDBInstanceIdentifier=ENCRYPTED, TargetDBInstanceIdentifier="week5-park-in-time",
        UseLatestRestorableTime=True,
    )["DBInstance"]  # fmt: skip
    assert encryption(in_time, "StorageEncrypted") == expected
    # a snapshot of a restored database is encrypted with the key too
    again = rds.create_db_snapshot(DBInstanceIdentifier="week5-park-day3-restored",
                                   DBSnapshotIdentifier="week5-park-again")["DBSnapshot"]  # fmt: skip
    assert encryption(again, "Encrypted") == expected
    replica = rds.create_db_instance_read_replica(
        DBInstanceIdentifier="week5-park-replica", SourceDBInstanceIdentifier=ENCRYPTED
    )["DBInstance"]
    assert encryption(replica, "StorageEncrypted") == expected
    # the key, as aws kms describe-key answers it: AWS managed
    assert aws("kms").describe_key(KeyId=key["Arn"])["KeyMetadata"]["KeyManager"] == "AWS"


def test_an_unencrypted_databases_snapshots_and_restores_stay_unencrypted(aws):
    cdk_deploy(aws, STACK, {"Resources": RESOURCES})
    rds = aws("rds")
    assert encryption(database(rds, PLAIN), "StorageEncrypted") == (False, None)
    automated = rds.describe_db_snapshots(DBInstanceIdentifier=PLAIN,
                                          SnapshotType="automated")["DBSnapshots"]  # fmt: skip
    assert [encryption(s, "Encrypted") for s in automated] == [(False, None)]
    taken = rds.create_db_snapshot(DBInstanceIdentifier=PLAIN,
                                   DBSnapshotIdentifier="plain-manual")["DBSnapshot"]  # fmt: skip
    assert encryption(taken, "Encrypted") == (False, None)
    restored = restore(rds, "plain-manual", "plain-restored")
    assert encryption(restored, "StorageEncrypted") == (False, None)


def test_a_database_encrypted_by_hand_gets_the_aws_rds_key_or_keeps_its_own(aws):
    """``aws rds create-db-instance --storage-encrypted`` (moto said ``default_kms_key_id``), and
    one naming a customer managed key, which its snapshot keeps."""
    rds, kms = aws("rds"), aws("kms")
    made = dict(DBInstanceClass="db.t3.micro", Engine="mysql", MasterUsername="admin",
                MasterUserPassword="week5pass1", AllocatedStorage=20, StorageEncrypted=True)  # fmt: skip
    by_hand = rds.create_db_instance(DBInstanceIdentifier="by-hand", **made)["DBInstance"]
    rds_key = kms.describe_key(KeyId="alias/aws/rds")["KeyMetadata"]["Arn"]
    assert encryption(by_hand, "StorageEncrypted") == (True, rds_key)
    own_key = kms.create_key(Description="week5 course key")["KeyMetadata"]["Arn"]
    rds.create_db_instance(DBInstanceIdentifier="own-key", KmsKeyId=own_key, **made)
    assert encryption(database(rds, "own-key"), "StorageEncrypted") == (True, own_key)
    taken = rds.create_db_snapshot(DBInstanceIdentifier="own-key",
                                   DBSnapshotIdentifier="own-key-manual")["DBSnapshot"]  # fmt: skip
    assert encryption(taken, "Encrypted") == (True, own_key)
    # one key per account and region: a second database encrypted without a key shares it
    rds.create_db_instance(DBInstanceIdentifier="by-hand-2", **made)
    assert database(rds, "by-hand-2")["KmsKeyId"] == rds_key
    assert [a["TargetKeyId"] for a in kms.list_aliases()["Aliases"]
            if a["AliasName"] == "alias/aws/rds"] == [rds_key.rsplit("/", 1)[1]]  # fmt: skip


def test_moto_alone_still_loses_the_encryption(monkeypatch):
    from moto import mock_aws
    from moto.rds.models import RDSBackend

    from week5.operations.moto_models import rds_storage_encryption as patch

    monkeypatch.setattr(RDSBackend, "create_db_instance", patch.MOTO_CREATE_DB_INSTANCE)
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        cfn = boto3.client("cloudformation", region_name=REGION)
        rds = boto3.client("rds", region_name=REGION)
        cfn.create_stack(StackName=STACK, TemplateBody=json.dumps({"Resources": RESOURCES}))
        made, plain = database(rds, ENCRYPTED), database(rds, PLAIN)
        taken = rds.create_db_snapshot(DBInstanceIdentifier=ENCRYPTED,
                                       DBSnapshotIdentifier="a")["DBSnapshot"]  # fmt: skip
        restored = restore(rds, "a", "b")
    assert "StorageEncrypted" not in plain, "moto now answers it: check rds_storage_encryption.py"
    assert (
        encryption(made, "StorageEncrypted"),
        encryption(taken, "Encrypted"),
        encryption(restored, "StorageEncrypted"),
    ) == ((True, None), (False, None), (False, None)), (
        "moto now keeps an encrypted database's snapshots encrypted: delete "
        "rds_storage_encryption.py"
    )
