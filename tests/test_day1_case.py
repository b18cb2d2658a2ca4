"""Day 1 Session 4 case: 블로그 플랫폼 — WordPress public, MySQL private, 3306 from the web host only."""

from support import (
    by_name,
    default_route_targets,
    ingress_rules,
    instance_security_groups,
    instance_subnet,
    logical_id_of,
    mask_asset_hashes,
    props,
    resources,
    subnet_ids_by_name,
    user_data_text,
)

LAB = "Day1Case"


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
