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

from ._common import Wrapper, add_elbv2_tags, tag_list

CLOUDFORMATION_TYPE = "AWS::ElasticLoadBalancingV2::TargetGroup"
ATTRIBUTES = ("TargetGroupArn", "TargetGroupFullName", "TargetGroupName", "LoadBalancerArns")


class ELBv2TargetGroup(Wrapper, CloudFormationModel):
    MOTO_MODEL = FakeTargetGroup
    resource: FakeTargetGroup

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ATTRIBUTES

    @property
    def physical_resource_id(self) -> str:
        return self.resource.arn

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        arn = self.resource.arn
        if attribute_name == "TargetGroupArn":
            return arn
        if attribute_name == "TargetGroupFullName":  # targetgroup/NAME/ID
            return arn.split(":", 5)[5]
        if attribute_name == "TargetGroupName":
            return self.resource.name
        if attribute_name == "LoadBalancerArns":
            return list(self.resource.load_balancer_arns)
        raise UnformattedGetAttTemplateException()

    @classmethod
    def created(
        cls,
        resource: FakeTargetGroup,
        properties: Dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "ELBv2TargetGroup":
        add_elbv2_tags(account_id, region_name, resource.arn, tag_list(properties))
        return cls(resource)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = elbv2_backends[account_id][region_name]
        backend.delete_target_group(self.resource.arn)
        backend.tagging_service.delete_all_tags_for_resource(self.resource.arn)
