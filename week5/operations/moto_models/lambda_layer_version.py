"""``AWS::Lambda::LayerVersion`` as moto 5.2.5 models it, with its ``Ref`` and its deletion.

moto's model publishes the version but has no deletion, and no physical id: ``cdk destroy``
reported it deleted and left it (``aws lambda list-layers`` still listed the bucket deployment's
AWS CLI layer), and its ``Ref`` gave moto's object instead of the version's ARN. This model
publishes with moto's own model and wraps the version: ``Ref`` gives its ARN, as on AWS, and
deleting the stack deletes the version through moto's Lambda backend. Delete this module when
moto's model has both (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from moto.awslambda.exceptions import UnknownLayerException
from moto.awslambda.models import LayerVersion, lambda_backends
from moto.core.common_models import CloudFormationModel

from ._common import Wrapper

CLOUDFORMATION_TYPE = "AWS::Lambda::LayerVersion"


class LambdaLayerVersion(Wrapper, CloudFormationModel):
    MOTO_MODEL = LayerVersion
    resource: LayerVersion

    @property
    def physical_resource_id(self) -> str:
        return self.resource.arn

    def delete(self, account_id: str, region_name: str) -> None:
        version = self.resource
        try:
            lambda_backends[account_id][region_name].delete_layer_version(
                version.name, str(version.version)
            )
        except UnknownLayerException:
            pass
