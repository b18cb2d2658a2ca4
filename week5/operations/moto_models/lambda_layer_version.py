"""``AWS::Lambda::LayerVersion`` as moto 5.2.5 models it, with its ``Ref`` and its deletion.

moto's model publishes the version but has no deletion, and no physical id: ``cdk destroy``
reported it deleted and left it (``aws lambda list-layers`` still listed the bucket deployment's
AWS CLI layer), and its ``Ref`` gave moto's object instead of the version's ARN. This model
publishes with moto's own model and wraps the version: ``Ref`` gives its ARN, as on AWS, and
deleting the stack deletes the version through moto's Lambda backend. Delete this module when
moto's model has both (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from typing import Any, Dict

from moto.awslambda.exceptions import UnknownLayerException
from moto.awslambda.models import LayerVersion, lambda_backends
from moto.core.common_models import CloudFormationModel

CLOUDFORMATION_TYPE = "AWS::Lambda::LayerVersion"


class LambdaLayerVersion(CloudFormationModel):
    """Registered after moto's own model for the type, so moto's model map picks this one."""

    def __init__(self, layer_version: LayerVersion) -> None:
        self.layer_version = layer_version

    @staticmethod
    def cloudformation_name_type() -> str:
        return LayerVersion.cloudformation_name_type()

    @staticmethod
    def cloudformation_type() -> str:
        return CLOUDFORMATION_TYPE

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return LayerVersion.has_cfn_attr(attr)

    @property
    def physical_resource_id(self) -> str:
        return self.layer_version.arn

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "LambdaLayerVersion":
        return cls(
            LayerVersion.create_from_cloudformation_json(
                resource_name, cloudformation_json, account_id, region_name, **kwargs
            )
        )

    def delete(self, account_id: str, region_name: str) -> None:
        version = self.layer_version
        try:
            lambda_backends[account_id][region_name].delete_layer_version(
                version.name, str(version.version)
            )
        except UnknownLayerException:
            pass

    def is_created(self) -> bool:
        return True
