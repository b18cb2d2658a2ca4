"""An EC2 resource deleted through EC2's own API takes its tags with it, as on AWS
(week5/operations/moto_models/ec2_api_deleted_tags.py): a released Elastic IP, a deleted
interface, security group and volume are gone from ``DescribeTags`` (moto kept them there, and
the shared emulator's destroy check read a test's released address as the lab's, left behind).
"""

from __future__ import annotations

import own_emulator
import pytest
from own_emulator import PUBLIC_NETWORK, REGION, cdk_deploy

#: The file's own emulator (tests/own_emulator.py), by the names the tests use.
emulator = own_emulator.emulator
aws = own_emulator.aws

TAGS = [{"Key": "Week", "Value": "Week5"}, {"Key": "Student", "Value": "park"}]


def spec(kind: str):
    return [{"ResourceType": kind, "Tags": TAGS}]


def tagged(ec2, resource_id: str):
    return ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [resource_id]}])["Tags"]


def made_by_hand(ec2, subnet: str, vpc: str):
    """(kind, id, delete) of each: an Elastic IP, an interface, a group and a volume."""
    address = ec2.allocate_address(Domain="vpc", TagSpecifications=spec("elastic-ip"))
    interface = ec2.create_network_interface(
        SubnetId=subnet, TagSpecifications=spec("network-interface")
    )["NetworkInterface"]["NetworkInterfaceId"]
    group = ec2.create_security_group(
        GroupName="by-hand", Description="by hand", VpcId=vpc, TagSpecifications=spec("security-group")
    )["GroupId"]
    volume = ec2.create_volume(
        AvailabilityZone=f"{REGION}a", Size=1, TagSpecifications=spec("volume")
    )["VolumeId"]
    return [
        ("address", address["AllocationId"],
         lambda: ec2.release_address(AllocationId=address["AllocationId"])),
        ("interface", interface, lambda: ec2.delete_network_interface(NetworkInterfaceId=interface)),
        ("group", group, lambda: ec2.delete_security_group(GroupId=group)),
        ("volume", volume, lambda: ec2.delete_volume(VolumeId=volume)),
    ]  # fmt: skip


def test_what_is_deleted_through_ec2s_api_takes_its_tags(aws):
    ec2 = aws("ec2")
    physical = cdk_deploy(aws, "week5-park-Day1Lab1", {"Resources": PUBLIC_NETWORK})
    made = made_by_hand(ec2, physical["Public"], physical["Vpc"])
    assert all(tagged(ec2, resource_id) for _, resource_id, _ in made)
    for kind, resource_id, delete in made:
        delete()
        assert tagged(ec2, resource_id) == [], kind


def test_moto_alone_still_keeps_the_tags_of_what_its_api_deleted():
    """When this fails, moto drops them itself: delete ec2_api_deleted_tags.py."""
    import boto3
    from moto import mock_aws

    from week5.operations.moto_models import ec2_api_deleted_tags as patch
    from moto.ec2.models.elastic_ip_addresses import ElasticAddressBackend

    with mock_aws(), pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(ElasticAddressBackend, "release_address", patch.MOTO_RELEASE_ADDRESS)
        ec2 = boto3.client("ec2", region_name=REGION)
        address = ec2.allocate_address(Domain="vpc", TagSpecifications=spec("elastic-ip"))
        ec2.release_address(AllocationId=address["AllocationId"])
        assert tagged(ec2, address["AllocationId"])
