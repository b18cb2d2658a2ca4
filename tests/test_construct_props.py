"""Props of the wrong kind fail at construction with one line naming the prop and the fix:
no silent wrong result (a NAT instance for ``nat="none"``), no jsii traceback."""

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_ec2 as ec2
from support import props, synth

from week5.assets import SITES_DIR
from week5.constructs import (
    BastionPair,
    DataVolume,
    DockerHost,
    HaWebTier,
    LabHost,
    LabKeyPair,
    MultiAzVpc,
    MysqlDatabase,
    PostgresDatabase,
    RedisCache,
    ScheduledSnapshots,
    SharedFileSystem,
    StaticSite,
)
from week5.core.errors import CourseInputError
from week5.core.settings import parse_ssh_cidr


def refused(build, *says):
    """``build()`` raises a CourseInputError (nothing else) whose one line holds each of ``says``."""
    with pytest.raises(CourseInputError) as error:
        build()
    message = str(error.value)
    assert "\n" not in message
    for part in says:
        assert part in message, message
    return message


def test_nat_must_be_the_enum_not_its_value_string(stack):
    refused(
        lambda: MultiAzVpc(stack, "Net", nat="none"),
        "nat='none'",
        "NatMode.NONE",
        "NatMode.INSTANCE",
    )


def test_scaling_metric_must_be_the_enum(stack, net):
    refused(
        lambda: HaWebTier(stack, "Web", vpc=net.vpc, scaling_metric="cpu"),
        "scaling_metric='cpu'",
        "ScalingMetric.CPU",
    )


@pytest.mark.parametrize("make", ["LabHost", "HaWebTier"])
def test_user_data_lines_as_one_string_is_refused(stack, net, make):
    if make == "LabHost":
        build = lambda: LabHost(  # noqa: E731
            stack, "Host", vpc=net.vpc, subnet=net.public_subnets[0], user_data_lines="echo hi"
        )
    else:
        build = lambda: HaWebTier(stack, "Web", vpc=net.vpc, user_data_lines="echo hi")  # noqa: E731
    refused(build, "user_data_lines='echo hi'", "list of lines")


def test_an_az_given_twice_is_refused(stack):
    refused(
        lambda: MultiAzVpc(stack, "Net", availability_zones=["eu-west-1a", "eu-west-1a"]),
        "availability_zones has 'eu-west-1a' twice",
    )


def test_one_az_as_a_string_is_refused(stack):
    refused(
        lambda: MultiAzVpc(stack, "Net", availability_zones="ap-northeast-2a"),
        "availability_zones='ap-northeast-2a' must be a list",
    )


VPC_TAKERS = {
    "PostgresDatabase": lambda s, v: PostgresDatabase(s, "Db", vpc=v),
    "MysqlDatabase": lambda s, v: MysqlDatabase(s, "Db", vpc=v),
    "HaWebTier": lambda s, v: HaWebTier(s, "Web", vpc=v),
    "LabHost": lambda s, v: LabHost(s, "Host", vpc=v, subnet=v.public_subnets[0]),
    "DockerHost": lambda s, v: DockerHost(s, "Host", vpc=v, subnet=v.public_subnets[0]),
    "BastionPair": lambda s, v: BastionPair(s, "Pair", vpc=v),
    "RedisCache": lambda s, v: RedisCache(s, "Cache", vpc=v),
    "SharedFileSystem": lambda s, v: SharedFileSystem(s, "Fs", vpc=v),
}


@pytest.mark.parametrize("name", sorted(VPC_TAKERS))
def test_the_multi_az_vpc_construct_itself_is_refused_with_pass_its_vpc(stack, net, name):
    refused(lambda: VPC_TAKERS[name](stack, net), "MultiAzVpc UnitStack/Net", "pass its .vpc")


@pytest.mark.parametrize("name", ["PostgresDatabase", "HaWebTier", "RedisCache", "BastionPair"])
def test_no_vpc_is_refused(stack, name):
    build = {
        "PostgresDatabase": lambda: PostgresDatabase(stack, "Db", vpc=None),
        "HaWebTier": lambda: HaWebTier(stack, "Web", vpc=None),
        "RedisCache": lambda: RedisCache(stack, "Cache", vpc=None),
        "BastionPair": lambda: BastionPair(stack, "Pair", vpc=None),
    }[name]
    refused(build, "vpc=None is not a VPC")


def test_a_negative_min_capacity_is_called_negative(stack, net):
    message = refused(
        lambda: HaWebTier(stack, "Web", vpc=net.vpc, min_capacity=-1), "min_capacity=-1 is negative"
    )
    assert "above" not in message


WRONG_TYPES = [
    ("HaWebTier", {"min_capacity": "2"}, "min_capacity='2' must be a whole number"),
    ("HaWebTier", {"min_capacity": True}, "min_capacity=True must be a whole number"),
    ("HaWebTier", {"app_port": "80"}, "app_port='80' must be a whole number"),
    ("HaWebTier", {"boot_time": 300}, "boot_time=300 must be a Duration"),
    ("HaWebTier", {"health_check_path": None}, "health_check_path=None must be a string"),
    ("HaWebTier", {"scaling_target": "50"}, "scaling_target='50' must be a number"),
    ("HaWebTier", {"detailed_monitoring": "false"}, "detailed_monitoring='false' must be True or"),
    ("PostgresDatabase", {"allocated_storage_gib": "20"}, "allocated_storage_gib='20' must be"),
    ("PostgresDatabase", {"username": None}, "username=None must be a string"),
    ("PostgresDatabase", {"read_replicas": 1.0}, "read_replicas=1.0 must be a whole number"),
    ("RedisCache", {"replicas": "1"}, "replicas='1' must be a whole number"),
    ("MultiAzVpc", {"az_count": "2"}, "az_count='2' must be a whole number"),
    ("MultiAzVpc", {"cidr": 10}, "cidr=10 must be a string"),
    ("MultiAzVpc", {"name_prefix": None}, "name_prefix=None must be a string"),
    ("LabHost", {"root_volume_gib": "8"}, "root_volume_gib='8' must be a whole number"),
    ("LabHost", {"internet_ports": 80}, "internet_ports=80 must be a list"),
    ("LabHost", {"internet_ports": ["80"]}, "internet_ports item='80' must be a whole number"),
    ("LabHost", {"name": 7}, "name=7 must be a string"),
    ("BastionPair", {"name_prefix": None}, "name_prefix=None must be a string"),
]


def build_with(kind, stack, net, kwargs):
    return {
        "HaWebTier": lambda: HaWebTier(stack, "Web", vpc=net.vpc, **kwargs),
        "PostgresDatabase": lambda: PostgresDatabase(stack, "Db", vpc=net.vpc, **kwargs),
        "RedisCache": lambda: RedisCache(stack, "Cache", vpc=net.vpc, **kwargs),
        "MultiAzVpc": lambda: MultiAzVpc(stack, "Other", **kwargs),
        "LabHost": lambda: LabHost(
            stack, "Host", vpc=net.vpc, subnet=net.public_subnets[0], **kwargs
        ),
        "BastionPair": lambda: BastionPair(stack, "Pair", vpc=net.vpc, **kwargs),
    }[kind]


@pytest.mark.parametrize("kind, kwargs, says", WRONG_TYPES)
def test_a_prop_of_the_wrong_type_is_named(stack, net, kind, kwargs, says):
    refused(build_with(kind, stack, net, kwargs), says)


def test_volume_key_pair_site_and_snapshot_props_are_typed(stack, net):
    host = LabHost(stack, "Host", vpc=net.vpc, subnet=net.public_subnets[0])
    refused(lambda: DataVolume(stack, "Vol", host=host, size_gib="1"), "size_gib='1'")
    volume = DataVolume(stack, "Vol2", host=host)
    refused(
        lambda: ScheduledSnapshots(stack, "Snap", volume=volume.volume, interval=15),
        "interval=15 must be a Duration",
    )
    refused(lambda: LabKeyPair(stack, "Key", key_name=5), "key_name=5 must be a string")
    refused(
        lambda: StaticSite(stack, "Site", content_dir=SITES_DIR, default_root_object=None),
        "default_root_object=None must be a string",
    )


def instance_types(t):
    return [p["InstanceType"] for p in props(t, "AWS::EC2::Instance")]


def test_an_ec2_instance_type_object_is_taken_like_its_name(stack, net):
    LabHost(
        stack,
        "Host",
        vpc=net.vpc,
        subnet=net.public_subnets[0],
        instance_type=ec2.InstanceType("t3.small"),
    )
    BastionPair(stack, "Pair", vpc=net.vpc, instance_type=ec2.InstanceType("t3.nano"))
    HaWebTier(stack, "Web", vpc=net.vpc, instance_type=ec2.InstanceType("t3a.small"))
    PostgresDatabase(stack, "Db", vpc=net.vpc, instance_type=ec2.InstanceType("t4g.micro"))
    t = synth(stack)
    assert sorted(instance_types(t)) == ["t3.nano", "t3.nano", "t3.small"]
    (template,) = [
        p for p in props(t, "AWS::EC2::LaunchTemplate") if "InstanceType" in p["LaunchTemplateData"]
    ]
    assert template["LaunchTemplateData"]["InstanceType"] == "t3a.small"
    (db,) = props(t, "AWS::RDS::DBInstance")
    assert db["DBInstanceClass"] == "db.t4g.micro"


def test_a_bad_ec2_instance_type_object_is_still_refused(stack, net):
    refused(
        lambda: LabHost(
            stack,
            "Host",
            vpc=net.vpc,
            subnet=net.public_subnets[0],
            instance_type=ec2.InstanceType("banana"),
        ),
        "is not an EC2 instance type",
    )


@pytest.mark.parametrize("kind", ["LabHost", "DockerHost", "BastionPair"])
def test_ssh_cidr_as_a_prop_gets_a_prop_fix_not_the_cli_s(stack, net, kind):
    build = {
        "LabHost": lambda: LabHost(
            stack, "Host", vpc=net.vpc, subnet=net.public_subnets[0], ssh_cidr="0.0.0.0/0"
        ),
        "DockerHost": lambda: DockerHost(
            stack, "Host", vpc=net.vpc, subnet=net.public_subnets[0], ssh_cidr="0.0.0.0/0"
        ),
        "BastionPair": lambda: BastionPair(stack, "Pair", vpc=net.vpc, ssh_cidr="0.0.0.0/0"),
    }[kind]
    message = refused(build, f"{kind} UnitStack/", "ssh_cidr='0.0.0.0/0'", "whole internet")
    assert "-c ssh_cidr" not in message and "context" not in message
    assert 'ssh_cidr="203.0.113.7/32"' in message


def test_the_context_value_keeps_the_cli_advice():
    refused(lambda: parse_ssh_cidr("0.0.0.0/0"), "context 'ssh_cidr'", "-c ssh_cidr=")


def test_an_env_agnostic_stack_says_why_it_has_two_azs(tmp_path):
    agnostic = cdk.Stack(cdk.App(outdir=str(tmp_path)), "Agnostic")
    message = refused(
        lambda: MultiAzVpc(agnostic, "Net", az_count=3),
        "env-agnostic",
        "gets 2 AZs",
        "env (account and region)",
        "availability_zones",
    )
    assert "Token" not in message


def test_the_checks_leave_good_props_alone(stack, net):
    tier = HaWebTier(
        stack,
        "Web",
        vpc=net.vpc,
        min_capacity=1,
        desired_capacity=1,
        boot_time=Duration.minutes(4),
        scaling_target=60.5,
        user_data_lines=("echo hi",),
    )
    assert tier.boot_time.to_minutes() == 4
