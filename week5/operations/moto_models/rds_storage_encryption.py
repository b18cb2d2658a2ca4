"""An encrypted database given no key of its own is encrypted with the account's ``aws/rds`` key,
as on AWS, so its snapshots, their copies and the databases restored from them are encrypted too.

Written against moto 5.2.5, whose CloudFormation model gives a database with ``StorageEncrypted``
true and no ``KmsKeyId`` (every lab's: CDK writes no key) no key at all, and whose snapshots take
their encryption from the key: Day3Lab1's database said ``StorageEncrypted`` true, yet ``aws rds
create-db-snapshot`` answered ``Encrypted`` false with no ``KmsKeyId``, as did its automated
snapshots and ``copy-db-snapshot``, and ``restore-db-instance-from-db-snapshot`` made a database
with ``StorageEncrypted`` false. ``aws rds create-db-instance --storage-encrypted`` got moto's
``default_kms_key_id``, a key no ``aws kms`` call knows. On AWS, RDS encrypts such a database
with the account's AWS managed key ``alias/aws/rds`` (made on first use) and answers that key's
ARN as its ``KmsKeyId``; a snapshot is encrypted with its database's key, and a database restored
from it (or to a point in time, or a read replica) with the same key. :func:`install` gives such
a database (not an Aurora cluster's member: its key is its cluster's) that key's ARN from moto's
KMS (the key made ``AWS`` managed, as ``aws kms describe-key`` answers on AWS) before moto takes
its first automated snapshot; moto's snapshots, copies, restores and replicas then carry it.
A database the template leaves unencrypted (no ``StorageEncrypted``) answered no
``StorageEncrypted`` at all (``--query DBInstances[0].StorageEncrypted`` printed ``None``); it
answers false, as on AWS. Delete this module when moto does both
(tests/test_emulator_rds_encryption.py says when).
"""

from __future__ import annotations

import threading
from typing import Any, Dict

from moto.rds.models import DBInstance, RDSBackend

from ._common import flag, moto_own

#: moto's own, read before :func:`install` (tests/test_emulator_rds_encryption.py runs it to
#: tell when moto no longer needs this module).
MOTO_CREATE_DB_INSTANCE = moto_own(RDSBackend, "create_db_instance")
#: The AWS managed key RDS encrypts with when a request names none.
RDS_KEY_ALIAS = "alias/aws/rds"
#: The key moto gives a database made by ``CreateDBInstance --storage-encrypted`` alone.
MOTO_PLACEHOLDER = "default_kms_key_id"
#: One ``aws/rds`` key per account and region, however many databases a class deploys at once.
_LOCK = threading.Lock()


def rds_key_arn(account_id: str, region_name: str) -> str:
    """The ARN of the account's ``aws/rds`` key in ``region_name``, made on first use."""
    from moto.kms.models import kms_backends

    with _LOCK:
        key = kms_backends[account_id][region_name].describe_key(RDS_KEY_ALIAS)
        key.key_manager = "AWS"
        return key.arn


def create_db_instance(self: RDSBackend, db_kwargs: Dict[str, Any]) -> DBInstance:
    """moto's, with an encrypted database that names no key given the ``aws/rds`` key, and an
    unencrypted one saying so."""
    if db_kwargs.get("db_cluster_identifier") is None:
        encrypted = flag(db_kwargs.get("storage_encrypted"))
        db_kwargs = {**db_kwargs, "storage_encrypted": encrypted}
        if encrypted and db_kwargs.get("kms_key_id") in (None, "", MOTO_PLACEHOLDER):
            db_kwargs["kms_key_id"] = rds_key_arn(self.account_id, self.region_name)
    return MOTO_CREATE_DB_INSTANCE(self, db_kwargs)


def install() -> None:
    """Patch moto's RDS backend as the module's docstring says (idempotent)."""
    RDSBackend.create_db_instance = create_db_instance  # type: ignore[method-assign]
