"""A VPC that still holds a security group or an internet gateway refused deletion, as on AWS.

Written against moto 5.2.5, whose ``DeleteVpc`` refuses while a subnet, an attached VPN gateway
or a route table other than the main one is in the VPC, but deletes it with any security group
still in it (it deletes the default one alone; the others are left pointing at a VPC that no
longer exists) and with an internet gateway (a ``TODO`` in its code) or an egress-only one
still attached:
- an instructor trial: a tagged security group made by hand in a deployed Day4Lab1's VPC, then
  ``scripts/cdk.py destroy`` said ``✅ destroyed`` on the emulator. AWS refuses ``DeleteVpc``
  with ``DependencyViolation`` ("The vpc 'vpc-..' has dependencies and cannot be deleted."), and
  the stack ends ``DELETE_FAILED`` on its VPC (:mod:`.stack_delete_failed`), as ``week5
  cleanup`` predicts (what holds a VPC: ``vpcs`` in week5/operations/cleanup/network.py);
- moto words its VPN gateway and route table refusals "The vpc vpc-.. has dependencies ...",
  without AWS's quotes.
:func:`install` makes ``DeleteVpc`` (the API's and a stack's deletion of an ``AWS::EC2::VPC``,
which calls it) refuse while a security group other than the VPC's default one is in it or an
internet gateway or egress-only internet gateway is attached to it, and words each of moto's
refusals as AWS does. A network interface is in a subnet, which moto's refusal covers (and
:mod:`.ec2_subnet_dependencies` keeps the subnet while the interface is in it). Delete this
module when moto refuses so (tests/test_emulator_vpc_dependencies.py says when).
"""

from __future__ import annotations

from typing import List

from moto.ec2.exceptions import DependencyViolationError
from moto.ec2.models.vpcs import VPC, VPCBackend

from ._common import moto_own

#: moto's own, read before :func:`install` (tests/test_emulator_vpc_dependencies.py runs it to
#: tell when moto no longer needs this module).
MOTO_OWN = moto_own(VPCBackend, "delete_vpc")


def dependencies(backend: VPCBackend, vpc_id: str) -> List[str]:
    """The ids of what keeps the VPC from deletion that moto's ``DeleteVpc`` does not check:
    its security groups other than its default one, the internet gateways and egress-only
    internet gateways attached to it."""
    groups = [
        group.id
        for group in backend.groups.get(vpc_id, {}).values()  # type: ignore[attr-defined]
        if not group.is_default
    ]
    gateways = [
        igw.id
        for igw in backend.internet_gateways.values()  # type: ignore[attr-defined]
        if igw.vpc is not None and igw.vpc.id == vpc_id
    ]
    egress_only = [
        igw.id
        for igw in backend.egress_only_internet_gateways.values()  # type: ignore[attr-defined]
        if igw.vpc_id == vpc_id
    ]
    return groups + gateways + egress_only


def refusal(vpc_id: str) -> DependencyViolationError:
    """AWS's refusal of the VPC's deletion."""
    return DependencyViolationError(f"The vpc '{vpc_id}' has dependencies and cannot be deleted.")


def delete_vpc(self: VPCBackend, vpc_id: str) -> VPC:
    """moto's, refused while the VPC holds a security group of its own or an internet gateway
    (or an egress-only one) is attached to it; each refusal worded as AWS words it."""
    if vpc_id in self.vpcs and dependencies(self, vpc_id):
        raise refusal(vpc_id)
    try:
        return MOTO_OWN(self, vpc_id)
    except DependencyViolationError as error:
        raise refusal(vpc_id) from error


def install() -> None:
    """Patch moto's ``DeleteVpc`` as the module's docstring says (idempotent, also after a
    reload of this module)."""
    VPCBackend.delete_vpc = delete_vpc  # type: ignore[method-assign]
