"""Day 1 Session 4 case: 블로그 플랫폼 — WordPress public, MySQL private, 3306 from the web host only."""

import pytest
from lab_outputs import step_registry
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
from test_day1_lab1 import expect_wordpress_follows_the_request

LAB = "Day1Case"
SSH_CIDR = "192.0.2.7/32"
KEY_FILE = "week5-instructor-Day1Case-SshKey.pem"


@pytest.fixture(scope="module")
def lab(app):
    """The lab's stack: tests find resources through its constructs."""
    return app.stacks[LAB]


@pytest.fixture(scope="module")
def with_ssh_cidr_and_key(tmp_path_factory):
    """The case deployed with ``-c ssh_cidr=192.0.2.7/32 -c key_name=week5-key``: (stack,
    template)."""
    outdir = tmp_path_factory.mktemp("day1case")
    return synth_with(outdir, LAB, ssh_cidr=SSH_CIDR, key_name="week5-key")


def test_snapshot(t, json_snapshot):
    assert mask_asset_hashes(t) == json_snapshot


def test_one_public_and_one_private_subnet_in_2a(t):
    subnets = {
        n: (p["CidrBlock"], p["AvailabilityZone"])
        for n, p in by_name(t, "AWS::EC2::Subnet").items()
    }
    assert subnets == {
        "week5-day1-public-subnet": ("10.0.1.0/24", "ap-northeast-2a"),
        "week5-day1-private-subnet": ("10.0.11.0/24", "ap-northeast-2a"),
    }


def test_private_subnet_reaches_the_internet_through_a_nat_instance(t, hosts):
    assert resources(t, "AWS::EC2::NatGateway") == {}
    nat_instances = [p for p in props(t, "AWS::EC2::Instance") if p["InstanceType"] == "t4g.nano"]
    assert len(nat_instances) == 1
    nat_id = logical_id_of(t, "AWS::EC2::Instance", lambda p: p["InstanceType"] == "t4g.nano")
    targets = default_route_targets(t)
    assert targets["week5-day1-private-subnet"] == {"InstanceId": {"Ref": nat_id}}
    assert nat_instances[0]["SourceDestCheck"] is False
    # The NAT forwards only web traffic and ping from inside the VPC.
    (nat_sg,) = instance_security_groups(nat_instances[0])
    assert sorted(
        (r["IpProtocol"], r["FromPort"], r["CidrIp"]) for r in ingress_rules(t, nat_sg)
    ) == [
        ("icmp", 8, "10.0.0.0/16"),
        ("tcp", 80, "10.0.0.0/16"),
        ("tcp", 443, "10.0.0.0/16"),
    ]


def test_wordpress_public_mysql_private(t, hosts):
    subnets = subnet_ids_by_name(t)
    assert instance_subnet(hosts["week5-day1-wordpress"]) == subnets["week5-day1-public-subnet"]
    assert instance_subnet(hosts["week5-day1-mysql"]) == subnets["week5-day1-private-subnet"]
    assert "image: wordpress:latest" in user_data_text(hosts["week5-day1-wordpress"])
    assert "image: mysql:5.7" in user_data_text(hosts["week5-day1-mysql"])
    assert "image: mysql" not in user_data_text(hosts["week5-day1-wordpress"])


def test_wordpress_finds_mysql_by_its_private_ip(t, hosts):
    parts = hosts["week5-day1-wordpress"]["UserData"]["Fn::Base64"]["Fn::Join"][1]
    mysql_id = logical_id_of(
        t, "AWS::EC2::Instance", lambda p: {"Key": "Name", "Value": "week5-day1-mysql"} in p["Tags"]
    )
    index = parts.index({"Fn::GetAtt": [mysql_id, "PrivateIp"]})
    assert parts[index - 1].endswith("WORDPRESS_DB_HOST=")


def test_mysql_host_boots_after_the_private_subnets_route_to_the_nat_instance(t, lab):
    """Its boot installs Docker and pulls mysql:5.7 through the NAT instance: started before
    the route existed, it stopped at `dnf install` and the stack completed with no MySQL."""
    private = lab.network.private_subnets[0]
    route = logical_id(private.node.find_child("DefaultRoute"))
    association = logical_id(private.node.find_child("RouteTableAssociation"))
    assert "InstanceId" in t["Resources"][route]["Properties"]  # the NAT instance
    depends_on = t["Resources"][instance_id(lab.db_host)]["DependsOn"]
    assert {route, association} <= set(depends_on)


def test_wordpress_follows_the_public_ip_across_a_stop_and_start(t, lab, tmp_path):
    expect_wordpress_follows_the_request(
        tmp_path, t["Resources"][instance_id(lab.web_host)]["Properties"]
    )
    # SiteUrl keeps the IP of the deployment: its description says where to go after one.
    assert "중지 후 시작하면 새 퍼블릭 IP" in t["Outputs"]["SiteUrl"]["Description"]


def test_ports_80_22_3306_with_3306_only_from_the_web_hosts_group(t, hosts):
    (web_sg,) = instance_security_groups(hosts["week5-day1-wordpress"])
    (db_sg,) = instance_security_groups(hosts["week5-day1-mysql"])
    web_rules = {(r["FromPort"], r.get("CidrIp")) for r in ingress_rules(t, web_sg)}
    assert web_rules == {(80, "0.0.0.0/0")}  # + 22 from ssh_cidr when given
    db_rules = {
        (r["FromPort"], r["SourceSecurityGroupId"]["Fn::GetAtt"][0])
        for r in ingress_rules(t, db_sg)
    }
    assert db_rules == {(3306, web_sg), (22, web_sg)}
    assert not any("CidrIp" in r for r in ingress_rules(t, db_sg))


def test_mysql_passwords_come_from_secrets_manager(t, hosts):
    for host in hosts.values():
        if "UserData" in host and "docker" in user_data_text(host):
            text = user_data_text(host)
            assert "rootpassword" not in text and "PASSWORD: password" not in text
            assert "aws secretsmanager get-secret-value" in text
    assert len(resources(t, "AWS::SecretsManager::Secret")) == 2


def test_outputs(t):
    assert set(t["Outputs"]) == {
        "SiteUrl",
        "WordpressSsmCommand",
        "MysqlSsmCommand",
        "KeyCommand",
        "KeyCommandPowerShell",
        "WordpressSshCommand",
        "MysqlSshCommand",
        "MysqlTunnelCommand",
        "MysqlTunnelSshCommand",
    }


# ---- The case's AWS 서비스 매핑 (week5-course-rules.md, Day 1 Session 4), each made doable ----

#: The mapping's items in the course's order → (what it says, the check on the template).
COURSE_STEPS, step = step_registry()


@step("매핑 1", "VPC: 격리된 네트워크 환경 (사용자 → Internet Gateway → Public Subnet)")
def _vpc(t, lab, variant):
    assert by_name(t, "AWS::EC2::VPC")["week5-day1-vpc"]["CidrBlock"] == "10.0.0.0/16"
    assert set(by_name(t, "AWS::EC2::Subnet")) == {
        "week5-day1-public-subnet",
        "week5-day1-private-subnet",
    }
    igw = logical_id_of(t, "AWS::EC2::InternetGateway", lambda p: True)
    assert default_route_targets(t)["week5-day1-public-subnet"] == {"GatewayId": {"Ref": igw}}


@step("매핑 2", "Public Subnet: WordPress 컨테이너 (EC2)")
def _wordpress(t, lab, variant):
    web = lab.web_host
    host = t["Resources"][instance_id(web)]["Properties"]
    assert instance_subnet(host) == subnet_ids_by_name(t)["week5-day1-public-subnet"]
    assert "image: wordpress:latest" in user_data_text(host)
    assert outputs(t)["SiteUrl"] == f"http://<{instance_id(web)}.PublicIp>"


@step("매핑 3", "Private Subnet: MySQL (RDS 대신 컨테이너로 시작)")
def _mysql(t, lab, variant):
    db = t["Resources"][instance_id(lab.db_host)]["Properties"]
    assert instance_subnet(db) == subnet_ids_by_name(t)["week5-day1-private-subnet"]
    assert "image: mysql:5.7" in user_data_text(db)
    # The image comes through the NAT instance; WordPress finds MySQL by its private IP.
    assert "InstanceId" in default_route_targets(t)["week5-day1-private-subnet"]
    web = t["Resources"][instance_id(lab.web_host)]["Properties"]
    assert {"Fn::GetAtt": [instance_id(lab.db_host), "PrivateIp"]} in web["UserData"]["Fn::Base64"][
        "Fn::Join"
    ][1]


@step("매핑 4", "Security Groups: 웹(80), SSH(22), MySQL(3306)")
def _security_groups(t, lab, variant):
    web_sg = logical_id(lab.web_host.security_group)
    db_sg = logical_id(lab.db_host.security_group)
    from_web = {"Fn::GetAtt": [web_sg, "GroupId"]}
    assert {(r["FromPort"], r.get("CidrIp")) for r in ingress_rules(t, web_sg)} == {
        (80, "0.0.0.0/0")
    }
    assert sorted((r["FromPort"], r["SourceSecurityGroupId"]) for r in ingress_rules(t, db_sg)) == [
        (22, from_web),
        (3306, from_web),
    ]
    # SSH (22): both hosts accept the stack's key; the WordPress host is reached over Session
    # Manager, the MySQL host through it (the case's arrow), from Windows through a tunnel.
    web, db = instance_id(lab.web_host), instance_id(lab.db_host)
    key_pair = logical_id(lab.ssh_key.key_pair)
    assert t["Resources"][key_pair]["Properties"]["KeyName"] == "week5-instructor-Day1Case-SshKey"
    for host in (web, db):
        assert t["Resources"][host]["Properties"]["KeyName"] == {"Ref": key_pair}
    shown = outputs(t)
    expect_key_commands(shown["KeyCommand"], shown["KeyCommandPowerShell"], KEY_FILE, key_pair)
    expect_ssh_over_ssm(shown["WordpressSshCommand"], KEY_FILE, web)
    expect_ssh_via(shown["MysqlSshCommand"], KEY_FILE, web, db)
    expect_tunnel(shown["MysqlTunnelCommand"], shown["MysqlTunnelSshCommand"], KEY_FILE, web, db)
    # The MySQL host's agent reaches Session Manager (HTTPS) through the NAT instance.
    nat = next(p for p in props(t, "AWS::EC2::Instance") if p["InstanceType"] == "t4g.nano")
    (nat_sg,) = instance_security_groups(nat)
    assert ("tcp", 443, "10.0.0.0/16") in {
        (r["IpProtocol"], r["FromPort"], r["CidrIp"]) for r in ingress_rules(t, nat_sg)
    }
    # With -c ssh_cidr and -c key_name: 22 from that CIDR to the WordPress host, and the
    # direct commands with the student's own key.
    stack, variant_t = variant
    v_web, v_db = instance_id(stack.web_host), instance_id(stack.db_host)
    assert resources(variant_t, "AWS::EC2::KeyPair") == {}
    assert {
        (r["FromPort"], r.get("CidrIp"))
        for r in ingress_rules(variant_t, logical_id(stack.web_host.security_group))
    } == {(80, "0.0.0.0/0"), (22, SSH_CIDR)}
    v_shown = outputs(variant_t)
    assert (
        v_shown["WordpressSshDirectCommand"] == f"ssh -i week5-key.pem ec2-user@<{v_web}.PublicIp>"
    )
    expect_ssh_via_direct(v_shown["MysqlSshDirectCommand"], "week5-key.pem", v_web, v_db)
    expect_ssh_via(v_shown["MysqlSshCommand"], "week5-key.pem", v_web, v_db)
    assert not {"KeyCommand", "KeyCommandPowerShell"} & set(v_shown)


def test_course_steps_are_listed_in_the_courses_order():
    assert list(COURSE_STEPS) == ["매핑 1", "매핑 2", "매핑 3", "매핑 4"]


@pytest.mark.parametrize("number", list(COURSE_STEPS))
def test_course_step_is_doable(number, t, lab, with_ssh_cidr_and_key):
    _, check = COURSE_STEPS[number]
    check(t, lab, with_ssh_cidr_and_key)


def test_the_guide_names_outputs_the_stack_has(t):
    named = outputs_named_in_guide(LAB)
    assert {"KeyCommand", "WordpressSshCommand", "MysqlSshCommand", "SiteUrl"} <= named
    assert named <= set(t["Outputs"])
