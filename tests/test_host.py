"""LabHost and DockerHost: hardened defaults, SSH rules, ports, compose and secrets."""

from pathlib import Path

import pytest
from aws_cdk import CfnOutput
from aws_cdk import aws_ec2 as ec2
from constructs import Construct
from ssh_commands import (
    expect_key_commands,
    expect_ssh_over_ssm,
    expect_ssh_via,
    expect_tunnel,
    instance_id,
    outputs,
)
from support import (
    ingress_rules,
    instance_security_groups,
    logical_id,
    props,
    resources,
    synth,
    user_data_text,
)

from week5.assets import COMPOSE_DIR
from week5.constructs.host import DockerHost, LabHost
from week5.constructs.key_pair import LabKeyPair
from week5.constructs.secret import generated_password
from week5.core.errors import CourseInputError

COMPOSE = COMPOSE_DIR / "wordpress.yml"


def only_instance(t):
    (instance,) = props(t, "AWS::EC2::Instance")
    return instance


def test_defaults_t3_micro_al2023_imdsv2_encrypted_gp3_ssm_no_ports(stack, net):
    host = LabHost(stack, "Host", vpc=net.vpc, subnet=net.public_subnets[0])
    t = synth(stack)
    instance = only_instance(t)
    assert instance["InstanceType"] == "t3.micro"
    assert "al2023" in instance["ImageId"]["Ref"].lower()
    assert instance["BlockDeviceMappings"] == [
        {
            "DeviceName": "/dev/xvda",
            "Ebs": {
                "DeleteOnTermination": True,
                "Encrypted": True,
                "VolumeSize": 8,
                "VolumeType": "gp3",
            },
        }
    ]
    (template,) = props(t, "AWS::EC2::LaunchTemplate")
    assert template == {"LaunchTemplateData": {"MetadataOptions": {"HttpTokens": "required"}}}
    (role,) = props(t, "AWS::IAM::Role")
    assert "AmazonSSMManagedInstanceCore" in str(role["ManagedPolicyArns"])
    (sg,) = instance_security_groups(instance)
    assert ingress_rules(t, sg) == []
    assert instance["NetworkInterfaces"][0]["AssociatePublicIpAddress"] is True
    assert host.security_group is not None and host.role is not None


def test_private_host_has_no_public_ip(stack, net):
    LabHost(stack, "Host", vpc=net.vpc, subnet=net.private_subnets[0])
    instance = only_instance(synth(stack))
    assert "NetworkInterfaces" not in instance
    assert instance["SubnetId"]["Ref"] == logical_id(net.private_subnets[0])


def test_arm_instance_type_gets_the_arm_image(stack, net):
    LabHost(stack, "Host", vpc=net.vpc, subnet=net.private_subnets[0], instance_type="t4g.micro")
    assert "arm64" in only_instance(synth(stack))["ImageId"]["Ref"].lower()


def test_ssh_only_from_ssh_cidr_and_http_to_the_internet(stack, net):
    LabHost(
        stack,
        "Host",
        vpc=net.vpc,
        subnet=net.public_subnets[0],
        internet_ports=(80, 443),
        ssh_cidr="203.0.113.7/32",
    )
    t = synth(stack)
    (sg,) = instance_security_groups(only_instance(t))
    assert {(r["FromPort"], r["CidrIp"]) for r in ingress_rules(t, sg)} == {
        (80, "0.0.0.0/0"),
        (443, "0.0.0.0/0"),
        (22, "203.0.113.7/32"),
    }


def test_connections_admit_a_security_group_never_a_cidr(stack, net):
    web = LabHost(stack, "Web", vpc=net.vpc, subnet=net.public_subnets[0])
    db = LabHost(stack, "Db", vpc=net.vpc, subnet=net.private_subnets[0])
    db.connections.allow_from(web, ec2.Port.tcp(3306), "MySQL from the web host")
    t = synth(stack)
    (db_sg,) = [g for g in props(t, "AWS::EC2::SecurityGroupIngress")]
    assert db_sg["FromPort"] == 3306 and "SourceSecurityGroupId" in db_sg and "CidrIp" not in db_sg
    assert db.connections.security_groups[0] is db.security_group


@pytest.mark.parametrize(
    "kwargs, says",
    [
        ({"internet_ports": (22,)}, "only (80, 443) may face the internet"),
        ({"internet_ports": (3306,)}, "only (80, 443) may face the internet"),
        ({"ssh_cidr": "0.0.0.0/0"}, "whole internet"),
        ({"ssh_cidr": "not-a-cidr"}, "is not a CIDR"),
        ({"instance_type": "t3.banana"}, "is not an EC2 instance type"),
        ({"root_volume_gib": 4}, "minimum of 8"),
    ],
)
def test_invalid_props_fail_fast(stack, net, kwargs, says):
    with pytest.raises(CourseInputError) as error:
        LabHost(stack, "Host", vpc=net.vpc, subnet=net.public_subnets[0], **kwargs)
    assert says in str(error.value)


def test_internet_ports_on_a_private_host_are_refused(stack, net):
    with pytest.raises(CourseInputError, match="private subnet has no effect"):
        LabHost(stack, "Host", vpc=net.vpc, subnet=net.private_subnets[0], internet_ports=(80,))


def test_boot_lines_added_later_reach_the_instance_and_the_16_kb_limit_holds(stack, net):
    host = LabHost(stack, "Host", vpc=net.vpc, subnet=net.private_subnets[0],
                   user_data_lines=["echo first"])
    host.add_boot_lines("echo added-after-construction")
    (instance,) = props(synth(stack), "AWS::EC2::Instance")
    text = user_data_text(instance)
    assert text.index("echo first") < text.index("echo added-after-construction")
    with pytest.raises(CourseInputError, match="LabHost .*/Host: user data is .* bytes; EC2 takes"):
        host.add_boot_lines("x" * 16384)


def test_docker_host_installs_docker_and_opens_http_when_public(stack, net):
    DockerHost(stack, "Docker", vpc=net.vpc, subnet=net.public_subnets[0])
    t = synth(stack)
    text = user_data_text(only_instance(t))
    assert "dnf install -y docker" in text and "usermod -aG docker ec2-user" in text
    assert "docker-compose-linux-$(uname -m)" in text
    assert "docker compose up" not in text  # no compose file given
    (sg,) = instance_security_groups(only_instance(t))
    assert [(r["FromPort"], r["CidrIp"]) for r in ingress_rules(t, sg)] == [(80, "0.0.0.0/0")]


def test_the_groups_description_does_not_deny_ssh_a_peer_gets_later(stack, net):
    """A bastion's or a peer host's 22 is added after construction: "no SSH" was wrong on
    Day1Lab2's and Day1Case's hosts (a student trial read the console)."""
    host = LabHost(stack, "Host", vpc=net.vpc, subnet=net.private_subnets[0])
    bastion = LabHost(stack, "Jump", vpc=net.vpc, subnet=net.public_subnets[0])
    host.connections.allow_from(bastion, ec2.Port.tcp(22), "SSH from the bastion only")
    t = synth(stack)
    group = t["Resources"][stack.resolve(host.security_group.node.default_child.logical_id)]
    assert group["Properties"]["GroupDescription"].endswith(
        ": no SSH from the internet (Session Manager)"
    )


def test_docker_host_private_opens_nothing(stack, net):
    DockerHost(stack, "Docker", vpc=net.vpc, subnet=net.private_subnets[0])
    t = synth(stack)
    (sg,) = instance_security_groups(only_instance(t))
    assert ingress_rules(t, sg) == []


def test_docker_host_runs_compose_with_secrets_read_at_boot(stack, net):
    secret = generated_password(stack, "Pw", description="test password for the compose file")
    DockerHost(
        stack,
        "Docker",
        vpc=net.vpc,
        subnet=net.public_subnets[0],
        compose_file=COMPOSE,
        compose_env={"PLAIN": "value"},
        compose_secrets={"WORDPRESS_DB_PASSWORD": secret, "MYSQL_ROOT_PASSWORD": secret},
    )
    t = synth(stack)
    text = user_data_text(only_instance(t))
    assert COMPOSE.read_text().strip() in text
    assert "echo 'PLAIN=value' >> /opt/week5/app/.env" in text
    assert text.count("aws secretsmanager get-secret-value --region ap-northeast-2") == 2
    (policy,) = props(t, "AWS::IAM::Policy")
    assert "secretsmanager:GetSecretValue" in str(policy)
    (secret_props,) = props(t, "AWS::SecretsManager::Secret")
    assert secret_props["GenerateSecretString"] == {
        "ExcludePunctuation": True,
        "PasswordLength": 32,
    }


def test_docker_host_refuses_env_without_compose_and_a_missing_file(stack, net):
    with pytest.raises(CourseInputError, match="need a compose_file"):
        DockerHost(stack, "A", vpc=net.vpc, subnet=net.public_subnets[0], compose_env={"X": "1"})
    with pytest.raises(CourseInputError, match="does not exist"):
        DockerHost(
            stack, "B", vpc=net.vpc, subnet=net.public_subnets[0], compose_file=Path("/nope.yml")
        )


# ---- SSH: a key pair the stack creates or an existing one, and the commands that use it ----


def test_a_host_accepts_the_key_pair_it_is_given_and_prints_ssh_over_session_manager(stack, net):
    key = LabKeyPair(stack, "Key")
    host = LabHost(stack, "Host", vpc=net.vpc, subnet=net.public_subnets[0], ssh_key=key)
    CfnOutput(stack, "Ssh", value=host.ssh_command)
    t = synth(stack)
    (key_id,) = resources(t, "AWS::EC2::KeyPair")
    assert t["Resources"][key_id]["Properties"]["KeyName"] == "UnitStack-Key"
    assert only_instance(t)["KeyName"] == {"Ref": key_id}
    expect_ssh_over_ssm(outputs(t)["Ssh"], "UnitStack-Key.pem", instance_id(host))
    # SSH over Session Manager needs no port: the group still admits nothing.
    (sg,) = instance_security_groups(only_instance(t))
    assert ingress_rules(t, sg) == []


def test_key_name_keeps_working_and_names_the_key_file(stack, net):
    host = LabHost(
        stack,
        "Host",
        vpc=net.vpc,
        subnet=net.public_subnets[0],
        key_name="week5-key",
        ssh_cidr="203.0.113.7/32",
    )
    CfnOutput(stack, "Direct", value=host.ssh_direct_command)
    t = synth(stack)
    assert resources(t, "AWS::EC2::KeyPair") == {}
    assert only_instance(t)["KeyName"] == "week5-key"
    assert host.ssh_key.key_file == "week5-key.pem" and not host.ssh_key.created
    assert outputs(t)["Direct"] == f"ssh -i week5-key.pem ec2-user@<{instance_id(host)}.PublicIp>"


def test_a_key_pair_name_a_shell_cannot_take_becomes_key_pem(stack):
    assert LabKeyPair(stack, "Key", key_name="my key (old)").key_file == "key.pem"


def test_key_pair_names_differ_per_stack_and_per_place_in_it(stack):
    nested = Construct(stack, "Pair")
    assert LabKeyPair(stack, "Key").name == "UnitStack-Key"
    assert LabKeyPair(nested, "Key").name == "UnitStack-Pair-Key"
    assert LabKeyPair(stack, "Named", name="week5-kim-custom").name == "week5-kim-custom"


def test_key_outputs_only_for_a_created_key(stack):
    LabKeyPair(stack, "Mine").add_outputs(stack)
    LabKeyPair(stack, "Theirs", key_name="week5-key").add_outputs(Construct(stack, "Other"))
    t = synth(stack)
    assert set(t["Outputs"]) == {"KeyCommand", "KeyCommandPowerShell"}
    (key_id,) = resources(t, "AWS::EC2::KeyPair")
    shown = outputs(t)
    expect_key_commands(
        shown["KeyCommand"], shown["KeyCommandPowerShell"], "UnitStack-Mine.pem", key_id
    )


def test_ssh_through_a_jump_host_and_its_tunnel(stack, net):
    key = LabKeyPair(stack, "Key")
    jump = LabHost(stack, "Jump", vpc=net.vpc, subnet=net.public_subnets[0], ssh_key=key)
    target = LabHost(stack, "Target", vpc=net.vpc, subnet=net.private_subnets[0], ssh_key=key)
    CfnOutput(stack, "Via", value=target.ssh_via_command(jump))
    CfnOutput(stack, "Tunnel", value=target.tunnel_via_command(jump))
    CfnOutput(stack, "TunnelSsh", value=target.tunnel_ssh_command())
    shown = outputs(synth(stack))
    expect_ssh_via(shown["Via"], "UnitStack-Key.pem", instance_id(jump), instance_id(target))
    expect_tunnel(
        shown["Tunnel"],
        shown["TunnelSsh"],
        "UnitStack-Key.pem",
        instance_id(jump),
        instance_id(target),
    )


@pytest.mark.parametrize(
    "build, says",
    [
        (lambda h, j: h.ssh_command, "ssh_command needs a key pair"),
        (lambda h, j: h.ssh_via_command(j), "ssh_via_command needs a key pair"),
        (lambda h, j: j.ssh_direct_command, "needs a host in a public subnet that admits ssh_cidr"),
        (lambda h, j: h.ssh_via_direct_command(j), "needs a key pair"),
    ],
)
def test_ssh_commands_that_could_not_work_are_refused(stack, net, build, says):
    host = LabHost(stack, "Host", vpc=net.vpc, subnet=net.private_subnets[0])
    jump = LabHost(
        stack, "Jump", vpc=net.vpc, subnet=net.public_subnets[0], ssh_key=LabKeyPair(stack, "Key")
    )
    with pytest.raises(CourseInputError, match=says):
        build(host, jump)


def test_key_name_and_ssh_key_together_are_refused(stack, net):
    with pytest.raises(CourseInputError, match="both name a key pair"):
        LabHost(
            stack,
            "Host",
            vpc=net.vpc,
            subnet=net.public_subnets[0],
            key_name="week5-key",
            ssh_key=LabKeyPair(stack, "Key"),
        )
    with pytest.raises(CourseInputError, match="pass one of them"):
        LabKeyPair(stack, "Both", key_name="week5-key", name="other")
    with pytest.raises(CourseInputError, match="is not an EC2 key-pair name"):
        LabKeyPair(stack, "Long", name="k" * 256)
