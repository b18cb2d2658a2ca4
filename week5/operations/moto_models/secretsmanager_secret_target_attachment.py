"""``AWS::SecretsManager::SecretTargetAttachment`` for moto's CloudFormation, backed by its
secretsmanager and rds backends.

Written against moto 5.2.5, which has no CloudFormation model for it: the attachment was
skipped, and an IAM policy granting on it (CDK's ``grant_read`` on a database's secret refers to
the attachment) had no resource left. Delete this module when moto models the type
(tests/test_moto_models.py says when).

As on AWS: ``Ref`` gives the secret's ARN, and attaching a DB instance adds its connection
details (engine, host, port, dbInstanceIdentifier) to the secret's JSON as a new version.
Deleting the attachment leaves the secret as it is.
"""

from __future__ import annotations

import json
from typing import Any, Dict

from moto.core.common_models import CloudFormationModel
from moto.rds.models import rds_backends
from moto.secretsmanager.models import secretsmanager_backends

from ._common import TypeModel

CLOUDFORMATION_TYPE = "AWS::SecretsManager::SecretTargetAttachment"


def connection_details(target_type: str, target_id: str, account_id: str, region: str) -> dict:
    """What Secrets Manager adds to the secret for the attached target."""
    if target_type != "AWS::RDS::DBInstance":
        return {}  # clusters, proxies, Redshift, DocumentDB: not in the labs
    (db,) = rds_backends[account_id][region].describe_db_instances(target_id)
    details = {
        "engine": db.engine,
        "host": db.address,
        "port": db.port,
        "dbInstanceIdentifier": db.db_instance_identifier,
    }
    if db.db_name:  # AWS adds the instance's database (DBName) as dbname: lab-psql reads it
        details["dbname"] = db.db_name
    return details


class SecretsManagerSecretTargetAttachment(TypeModel, CloudFormationModel):
    TYPE = CLOUDFORMATION_TYPE
    PHYSICAL_ID = "secret_arn"

    def __init__(self, secret_arn: str, target_id: str) -> None:
        self.secret_arn = secret_arn
        self.target_id = target_id

    @classmethod
    def create(
        cls, resource_name: str, properties: Dict[str, Any], account_id: str, region_name: str
    ) -> "SecretsManagerSecretTargetAttachment":
        backend = secretsmanager_backends[account_id][region_name]
        secret = backend.describe_secret(properties["SecretId"])
        details = connection_details(
            properties["TargetType"], properties["TargetId"], account_id, region_name
        )
        if details:
            current = backend.get_secret_value(secret.arn, None, None)
            value = json.loads(current.get("SecretString") or "{}")
            value.update(details)
            backend.put_secret_value(secret.arn, json.dumps(value), None, None, ["AWSCURRENT"])
        return cls(secret.arn, properties["TargetId"])

    def delete(self, account_id: str, region_name: str) -> None:
        """Detaching changes nothing that the emulator keeps."""
