"""``AWS::CloudFront::OriginAccessControl`` for moto's CloudFormation, backed by its cloudfront
backend.

Written against moto 5.2.5, which has ``create_origin_access_control`` but no CloudFormation
model: the control was skipped, and the distribution's ``Fn::GetAtt ... Id`` on it stopped the
deploy. Delete this module when moto models the type (tests/test_moto_models.py says when).

As on AWS: ``Ref`` and ``Fn::GetAtt Id`` give the control's id.
"""

from __future__ import annotations

from typing import Any, Dict

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.cloudfront.models import cloudfront_backends
from moto.core.common_models import CloudFormationModel
from moto.utilities.utils import get_partition

CLOUDFORMATION_TYPE = "AWS::CloudFront::OriginAccessControl"


class CloudFrontOriginAccessControl(CloudFormationModel):
    def __init__(self, control_id: str) -> None:
        self.id = control_id

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return CLOUDFORMATION_TYPE

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Id"

    @property
    def physical_resource_id(self) -> str:
        return self.id

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name == "Id":
            return self.id
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "CloudFrontOriginAccessControl":
        config = cloudformation_json["Properties"]["OriginAccessControlConfig"]
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

    def is_created(self) -> bool:
        return True
