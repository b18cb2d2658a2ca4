"""BastionPair: SSH to the private host only through the bastion; outputs for both ways in."""

import pytest
from support import (
    by_name,
    ingress_rules,
    instance_security_groups,
    instance_subnet,
    synth,
)

from week5.constructs.bastion import BastionPair
from week5.constructs.vpc import MultiAzVpc, NatMode
from week5.core.errors import CourseInputError


def test_private_host_admits_ssh_from_the_bastion_group_only(stack):
    net = MultiAzVpc(stack, "Net")
    pair = BastionPair(stack, "Pair", vpc=net.vpc, ssh_cidr="198.51.100.7/32", name_prefix="x")
    t = synth(stack)
    hosts = by_name(t, "AWS::EC2::Instance")
    (bastion_sg,) = instance_security_groups(hosts["x-bastion"])
    (private_sg,) = instance_security_groups(hosts["x-private"])
    assert [(r["FromPort"], r["CidrIp"]) for r in ingress_rules(t, bastion_sg)] == [
        (22, "198.51.100.7/32")
    ]
    assert [
        (r["FromPort"], r["SourceSecurityGroupId"]["Fn::GetAtt"][0])
        for r in ingress_rules(t, private_sg)
    ] == [(22, bastion_sg)]
    assert instance_subnet(hosts["x-bastion"]).startswith("NetVpcPublicSubnet1")
    assert instance_subnet(hosts["x-private"]).startswith("NetVpcPrivateSubnet1")
    ssh = next(
        v["Value"]["Fn::Join"][1] for k, v in t["Outputs"].items() if k.startswith("PairSshCommand")
    )
    assert ssh[0] == "ssh -i key.pem -J ec2-user@" and ssh[2] == " ec2-user@"
    assert pair.bastion is not None and pair.private_host is not None


def test_without_ssh_cidr_the_outputs_point_to_session_manager(stack):
    net = MultiAzVpc(stack, "Net")
    BastionPair(stack, "Pair", vpc=net.vpc)
    t = synth(stack)
    outputs = {k.split("Pair", 1)[1][:-8]: v["Value"] for k, v in t["Outputs"].items()}
    assert "ssh_cidr" in outputs["SshCommand"]
    for key in ("BastionSsmCommand", "PrivateHostSsmCommand"):
        assert outputs[key]["Fn::Join"][1][0].startswith("aws ssm start-session")


def test_works_in_an_isolated_vpc(stack):
    net = MultiAzVpc(stack, "Net", nat=NatMode.NONE)
    BastionPair(stack, "Pair", vpc=net.vpc)
    synth(stack)


def test_subnets_must_be_public_and_private(stack):
    net = MultiAzVpc(stack, "Net")
    with pytest.raises(CourseInputError, match="bastion_subnet must be public"):
        BastionPair(stack, "A", vpc=net.vpc, bastion_subnet=net.private_subnets[0])
    with pytest.raises(CourseInputError, match="private_subnet must not be a public subnet"):
        BastionPair(stack, "B", vpc=net.vpc, private_subnet=net.public_subnets[1])


def test_refuses_a_vpc_without_private_subnets(stack):
    net = MultiAzVpc(stack, "Net", private_subnet_cidrs=())
    with pytest.raises(CourseInputError, match="no private subnet"):
        BastionPair(stack, "Pair", vpc=net.vpc)


def test_refuses_ssh_from_the_internet(stack):
    net = MultiAzVpc(stack, "Net")
    with pytest.raises(CourseInputError, match="whole internet"):
        BastionPair(stack, "Pair", vpc=net.vpc, ssh_cidr="0.0.0.0/0")
