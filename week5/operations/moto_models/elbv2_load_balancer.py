"""``AWS::ElasticLoadBalancingV2::LoadBalancer`` as moto 5.2.5 models it, with the attributes
CloudFormation gives it.

moto's load balancer raises ``NotImplementedError`` for ``Fn::GetAtt ... LoadBalancerFullName``
(and ``CanonicalHostedZoneID``, ``SecurityGroups``), which moto's CloudFormation logs and then
leaves the ``Fn::GetAtt`` unresolved: a CloudWatch alarm's ``LoadBalancer`` dimension became
``{"Fn::GetAtt": [...]}``. moto's model also drops the template's ``Tags``, so ``week5 cleanup``
did not find the load balancer by the day's tags (nor priced it), and its
``LoadBalancerAttributes`` (every lab's ALB lacked ``routing.http.drop_invalid_header_fields.enabled``
true). This model creates the load balancer with moto's own model, tags it, sets its attributes
with moto's ``ModifyLoadBalancerAttributes`` (which checks a name against moto's own list,
not AWS's: it lacks some, e.g. ``health_check_logs.s3.bucket``, which would fail the stack here;
no lab sets one; and it checks no value), and wraps it: ``Ref`` gives the ARN, ``Fn::GetAtt`` gives all five attributes, a stack
update sets the attributes the new template lists (AWS updates them in place; the load
balancer's other properties stay as they were, as with every type moto cannot update), deletion
is moto's. Delete this module when moto's model gives them (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from typing import Any, Dict

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel
from moto.elbv2.models import FakeLoadBalancer, elbv2_backends

from ._common import Wrapper, add_elbv2_tags, tag_list

CLOUDFORMATION_TYPE = "AWS::ElasticLoadBalancingV2::LoadBalancer"
ATTRIBUTES = (
    "DNSName",
    "LoadBalancerName",
    "LoadBalancerFullName",
    "CanonicalHostedZoneID",
    "SecurityGroups",
)


def set_attributes(
    account_id: str, region_name: str, resource: FakeLoadBalancer, properties: Dict[str, Any]
) -> None:
    """Give the load balancer ``resource`` the ``LoadBalancerAttributes`` of its template
    (``properties``) through moto's backend, which raises on a name moto's list lacks."""
    attributes = {a["Key"]: str(a["Value"]) for a in properties.get("LoadBalancerAttributes") or []}
    if attributes:
        elbv2_backends[account_id][region_name].modify_load_balancer_attributes(
            resource.arn, attributes
        )


class ELBv2LoadBalancer(Wrapper, CloudFormationModel):
    MOTO_MODEL = FakeLoadBalancer
    resource: FakeLoadBalancer

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ATTRIBUTES

    @property
    def physical_resource_id(self) -> str:
        return self.resource.arn

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        lb = self.resource
        if attribute_name == "DNSName":
            return lb.dns_name
        if attribute_name == "LoadBalancerName":
            return lb.name
        if attribute_name == "LoadBalancerFullName":  # app/NAME/ID
            return lb.arn.split(":loadbalancer/", 1)[1]
        if attribute_name == "CanonicalHostedZoneID":
            return lb.canonical_hosted_zone_id
        if attribute_name == "SecurityGroups":
            return list(lb.security_groups)
        raise UnformattedGetAttTemplateException()

    @classmethod
    def created(
        cls,
        resource: FakeLoadBalancer,
        properties: Dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "ELBv2LoadBalancer":
        add_elbv2_tags(account_id, region_name, resource.arn, tag_list(properties))
        set_attributes(account_id, region_name, resource, properties)
        return cls(resource)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: "ELBv2LoadBalancer",
        new_resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "ELBv2LoadBalancer":
        properties = cloudformation_json.get("Properties", {})
        set_attributes(account_id, region_name, original_resource.resource, properties)
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        self.resource.delete(account_id, region_name)
