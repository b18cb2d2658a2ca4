"""The tags of an EC2 resource deleted through EC2's own API, dropped with it, as AWS does.

Written against moto 5.2.5, whose EC2 backend keeps its tags in a table of their own that no
deletion clears (:mod:`.deleted_ec2_tags` drops them for a stack's deletions): an Elastic IP a
student released by hand (``aws ec2 release-address``, a guide's clean-up step), an interface,
a security group or a volume deleted by hand stayed in EC2's ``DescribeTags`` with the lab's
Week/Day/Lab/Student tags, as if left behind (the shared emulator's destroy check read a test's
released address as the lab's). :func:`install` makes ``ReleaseAddress``,
``DeleteNetworkInterface``, ``DeleteSecurityGroup`` and ``DeleteVolume`` drop the deleted
resource's tags. Delete this module when moto's deletions drop them (tests/test_emulator_api_deleted_tags.py
says when).
"""

from __future__ import annotations

from typing import Any, List, Optional

from moto.ec2.models.elastic_block_store import EBSBackend
from moto.ec2.models.elastic_ip_addresses import ElasticAddressBackend
from moto.ec2.models.elastic_network_interfaces import NetworkInterfaceBackend
from moto.ec2.models.security_groups import SecurityGroupBackend

#: moto's own, read before :func:`install` (tests/test_emulator_api_deleted_tags.py runs them to
#: tell when moto no longer needs this module).
MOTO_RELEASE_ADDRESS = ElasticAddressBackend.release_address
MOTO_DELETE_NETWORK_INTERFACE = NetworkInterfaceBackend.delete_network_interface
MOTO_DELETE_SECURITY_GROUP = SecurityGroupBackend.delete_security_group
MOTO_DELETE_VOLUME = EBSBackend.delete_volume


def _drop_tags(backend: Any, resource_ids: List[str]) -> None:
    for resource_id in resource_ids:
        tags = backend.describe_tags(filters={"resource-id": [resource_id]})
        backend.delete_tag_keys([resource_id], [tag["key"] for tag in tags])


def release_address(
    self: Any, address: Optional[str] = None, allocation_id: Optional[str] = None
) -> None:
    """moto's, then the address's tags (kept by its allocation id) dropped."""
    ids = [allocation_id] if allocation_id else []
    if address and not allocation_id:
        ids = [eip.allocation_id for eip in self.address_by_ip([address]) if eip.allocation_id]
    MOTO_RELEASE_ADDRESS(self, address=address, allocation_id=allocation_id)
    _drop_tags(self, ids)


def delete_network_interface(self: Any, eni_id: str) -> None:
    """moto's, then the interface's tags dropped."""
    MOTO_DELETE_NETWORK_INTERFACE(self, eni_id)
    _drop_tags(self, [eni_id])


def delete_security_group(
    self: Any, name: Optional[str] = None, group_id: Optional[str] = None
) -> None:
    """moto's, then the group's tags dropped (a group named, not given by id: its id first)."""
    ids = [group_id] if group_id else []
    if name and not group_id:
        found = self.get_security_group_from_name(name)
        ids = [found.id] if found is not None else []
    MOTO_DELETE_SECURITY_GROUP(self, name=name, group_id=group_id)
    _drop_tags(self, ids)


def delete_volume(self: Any, volume_id: str) -> Any:
    """moto's, then the volume's tags dropped."""
    deleted = MOTO_DELETE_VOLUME(self, volume_id)
    _drop_tags(self, [volume_id])
    return deleted


def install() -> None:
    """Patch moto's EC2 deletions as the module's docstring says (idempotent)."""
    ElasticAddressBackend.release_address = release_address  # type: ignore[method-assign]
    NetworkInterfaceBackend.delete_network_interface = delete_network_interface  # type: ignore[method-assign]
    SecurityGroupBackend.delete_security_group = delete_security_group  # type: ignore[method-assign]
    EBSBackend.delete_volume = delete_volume  # type: ignore[method-assign]
