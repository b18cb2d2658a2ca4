"""Day 1 Lab 1: VPC & EC2 기본 구성 — the course's diagram and console steps, fact by fact."""

import contextlib
import json
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Dict, Mapping, Optional

import pytest
import yaml
from lab_outputs import step_registry
from ssh_commands import (
    expect_key_commands,
    expect_ssh_over_ssm,
    instance_id,
    outputs,
    outputs_named_in_guide,
    synth_with,
)
from support import (
    by_name,
    ingress_rules,
    instance_security_groups,
    logical_id,
    logical_id_of,
    mask_asset_hashes,
    props,
    resources,
    user_data_text,
)
from test_docker_install_script import DOCKER_BOOT, DOCKER_CALLS, make_box, run_boot
from test_docker_install_script import calls as docker_calls
from wordpress_site import wp_config

from week5.analysis.teardown import teardown_findings

LAB = "Day1Lab1"
SSH_CIDR = "203.0.113.7/32"


@pytest.fixture(scope="module")
def lab(app):
    """The lab's stack: tests find resources through its constructs."""
    return app.stacks[LAB]


@pytest.fixture(scope="module")
def with_ssh_cidr_and_key(tmp_path_factory):
    """The lab deployed with ``-c ssh_cidr=203.0.113.7/32 -c key_name=week5-key``: (stack,
    template)."""
    outdir = tmp_path_factory.mktemp("day1lab1")
    return synth_with(outdir, LAB, ssh_cidr=SSH_CIDR, key_name="week5-key")


def test_snapshot(t, json_snapshot):
    assert mask_asset_hashes(t) == json_snapshot


def test_vpc_is_10_0_0_0_16_named_as_the_console_step(t):
    vpcs = by_name(t, "AWS::EC2::VPC")
    assert list(vpcs) == ["week5-day1-vpc"]
    assert vpcs["week5-day1-vpc"]["CidrBlock"] == "10.0.0.0/16"


def test_one_public_subnet_10_0_1_0_24_in_2a_with_public_ips(t):
    subnets = by_name(t, "AWS::EC2::Subnet")
    assert list(subnets) == ["week5-day1-public-subnet"]
    subnet = subnets["week5-day1-public-subnet"]
    assert subnet["CidrBlock"] == "10.0.1.0/24"
    assert subnet["AvailabilityZone"] == "ap-northeast-2a"
    assert subnet["MapPublicIpOnLaunch"] is True


def test_internet_gateway_and_default_route_to_it(t):
    igw = logical_id_of(t, "AWS::EC2::InternetGateway", lambda p: True)
    routes = props(t, "AWS::EC2::Route")
    assert routes == [
        {
            "DestinationCidrBlock": "0.0.0.0/0",
            "GatewayId": {"Ref": igw},
            "RouteTableId": routes[0]["RouteTableId"],
        }
    ]
    assert resources(t, "AWS::EC2::NatGateway") == {}


def test_security_group_http_from_anywhere_no_ssh_by_default(t):
    sg = logical_id_of(t, "AWS::EC2::SecurityGroup", lambda p: True)
    rules = ingress_rules(t, sg)
    assert [(r["FromPort"], r["ToPort"], r.get("CidrIp")) for r in rules] == [(80, 80, "0.0.0.0/0")]
    egress = t["Resources"][sg]["Properties"]["SecurityGroupEgress"]
    assert egress == [
        {
            "CidrIp": "0.0.0.0/0",
            "Description": "Allow all outbound traffic by default",
            "IpProtocol": "-1",
        }
    ]


def test_one_t3_micro_amazon_linux_2023_host_with_public_ip(t):
    (instance,) = props(t, "AWS::EC2::Instance")
    assert instance["InstanceType"] == "t3.micro"
    assert "al2023" in instance["ImageId"]["Ref"].lower()
    (nic,) = instance["NetworkInterfaces"]
    assert nic["AssociatePublicIpAddress"] is True


def test_user_data_installs_docker_as_course_step_3_and_runs_wordpress(t):
    (instance,) = props(t, "AWS::EC2::Instance")
    script = user_data_text(instance)
    parts = instance["UserData"]["Fn::Base64"]["Fn::Join"][1]
    for line in (
        "dnf install -y docker",
        "systemctl enable --now docker",
        "usermod -aG docker ec2-user",
        "image: wordpress:latest",
        "image: mysql:5.7",
        "docker compose up -d",
    ):
        assert line in script
    # The course's compose file hard-codes these; here they come from Secrets Manager.
    assert "rootpassword" not in script and "PASSWORD: password" not in script
    secret_refs = [p["Ref"] for p in parts if isinstance(p, dict)]
    assert sorted(secret_refs) == sorted(resources(t, "AWS::SecretsManager::Secret"))


def test_host_may_read_exactly_its_two_secrets(t):
    (policy,) = props(t, "AWS::IAM::Policy")
    statements = policy["PolicyDocument"]["Statement"]
    (statement,) = [s for s in statements if "secretsmanager:GetSecretValue" in s["Action"]]
    resources_read = sorted(r["Ref"] for r in statement["Resource"])
    assert resources_read == sorted(resources(t, "AWS::SecretsManager::Secret"))


def test_outputs_site_url_instance_and_session_manager_command(t, lab):
    assert set(t["Outputs"]) == {
        "SiteUrl",
        "InstanceId",
        "SsmCommand",
        "PublicIp",
        "KeyCommand",
        "KeyCommandPowerShell",
        "SshCommand",
    }
    host = instance_id(lab.host)
    shown = outputs(t)
    assert shown["SiteUrl"] == f"http://<{host}.PublicIp>"
    assert shown["InstanceId"] == f"<{host}>"
    assert shown["SsmCommand"] == f"aws ssm start-session --region ap-northeast-2 --target <{host}>"


def test_the_stack_creates_a_key_pair_per_student_that_goes_with_it(t, lab):
    (key_id,) = resources(t, "AWS::EC2::KeyPair")
    key = t["Resources"][key_id]
    assert key_id == logical_id(lab.ssh_key.key_pair)
    # Key-pair names are unique per account and region: the stack name holds the student.
    assert key["Properties"]["KeyName"] == "week5-instructor-Day1Lab1-SshKey"
    assert (key["Properties"]["KeyType"], key["Properties"]["KeyFormat"]) == ("rsa", "pem")
    # Deleted with the stack (and AWS deletes its Parameter Store copy with it).
    assert "DeletionPolicy" not in key and "PublicKeyMaterial" not in key["Properties"]
    (instance,) = props(t, "AWS::EC2::Instance")
    assert instance["KeyName"] == {"Ref": key_id}


def test_ssh_cidr_context_opens_22_to_that_cidr_only(with_ssh_cidr_and_key):
    _, t = with_ssh_cidr_and_key
    sg = logical_id_of(t, "AWS::EC2::SecurityGroup", lambda p: True)
    rules = {(r["FromPort"], r.get("CidrIp")) for r in ingress_rules(t, sg)}
    assert rules == {(80, "0.0.0.0/0"), (22, SSH_CIDR)}


def test_key_name_context_uses_that_key_pair_and_creates_none(with_ssh_cidr_and_key):
    stack, t = with_ssh_cidr_and_key
    assert resources(t, "AWS::EC2::KeyPair") == {}
    (instance,) = props(t, "AWS::EC2::Instance")
    assert instance["KeyName"] == "week5-key"
    # The student already holds week5-key.pem: nothing to save.
    assert not {"KeyCommand", "KeyCommandPowerShell"} & set(t["Outputs"])
    expect_ssh_over_ssm(outputs(t)["SshCommand"], "week5-key.pem", instance_id(stack.host))


# ---- WordPress after a stop and start (a new public IP) ----

#: A variable in a compose file as ``docker compose`` reads it: ``$$`` is a ``$``, ``${NAME}``
#: (with ``:-``, ``:?`` and the like) and ``$NAME`` are variables; any other ``$`` is an error.
COMPOSE_DOLLAR = re.compile(r"\$(?:(\$)|\{([A-Za-z_]\w*)[^}]*\}|([A-Za-z_]\w*)|)")


def as_compose_passes(text: str, variables: Mapping[str, str]) -> str:
    """``text`` after compose's interpolation; a variable not in ``variables`` (compose would
    put the .env's value or nothing there) or a stray ``$`` fails."""

    def fill(match: re.Match) -> str:
        escaped, braced, bare = match.groups()
        if escaped:
            return "$"
        name = braced or bare
        assert name, f"a $ compose cannot read at {match.start()}: {text[match.start():][:30]!r}"
        assert name in variables, f"compose would read ${name} as a variable: write $${name}"
        return variables[name]

    return COMPOSE_DOLLAR.sub(fill, text)


def compose_file_on(host: dict) -> dict:
    """The docker-compose.yml a DockerHost writes at boot (a quoted heredoc: as it is)."""
    (text,) = re.findall(
        r"cat > /opt/week5/app/docker-compose\.yml <<'(WEEK5_EOF)'\n(.*?)\n\1\n",
        user_data_text(host),
        re.S,
    )
    return yaml.safe_load(text[1])


def wordpress_config_extra(host: dict) -> str:
    """The PHP the WordPress container gets in ``WORDPRESS_CONFIG_EXTRA``, which the image's
    wp-config.php evals, checked without PHP: compose leaves none of it to a variable, and
    both addresses are defined, only where a request names its Host (WP-CLI has none)."""
    environment = compose_file_on(host)["services"]["wordpress"]["environment"]
    php = as_compose_passes(environment["WORDPRESS_CONFIG_EXTRA"], {})
    assert "$$" not in php  # PHP would read $$x as the variable named by $x
    guard = php.index("if (isset($_SERVER['HTTP_HOST'])")
    for constant in ("WP_HOME", "WP_SITEURL"):
        assert guard < php.index(f"define('{constant}', ") < php.rindex("}")
    assert "$_SERVER['HTTP_HOST'];" in php
    for pair in ("()", "{}", "[]"):
        assert php.count(pair[0]) == php.count(pair[1]), pair
    assert php.count("'") % 2 == 0
    return php


def wordpress_address(
    folder: Path, php_extra: str, **server: str
) -> Dict[str, Optional[str]]:
    """WP_HOME and WP_SITEURL as WordPress sees them: the image's wp-config.php (as
    wordpress_site.py writes it) run by php-cli with ``WORDPRESS_CONFIG_EXTRA`` and the
    request's ``server`` variables (php-cli puts its environment in ``$_SERVER``)."""
    folder.mkdir(exist_ok=True)
    (folder / "wp-config.php").write_text(wp_config())
    (folder / "wp-settings.php").write_text(
        "<?php echo json_encode(['WP_HOME' => defined('WP_HOME') ? WP_HOME : null, "
        "'WP_SITEURL' => defined('WP_SITEURL') ? WP_SITEURL : null]);"
    )
    result = subprocess.run(
        ["php", "-d", "error_reporting=-1", "-d", "display_errors=stderr",
         str(folder / "wp-config.php")],
        env={"PATH": "/usr/bin:/bin", "WORDPRESS_CONFIG_EXTRA": php_extra, **server},
        capture_output=True, text=True, check=True, timeout=30,
    )  # fmt: skip
    assert result.stderr == ""  # no warning, notice or deprecation
    return json.loads(result.stdout)


def expect_wordpress_follows_the_request(folder: Path, host: dict) -> None:
    """WordPress's addresses are those each request came to, so the new public IP after a stop
    and start is the site's own (the install's siteurl/home in MySQL no longer redirect)."""
    php = wordpress_config_extra(host)
    for public_ip in ("3.38.10.20", "43.201.7.9"):  # before and after a stop/start
        url = f"http://{public_ip}"
        assert wordpress_address(folder, php, HTTP_HOST=public_ip) == {
            "WP_HOME": url,
            "WP_SITEURL": url,
        }
    behind_https = wordpress_address(
        folder, php, HTTP_HOST="blog.example.com", HTTP_X_FORWARDED_PROTO="https"
    )
    assert behind_https["WP_HOME"] == "https://blog.example.com"
    # WP-CLI (no request): nothing defined, WordPress reads siteurl/home from MySQL.
    assert wordpress_address(folder, php) == {"WP_HOME": None, "WP_SITEURL": None}


def test_wordpress_follows_the_public_ip_across_a_stop_and_start(t, lab, tmp_path):
    expect_wordpress_follows_the_request(
        tmp_path, t["Resources"][instance_id(lab.host)]["Properties"]
    )
    # SiteUrl keeps the IP of the deployment: its description says where to go after one.
    assert "중지 후 시작하면 새 퍼블릭 IP" in t["Outputs"]["SiteUrl"]["Description"]


# ---- The course's console steps (week5-course-rules.md, Day 1 Lab 1), each made doable ----


@contextlib.contextmanager
def docker_boot_run():
    """DOCKER_BOOT run in bash on a fake host whose tools all work: (the host, the run); the
    host's folder goes when the block ends."""
    with tempfile.TemporaryDirectory(prefix="week5-docker-boot-") as folder:
        box = make_box(Path(folder))
        yield box, run_boot(box)


#: Step number → (what the course's step says, the check on the template).
COURSE_STEPS, step = step_registry()


@step("1.1-1.2", "Create VPC: Name week5-day1-vpc, IPv4 CIDR 10.0.0.0/16")
def _vpc(t, lab, variant):
    assert by_name(t, "AWS::EC2::VPC")["week5-day1-vpc"]["CidrBlock"] == "10.0.0.0/16"


@step("1.3", "Subnet week5-day1-public-subnet, 10.0.1.0/24, ap-northeast-2a")
def _subnet(t, lab, variant):
    subnet = by_name(t, "AWS::EC2::Subnet")["week5-day1-public-subnet"]
    assert (subnet["CidrBlock"], subnet["AvailabilityZone"]) == ("10.0.1.0/24", "ap-northeast-2a")


@step("1.4", "Internet Gateway 생성 및 연결")
def _igw(t, lab, variant):
    igw = logical_id_of(t, "AWS::EC2::InternetGateway", lambda p: True)
    (attachment,) = props(t, "AWS::EC2::VPCGatewayAttachment")
    assert attachment["InternetGatewayId"] == {"Ref": igw}


@step("1.5", "Route Table: 0.0.0.0/0 → Internet Gateway")
def _route(t, lab, variant):
    igw = logical_id_of(t, "AWS::EC2::InternetGateway", lambda p: True)
    (route,) = props(t, "AWS::EC2::Route")
    assert (route["DestinationCidrBlock"], route["GatewayId"]) == ("0.0.0.0/0", {"Ref": igw})


@step("2.1-2.2", "Security group: Inbound HTTP (80), SSH (22); Outbound all traffic")
def _security_group(t, lab, variant):
    (sg,) = instance_security_groups(props(t, "AWS::EC2::Instance")[0])
    rules = {(r["FromPort"], r.get("CidrIp")) for r in ingress_rules(t, sg)}
    # 80 from anywhere; 22 never from anywhere (FAQ Q9), from ssh_cidr when given.
    assert rules == {(80, "0.0.0.0/0")}
    egress = t["Resources"][sg]["Properties"]["SecurityGroupEgress"]
    assert [(e["IpProtocol"], e["CidrIp"]) for e in egress] == [("-1", "0.0.0.0/0")]
    _, variant_t = variant
    (variant_sg,) = instance_security_groups(props(variant_t, "AWS::EC2::Instance")[0])
    assert {(r["FromPort"], r.get("CidrIp")) for r in ingress_rules(variant_t, variant_sg)} == {
        (80, "0.0.0.0/0"),
        (22, SSH_CIDR),
    }


@step("3.1-3.2", "AMI Amazon Linux 2023, instance type t3.micro")
def _ami_and_type(t, lab, variant):
    (instance,) = props(t, "AWS::EC2::Instance")
    assert "al2023" in instance["ImageId"]["Ref"].lower()
    assert instance["InstanceType"] == "t3.micro"


@step("3.3-3.6", "week5-day1-vpc, public subnet, auto-assign public IP, the security group")
def _placement(t, lab, variant):
    (instance,) = props(t, "AWS::EC2::Instance")
    (nic,) = instance["NetworkInterfaces"]
    subnet = logical_id_of(
        t,
        "AWS::EC2::Subnet",
        lambda p: {"Key": "Name", "Value": "week5-day1-public-subnet"} in p["Tags"],
    )
    assert nic["SubnetId"] == {"Ref": subnet} and nic["AssociatePublicIpAddress"] is True
    assert nic["GroupSet"] == [{"Fn::GetAtt": [logical_id(lab.host.security_group), "GroupId"]}]


@step("3.7-3.8", "User Data: install, start and enable Docker, ec2-user in docker; Launch")
def _user_data(t, lab, variant):
    (instance,) = props(t, "AWS::EC2::Instance")
    # The host's boot begins with exactly the script tests/test_docker_install_script.py runs
    # in bash; run here too, it installs, starts and enables Docker and adds ec2-user.
    assert user_data_text(instance).startswith(DOCKER_BOOT)
    with docker_boot_run() as (box, result):
        assert result.returncode == 0, result.stderr
        assert docker_calls(box)[:3] == [
            "dnf install -y docker",
            "systemctl enable --now docker",
            "usermod -aG docker ec2-user",
        ]


@step("4.1", "EC2 Public IP 확인")
def _public_ip(t, lab, variant):
    host = instance_id(lab.host)
    assert outputs(t)["PublicIp"] == f"<{host}.PublicIp>"


@step("4.2", "SSH 접속: ssh -i key.pem ec2-user@<public-ip>")
def _ssh(t, lab, variant):
    host = instance_id(lab.host)
    key_pair = logical_id(lab.ssh_key.key_pair)
    key_file = "week5-instructor-Day1Lab1-SshKey.pem"
    shown = outputs(t)
    # The key: created by the stack, the host accepts it, the outputs save it.
    assert props(t, "AWS::EC2::Instance")[0]["KeyName"] == {"Ref": key_pair}
    expect_key_commands(shown["KeyCommand"], shown["KeyCommandPowerShell"], key_file, key_pair)
    # SSH over Session Manager: no port 22 open; the agent registers with the instance role
    # and reaches Session Manager over the public IP and the route to the IGW (steps 1.5, 3.5).
    expect_ssh_over_ssm(shown["SshCommand"], key_file, host)
    (role,) = props(t, "AWS::IAM::Role")
    assert "AmazonSSMManagedInstanceCore" in str(role["ManagedPolicyArns"])
    # The course's own command, with -c ssh_cidr (22 from that CIDR, step 2's variant).
    variant_stack, variant_t = variant
    variant_host = instance_id(variant_stack.host)
    assert outputs(variant_t)["SshDirectCommand"] == (
        f"ssh -i week5-key.pem ec2-user@<{variant_host}.PublicIp>"
    )
    assert "SshDirectCommand" not in shown  # without ssh_cidr 22 is closed: no dead command


@step("4.3", "Docker 확인: docker --version")
def _docker(t, lab, variant):
    (instance,) = props(t, "AWS::EC2::Instance")
    assert user_data_text(instance).startswith(DOCKER_BOOT)
    # The boot itself ends its Docker install with the step's check, after Docker is installed
    # and started (the script as tests/test_docker_install_script.py runs it).
    with docker_boot_run() as (box, result):
        assert result.returncode == 0, result.stderr
        assert docker_calls(box) == DOCKER_CALLS and DOCKER_CALLS[-2] == "docker --version"
    assert "docker --version" in t["Outputs"]["SshCommand"]["Description"]


@step("정리 1-5", "EC2, Security Group, Subnet, IGW, VPC 삭제")
def _cleanup(t, lab, variant):
    assert teardown_findings(t) == []


def test_course_steps_are_listed_in_the_courses_order():
    assert list(COURSE_STEPS) == [
        "1.1-1.2",
        "1.3",
        "1.4",
        "1.5",
        "2.1-2.2",
        "3.1-3.2",
        "3.3-3.6",
        "3.7-3.8",
        "4.1",
        "4.2",
        "4.3",
        "정리 1-5",
    ]


@pytest.mark.parametrize("number", list(COURSE_STEPS))
def test_course_step_is_doable(number, t, lab, with_ssh_cidr_and_key):
    _, check = COURSE_STEPS[number]
    check(t, lab, with_ssh_cidr_and_key)


def test_the_guide_names_outputs_the_stack_has(t, with_ssh_cidr_and_key):
    named = outputs_named_in_guide(LAB)
    assert {"PublicIp", "KeyCommand", "SshCommand", "SshDirectCommand", "SiteUrl"} <= named
    assert named <= set(t["Outputs"]) | set(with_ssh_cidr_and_key[1]["Outputs"])
