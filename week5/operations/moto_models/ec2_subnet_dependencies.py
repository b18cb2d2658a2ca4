"""A subnet that holds network interfaces refused deletion, and an instance's own interfaces
deleted with it, as on AWS.

Written against moto 5.2.5, whose ``DeleteSubnet`` deletes a subnet whatever it holds, and whose
``RunInstances`` gives an instance launched without ``NetworkInterfaces`` (``aws ec2
run-instances --subnet-id``) a primary interface that its termination keeps "in-use":
- ``cdk destroy`` of Day4Lab1 succeeded with an instance made by hand still running in the
  lab's public subnet: the subnet and the VPC went from under it. AWS refuses with
  ``DependencyViolation`` ("The subnet 'subnet-..' has dependencies and cannot be deleted.")
  and the stack ends ``DELETE_FAILED`` (:mod:`.stack_delete_failed`);
- after ``aws ec2 terminate-instances`` the instance's interface stayed, where AWS deletes the
  interfaces it created for an instance at launch with the instance.
:func:`install` makes ``DeleteSubnet`` (the API's and a stack's deletion) refuse while a network
interface is in the subnet (an instance's, a NAT gateway's, an endpoint's, one made by hand),
with AWS's code and message; ``DeleteVpc`` then refuses too, as moto's refuses while a subnet is
in the VPC ("The vpc 'vpc-..' has dependencies and cannot be deleted."). And it marks the
interfaces ``RunInstances`` creates for an instance, unless the request says
``DeleteOnTermination`` false, to be deleted on its termination (an interface the request names
by id keeps its own setting). Delete this module when moto does both
(tests/test_emulator_refusals.py says when).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from moto.ec2.exceptions import DependencyViolationError
from moto.ec2.models.instances import Instance
from moto.ec2.models.subnets import Subnet, SubnetBackend

#: moto's own, read before :func:`install` (tests/test_emulator_refusals.py runs them to tell
#: when moto no longer needs this module).
MOTO_DELETE_SUBNET = SubnetBackend.delete_subnet
MOTO_PREP_NICS = Instance.prep_nics


def delete_subnet(self: SubnetBackend, subnet_id: str) -> Subnet:
    """moto's, refused while a network interface is in the subnet."""
    enis = self.get_all_network_interfaces(filters={"subnet-id": [subnet_id]})  # type: ignore[attr-defined]
    if enis:
        raise DependencyViolationError(
            f"The subnet '{subnet_id}' has dependencies and cannot be deleted."
        )
    return MOTO_DELETE_SUBNET(self, subnet_id)


def prep_nics(
    self: Instance,
    nic_spec: List[Dict[str, Any]],
    private_ip: Optional[str] = None,
    associate_public_ip: Optional[bool] = None,
    security_groups: Optional[List[Any]] = None,
    ipv6_address_count: Optional[int] = None,
) -> None:
    """moto's, with the interfaces it created deleted on the instance's termination unless the
    request said otherwise."""
    named = {int(n["DeviceIndex"]) for n in nic_spec if n.get("NetworkInterfaceId")}
    kept = {
        int(n["DeviceIndex"])
        for n in nic_spec
        if str(n.get("DeleteOnTermination")).lower() == "false"
    }
    MOTO_PREP_NICS(
        self, nic_spec, private_ip, associate_public_ip, security_groups, ipv6_address_count
    )
    for index, nic in self.nics.items():
        if index not in named and index not in kept:
            nic.delete_on_termination = True


def install() -> None:
    """Patch moto's ``DeleteSubnet`` and instance launch as the module's docstring says
    (idempotent)."""
    SubnetBackend.delete_subnet = delete_subnet  # type: ignore[method-assign]
    Instance.prep_nics = prep_nics  # type: ignore[method-assign]
