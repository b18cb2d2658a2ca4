"""Day 1 Lab 1: VPC & EC2 기본 구성 — the course's diagram and console steps, fact by fact."""

from support import (
    by_name,
    ingress_rules,
    logical_id_of,
    make_app,
    mask_asset_hashes,
    props,
    resources,
    user_data_text,
)

from stacks.catalog import CATALOG
from week5.core.settings import CourseSettings

LAB = "Day1Lab1"


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


def test_outputs_site_url_instance_and_session_manager_command(t):
    assert set(t["Outputs"]) == {"SiteUrl", "InstanceId", "SsmCommand"}
    url = t["Outputs"]["SiteUrl"]["Value"]["Fn::Join"][1]
    assert url[0] == "http://"
    ssm = t["Outputs"]["SsmCommand"]["Value"]["Fn::Join"][1]
    assert ssm[0].startswith("aws ssm start-session --region ap-northeast-2 --target ")


def test_ssh_cidr_context_opens_22_to_that_cidr_only(tmp_path):
    cdk_app = make_app(tmp_path, ssh_cidr="203.0.113.7/32")
    settings = CourseSettings.from_context(cdk_app.node.try_get_context)
    lab = CATALOG.get(LAB)
    stack = lab.build(cdk_app, lab, settings)
    t = cdk_app.synth().get_stack_by_name(stack.stack_name).template
    sg = logical_id_of(t, "AWS::EC2::SecurityGroup", lambda p: True)
    rules = {(r["FromPort"], r.get("CidrIp")) for r in ingress_rules(t, sg)}
    assert rules == {(80, "0.0.0.0/0"), (22, "203.0.113.7/32")}
