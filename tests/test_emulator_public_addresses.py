"""The emulator's public IPv4 addresses come from the documentation ranges (RFC 5737), none
handed out twice while in use (week5/operations/moto_models/ec2_public_addresses.py).

A student trial (`week5 local`): Day3Lab2's ``CompareCommand`` output printed ``curl
http://54.214.89.28/...``: moto 5.2.5 gives an instance's public address from 54.214.0.0/16, a
real one someone else holds, so a student pasting the command reached a stranger's server; its
Elastic IPs (so NAT gateways) came from 127.0.0.0/8, this machine's own.

Through the real emulator (moto's server with the project's models, started as `week5 local`
starts it), with boto3: a stack deployed as the CDK CLI deploys (a change set) with a public
instance, an Elastic IP and a NAT gateway, and addresses allocated by hand.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Dict, List

import own_emulator
import pytest
from botocore.exceptions import ClientError
from own_emulator import AMI, PUBLIC_NETWORK, cdk_deploy, documentation

#: The file's own emulator (tests/own_emulator.py), by the names the tests use.
emulator = own_emulator.emulator
aws = own_emulator.aws

STACK = "week5-park-Day3Lab2"
POOL_SIZE = 3 * 254
RESOURCES: Dict[str, Any] = {
    **PUBLIC_NETWORK,
    # a public lab host as CDK writes it (``associate_public_ip_address=True``)
    "Web": {
        "Type": "AWS::EC2::Instance",
        "Properties": {
            "ImageId": AMI,
            "InstanceType": "t3.micro",
            "NetworkInterfaces": [
                {
                    "AssociatePublicIpAddress": True,
                    "DeviceIndex": "0",
                    "SubnetId": {"Ref": "Public"},
                }
            ],
        },
    },
    "NatAddress": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}},
    "Nat": {
        "Type": "AWS::EC2::NatGateway",
        "Properties": {
            "SubnetId": {"Ref": "Public"},
            "AllocationId": {"Fn::GetAtt": ["NatAddress", "AllocationId"]},
        },
    },
    "Spare": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}},
}


def instance(aws, instance_id: str) -> Dict[str, Any]:
    (reservation,) = aws("ec2").describe_instances(InstanceIds=[instance_id])["Reservations"]
    return reservation["Instances"][0]


def elastic_ips(aws) -> List[str]:
    return [a["PublicIp"] for a in aws("ec2").describe_addresses()["Addresses"]]


def test_deployed_instances_elastic_ips_and_nat_gateways_get_documentation_addresses(aws):
    physical = cdk_deploy(aws, STACK, {"Resources": RESOURCES})
    web = instance(aws, physical["Web"])
    (nat,) = aws("ec2").describe_nat_gateways(NatGatewayIds=[physical["Nat"]])["NatGateways"]
    (nat_address,) = nat["NatGatewayAddresses"]
    addresses = {
        "instance": web["PublicIpAddress"],
        "instance's interface": web["NetworkInterfaces"][0]["Association"]["PublicIp"],
        "NAT gateway": nat_address["PublicIp"],
        **{a["AllocationId"]: a["PublicIp"] for a in aws("ec2").describe_addresses()["Addresses"]},
    }
    assert [k for k, v in addresses.items() if not documentation(v)] == [], addresses
    # three, each its own: the instance's (its interface's), the NAT gateway's (its Elastic
    # IP's) and the spare Elastic IP's (its Ref)
    assert len(set(addresses.values())) == 3, addresses
    assert addresses["instance"] == addresses["instance's interface"]
    assert addresses[nat_address["AllocationId"]] == nat_address["PublicIp"]
    others = set(addresses.values()) - {addresses["instance"], nat_address["PublicIp"]}
    assert physical["Spare"] in others
    # private addresses stay moto's: the instance's in its subnet (the NAT gateway's, moto's
    # random 10.x.y.z, is not in its subnet on the emulator)
    assert ipaddress.ip_address(web["PrivateIpAddress"]) in ipaddress.ip_network("10.0.1.0/24")
    assert ipaddress.ip_address(nat_address["PrivateIp"]) in ipaddress.ip_network("10.0.0.0/8")


def test_instances_and_addresses_made_by_hand_get_them_too(aws):
    physical = cdk_deploy(aws, STACK, {"Resources": RESOURCES})
    ec2 = aws("ec2")
    launched = ec2.run_instances(
        ImageId=AMI,
        InstanceType="t3.micro",
        MinCount=3,
        MaxCount=3,
        NetworkInterfaces=[
            {"DeviceIndex": 0, "SubnetId": physical["Public"], "AssociatePublicIpAddress": True}
        ],
    )["Instances"]
    ids = [i["InstanceId"] for i in launched]
    public = [instance(aws, i)["PublicIpAddress"] for i in ids]
    allocated = [ec2.allocate_address(Domain="vpc")["PublicIp"] for _ in range(3)]
    assert [a for a in public + allocated if not documentation(a)] == []
    assert len(set(public + allocated + elastic_ips(aws))) == len(elastic_ips(aws)) + 3
    # a stopped instance loses its address, and gets one nothing else holds when started
    ec2.stop_instances(InstanceIds=ids[:1])
    assert "PublicIpAddress" not in instance(aws, ids[0])
    ec2.start_instances(InstanceIds=ids[:1])
    again = instance(aws, ids[0])["PublicIpAddress"]
    assert documentation(again)
    assert again not in public[1:] + elastic_ips(aws)


def test_no_address_is_handed_out_twice_while_in_use(aws):
    ec2 = aws("ec2")
    allocations = [ec2.allocate_address(Domain="vpc") for _ in range(POOL_SIZE)]
    held = [a["PublicIp"] for a in allocations]
    assert len(set(held)) == POOL_SIZE
    assert all(documentation(a) for a in held)
    assert {a.rsplit(".", 1)[1] for a in held} == {str(n) for n in range(1, 255)}
    # all in use: refused, as AWS refuses an allocation over the account's limit
    with pytest.raises(ClientError) as refused:
        ec2.allocate_address(Domain="vpc")
    assert refused.value.response["Error"]["Code"] == "AddressLimitExceeded"
    # one released: the next allocation gets that one, the one free
    ec2.release_address(AllocationId=allocations[7]["AllocationId"])
    assert ec2.allocate_address(Domain="vpc")["PublicIp"] == held[7]


def test_moto_alone_still_draws_real_and_loopback_addresses():
    from week5.operations.moto_models import ec2_public_addresses as patch

    drawn = [patch.MOTO_OWN["public_ip"]() for _ in range(20)]
    assert all(ipaddress.ip_address(a) in ipaddress.ip_network("54.214.0.0/16") for a in drawn), (
        "moto now draws instances' public addresses elsewhere: check them, maybe delete the patch"
    )
    assert all(ipaddress.ip_address(patch.MOTO_OWN["elastic_ip"]()).is_loopback for _ in range(20))
