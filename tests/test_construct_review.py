"""A CDK review of the constructs: a user's own Name under the course VPC, a file system
mounted by a user's own instance or group, and CloudMartStack outside a Stack."""

import aws_cdk as cdk
import pytest
from aws_cdk import Tags
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_ec2 as ec2
from support import make_app, resources, tag

from week5.constructs.filesystem import SharedFileSystem
from week5.constructs.vpc import MultiAzVpc, NatMode
from week5.core.errors import CourseInputError

SEOUL = cdk.Environment(account="123456789012", region="ap-northeast-2")


@pytest.fixture
def plain_stack(tmp_path):
    """A user's own stack: cdk.json's context, no rule packs (a bare ec2.Instance breaks some)."""
    return cdk.Stack(make_app(tmp_path), "Own", env=SEOUL)


def _template(stack):
    return stack.node.root.synth().get_stack_by_name(stack.stack_name).template


def _names(template, rtype):
    return {lid: tag(r.get("Properties", {}), "Name") for lid, r in resources(template, rtype).items()}


# ---- MultiAzVpc's Name: the VPC's, not what a user adds under it ----


def test_a_users_own_name_under_the_vpc_wins_and_the_vpcs_parts_keep_theirs(plain_stack):
    """The VPC's Name at priority 200 over its whole subtree named a user's endpoint and
    security group "week5-vpc" whatever Name (default priority) the user gave them."""
    net = MultiAzVpc(plain_stack, "Net", nat=NatMode.INSTANCE, flow_logs=True)
    named = net.vpc.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3)
    Tags.of(named).add("Name", "my-s3-endpoint")
    net.vpc.add_gateway_endpoint("Dynamo", service=ec2.GatewayVpcEndpointAwsService.DYNAMODB)
    group = ec2.SecurityGroup(net.vpc, "MySg", vpc=net.vpc)
    Tags.of(group).add("Name", "my-sg")
    ec2.SecurityGroup(net.vpc, "UnnamedSg", vpc=net.vpc)
    t = _template(plain_stack)

    assert sorted(_names(t, "AWS::EC2::VPCEndpoint").values()) == ["my-s3-endpoint", "week5-vpc"]
    assert sorted(_names(t, "AWS::EC2::SecurityGroup").values()) == [
        "my-sg", "week5-nat-sg", "week5-vpc"
    ]
    # What the construct makes keeps its name; what a user adds unnamed is the VPC's, not
    # CDK's path.
    assert list(_names(t, "AWS::EC2::VPC").values()) == ["week5-vpc"]
    assert list(_names(t, "AWS::EC2::FlowLog").values()) == ["week5-vpc"]
    assert sorted(_names(t, "AWS::EC2::Subnet").values()) == [
        "week5-private-subnet-a", "week5-private-subnet-b",
        "week5-public-subnet-a", "week5-public-subnet-b",
    ]  # fmt: skip
    assert list(_names(t, "AWS::EC2::InternetGateway").values()) == ["week5-igw"]
    assert list(_names(t, "AWS::EC2::Instance").values()) == ["week5-nat-instance"]


def test_a_stack_wide_name_names_neither_the_vpc_nor_its_parts(plain_stack):
    """The other side of the fix: a user's Name on the whole stack (default priority) stays
    below the construct's own names."""
    Tags.of(plain_stack).add("Name", "everything")
    net = MultiAzVpc(plain_stack, "Net", nat=NatMode.NONE)
    net.vpc.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3)
    t = _template(plain_stack)
    assert list(_names(t, "AWS::EC2::VPC").values()) == ["week5-vpc"]
    assert list(_names(t, "AWS::EC2::VPCEndpoint").values()) == ["week5-vpc"]
    assert "everything" not in _names(t, "AWS::EC2::RouteTable").values()


# ---- SharedFileSystem.grant_connect: any consumer launches after the mount targets ----


def _mount_targets(template):
    return set(resources(template, "AWS::EFS::MountTarget"))


def test_a_plain_instance_granted_the_file_system_launches_after_its_mount_targets(plain_stack):
    """grant_connect knew LabHost and HaWebTier only: a user's own ec2.Instance got the port
    and the role, but no dependency, so its boot-time mount could run before any target."""
    net = MultiAzVpc(plain_stack, "Net", nat=NatMode.NONE)
    fs = SharedFileSystem(plain_stack, "Fs", vpc=net.vpc)
    instance = ec2.Instance(
        plain_stack,
        "Own",
        vpc=net.vpc,
        vpc_subnets=ec2.SubnetSelection(subnets=net.private_subnets[:1]),
        instance_type=ec2.InstanceType("t3.micro"),
        machine_image=ec2.MachineImage.latest_amazon_linux2023(),
    )
    fs.grant_connect(instance)
    t = _template(plain_stack)
    targets = _mount_targets(t)
    assert len(targets) == 2
    (launched,) = resources(t, "AWS::EC2::Instance").values()
    assert targets <= set(launched.get("DependsOn", []))


def test_an_auto_scaling_group_granted_the_file_system_launches_after_its_mount_targets(
    plain_stack,
):
    net = MultiAzVpc(plain_stack, "Net", nat=NatMode.NONE)
    fs = SharedFileSystem(plain_stack, "Fs", vpc=net.vpc)
    group = autoscaling.AutoScalingGroup(
        plain_stack,
        "Group",
        vpc=net.vpc,
        vpc_subnets=ec2.SubnetSelection(subnets=net.private_subnets),
        instance_type=ec2.InstanceType("t3.micro"),
        machine_image=ec2.MachineImage.latest_amazon_linux2023(),
    )
    fs.grant_connect(group)
    t = _template(plain_stack)
    targets = _mount_targets(t)
    assert len(targets) == 2
    (asg,) = resources(t, "AWS::AutoScaling::AutoScalingGroup").values()
    assert targets <= set(asg.get("DependsOn", []))


# ---- CloudMartStack outside a Stack ----


def test_cloudmart_outside_a_stack_says_to_create_it_inside_one(tmp_path):
    """CloudMartStack is a construct despite its name: in an App, CDK failed deep in the VPC
    with "ShouldBeCreatedInStackScope"."""
    from week5.constructs.cloudmart import CloudMartStack

    with pytest.raises(CourseInputError) as caught:
        CloudMartStack(make_app(tmp_path), "Shop")
    assert str(caught.value) == (
        "CloudMartStack Shop: a CloudMartStack is a construct, not a Stack; create it inside "
        "a Stack, e.g. CloudMartStack(Stack(app, 'CloudMart'), 'Shop')"
    )
