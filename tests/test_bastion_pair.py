"""BastionPair: SSH to the private host only through the bastion; commands for both ways in,
which the stack writes as outputs with the ids its guide names."""

import pytest
from aws_cdk import CfnOutput, Stack
from lab_outputs import render
from ssh_commands import (
    expect_key_commands,
    expect_ssh_over_ssm,
    expect_ssh_via,
    expect_ssh_via_direct,
    expect_tunnel,
    instance_id,
    outputs,
)
from support import (
    by_name,
    ingress_rules,
    instance_security_groups,
    instance_subnet,
    logical_id,
    resources,
    synth,
)

from week5.constructs.bastion import BastionPair, add_jump_outputs
from week5.constructs.key_pair import LabKeyPair
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
    assert instance_subnet(hosts["x-bastion"]) == logical_id(net.public_subnets[0])
    assert instance_subnet(hosts["x-private"]) == logical_id(net.private_subnets[0])
    shown = pair_commands(pair)
    expect_ssh_via_direct(
        shown["SshDirectCommand"],
        "UnitStack-Pair-SshKey.pem",
        instance_id(pair.bastion),
        instance_id(pair.private_host),
    )
    assert shown["BastionSshDirectCommand"] == (
        f"ssh -i UnitStack-Pair-SshKey.pem ec2-user@<{instance_id(pair.bastion)}.PublicIp>"
    )
    assert pair.bastion is not None and pair.private_host is not None


def pair_commands(pair):
    """The pair's commands, rendered, by the ids Day1Lab2 gives their outputs."""
    commands = {
        "SshCommand": pair.ssh_command,
        "BastionSshCommand": pair.bastion_ssh_command,
        "PrivateHostTunnelCommand": pair.tunnel_command,
        "PrivateHostTunnelSshCommand": pair.tunnel_ssh_command,
        "BastionSsmCommand": pair.bastion.ssm_command,
        "PrivateHostSsmCommand": pair.private_host.ssm_command,
        **pair.direct_commands,
    }
    return {key: render(Stack.of(pair).resolve(value)) for key, value in commands.items()}


def test_the_pair_writes_no_outputs_and_the_stack_writes_them_with_clean_ids(stack):
    """An output inside the pair got its path and a hash in its id (Day1Lab2's guide told
    students to copy ``BastionPairSshCommandE2614A3A``): the pair writes none, not even its
    own key's, and the stack writes them with the ids it chooses."""
    net = MultiAzVpc(stack, "Net")
    pair = BastionPair(stack, "Pair", vpc=net.vpc, ssh_cidr="198.51.100.7/32")
    assert [c.node.path for c in pair.node.find_all() if isinstance(c, CfnOutput)] == []
    pair.ssh_key.add_outputs(stack)
    add_jump_outputs(
        stack,
        pair.bastion,
        pair.private_host,
        ssh=("SshCommand", "through the bastion"),
        jump_ssh=("BastionSshCommand", "to the bastion"),
        ssh_direct=("SshDirectCommand", "through the bastion's public IP"),
    )
    shown = outputs(synth(stack))
    assert list(shown) == ["KeyCommand", "KeyCommandPowerShell", "SshCommand",
                           "BastionSshCommand", "SshDirectCommand"]  # fmt: skip
    commands = pair_commands(pair)
    for key in ("SshCommand", "BastionSshCommand", "SshDirectCommand"):
        assert shown[key] == commands[key]


def test_without_ssh_cidr_ssh_goes_over_session_manager_with_a_key_of_its_own(stack):
    net = MultiAzVpc(stack, "Net")
    pair = BastionPair(stack, "Pair", vpc=net.vpc)
    t = synth(stack)
    (key_id,) = resources(t, "AWS::EC2::KeyPair")
    assert t["Resources"][key_id]["Properties"]["KeyName"] == "UnitStack-Pair-SshKey"
    bastion, private = instance_id(pair.bastion), instance_id(pair.private_host)
    for host in (bastion, private):
        assert t["Resources"][host]["Properties"]["KeyName"] == {"Ref": key_id}
    shown = pair_commands(pair)
    assert set(shown) == {
        "SshCommand",
        "BastionSshCommand",
        "PrivateHostTunnelCommand",
        "PrivateHostTunnelSshCommand",
        "BastionSsmCommand",
        "PrivateHostSsmCommand",
    }
    assert pair.direct_commands == {}
    key_file = "UnitStack-Pair-SshKey.pem"
    key = pair.ssh_key
    expect_key_commands(
        render(stack.resolve(key.save_command)),
        render(stack.resolve(key.save_command_powershell)),
        key_file,
        key_id,
    )
    expect_ssh_via(shown["SshCommand"], key_file, bastion, private)
    expect_ssh_over_ssm(shown["BastionSshCommand"], key_file, bastion)
    expect_tunnel(
        shown["PrivateHostTunnelCommand"],
        shown["PrivateHostTunnelSshCommand"],
        key_file,
        bastion,
        private,
    )
    for key in ("BastionSsmCommand", "PrivateHostSsmCommand"):
        assert shown[key].startswith("aws ssm start-session")
    hosts = by_name(t, "AWS::EC2::Instance")
    (bastion_sg,) = instance_security_groups(hosts["week5-bastion"])
    assert ingress_rules(t, bastion_sg) == []


def test_a_key_given_to_the_pair_is_used_and_no_other_is_made(stack):
    net = MultiAzVpc(stack, "Net")
    key = LabKeyPair(stack, "Key")
    pair = BastionPair(stack, "Pair", vpc=net.vpc, ssh_key=key)
    t = synth(stack)
    (key_id,) = resources(t, "AWS::EC2::KeyPair")
    assert key_id == logical_id(key.key_pair)
    expect_ssh_via(
        pair_commands(pair)["SshCommand"],
        "UnitStack-Key.pem",
        instance_id(pair.bastion),
        instance_id(pair.private_host),
    )


def test_key_name_makes_no_key_pair(stack):
    net = MultiAzVpc(stack, "Net")
    pair = BastionPair(stack, "Pair", vpc=net.vpc, key_name="week5-key")
    t = synth(stack)
    assert resources(t, "AWS::EC2::KeyPair") == {}
    assert by_name(t, "AWS::EC2::Instance")["week5-private"]["KeyName"] == "week5-key"
    assert pair.ssh_command.startswith("ssh -i week5-key.pem ")
    with pytest.raises(CourseInputError, match="both name a key pair"):
        BastionPair(stack, "Both", vpc=net.vpc, key_name="week5-key", ssh_key=pair.ssh_key)


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
