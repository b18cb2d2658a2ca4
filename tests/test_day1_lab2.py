"""Day 1 Lab 2: 멀티 AZ 네트워크 — four subnets, one NAT gateway in Public-A, bastion, two web servers."""

import pytest
from aws_cdk import CfnOutput
from lab_outputs import render, step_registry
from ssh_commands import (
    expect_key_commands,
    expect_ssh_over_ssm,
    expect_ssh_via,
    expect_ssh_via_direct,
    expect_tunnel,
    instance_id,
    outputs,
    outputs_named_in_guide,
    synth_with,
)
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

from week5.analysis.teardown import teardown_findings

LAB = "Day1Lab2"
SSH_CIDR = "198.51.100.7/32"
KEY_FILE = "week5-instructor-Day1Lab2-SshKey.pem"


@pytest.fixture(scope="module")
def lab(app):
    """The lab's stack: tests find resources through its constructs."""
    return app.stacks[LAB]


@pytest.fixture(scope="module")
def with_ssh_cidr(tmp_path_factory):
    """The lab deployed with ``-c ssh_cidr=198.51.100.7/32``: (stack, template)."""
    return synth_with(tmp_path_factory.mktemp("day1lab2"), LAB, ssh_cidr=SSH_CIDR)


#: The outputs to reach the private host, by the ids the guide names; with ``ssh_cidr`` also
#: ``BastionSshDirectCommand`` and ``SshDirectCommand``.
PAIR_OUTPUTS = (
    "SshCommand",
    "BastionSshCommand",
    "PrivateHostTunnelCommand",
    "PrivateHostTunnelSshCommand",
    "BastionSsmCommand",
    "PrivateHostSsmCommand",
)
DIRECT_OUTPUTS = ("BastionSshDirectCommand", "SshDirectCommand")


def pair_outputs(stack, template):
    """The bastion pair's outputs by their ids (``SshCommand``), rendered."""
    shown = outputs(template)
    return {key: shown[key] for key in PAIR_OUTPUTS + DIRECT_OUTPUTS if key in shown}


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


def test_outputs_have_the_ids_the_guide_names_in_the_guides_order(t, lab, with_ssh_cidr):
    """The stack writes them, not the pair: an output inside the pair got its path and a hash
    in its id (``BastionPairSshCommandE2614A3A``), and the guide told students to copy that."""
    key_outputs = ["KeyCommand", "KeyCommandPowerShell"]
    web_outputs = ["Web1Url", "Web2Url"]
    assert list(t["Outputs"]) == key_outputs + list(PAIR_OUTPUTS) + web_outputs
    assert list(with_ssh_cidr[1]["Outputs"]) == (
        key_outputs + list(PAIR_OUTPUTS + DIRECT_OUTPUTS) + web_outputs
    )
    pair = lab.bastion_pair
    assert [c for c in pair.node.find_all() if isinstance(c, CfnOutput)] == []
    shown = outputs(t)
    assert shown["SshCommand"] == render(lab.resolve(pair.ssh_command))
    assert shown["PrivateHostSsmCommand"] == render(lab.resolve(pair.private_host.ssm_command))


def test_every_host_accepts_the_stacks_own_key_pair(t, lab, hosts):
    (key_id,) = resources(t, "AWS::EC2::KeyPair")
    assert key_id == logical_id(lab.ssh_key.key_pair)
    key = t["Resources"][key_id]
    assert key["Properties"]["KeyName"] == "week5-instructor-Day1Lab2-SshKey"
    assert "DeletionPolicy" not in key
    assert {name: p["KeyName"] for name, p in hosts.items()} == {
        name: {"Ref": key_id} for name in hosts
    }


# ---- The course's console steps (week5-course-rules.md, Day 1 Lab 2), each made doable ----

#: Step number → (what the course's step says, the check on the template).
COURSE_STEPS, step = step_registry()


@step("1.1-1.2", "VPC 10.0.0.0/16; Public-A/B 10.0.1.0/24, 10.0.2.0/24; Private-A/B 10.0.11/12")
def _vpc_and_subnets(t, lab, variant):
    assert by_name(t, "AWS::EC2::VPC")["week5-day1-vpc"]["CidrBlock"] == "10.0.0.0/16"
    assert {n: p["CidrBlock"] for n, p in by_name(t, "AWS::EC2::Subnet").items()} == {
        "week5-day1-public-subnet-a": "10.0.1.0/24",
        "week5-day1-public-subnet-b": "10.0.2.0/24",
        "week5-day1-private-subnet-a": "10.0.11.0/24",
        "week5-day1-private-subnet-b": "10.0.12.0/24",
    }


@step("1.3-1.5", "Internet Gateway; NAT Gateway in Public-A; Public RT → IGW, Private RT → NAT")
def _gateways_and_routes(t, lab, variant):
    igw = logical_id_of(t, "AWS::EC2::InternetGateway", lambda p: True)
    nat = logical_id_of(t, "AWS::EC2::NatGateway", lambda p: True)
    subnets = subnet_ids_by_name(t)
    assert props(t, "AWS::EC2::NatGateway")[0]["SubnetId"] == {
        "Ref": subnets["week5-day1-public-subnet-a"]
    }
    targets = default_route_targets(t)
    assert {n: next(iter(v.values())) for n, v in targets.items()} == {
        "week5-day1-public-subnet-a": {"Ref": igw},
        "week5-day1-public-subnet-b": {"Ref": igw},
        "week5-day1-private-subnet-a": {"Ref": nat},
        "week5-day1-private-subnet-b": {"Ref": nat},
    }


@step("2.1", "Bastion 인스턴스 생성 (Public-A)")
def _bastion(t, lab, variant):
    hosts = by_name(t, "AWS::EC2::Instance")
    subnets = subnet_ids_by_name(t)
    assert instance_subnet(hosts["week5-day1-bastion"]) == subnets["week5-day1-public-subnet-a"]


@step("2.2", "Security Group: SSH (22) only")
def _bastion_sg(t, lab, variant):
    bastion_sg = logical_id(lab.bastion_pair.bastion.security_group)
    # Nothing by default (SSH comes over Session Manager); 22 only from ssh_cidr with it.
    assert ingress_rules(t, bastion_sg) == []
    variant_stack, variant_t = variant
    rules = ingress_rules(variant_t, logical_id(variant_stack.bastion_pair.bastion.security_group))
    assert [(r["IpProtocol"], r["FromPort"], r["ToPort"], r["CidrIp"]) for r in rules] == [
        ("tcp", 22, 22, SSH_CIDR)
    ]


@step("2.3", "Private 인스턴스 생성 (Private-A)")
def _private_host(t, lab, variant):
    hosts = by_name(t, "AWS::EC2::Instance")
    subnets = subnet_ids_by_name(t)
    assert instance_subnet(hosts["week5-day1-private"]) == subnets["week5-day1-private-subnet-a"]
    assert "NetworkInterfaces" not in hosts["week5-day1-private"]  # no public IP


@step("2.4", "Bastion 통해 Private 접근 테스트")
def _through_the_bastion(t, lab, variant):
    pair = lab.bastion_pair
    bastion, private = instance_id(pair.bastion), instance_id(pair.private_host)
    key_pair = logical_id(lab.ssh_key.key_pair)
    for host in (bastion, private):
        assert t["Resources"][host]["Properties"]["KeyName"] == {"Ref": key_pair}
    shown, by_id = outputs(t), pair_outputs(lab, t)
    expect_key_commands(shown["KeyCommand"], shown["KeyCommandPowerShell"], KEY_FILE, key_pair)
    # Linux/macOS: one command; Windows: a tunnel through the bastion, then ssh into it.
    expect_ssh_via(by_id["SshCommand"], KEY_FILE, bastion, private)
    expect_tunnel(
        by_id["PrivateHostTunnelCommand"],
        by_id["PrivateHostTunnelSshCommand"],
        KEY_FILE,
        bastion,
        private,
    )
    expect_ssh_over_ssm(by_id["BastionSshCommand"], KEY_FILE, bastion)
    # The hop is admitted: 22 on the private host from the bastion's group only; the bastion
    # sends anywhere. Both agents reach Session Manager (the private one through the NAT).
    bastion_sg = logical_id(pair.bastion.security_group)
    assert [
        (r["FromPort"], r["SourceSecurityGroupId"])
        for r in ingress_rules(t, logical_id(pair.private_host.security_group))
    ] == [(22, {"Fn::GetAtt": [bastion_sg, "GroupId"]})]
    egress = t["Resources"][bastion_sg]["Properties"]["SecurityGroupEgress"]
    assert [(e["IpProtocol"], e["CidrIp"]) for e in egress] == [("-1", "0.0.0.0/0")]
    for role in (pair.bastion.role, pair.private_host.role):
        policies = t["Resources"][logical_id(role)]["Properties"]["ManagedPolicyArns"]
        assert "AmazonSSMManagedInstanceCore" in str(policies)
    assert "NatGatewayId" in default_route_targets(t)["week5-day1-private-subnet-a"]
    # With -c ssh_cidr, also the course's way: through the bastion's public IP.
    variant_stack, variant_t = variant
    variant_outputs = pair_outputs(variant_stack, variant_t)
    expect_ssh_via_direct(
        variant_outputs["SshDirectCommand"],
        KEY_FILE,
        instance_id(variant_stack.bastion_pair.bastion),
        instance_id(variant_stack.bastion_pair.private_host),
    )
    assert variant_outputs["BastionSshDirectCommand"] == (
        f"ssh -i {KEY_FILE} ec2-user@<{instance_id(variant_stack.bastion_pair.bastion)}.PublicIp>"
    )
    assert not {"SshDirectCommand", "BastionSshDirectCommand"} & set(by_id)


@step("3.1", "각 AZ Public Subnet에 웹 서버 배포")
def _web_servers(t, lab, variant):
    hosts = by_name(t, "AWS::EC2::Instance")
    subnets = subnet_ids_by_name(t)
    assert instance_subnet(hosts["week5-day1-web1"]) == subnets["week5-day1-public-subnet-a"]
    assert instance_subnet(hosts["week5-day1-web2"]) == subnets["week5-day1-public-subnet-b"]
    for name in ("week5-day1-web1", "week5-day1-web2"):
        assert "nginx" in user_data_text(hosts[name])


@step("3.2", "연결 테스트")
def _web_urls(t, lab, variant):
    shown = outputs(t)
    for index, web in enumerate(lab.web_servers, start=1):
        assert shown[f"Web{index}Url"] == f"http://<{instance_id(web)}.PublicIp>"
        rules = ingress_rules(t, logical_id(web.security_group))
        assert ("tcp", 80, "0.0.0.0/0") in {
            (r["IpProtocol"], r["FromPort"], r.get("CidrIp")) for r in rules
        }


@step("4", "리소스 정리")
def _cleanup(t, lab, variant):
    assert teardown_findings(t) == []


def test_course_steps_are_listed_in_the_courses_order():
    assert list(COURSE_STEPS) == [
        "1.1-1.2",
        "1.3-1.5",
        "2.1",
        "2.2",
        "2.3",
        "2.4",
        "3.1",
        "3.2",
        "4",
    ]


@pytest.mark.parametrize("number", list(COURSE_STEPS))
def test_course_step_is_doable(number, t, lab, with_ssh_cidr):
    _, check = COURSE_STEPS[number]
    check(t, lab, with_ssh_cidr)


def test_the_guide_names_outputs_the_stack_has(t, with_ssh_cidr):
    named = outputs_named_in_guide(LAB)
    assert {"KeyCommand", "SshCommand", "PrivateHostTunnelCommand", "Web1Url"} <= named
    assert named <= set(t["Outputs"]) | set(with_ssh_cidr[1]["Outputs"])


def test_the_key_file_keycommand_saves_is_never_committed():
    """KeyCommand saves the private key in the working folder, the project's for most
    students: git must not offer it for a commit."""
    import subprocess

    from support import ROOT

    ignored = subprocess.run(["git", "check-ignore", "-q", KEY_FILE.replace("instructor", "kim")],
                             cwd=ROOT, check=False)  # fmt: skip
    assert ignored.returncode == 0
