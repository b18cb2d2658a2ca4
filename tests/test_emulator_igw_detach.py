"""The emulator keeps an internet gateway attached while its VPC maps a public address, as AWS
does (week5/operations/moto_models/ec2_internet_gateway_detach.py): ``DetachInternetGateway``
is refused (``DependencyViolation``), and so a stack's deletion of its
``AWS::EC2::VPCGatewayAttachment`` fails and the stack ends ``DELETE_FAILED`` naming the
attachment and the gateway with the subnet and the VPC (a student trial's ``cdk destroy`` of
Day1Lab1 with an instance made by hand: moto deleted the attachment and the gateway).

Through boto3 against an in-process moto with the package loaded, as
tests/test_emulator_refusals.py does. The module is installed here as the package's ``load()``
installs each of its ``PATCHES``; :func:`test_the_package_installs_the_refusal` says whether the
package names it (the moto server, ``week5 local``, loads only what ``PATCHES`` names).
"""

from __future__ import annotations

import functools
from typing import Tuple

import pytest
import moto_in_process
from moto_in_process import AMI, REGION, error, listed
from own_emulator import PUBLIC_NETWORK

from week5.operations.moto_models import ec2_internet_gateway_detach as refusal

#: The in-process moto's fixtures (tests/moto_in_process.py), by the names the tests use.
one_ami = moto_in_process.one_ami

TAGS = [{"Key": "Week", "Value": "Week5"}, {"Key": "Lab", "Value": "Day1Lab1"}]
STACK = "week5-park-Day1Lab1"
#: The lab's network as CDK makes it: a VPC, its internet gateway attached, a public subnet.
NETWORK = PUBLIC_NETWORK

lab_stack = functools.partial(moto_in_process.lab_stack, name=STACK, tags=TAGS)


aws = moto_in_process.aws


@pytest.fixture(autouse=True)
def installed(monkeypatch):
    """The refusal installed as ``load()`` installs it, for the test only (what was there is
    put back after)."""
    from moto.ec2.models.internet_gateways import InternetGatewayBackend

    monkeypatch.setattr(
        InternetGatewayBackend,
        "detach_internet_gateway",
        InternetGatewayBackend.detach_internet_gateway,
    )
    refusal.install()


def attached_network(aws) -> Tuple[str, str, str]:
    """A VPC with its internet gateway attached and a subnet; (VPC, gateway, subnet)."""
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone=f"{REGION}a")[
        "Subnet"
    ]["SubnetId"]
    return vpc, igw, subnet


def by_hand(aws, subnet_id: str, public: bool) -> str:
    """An instance launched as ``aws ec2 run-instances --subnet-id ... [--associate-public-ip-
    address]`` does; its id."""
    (instance,) = aws("ec2").run_instances(
        ImageId=AMI,
        InstanceType="t3.micro",
        MinCount=1,
        MaxCount=1,
        NetworkInterfaces=[
            {"DeviceIndex": 0, "SubnetId": subnet_id, "AssociatePublicIpAddress": public}
        ],
    )["Instances"]
    return instance["InstanceId"]


def mapped(vpc: str) -> Tuple[str, str]:
    """AWS's refusal of the detach."""
    return (
        "DependencyViolation",
        f"Network {vpc} has some mapped public address(es). Please unmap those public "
        "address(es) before detaching the gateway.",
    )


def attachments(aws, igw: str) -> list:
    (gateway,) = aws("ec2").describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"]
    return [a["VpcId"] for a in gateway["Attachments"]]


def test_detach_is_refused_while_an_instance_has_a_public_ip(aws):
    vpc, igw, subnet = attached_network(aws)
    instance = by_hand(aws, subnet, public=True)
    ec2 = aws("ec2")
    assert error(lambda: ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)) == (
        mapped(vpc)
    )
    assert attachments(aws, igw) == [vpc]
    ec2.terminate_instances(InstanceIds=[instance])  # its public IP goes with it
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    assert attachments(aws, igw) == []


def test_an_elastic_ip_refuses_it_until_released_and_a_private_instance_never(aws):
    vpc, igw, subnet = attached_network(aws)
    ec2 = aws("ec2")
    instance = by_hand(aws, subnet, public=False)
    address = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=address, InstanceId=instance)
    assert error(lambda: ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)) == (
        mapped(vpc)
    )
    ec2.stop_instances(InstanceIds=[instance])  # an Elastic IP stays mapped on a stopped one
    assert error(lambda: ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)) == (
        mapped(vpc)
    )
    ec2.disassociate_address(
        AssociationId=ec2.describe_addresses(AllocationIds=[address])["Addresses"][0][
            "AssociationId"
        ]
    )
    ec2.release_address(AllocationId=address)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)  # the instance stays: private
    assert attachments(aws, igw) == []


def test_a_public_address_in_another_vpc_does_not_refuse_it(aws):
    vpc, igw, _ = attached_network(aws)
    ec2 = aws("ec2")
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    elsewhere = ec2.create_subnet(VpcId=other, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
    by_hand(aws, elsewhere, public=True)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    # a gateway not attached to the VPC keeps moto's (and AWS's) own answer
    assert error(lambda: ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc))[0] == (
        "Gateway.NotAttached"
    )


def test_destroy_with_a_public_instance_made_by_hand_fails_on_the_gateway_too(aws):
    """The trial's ``cdk destroy`` of Day1Lab1 (moto: the attachment and the gateway went,
    only the subnet and the VPC failed)."""
    physical = lab_stack(aws, NETWORK)
    instance = by_hand(aws, physical["Public"], public=True)
    cfn = aws("cloudformation")
    cfn.delete_stack(StackName=STACK)
    (stack,) = listed(aws, STACK)
    assert stack["StackStatus"] == "DELETE_FAILED"
    reason = stack["StackStatusReason"]
    failed = reason.split("[", 1)[1].split("]", 1)[0].split(", ")
    assert sorted(failed) == ["Attachment", "Igw", "Public", "Vpc"], reason
    resources = cfn.list_stack_resources(StackName=STACK)["StackResourceSummaries"]
    assert {r["LogicalResourceId"]: r["ResourceStatus"] for r in resources} == {
        "Attachment": "DELETE_FAILED",
        "Igw": "DELETE_FAILED",
        "Public": "DELETE_FAILED",
        "Vpc": "DELETE_FAILED",
    }
    assert attachments(aws, physical["Igw"]) == [physical["Vpc"]]
    ec2 = aws("ec2")
    ec2.terminate_instances(InstanceIds=[instance])
    cfn.delete_stack(StackName=STACK)  # the retry, as cdk destroy again
    assert listed(aws, STACK) == []
    assert error(lambda: ec2.describe_internet_gateways(InternetGatewayIds=[physical["Igw"]]))[
        0
    ] == "InvalidInternetGatewayID.NotFound"


def test_destroy_without_anything_made_by_hand_deletes_it_all(aws):
    """The stack's own deletion order needs no help: nothing in the VPC maps an address."""
    physical = lab_stack(aws, NETWORK)
    aws("cloudformation").delete_stack(StackName=STACK)
    assert listed(aws, STACK) == []
    assert aws("ec2").describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [physical["Vpc"]]}])[
        "Vpcs"
    ] == []


def test_the_package_installs_the_refusal(monkeypatch):
    """``load()`` (what the moto server behind ``week5 local`` runs) installs the module: it
    must be named in week5/operations/moto_models/__init__.py's ``PATCHES``."""
    from moto.ec2.models.internet_gateways import InternetGatewayBackend

    from week5.operations.moto_models import load

    monkeypatch.setattr(InternetGatewayBackend, "detach_internet_gateway", refusal.MOTO_OWN)
    load()
    assert InternetGatewayBackend.detach_internet_gateway is refusal.detach_internet_gateway
