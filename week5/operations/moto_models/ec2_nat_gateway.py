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

moto's ``DeleteNatGateway`` (``aws ec2 delete-nat-gateway``) only marks the gateway deleted: its
interface stayed in the subnet ("available", its Elastic IP still associated), so a later
``cdk destroy`` of Day1Lab2 ended ``DELETE_FAILED`` ("The subnet '...' has dependencies",
:mod:`.ec2_subnet_dependencies`) and ``week5 cleanup`` waited on the gateway. :func:`install`
makes it delete the interface too, once, the address disassociated first, as AWS does; an unknown
gateway gets AWS's ``NatGatewayNotFound`` (moto's failed with a server error). Delete this too
when moto does so (tests/test_emulator_nat_cloudfront.py says when).
"""

from __future__ import annotations

from typing import Any, Dict

from moto.core.common_models import CloudFormationModel
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models import ec2_backends
from moto.ec2.models.nat_gateways import NatGateway, NatGatewayBackend

from ._common import WithDeletion, moto_own, tag_list

CLOUDFORMATION_TYPE = "AWS::EC2::NatGateway"


#: moto's own, read before :func:`install` (tests/test_emulator_nat_cloudfront.py runs it to tell
#: when moto no longer needs the patch).
MOTO_DELETE_NAT_GATEWAY = moto_own(NatGatewayBackend, "delete_nat_gateway")


def delete_nat_gateway(self: NatGatewayBackend, nat_gateway_id: str) -> NatGateway:
    """moto's, with the gateway's network interface deleted the first time (its Elastic IP
    disassociated from it first), and ``NatGatewayNotFound`` for a gateway there never was."""
    gateway = self.nat_gateways.get(nat_gateway_id)
    if gateway is None:
        raise EC2ClientError(
            "NatGatewayNotFound", f"The Nat Gateway {nat_gateway_id} was not found"
        )
    eni = gateway._eni
    if gateway.state != "deleted" and eni.id in self.enis:  # type: ignore[attr-defined]
        for address in self.addresses:  # type: ignore[attr-defined]
            if address.eni is eni:
                self.disassociate_address(address=address.public_ip)  # type: ignore[attr-defined]
        self.delete_network_interface(eni.id)  # type: ignore[attr-defined]
    return MOTO_DELETE_NAT_GATEWAY(self, nat_gateway_id)


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
        delete_nat_gateway(backend, physical_id)  # its interface too, installed or not


def install() -> None:
    """Patch moto's ``DeleteNatGateway`` as the module's docstring says (idempotent, also after
    a reload of this module)."""
    NatGatewayBackend.delete_nat_gateway = delete_nat_gateway  # type: ignore[method-assign]
