"""``AWS::ElasticLoadBalancingV2::TargetGroup`` as moto 5.2.5 models it, with the attributes and
the deletion CloudFormation gives it.

moto's target group has no ``get_cfn_attribute``: a ``Fn::GetAtt`` on it (CloudWatch alarms'
``TargetGroupFullName`` dimension) fails the stack with ``AttributeError`` once the alarms are
modelled; it has no deletion, so ``cdk destroy`` left it behind; and it drops the template's
``Tags`` and ``TargetGroupAttributes`` (every lab's group answered
``deregistration_delay.timeout_seconds`` 300, moto's default, where its template sets 30: Day5's
draining step read 5 minutes where AWS drains 30 s). This model creates the group with moto's
own model, tags it, sets its attributes with moto's ``ModifyTargetGroupAttributes`` (which
checks some values, as AWS does, and no names), and wraps it: ``Ref`` gives the ARN,
``Fn::GetAtt`` gives ``TargetGroupArn``, ``TargetGroupFullName``, ``TargetGroupName`` and
``LoadBalancerArns``, a stack update sets the attributes the new template lists (AWS updates
them in place; the group's other properties stay as they were, as with every type moto cannot
update), and deleting the stack deletes it. Delete this module when moto's model has all four
(tests/test_moto_models.py says when).
"""

from __future__ import annotations

from typing import Any, Dict

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel
from moto.elbv2.models import FakeTargetGroup, elbv2_backends

from ._common import Wrapper, add_elbv2_tags, tag_list

CLOUDFORMATION_TYPE = "AWS::ElasticLoadBalancingV2::TargetGroup"
ATTRIBUTES = ("TargetGroupArn", "TargetGroupFullName", "TargetGroupName", "LoadBalancerArns")


def set_attributes(
    account_id: str, region_name: str, resource: FakeTargetGroup, properties: Dict[str, Any]
) -> None:
    """Give the group ``resource`` the ``TargetGroupAttributes`` of its template
    (``properties``) through moto's backend, which raises on a value AWS refuses."""
    attributes = {a["Key"]: str(a["Value"]) for a in properties.get("TargetGroupAttributes") or []}
    if attributes:
        elbv2_backends[account_id][region_name].modify_target_group_attributes(
            resource.arn, attributes
        )


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
        set_attributes(account_id, region_name, resource, properties)
        return cls(resource)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: "ELBv2TargetGroup",
        new_resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "ELBv2TargetGroup":
        properties = cloudformation_json.get("Properties", {})
        set_attributes(account_id, region_name, original_resource.resource, properties)
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        backend = elbv2_backends[account_id][region_name]
        backend.delete_target_group(self.resource.arn)
        backend.tagging_service.delete_all_tags_for_resource(self.resource.arn)
