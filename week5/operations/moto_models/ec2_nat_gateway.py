"""``AWS::EC2::NatGateway`` as moto 5.2.5 models it, with the template's tags.

moto's model passes only ``SubnetId`` and ``AllocationId`` to its EC2 backend: the gateway was
made without its ``Tags`` (Name, Week, Day, Lab, Student), so ``week5 audit`` of a lab deployed
into the emulator failed on the NAT gateway's tags, and ``week5 status``/``cleanup`` did not
find it by them. This model makes the gateway with moto's backend as moto's model does, with
the tags and ``ConnectivityType`` the template gives, and returns moto's gateway: ``Ref``,
``Fn::GetAtt`` and deletion are moto's. Delete this module when moto's model reads the tags
(tests/test_moto_models.py says when).
"""

from __future__ import annotations

from typing import Any, Dict

from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends
from moto.ec2.models.nat_gateways import NatGateway

from ._common import tag_list

CLOUDFORMATION_TYPE = "AWS::EC2::NatGateway"


class EC2NatGateway(CloudFormationModel):
    """Registered after moto's own model for the type, so moto's model map picks this one."""

    @staticmethod
    def cloudformation_name_type() -> str:
        return NatGateway.cloudformation_name_type()

    @staticmethod
    def cloudformation_type() -> str:
        return CLOUDFORMATION_TYPE

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return NatGateway.has_cfn_attr(attr)

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls,
        resource_name: str,
        cloudformation_json: Dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> NatGateway:
        p = cloudformation_json["Properties"]
        return ec2_backends[account_id][region_name].create_nat_gateway(
            p["SubnetId"],
            p.get("AllocationId"),  # a private gateway has none
            tags={t["Key"]: t["Value"] for t in tag_list(p)},
            connectivity_type=p.get("ConnectivityType", "public"),
        )

    def is_created(self) -> bool:
        return True
