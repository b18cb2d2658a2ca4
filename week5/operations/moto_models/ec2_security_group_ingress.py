"""``AWS::EC2::SecurityGroupIngress`` as moto 5.2.5 models it, with every source CloudFormation
takes, and its deletion.

moto's model asserts a source among ``CidrIp``, ``CidrIpv6``, ``SourceSecurityGroupId`` and
``SourceSecurityGroupName``, and passes on only the IPv4 range and the group: a rule from a
managed prefix list (``SourcePrefixListId``: the ALB that admits only CloudFront's origin-facing
servers) failed with a bare ``AssertionError``, and an IPv6 range was dropped. It also has no
deletion, so ``cdk destroy`` left the rule. This model authorizes the rule through moto's EC2
backend with all four kinds of source, ``Ref`` gives the rule's id (``sgr-...``) as on AWS, and
deleting the stack revokes it. Delete this module when moto's model takes them
(tests/test_moto_models.py says when).
"""

from __future__ import annotations

from typing import Any, Dict, List

from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends

CLOUDFORMATION_TYPE = "AWS::EC2::SecurityGroupIngress"


class EC2SecurityGroupIngress(CloudFormationModel):
    """Registered after moto's own model for the type, so moto's model map picks this one."""

    def __init__(self, group_id: str, rule_ids: List[str]) -> None:
        self.group_id = group_id
        self.rule_ids = rule_ids

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
        return self.rule_ids[0]

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return self.rule_ids[0]

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "EC2SecurityGroupIngress":
        p = cloudformation_json["Properties"]
        backend = ec2_backends[account_id][region_name]
        described = {"Description": p["Description"]} if "Description" in p else {}
        ip_ranges = [{"CidrIp": p["CidrIp"], **described}] if "CidrIp" in p else []
        ip_ranges += [{"CidrIpv6": p["CidrIpv6"], **described}] if "CidrIpv6" in p else []
        source_groups = []
        if "SourceSecurityGroupId" in p:
            source_groups.append({"GroupId": p["SourceSecurityGroupId"], **described})
        if "SourceSecurityGroupName" in p:
            source_groups.append({"GroupName": p["SourceSecurityGroupName"], **described})
        prefix_lists = (
            [{"PrefixListId": p["SourcePrefixListId"], **described}]
            if "SourcePrefixListId" in p
            else []
        )
        group = p.get("GroupId") or p["GroupName"]
        rules, security_group = backend.authorize_security_group_ingress(
            group_name_or_id=group,
            ip_protocol=str(p["IpProtocol"]),
            from_port=p.get("FromPort"),
            to_port=p.get("ToPort"),
            ip_ranges=ip_ranges,
            source_groups=source_groups,
            prefix_list_ids=prefix_lists,
        )
        return cls(security_group.id, [rule.id for rule in rules])

    def delete(self, account_id: str, region_name: str) -> None:
        backend = ec2_backends[account_id][region_name]
        if backend.get_security_group_from_id(self.group_id) is None:
            return  # moto deletes in no particular order: the group went first, with the rule
        backend.revoke_security_group_ingress(
            group_name_or_id=self.group_id,
            ip_protocol=None,
            from_port=None,
            to_port=None,
            ip_ranges=[],
            security_rule_ids=self.rule_ids,
        )

    def is_created(self) -> bool:
        return True
