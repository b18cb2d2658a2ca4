"""``AWS::EC2::KeyPair`` for moto's CloudFormation, backed by its ec2 and ssm backends.

Written against moto 5.2.5, which has ``create_key_pair`` but no CloudFormation model: the key
pair was skipped and an instance's ``KeyName`` (a ``Ref`` to it) resolved to nothing. Delete
this module when moto models the type (tests/test_moto_models.py says when).

As on AWS: ``Ref`` gives the key's name, ``Fn::GetAtt`` its ``KeyPairId`` and
``KeyFingerprint``; a key CloudFormation creates (no ``PublicKeyMaterial``) keeps its private key
in the SSM parameter ``/ec2/keypair/<KeyPairId>`` (a SecureString), where a student fetches it,
and deleting the stack deletes both, and the key's tags.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends
from moto.ssm.models import ssm_backends

from ._common import TypeModel, tag_list

CLOUDFORMATION_TYPE = "AWS::EC2::KeyPair"
PRIVATE_KEY_PARAMETER = "/ec2/keypair/{}"


class EC2KeyPair(TypeModel, CloudFormationModel):
    TYPE = CLOUDFORMATION_TYPE
    NAME_PROPERTY = "KeyName"
    ATTRIBUTES = {"KeyPairId": "key_pair_id", "KeyFingerprint": "fingerprint"}

    def __init__(self, name: str, key_pair_id: str, fingerprint: str, parameter: Optional[str]):
        self.name = name
        self.key_pair_id = key_pair_id
        self.fingerprint = fingerprint
        self.parameter = parameter

    @classmethod
    def create(
        cls, resource_name: str, p: Dict[str, Any], account_id: str, region_name: str
    ) -> "EC2KeyPair":
        ec2 = ec2_backends[account_id][region_name]
        tags = {t["Key"]: t["Value"] for t in tag_list(p)}
        if "PublicKeyMaterial" in p:
            key = ec2.import_key_pair(resource_name, p["PublicKeyMaterial"].encode(), tags)
            return cls(key.key_name, key.id, key.key_fingerprint, None)
        key = ec2.create_key_pair(resource_name, p.get("KeyType", "rsa"), tags)
        parameter = PRIVATE_KEY_PARAMETER.format(key.id)
        ssm_backends[account_id][region_name].put_parameter(
            name=parameter,
            description=None,
            value=key.key_material,
            parameter_type="SecureString",
            allowed_pattern=None,
            keyid=None,
            overwrite=False,
            tags=None,
            data_type="text",
            tier=None,
            policies=None,
        )
        return cls(key.key_name, key.id, key.key_fingerprint, parameter)

    def delete(self, account_id: str, region_name: str) -> None:
        ec2 = ec2_backends[account_id][region_name]
        ec2.delete_key_pair(self.name)
        # moto's deletion keeps the key's tags, which EC2's DescribeTags then still lists.
        tags = ec2.describe_tags(filters={"resource-id": [self.key_pair_id]})
        ec2.delete_tag_keys([self.key_pair_id], [tag["key"] for tag in tags])
        if self.parameter:
            ssm_backends[account_id][region_name].delete_parameter(self.parameter)
