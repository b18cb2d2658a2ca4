"""``AWS::SecretsManager::Secret`` for moto's CloudFormation, backed by its secretsmanager backend.

Written against moto 5.2.5, which has the backend but no CloudFormation model: the secret was
skipped, and an IAM policy granting on it had no resource left. Delete this module when moto
models the type (tests/test_moto_models.py says when).

``Ref`` and ``Fn::GetAtt Id`` give the ARN, as on AWS. ``GenerateSecretString`` generates with
moto's own password generator; ``SecretStringTemplate`` plus ``GenerateStringKey`` give JSON.
A secret the template does not name is named as CloudFormation names it, ``<logical id>-<12
random>``, not ``<stack>-<logical id>-<random>`` as moto names what it generates: CDK's
``secret_name`` takes the first two dash-separated parts of the ARN's name, so Day3Lab1's
``DbSecretName`` named no secret on the emulator (``week5-kim``).
"""

from __future__ import annotations

import json
from typing import Any, Dict

from moto.core.common_models import CloudFormationModel
from moto.secretsmanager.models import secretsmanager_backends
from moto.secretsmanager.utils import random_password

from ._common import TypeModel, flag, tag_list

CLOUDFORMATION_TYPE = "AWS::SecretsManager::Secret"


def generate_secret_string(options: Dict[str, Any]) -> str:
    """What Secrets Manager stores for a ``GenerateSecretString`` property."""
    password = random_password(
        int(options.get("PasswordLength", 32)),
        options.get("ExcludeCharacters", ""),
        flag(options.get("ExcludeNumbers")),
        flag(options.get("ExcludePunctuation")),
        flag(options.get("ExcludeUppercase")),
        flag(options.get("ExcludeLowercase")),
        flag(options.get("IncludeSpace")),
        flag(options.get("RequireEachIncludedType"), default=True),
    )
    template = options.get("SecretStringTemplate")
    key = options.get("GenerateStringKey")
    if template is None or key is None:
        return password
    secret = json.loads(template)
    secret[key] = password
    return json.dumps(secret)


def cloudformation_name(generated: str) -> str:
    """``<logical id>-<random>`` from moto's ``<stack>-<logical id>-<random>``: a logical id
    has no dash, a stack name may have several."""
    return "-".join(generated.rsplit("-", 2)[-2:])


class SecretsManagerSecret(TypeModel, CloudFormationModel):
    TYPE = CLOUDFORMATION_TYPE
    NAME_PROPERTY = "Name"
    ATTRIBUTES = {"Id": "arn"}
    PHYSICAL_ID = "arn"

    def __init__(self, account_id: str, region_name: str, arn: str, name: str) -> None:
        self.account_id = account_id
        self.region_name = region_name
        self.arn = arn
        self.name = name

    @classmethod
    def create(
        cls, resource_name: str, properties: Dict[str, Any], account_id: str, region_name: str
    ) -> "SecretsManagerSecret":
        secret_string = properties.get("SecretString")
        if secret_string is None and "GenerateSecretString" in properties:
            secret_string = generate_secret_string(properties["GenerateSecretString"])
        backend = secretsmanager_backends[account_id][region_name]
        created = json.loads(
            backend.create_secret(
                name=properties.get("Name") or cloudformation_name(resource_name),
                secret_string=secret_string,
                secret_binary=None,
                description=properties.get("Description"),
                tags=tag_list(properties),
                kms_key_id=properties.get("KmsKeyId"),
                client_request_token=None,
                replica_regions=[],
                force_overwrite=False,
            )
        )
        return cls(account_id, region_name, created["ARN"], created["Name"])

    def delete(self, account_id: str, region_name: str) -> None:
        # At once, without a recovery window: a redeploy on the same emulator reuses the name.
        secretsmanager_backends[account_id][region_name].delete_secret(
            self.arn, recovery_window_in_days=None, force_delete_without_recovery=True
        )
