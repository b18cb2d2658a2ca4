"""``AWS::ElasticLoadBalancingV2::LoadBalancer`` as moto 5.2.5 models it, with the attributes
CloudFormation gives it.

moto's load balancer raises ``NotImplementedError`` for ``Fn::GetAtt ... LoadBalancerFullName``
(and ``CanonicalHostedZoneID``, ``SecurityGroups``), which moto's CloudFormation logs and then
leaves the ``Fn::GetAtt`` unresolved: a CloudWatch alarm's ``LoadBalancer`` dimension became
``{"Fn::GetAtt": [...]}``. moto's model also drops the template's ``Tags``, so ``week5 cleanup``
did not find the load balancer by the day's tags (nor priced it). This model creates the load
balancer with moto's own model, tags it, and wraps it: ``Ref`` gives the ARN, ``Fn::GetAtt``
gives all five attributes, deletion is moto's. Delete this module when moto's model gives them
(tests/test_moto_models.py says when).
"""

from __future__ import annotations

from typing import Any, Dict

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel
from moto.elbv2.models import FakeLoadBalancer, elbv2_backends

from ._common import tag_list

CLOUDFORMATION_TYPE = "AWS::ElasticLoadBalancingV2::LoadBalancer"
ATTRIBUTES = (
    "DNSName",
    "LoadBalancerName",
    "LoadBalancerFullName",
    "CanonicalHostedZoneID",
    "SecurityGroups",
)


class ELBv2LoadBalancer(CloudFormationModel):
    """Registered after moto's own model for the type, so moto's model map picks this one."""

    def __init__(self, load_balancer: FakeLoadBalancer) -> None:
        self.load_balancer = load_balancer

    @staticmethod
    def cloudformation_name_type() -> str:
        return FakeLoadBalancer.cloudformation_name_type()

    @staticmethod
    def cloudformation_type() -> str:
        return CLOUDFORMATION_TYPE

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ATTRIBUTES

    @property
    def physical_resource_id(self) -> str:
        return self.load_balancer.arn

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        lb = self.load_balancer
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
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "ELBv2LoadBalancer":
        load_balancer = FakeLoadBalancer.create_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name, **kwargs
        )
        tags = tag_list(cloudformation_json.get("Properties", {}))
        if tags:
            elbv2_backends[account_id][region_name].add_tags([load_balancer.arn], tags)
        return cls(load_balancer)

    def delete(self, account_id: str, region_name: str) -> None:
        self.load_balancer.delete(account_id, region_name)

    def is_created(self) -> bool:
        return True
