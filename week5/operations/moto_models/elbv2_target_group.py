"""``AWS::ElasticLoadBalancingV2::TargetGroup`` as moto 5.2.5 models it, with the attributes and
the deletion CloudFormation gives it.

moto's target group has no ``get_cfn_attribute``: a ``Fn::GetAtt`` on it (CloudWatch alarms'
``TargetGroupFullName`` dimension) fails the stack with ``AttributeError`` once the alarms are
modelled; it has no deletion, so ``cdk destroy`` left it behind; and it drops the template's
``Tags``. This model creates the group with moto's own model, tags it, and wraps it: ``Ref``
gives the ARN, ``Fn::GetAtt`` gives ``TargetGroupArn``, ``TargetGroupFullName``,
``TargetGroupName`` and ``LoadBalancerArns``, and deleting the stack deletes it. Delete this
module when moto's model has all three (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from typing import Any, Dict

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel
from moto.elbv2.models import FakeTargetGroup, elbv2_backends

from ._common import tag_list

CLOUDFORMATION_TYPE = "AWS::ElasticLoadBalancingV2::TargetGroup"
ATTRIBUTES = ("TargetGroupArn", "TargetGroupFullName", "TargetGroupName", "LoadBalancerArns")


class ELBv2TargetGroup(CloudFormationModel):
    """Registered after moto's own model for the type, so moto's model map picks this one."""

    def __init__(self, target_group: FakeTargetGroup) -> None:
        self.target_group = target_group

    @staticmethod
    def cloudformation_name_type() -> str:
        return FakeTargetGroup.cloudformation_name_type()

    @staticmethod
    def cloudformation_type() -> str:
        return CLOUDFORMATION_TYPE

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ATTRIBUTES

    @property
    def physical_resource_id(self) -> str:
        return self.target_group.arn

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        arn = self.target_group.arn
        if attribute_name == "TargetGroupArn":
            return arn
        if attribute_name == "TargetGroupFullName":  # targetgroup/NAME/ID
            return arn.split(":", 5)[5]
        if attribute_name == "TargetGroupName":
            return self.target_group.name
        if attribute_name == "LoadBalancerArns":
            return list(self.target_group.load_balancer_arns)
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "ELBv2TargetGroup":
        target_group = FakeTargetGroup.create_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name, **kwargs
        )
        tags = tag_list(cloudformation_json.get("Properties", {}))
        if tags:
            elbv2_backends[account_id][region_name].add_tags([target_group.arn], tags)
        return cls(target_group)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = elbv2_backends[account_id][region_name]
        backend.delete_target_group(self.target_group.arn)
        backend.tagging_service.delete_all_tags_for_resource(self.target_group.arn)

    def is_created(self) -> bool:
        return True
