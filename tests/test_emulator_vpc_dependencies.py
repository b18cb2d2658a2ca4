"""The emulator refuses to delete a VPC that still holds a security group of its own or an
attached internet gateway, as AWS does (week5/operations/moto_models/ec2_vpc_dependencies.py):
``DeleteVpc`` answers ``DependencyViolation`` ("The vpc 'vpc-..' has dependencies and cannot be
deleted."), so a stack's deletion ends ``DELETE_FAILED`` on its VPC.

An instructor trial: a tagged security group made by hand in a deployed Day4Lab1's VPC, then
``scripts/cdk.py destroy``: ``✅ destroyed`` on the emulator, the group left pointing at a VPC
that no longer existed (moto 5.2.5 deletes a VPC's default group alone). Through the real
emulator (moto's server with the project's models, started as `week5 local` starts it) with
boto3: by the API, and by a stack deployed as the CDK CLI deploys (a change set).
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import own_emulator
import pytest
from botocore.exceptions import ClientError
from own_emulator import PUBLIC_NETWORK, REGION, cdk_deploy

#: The file's own emulator (tests/own_emulator.py), by the names the tests use.
emulator = own_emulator.emulator
aws = own_emulator.aws

STACK = "week5-kim-Day4Lab1"
#: What `week5 cleanup` finds a student's own resources by.
TAGS = [{"Key": "Week", "Value": "Week5"}, {"Key": "Lab", "Value": "Day4Lab1"}]
#: The lab's network, small: a VPC with its internet gateway attached, a public subnet and the
#: stack's own security group (which its deletion deletes before the VPC).
RESOURCES: Dict[str, Any] = {
    **PUBLIC_NETWORK,
    "WebGroup": {
        "Type": "AWS::EC2::SecurityGroup",
        "Properties": {"GroupDescription": "week5-day4-web", "VpcId": {"Ref": "Vpc"}},
    },
}


def error(call) -> Tuple[str, str]:
    """The (code, message) of the error ``call`` raises."""
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def refused(vpc_id: str) -> Tuple[str, str]:
    """AWS's refusal of the VPC's deletion."""
    return (
        "DependencyViolation",
        f"The vpc '{vpc_id}' has dependencies and cannot be deleted.",
    )


def vpcs(aws, vpc_id: str) -> List[str]:
    found = aws("ec2").describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Vpcs"]
    return [v["VpcId"] for v in found]


def groups(aws, vpc_id: str) -> Dict[str, str]:
    """The VPC's security groups: name -> id."""
    found = aws("ec2").describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    return {g["GroupName"]: g["GroupId"] for g in found["SecurityGroups"]}


def by_hand(aws, vpc_id: str) -> str:
    """A tagged security group made in the VPC as ``aws ec2 create-security-group`` makes it."""
    return aws("ec2").create_security_group(
        GroupName="kim-debug",
        Description="made by hand",
        VpcId=vpc_id,
        TagSpecifications=[{"ResourceType": "security-group", "Tags": TAGS}],
    )["GroupId"]


def listed(aws, name: str) -> List[Dict[str, Any]]:
    """The stack ``name`` as ``DescribeStacks`` lists it (none once deleted)."""
    return [s for s in aws("cloudformation").describe_stacks()["Stacks"] if s["StackName"] == name]


# --- by the API -------------------------------------------------------------------------------


def test_a_vpc_holding_a_security_group_is_refused_until_the_group_is_deleted(aws):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    group = by_hand(aws, vpc)
    assert error(lambda: ec2.delete_vpc(VpcId=vpc)) == refused(vpc)
    assert vpcs(aws, vpc) == [vpc]
    assert groups(aws, vpc) == {"default": groups(aws, vpc)["default"], "kim-debug": group}
    ec2.delete_security_group(GroupId=group)
    ec2.delete_vpc(VpcId=vpc)  # its default group alone does not keep it
    assert vpcs(aws, vpc) == []
    assert groups(aws, vpc) == {}


def test_an_attached_internet_gateway_or_egress_only_one_refuses_it(aws):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    assert error(lambda: ec2.delete_vpc(VpcId=vpc)) == refused(vpc)
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    egress = ec2.create_egress_only_internet_gateway(VpcId=vpc)["EgressOnlyInternetGateway"][
        "EgressOnlyInternetGatewayId"
    ]
    assert error(lambda: ec2.delete_vpc(VpcId=vpc)) == refused(vpc)
    ec2.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId=egress)
    ec2.delete_vpc(VpcId=vpc)  # the detached gateway does not keep it
    assert vpcs(aws, vpc) == []
    (gateway,) = ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"]
    assert gateway["Attachments"] == []


def test_what_moto_refuses_itself_is_worded_as_aws_words_it(aws):
    """A subnet (so a network interface, always in one) and a route table made by hand: moto
    refused both, the route table as "The vpc vpc-.. has dependencies" (no quotes)."""
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    assert error(lambda: ec2.delete_vpc(VpcId=vpc)) == refused(vpc)
    ec2.delete_route_table(RouteTableId=table)
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone=f"{REGION}a")[
        "Subnet"
    ]["SubnetId"]
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    assert error(lambda: ec2.delete_vpc(VpcId=vpc)) == refused(vpc)
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    assert error(lambda: ec2.delete_vpc(VpcId=vpc)) == refused(vpc)
    ec2.delete_subnet(SubnetId=subnet)
    ec2.delete_vpc(VpcId=vpc)
    assert vpcs(aws, vpc) == []
    # an unknown VPC keeps moto's (and AWS's) own answer
    assert error(lambda: ec2.delete_vpc(VpcId=vpc))[0] == "InvalidVpcID.NotFound"


# --- by a stack's deletion --------------------------------------------------------------------


def test_destroy_with_a_security_group_made_by_hand_fails_on_the_vpc(aws):
    """The trial's case (moto: the stack deleted, the group left in a VPC that was gone)."""
    physical = cdk_deploy(aws, STACK, {"Resources": RESOURCES})
    vpc = physical["Vpc"]
    group = by_hand(aws, vpc)
    cfn = aws("cloudformation")
    cfn.delete_stack(StackName=STACK)
    (stack,) = listed(aws, STACK)
    assert stack["StackStatus"] == "DELETE_FAILED"
    assert stack["StackStatusReason"] == "The following resource(s) failed to delete: [Vpc]. "
    resources = cfn.list_stack_resources(StackName=STACK)["StackResourceSummaries"]
    assert {r["LogicalResourceId"]: r["ResourceStatus"] for r in resources} == {
        "Vpc": "DELETE_FAILED",
        "Igw": "DELETE_COMPLETE",
        "Attachment": "DELETE_COMPLETE",
        "Public": "DELETE_COMPLETE",
        "WebGroup": "DELETE_COMPLETE",
    }
    (left,) = [r for r in resources if r["LogicalResourceId"] == "Vpc"]
    assert left["ResourceStatusReason"] == refused(vpc)[1]
    assert vpcs(aws, vpc) == [vpc]
    assert groups(aws, vpc) == {"default": groups(aws, vpc)["default"], "kim-debug": group}
    aws("ec2").delete_security_group(GroupId=group)
    cfn.delete_stack(StackName=STACK)  # the retry, as cdk destroy again
    assert listed(aws, STACK) == []
    assert vpcs(aws, vpc) == []


def test_destroy_without_anything_made_by_hand_deletes_it_all(aws):
    """The stack's own group and gateway attachment go before its VPC: no help needed."""
    physical = cdk_deploy(aws, STACK, {"Resources": RESOURCES})
    aws("cloudformation").delete_stack(StackName=STACK)
    assert listed(aws, STACK) == []
    assert vpcs(aws, physical["Vpc"]) == []
    assert groups(aws, physical["Vpc"]) == {}


# --- when to delete the module ----------------------------------------------------------------


def test_moto_alone_still_deletes_a_vpc_holding_a_group_and_a_gateway():
    from moto import mock_aws
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ec2.models import ec2_backends

    from week5.operations.moto_models import ec2_vpc_dependencies as patch

    with mock_aws():
        backend = ec2_backends[DEFAULT_ACCOUNT_ID][REGION]
        vpc = backend.create_vpc("10.0.0.0/16")
        group = backend.create_security_group("kim-debug", "made by hand", vpc_id=vpc.id)
        igw = backend.create_internet_gateway()
        backend.attach_internet_gateway(igw.id, vpc.id)
        patch.MOTO_OWN(backend, vpc.id)
        assert vpc.id not in backend.vpcs, (
            "moto now refuses to delete a VPC holding a group or a gateway: delete the module"
        )
        assert backend.get_security_group_from_id(group.id) is not None
