"""A NAT gateway deleted through EC2's API and a CloudFront distribution deleted through
CloudFront's, on the emulator as on AWS (week5/operations/moto_models): the gateway's network
interface goes with it, so its subnet and Elastic IP can go after it, also at a later ``cdk
destroy`` (ec2_nat_gateway); a distribution is deleted only once disabled, with the ETag of the
update that disabled it (cloudfront_distribution), while a stack's deletion still deletes an
enabled one, as CloudFormation does.

Each through boto3 against an in-process moto with the package loaded, as
tests/test_emulator_refusals.py does; each ``test_moto_alone_still_...`` puts moto's own code back
and fails when moto no longer needs the patch (delete it then).
"""

from __future__ import annotations

import functools
import importlib
import json
from typing import Any, Dict, Tuple

import pytest
from botocore.exceptions import ClientError
import moto_in_process
from moto_in_process import REGION, error, listed

#: The in-process moto's fixtures (tests/moto_in_process.py), by the names the tests use.
one_ami = moto_in_process.one_ami
aws = moto_in_process.aws

TAGS = [{"Key": "Week", "Value": "Week5"}, {"Key": "Lab", "Value": "Lab2"}]


# --- a NAT gateway deleted with aws ec2 delete-nat-gateway -------------------------------------


def nat_in_subnet(aws) -> Tuple[str, str, str]:
    """A subnet with a public NAT gateway behind an Elastic IP: (subnet, allocation, gateway)."""
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)["NatGateway"]
    return subnet, allocation, nat["NatGatewayId"]


def interfaces(aws, subnet_id: str) -> Dict[str, str]:
    """The subnet's network interfaces: id -> status."""
    found = aws("ec2").describe_network_interfaces(
        Filters=[{"Name": "subnet-id", "Values": [subnet_id]}]
    )["NetworkInterfaces"]
    return {eni["NetworkInterfaceId"]: eni["Status"] for eni in found}


def nat_interface(aws, nat_id: str) -> str:
    (nat,) = aws("ec2").describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"]
    return nat["NatGatewayAddresses"][0]["NetworkInterfaceId"]


def test_delete_nat_gateway_takes_its_interface_then_the_subnet_and_address_go(aws):
    ec2 = aws("ec2")
    subnet, allocation, nat_id = nat_in_subnet(aws)
    eni = nat_interface(aws, nat_id)
    assert eni in interfaces(aws, subnet)

    ec2.delete_nat_gateway(NatGatewayId=nat_id)
    (nat,) = ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"]
    assert nat["State"] == "deleted"
    assert eni not in interfaces(aws, subnet)
    (address,) = ec2.describe_addresses(AllocationIds=[allocation])["Addresses"]
    assert not address.get("AssociationId") and not address.get("NetworkInterfaceId"), address
    ec2.delete_subnet(SubnetId=subnet)
    ec2.release_address(AllocationId=allocation)
    assert ec2.describe_addresses()["Addresses"] == []


def test_an_interface_made_by_hand_stays_and_a_second_delete_deletes_nothing_more(aws):
    ec2 = aws("ec2")
    subnet, _, nat_id = nat_in_subnet(aws)
    made = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    ec2.delete_nat_gateway(NatGatewayId=nat_id)
    ec2.delete_nat_gateway(NatGatewayId=nat_id)
    assert interfaces(aws, subnet) == {made: "available"}
    assert error(lambda: ec2.delete_subnet(SubnetId=subnet))[0] == "DependencyViolation"


def test_an_unknown_nat_gateway_is_not_found(aws):
    code, message = error(
        lambda: aws("ec2").delete_nat_gateway(NatGatewayId="nat-0123456789abcdef0")
    )
    assert (code, message) == (
        "NatGatewayNotFound",
        "The Nat Gateway nat-0123456789abcdef0 was not found",
    )


#: Day1Lab2's shape: a public subnet holding a NAT gateway behind an Elastic IP.
NAT_STACK: Dict[str, Any] = {
    "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
    "Public": {
        "Type": "AWS::EC2::Subnet",
        "Properties": {
            "VpcId": {"Ref": "Vpc"},
            "CidrBlock": "10.0.0.0/24",
            "AvailabilityZone": f"{REGION}a",
        },
    },
    "Eip": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc", "Tags": TAGS}},
    "Nat": {
        "Type": "AWS::EC2::NatGateway",
        "Properties": {
            "SubnetId": {"Ref": "Public"},
            "AllocationId": {"Fn::GetAtt": ["Eip", "AllocationId"]},
            "Tags": TAGS,
        },
    },
}


#: ``lab_stack(aws, resources, name)``: the stack made, tagged :data:`TAGS`
#: (tests/moto_in_process.py).
lab_stack = functools.partial(moto_in_process.lab_stack, tags=TAGS)


def test_destroy_after_the_nat_gateway_was_deleted_by_hand_deletes_the_stack(aws):
    """The trial's Day1Lab2: ``aws ec2 delete-nat-gateway``, then ``cdk destroy`` (it ended
    DELETE_FAILED, "The subnet ... has dependencies")."""
    name = "week5-jung-Day1Lab2"
    physical = lab_stack(aws, NAT_STACK, name)
    ec2 = aws("ec2")
    ec2.delete_nat_gateway(NatGatewayId=physical["Nat"])
    aws("cloudformation").delete_stack(StackName=name)
    assert listed(aws, name) == []
    assert (
        ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [physical["Vpc"]]}])["Vpcs"] == []
    )
    assert ec2.describe_network_interfaces()["NetworkInterfaces"] == []
    assert ec2.describe_addresses()["Addresses"] == []


def test_destroy_after_the_distribution_was_deleted_by_hand_deletes_the_stack(aws):
    """Day5Lab1's distribution disabled and deleted by hand in the guide's order (the ETag of the
    disabling update), then ``cdk destroy`` (it ended DELETE_FAILED, "The specified distribution
    does not exist."): what the student deleted counts as deleted, as on AWS."""
    name = "week5-jung-Day5Lab1"
    distribution_id = lab_stack(aws, DISTRIBUTION_STACK, name)["Site"]
    client = cloudfront(aws)
    reply = client.get_distribution_config(Id=distribution_id)
    config = dict(reply["DistributionConfig"], Enabled=False)
    etag = client.update_distribution(
        Id=distribution_id, IfMatch=reply["ETag"], DistributionConfig=config
    )["ETag"]
    client.delete_distribution(Id=distribution_id, IfMatch=etag)
    aws("cloudformation").delete_stack(StackName=name)
    assert listed(aws, name) == []


def test_the_patches_still_call_motos_own_after_a_reload(aws):
    """``importlib.reload`` of the two modules, then their ``install()``: each patch's "moto's
    own" is still moto's (it was the patch itself: RecursionError at the deletion)."""
    from week5.operations.moto_models import cloudfront_distribution, ec2_nat_gateway

    for module in (ec2_nat_gateway, cloudfront_distribution) * 2:
        importlib.reload(module)
        module.install()
    ec2 = aws("ec2")
    subnet, allocation, nat_id = nat_in_subnet(aws)
    ec2.delete_nat_gateway(NatGatewayId=nat_id)
    assert interfaces(aws, subnet) == {}
    ec2.release_address(AllocationId=allocation)
    client = cloudfront(aws)
    made = client.create_distribution(DistributionConfig=distribution_config())
    distribution_id = made["Distribution"]["Id"]
    etag = client.update_distribution(
        Id=distribution_id,
        IfMatch=made["ETag"],
        DistributionConfig=distribution_config(enabled=False),
    )["ETag"]
    client.delete_distribution(Id=distribution_id, IfMatch=etag)
    assert error(lambda: client.get_distribution(Id=distribution_id))[0] == "NoSuchDistribution"


def test_moto_alone_still_keeps_the_nat_gateways_interface(aws, monkeypatch):
    from moto.ec2.models.nat_gateways import NatGatewayBackend

    from week5.operations.moto_models import ec2_nat_gateway as patch

    monkeypatch.setattr(NatGatewayBackend, "delete_nat_gateway", patch.MOTO_DELETE_NAT_GATEWAY)
    subnet, _, nat_id = nat_in_subnet(aws)
    eni = nat_interface(aws, nat_id)
    aws("ec2").delete_nat_gateway(NatGatewayId=nat_id)
    assert eni in interfaces(aws, subnet), "moto now deletes a NAT gateway's interface with it"


# --- a CloudFront distribution deleted with aws cloudfront delete-distribution -----------------


def distribution_config(reference: str = "week5-site", enabled: bool = True) -> Dict[str, Any]:
    return {
        "CallerReference": reference,
        "Comment": "week5 site",
        "Enabled": enabled,
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": "site",
                    "DomainName": "week5-site.s3.amazonaws.com",
                    "S3OriginConfig": {"OriginAccessIdentity": ""},
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": "site",
            "ViewerProtocolPolicy": "redirect-to-https",
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
        },
    }


def refused(call) -> Tuple[str, int]:
    """The error code and HTTP status ``call`` is refused with."""
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def cloudfront(aws):
    return aws("cloudfront", "us-east-1")


def test_an_enabled_distribution_is_not_deleted(aws):
    client = cloudfront(aws)
    made = client.create_distribution(DistributionConfig=distribution_config())
    distribution_id, etag = made["Distribution"]["Id"], made["ETag"]
    assert refused(lambda: client.delete_distribution(Id=distribution_id, IfMatch=etag)) == (
        "DistributionNotDisabled",
        409,
    )
    assert client.get_distribution(Id=distribution_id)["Distribution"]["Id"] == distribution_id


def test_a_missing_or_wrong_if_match_is_refused(aws):
    client = cloudfront(aws)
    made = client.create_distribution(DistributionConfig=distribution_config(enabled=False))
    distribution_id = made["Distribution"]["Id"]
    assert refused(lambda: client.delete_distribution(Id=distribution_id)) == (
        "InvalidIfMatchVersion",
        400,
    )
    assert refused(lambda: client.delete_distribution(Id=distribution_id, IfMatch="E2WRONG")) == (
        "PreconditionFailed",
        412,
    )
    assert refused(lambda: client.delete_distribution(Id="E0NOSUCH", IfMatch="E2WRONG")) == (
        "NoSuchDistribution",
        404,
    )
    client.delete_distribution(Id=distribution_id, IfMatch=made["ETag"])


def test_disabled_with_the_new_etag_it_is_deleted(aws):
    """The course guide's order: get the config, disable it, delete with the update's ETag."""
    client = cloudfront(aws)
    distribution_id = client.create_distribution(DistributionConfig=distribution_config())[
        "Distribution"
    ]["Id"]
    reply = client.get_distribution_config(Id=distribution_id)
    config, first = reply["DistributionConfig"], reply["ETag"]
    config["Enabled"] = False
    second = client.update_distribution(
        Id=distribution_id, IfMatch=first, DistributionConfig=config
    )["ETag"]
    assert second != first
    assert client.get_distribution(Id=distribution_id)["ETag"] == second
    # the ETag read before the update is stale now, for an update as for the deletion
    assert refused(
        lambda: client.update_distribution(
            Id=distribution_id, IfMatch=first, DistributionConfig=config
        )
    ) == ("PreconditionFailed", 412)
    assert refused(lambda: client.delete_distribution(Id=distribution_id, IfMatch=first)) == (
        "PreconditionFailed",
        412,
    )
    client.delete_distribution(Id=distribution_id, IfMatch=second)
    assert error(lambda: client.get_distribution(Id=distribution_id))[0] == "NoSuchDistribution"


#: A stack's enabled distribution, as CDK writes it.
DISTRIBUTION_STACK: Dict[str, Any] = {
    "Site": {
        "Type": "AWS::CloudFront::Distribution",
        "Properties": {
            "DistributionConfig": {
                "Comment": "week5 site",
                "Enabled": True,
                "Origins": [
                    {
                        "Id": "site",
                        "DomainName": "week5-site.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
                "DefaultCacheBehavior": {
                    "TargetOriginId": "site",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                },
            },
            "Tags": TAGS,
        },
    }
}


def test_a_stacks_enabled_distribution_is_updated_and_deleted_with_it(aws):
    name = "week5-jung-Day5Lab1"
    distribution_id = lab_stack(aws, DISTRIBUTION_STACK, name)["Site"]
    client = cloudfront(aws)
    etag = client.get_distribution(Id=distribution_id)["ETag"]
    changed = json.loads(json.dumps(DISTRIBUTION_STACK))
    changed["Site"]["Properties"]["DistributionConfig"]["Comment"] = "week5 site, changed"
    cfn = aws("cloudformation")
    cfn.update_stack(StackName=name, TemplateBody=json.dumps({"Resources": changed}))
    (stack,) = listed(aws, name)
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    reply = client.get_distribution(Id=distribution_id)
    config = reply["Distribution"]["DistributionConfig"]
    assert (config["Comment"], config["Enabled"]) == ("week5 site, changed", True)
    assert reply["ETag"] != etag
    cfn.delete_stack(StackName=name)
    assert listed(aws, name) == []
    assert error(lambda: client.get_distribution(Id=distribution_id))[0] == "NoSuchDistribution"


def test_moto_alone_still_deletes_an_enabled_distribution(aws, monkeypatch):
    from moto.cloudfront.models import CloudFrontBackend

    from week5.operations.moto_models import cloudfront_distribution as patch

    monkeypatch.setattr(CloudFrontBackend, "delete_distribution", patch.MOTO_DELETE_DISTRIBUTION)
    monkeypatch.setattr(CloudFrontBackend, "update_distribution", patch.MOTO_UPDATE_DISTRIBUTION)
    client = cloudfront(aws)
    made = client.create_distribution(DistributionConfig=distribution_config())
    distribution_id = made["Distribution"]["Id"]
    config = dict(distribution_config(), Comment="changed")
    again = client.update_distribution(
        Id=distribution_id, IfMatch="E2ANY", DistributionConfig=config
    )
    assert again["ETag"] == made["ETag"], "moto now gives an updated distribution a new ETag"
    client.delete_distribution(Id=distribution_id, IfMatch="E2ANY")
    assert error(lambda: client.get_distribution(Id=distribution_id))[0] == "NoSuchDistribution"
