"""``AWS::EC2::NatGateway`` as moto 5.2.5 models it, with the template's tags and its deletion.

moto's model passes only ``SubnetId`` and ``AllocationId`` to its EC2 backend: the gateway was
made without its ``Tags`` (Name, Week, Day, Lab, Student), so ``week5 audit`` of a lab deployed
into the emulator failed on the NAT gateway's tags, and ``week5 status``/``cleanup`` did not
find it by them. It has no deletion either: ``cdk destroy`` left the gateway available. This
model makes the gateway with moto's backend as moto's model does, with the tags and
``ConnectivityType`` the template gives, and returns moto's gateway (``Ref`` and ``Fn::GetAtt``
are moto's); deleting the stack deletes it through moto's backend (its state becomes
``deleted``, as on AWS) with the network interface moto made for it, which AWS deletes with the
gateway. Delete this module when moto's model reads the tags and deletes the gateway
(tests/test_moto_models.py says when).
"""

from __future__ import annotations

from typing import Any, Dict

from moto.core.common_models import CloudFormationModel
from moto.ec2.exceptions import InvalidNetworkInterfaceIdError
from moto.ec2.models import ec2_backends
from moto.ec2.models.nat_gateways import NatGateway

from ._common import WithDeletion, tag_list

CLOUDFORMATION_TYPE = "AWS::EC2::NatGateway"


class EC2NatGateway(WithDeletion, CloudFormationModel):
    MOTO_MODEL = NatGateway

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

    @classmethod
    def delete_resource(cls, physical_id: str, account_id: str, region_name: str) -> None:
        backend = ec2_backends[account_id][region_name]
        found = backend.describe_nat_gateways(filters=None, nat_gateway_ids=[physical_id])
        if not found or found[0].state == "deleted":
            return
        gateway = backend.delete_nat_gateway(physical_id)
        for address in gateway.nat_gateway_addresses:
            try:
                backend.delete_network_interface(address["networkInterfaceId"])
            except InvalidNetworkInterfaceIdError:
                pass
