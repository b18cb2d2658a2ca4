"""``AWS::CloudFront::OriginAccessControl`` for moto's CloudFormation, backed by its cloudfront
backend.

Written against moto 5.2.5, which has ``create_origin_access_control`` but no CloudFormation
model: the control was skipped, and the distribution's ``Fn::GetAtt ... Id`` on it stopped the
deploy. Delete this module when moto models the type (tests/test_moto_models.py says when).

As on AWS: ``Ref`` and ``Fn::GetAtt Id`` give the control's id.
"""

from __future__ import annotations

from typing import Any, Dict

from moto.cloudfront.models import cloudfront_backends
from moto.core.common_models import CloudFormationModel
from moto.utilities.utils import get_partition

from ._common import TypeModel

CLOUDFORMATION_TYPE = "AWS::CloudFront::OriginAccessControl"


class CloudFrontOriginAccessControl(TypeModel, CloudFormationModel):
    TYPE = CLOUDFORMATION_TYPE
    ATTRIBUTES = {"Id": "id"}
    PHYSICAL_ID = "id"

    def __init__(self, control_id: str) -> None:
        self.id = control_id

    @classmethod
    def create(
        cls, resource_name: str, properties: Dict[str, Any], account_id: str, region_name: str
    ) -> "CloudFrontOriginAccessControl":
        config = properties["OriginAccessControlConfig"]
        backend = cloudfront_backends[account_id][get_partition(region_name)]
        return cls(backend.create_origin_access_control(dict(config)).id)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: "CloudFrontOriginAccessControl",
        new_resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "CloudFrontOriginAccessControl":
        config = cloudformation_json["Properties"]["OriginAccessControlConfig"]
        backend = cloudfront_backends[account_id][get_partition(region_name)]
        backend.update_origin_access_control(original_resource.id, dict(config))
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        cloudfront_backends[account_id][get_partition(region_name)].delete_origin_access_control(
            self.id
        )
