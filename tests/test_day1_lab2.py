"""Day 1 Lab 2: 멀티 AZ 네트워크 — four subnets, one NAT gateway in Public-A, bastion, two web servers."""

import pytest
from aws_cdk import CfnOutput
from support import (
    by_name,
    default_route_targets,
    ingress_rules,
    instance_security_groups,
    instance_subnet,
    logical_id,
    logical_id_of,
    mask_asset_hashes,
    props,
    resources,
    subnet_ids_by_name,
    user_data_text,
)

LAB = "Day1Lab2"


@pytest.fixture(scope="module")
def lab(app):
    """The lab's stack: tests find resources through its constructs."""
    return app.stacks[LAB]


def test_snapshot(t, json_snapshot):
    assert mask_asset_hashes(t) == json_snapshot


def test_vpc_cidr(t):
    assert by_name(t, "AWS::EC2::VPC")["week5-day1-vpc"]["CidrBlock"] == "10.0.0.0/16"


def test_four_subnets_with_the_course_cidrs_and_azs(t):
    subnets = {
        name: (p["CidrBlock"], p["AvailabilityZone"], p["MapPublicIpOnLaunch"])
        for name, p in by_name(t, "AWS::EC2::Subnet").items()
    }
    assert subnets == {
        "week5-day1-public-subnet-a": ("10.0.1.0/24", "ap-northeast-2a", True),
        "week5-day1-public-subnet-b": ("10.0.2.0/24", "ap-northeast-2b", True),
        "week5-day1-private-subnet-a": ("10.0.11.0/24", "ap-northeast-2a", False),
        "week5-day1-private-subnet-b": ("10.0.12.0/24", "ap-northeast-2b", False),
    }


def test_one_nat_gateway_in_public_a(t):
    (nat,) = props(t, "AWS::EC2::NatGateway")
    assert nat["SubnetId"] == {"Ref": subnet_ids_by_name(t)["week5-day1-public-subnet-a"]}
    assert len(resources(t, "AWS::EC2::EIP")) == 1


def test_public_routes_to_igw_private_routes_to_the_nat(t):
    igw = logical_id_of(t, "AWS::EC2::InternetGateway", lambda p: True)
    nat = logical_id_of(t, "AWS::EC2::NatGateway", lambda p: True)
    assert default_route_targets(t) == {
        "week5-day1-public-subnet-a": {"GatewayId": {"Ref": igw}},
        "week5-day1-public-subnet-b": {"GatewayId": {"Ref": igw}},
        "week5-day1-private-subnet-a": {"NatGatewayId": {"Ref": nat}},
        "week5-day1-private-subnet-b": {"NatGatewayId": {"Ref": nat}},
    }


def test_five_t3_micro_hosts_where_the_course_puts_them(t, hosts):
    subnets = subnet_ids_by_name(t)
    placement = {name: instance_subnet(p) for name, p in hosts.items()}
    assert placement == {
        "week5-day1-bastion": subnets["week5-day1-public-subnet-a"],
        "week5-day1-private": subnets["week5-day1-private-subnet-a"],
        "week5-day1-web1": subnets["week5-day1-public-subnet-a"],
        "week5-day1-web2": subnets["week5-day1-public-subnet-b"],
    }
    assert {p["InstanceType"] for p in hosts.values()} == {"t3.micro"}


def test_private_host_admits_ssh_only_from_the_bastion(t, hosts):
    (bastion_sg,) = instance_security_groups(hosts["week5-day1-bastion"])
    (private_sg,) = instance_security_groups(hosts["week5-day1-private"])
    rules = ingress_rules(t, private_sg)
    assert [(r["FromPort"], r["ToPort"], r["SourceSecurityGroupId"]) for r in rules] == [
        (22, 22, {"Fn::GetAtt": [bastion_sg, "GroupId"]})
    ]
    assert not any("CidrIp" in r for r in rules)


def test_bastion_opens_nothing_without_ssh_cidr(t, hosts):
    (bastion_sg,) = instance_security_groups(hosts["week5-day1-bastion"])
    assert ingress_rules(t, bastion_sg) == []


def test_web_servers_serve_http_and_take_ssh_from_the_bastion_only(t, hosts):
    (bastion_sg,) = instance_security_groups(hosts["week5-day1-bastion"])
    for name in ("week5-day1-web1", "week5-day1-web2"):
        (sg,) = instance_security_groups(hosts[name])
        rules = {
            (r["FromPort"], r.get("CidrIp") or r["SourceSecurityGroupId"]["Fn::GetAtt"][0])
            for r in ingress_rules(t, sg)
        }
        assert rules == {(80, "0.0.0.0/0"), (22, bastion_sg)}
        script = user_data_text(hosts[name])
        assert "nginx" in script and "placement/availability-zone" in script


def test_outputs(t, lab):
    assert {"Web1Url", "Web2Url"} <= set(t["Outputs"])
    pair = lab.bastion_pair
    bastion_outputs = {logical_id(c) for c in pair.node.children if isinstance(c, CfnOutput)}
    assert len(bastion_outputs) == 3 and bastion_outputs <= set(t["Outputs"])
    ssh = t["Outputs"][logical_id(pair.node.find_child("SshCommand"))]
    assert "ssh_cidr" in ssh["Value"]  # SSH is closed; the output says how to open it
