"""``AWS::WAFv2::WebACLAssociation`` for moto's CloudFormation, backed by its wafv2 backend.

Written against moto 5.2.5, which has ``associate_web_acl`` but no CloudFormation model: the
association was skipped, so the emulator's load balancer had no web ACL. Delete this module
when moto models the type (tests/test_moto_models.py says when).

``Ref`` gives ``ResourceArn|WebACLArn`` (AWS documents no ``Ref`` for the type).
"""

from __future__ import annotations

from typing import Any, Dict

from moto.core.common_models import CloudFormationModel
from moto.wafv2.models import wafv2_backends

from ._common import TypeModel

CLOUDFORMATION_TYPE = "AWS::WAFv2::WebACLAssociation"


class WAFv2WebACLAssociation(TypeModel, CloudFormationModel):
    TYPE = CLOUDFORMATION_TYPE

    def __init__(self, resource_arn: str, web_acl_arn: str) -> None:
        self.resource_arn = resource_arn
        self.web_acl_arn = web_acl_arn

    @property
    def physical_resource_id(self) -> str:
        return f"{self.resource_arn}|{self.web_acl_arn}"

    @classmethod
    def create(
        cls, resource_name: str, p: Dict[str, Any], account_id: str, region_name: str
    ) -> "WAFv2WebACLAssociation":
        wafv2_backends[account_id][region_name].associate_web_acl(p["WebACLArn"], p["ResourceArn"])
        return cls(p["ResourceArn"], p["WebACLArn"])

    def delete(self, account_id: str, region_name: str) -> None:
        wafv2_backends[account_id][region_name].disassociate_web_acl(self.resource_arn)
