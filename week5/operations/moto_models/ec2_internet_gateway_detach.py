"""An internet gateway kept attached while its VPC maps a public address, as on AWS.

Written against moto 5.2.5, whose ``DetachInternetGateway`` detaches a gateway whatever its VPC
holds: ``cdk destroy`` of Day1Lab1 with an instance launched by hand (``aws ec2 run-instances
--subnet-id``, a public IP) into the lab's public subnet ended with the stack's
``VPCGatewayAttachment`` and internet gateway ``DELETE_COMPLETE``, only the subnet and the VPC
failed (a student trial). AWS refuses the detach with ``DependencyViolation`` ("Network vpc-..
has some mapped public address(es). Please unmap those public address(es) before detaching the
gateway.") while a network interface in the VPC has a public IPv4 address (its own or an
Elastic IP's), so the attachment and the gateway fail too and the stack's ``DELETE_FAILED``
names them (:mod:`.stack_delete_failed`); ``week5 cleanup`` already orders its deletions so
(week5/operations/cleanup/network.py). :func:`install` makes moto's detach (the API's, and the
stack's deletion of an ``AWS::EC2::VPCGatewayAttachment``, which calls it) refuse so, with AWS's
code and message. An instance's own public IP goes when it stops or terminates (moto, as AWS,
unmaps it then); an Elastic IP stays mapped until it is disassociated or released. Delete this
module when moto refuses so (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from moto.ec2.exceptions import DependencyViolationError
from moto.ec2.models.internet_gateways import InternetGatewayBackend

from ._common import moto_own

#: moto's own, read before :func:`install` (tests/test_moto_models.py runs it to tell when moto
#: no longer needs this module).
MOTO_OWN = moto_own(InternetGatewayBackend, "detach_internet_gateway")


def mapped_public_addresses(backend: InternetGatewayBackend, vpc_id: str) -> list:
    """The public IPv4 addresses the network interfaces in the VPC hold."""
    return [
        eni.public_ip
        for eni in backend.enis.values()  # type: ignore[attr-defined]
        if eni.public_ip and eni.subnet is not None and eni.subnet.vpc_id == vpc_id
    ]


def detach_internet_gateway(
    self: InternetGatewayBackend, internet_gateway_id: str, vpc_id: str
) -> None:
    """moto's, refused while the VPC maps a public address (the gateway attached to it)."""
    igw = self.get_internet_gateway(internet_gateway_id)
    if igw.vpc is not None and igw.vpc.id == vpc_id and mapped_public_addresses(self, vpc_id):
        raise DependencyViolationError(
            f"Network {vpc_id} has some mapped public address(es). Please unmap those public "
            "address(es) before detaching the gateway."
        )
    MOTO_OWN(self, internet_gateway_id, vpc_id)


def install() -> None:
    """Patch moto's ``DetachInternetGateway`` as the module's docstring says (idempotent, also
    after a reload of this module)."""
    InternetGatewayBackend.detach_internet_gateway = (  # type: ignore[method-assign]
        detach_internet_gateway
    )
