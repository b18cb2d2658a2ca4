"""`week5 audit`: a student's Day1Lab1 built through boto3 on moto as the console builds it,
checked against the reference template; exact → every check passes, each difference → that
check fails with the evidence."""

import json
import re
import subprocess
import sys

import boto3
import pytest
from moto import mock_aws
from shared_botocore import Clients
from support import ROOT

import week5.cli.audit as audit_cli
from week5.cli import main
from week5.operations.audit import audit, find_vpc, read_account

REGION = "ap-northeast-2"
LAB_TAGS = {"Week": "Week5", "Day": "Day1", "Lab": "Lab1", "Student": "kim"}


def course_tags(name=None, **override):
    values = {**LAB_TAGS, **override}
    if name:
        values["Name"] = name
    return [{"Key": k, "Value": v} for k, v in values.items() if v is not None]


def spec(kind, tags):
    return [{"ResourceType": kind, "Tags": tags}]


def kind_tags(change, kind, name=None):
    """The course's tags for a resource of ``kind``, none if the change leaves that kind
    untagged (``{"untagged": kind}``)."""
    return [] if change.get("untagged") == kind else course_tags(name)


def build_day1_lab1(session, change=None):
    """The console steps of Day 1 Lab 1, with one thing done differently (``change``)."""
    change = change or {}
    ec2 = session.client("ec2")
    cidr = change.get("vpc_cidr", "10.0.0.0/16")
    vpc = ec2.create_vpc(
        CidrBlock=cidr, TagSpecifications=spec("vpc", course_tags("week5-day1-vpc"))
    )["Vpc"]["VpcId"]
    subnet_cidr = change.get("subnet_cidr", cidr.replace("0.0/16", "1.0/24"))
    subnet = ec2.create_subnet(
        VpcId=vpc,
        CidrBlock=subnet_cidr,
        AvailabilityZone=f"{REGION}a",
        TagSpecifications=spec("subnet", course_tags("week5-day1-public-subnet")),
    )["Subnet"]["SubnetId"]
    igw_tags = kind_tags(change, "internet-gateway", "week5-day1-igw")
    igw = ec2.create_internet_gateway(
        **({"TagSpecifications": spec("internet-gateway", igw_tags)} if igw_tags else {})
    )["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table_tags = kind_tags(change, "route-table", "week5-day1-public-rt")
    table = ec2.create_route_table(
        VpcId=vpc, **({"TagSpecifications": spec("route-table", table_tags)} if table_tags else {})
    )["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    group = ec2.create_security_group(
        GroupName="week5-day1-web-sg",
        Description="web",
        VpcId=vpc,
        TagSpecifications=spec("security-group", course_tags()),
    )["GroupId"]
    permissions = [
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ]
    permissions += change.get("extra_ingress", [])
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=permissions)
    image = ec2.register_image(Name="al2023", RootDeviceName="/dev/xvda")["ImageId"]
    instance_tags = course_tags("week5-day1-web", **change.get("instance_tags", {}))
    # The console's launch wizard puts the instance's tags on its volumes too.
    volume_tags = kind_tags(change, "volume", "week5-day1-web")
    for instance_type in change.get("instance_types", ["t3.micro"]):
        ec2.run_instances(
            ImageId=image,
            InstanceType=instance_type,
            MinCount=1,
            MaxCount=1,
            SubnetId=subnet,
            SecurityGroupIds=[group],
            TagSpecifications=spec("instance", instance_tags)
            + (spec("volume", volume_tags) if volume_tags else []),
        )
    if change.get("nat_gateway"):
        address_tags = kind_tags(change, "elastic-ip")
        address = ec2.allocate_address(
            Domain="vpc",
            **({"TagSpecifications": spec("elastic-ip", address_tags)} if address_tags else {}),
        )["AllocationId"]
        ec2.create_nat_gateway(
            SubnetId=subnet,
            AllocationId=address,
            TagSpecifications=spec("natgateway", course_tags()),
        )
    return vpc


#: The module's clients, one per service: each test's fresh moto answers them.
CLIENTS = Clients(REGION)


@pytest.fixture
def session(monkeypatch):
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    with mock_aws():
        yield CLIENTS


def run_audit(session, template):
    vpc = find_vpc(session.client("ec2"), LAB_TAGS, "week5-day1-vpc")
    assert vpc is not None
    return {c.name: c for c in audit(template, read_account(session.client, vpc), LAB_TAGS)}


def test_an_exact_build_passes_every_check(session, app):
    build_day1_lab1(session)
    checks = run_audit(session, app.templates["Day1Lab1"])
    assert list(checks) == [
        "vpc-cidr",
        "subnets",
        "ssh-rdp-from-internet",
        "databases-from-groups-only",
        "instance-types",
        "auto-scaling",
        "multi-az",
        "tags",
        "unexpected-resources",
    ]
    assert all(c.passed for c in checks.values()), [str(c) for c in checks.values()]
    assert checks["subnets"].evidence == "as the diagram: Public 10.0.1.0/24 ap-northeast-2a"
    # It names what it read: the untagged main route table EC2 made is not among them.
    assert checks["tags"].evidence == (
        "Week, Day, Lab, Student on the 7 resources read: VPC, subnet, route table, "
        "internet gateway, security group, instance, EBS volume"
    )


WORLD_SSH = {
    "IpProtocol": "tcp",
    "FromPort": 22,
    "ToPort": 22,
    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
}
OPEN_DB = {
    "IpProtocol": "tcp",
    "FromPort": 3306,
    "ToPort": 3306,
    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
}


@pytest.mark.parametrize(
    "change, failing, evidence",
    [
        # Another VPC range moves its subnets too: both checks say so.
        (
            {"vpc_cidr": "172.16.0.0/16"},
            ["vpc-cidr", "subnets"],
            "is 172.16.0.0/16; the lab's is 10.0.0.0/16",
        ),
        ({"subnet_cidr": "10.0.3.0/24"}, ["subnets"], "missing Public 10.0.1.0/24 ap-northeast-2a"),
        ({"extra_ingress": [WORLD_SSH]}, ["ssh-rdp-from-internet"], "admits 22 from 0.0.0.0/0"),
        (
            {"extra_ingress": [OPEN_DB]},
            ["databases-from-groups-only"],
            "admits 3306 from 0.0.0.0/0",
        ),
        # A t3.large instead of the t3.micro is both the wrong class and an extra cost.
        (
            {"instance_types": ["t3.large"]},
            ["instance-types", "unexpected-resources"],
            "outside the course's classes: t3.large",
        ),
        ({"instance_tags": {"Student": None}}, ["tags"], "lacks Student"),
        # There, but not a student name: it read "lacks Student".
        ({"instance_tags": {"Student": "김철수"}}, ["tags"], "has Student='김철수', not the course's"),
        ({"nat_gateway": True}, ["unexpected-resources"], "NAT gateway nat-"),
        # What belongs to the VPC and its instances carries the course's tags too.
        ({"untagged": "route-table"}, ["tags"], "route table rtb-"),
        ({"untagged": "internet-gateway"}, ["tags"], "internet gateway igw-"),
        ({"untagged": "volume"}, ["tags"], "EBS volume vol-"),
        (
            {"nat_gateway": True, "untagged": "elastic-ip"},
            ["tags", "unexpected-resources"],
            "Elastic IP eipalloc-",
        ),
    ],
    ids=[
        "cidr",
        "subnet",
        "ssh",
        "database",
        "instance type",
        "tags",
        "bad tag",
        "extra NAT",
        "untagged route table",
        "untagged internet gateway",
        "untagged volume",
        "untagged Elastic IP",
    ],
)
def test_each_difference_fails_its_check_with_the_evidence(session, app, change, failing, evidence):
    build_day1_lab1(session, change)
    checks = run_audit(session, app.templates["Day1Lab1"])
    failed = [name for name, c in checks.items() if not c.passed]
    assert failed == failing, [str(c) for c in checks.values()]
    assert evidence in checks[failing[0]].evidence
    if change.get("untagged"):  # which resource lacks which tags, and what the check read
        (line,) = [p for p in checks["tags"].evidence.split("; ") if evidence in p]
        assert " lacks Week/Day/Lab/Student" in line and "resources read: VPC, " in line


def test_extra_instances_are_priced(session, app):
    build_day1_lab1(session, {"instance_types": ["t3.micro", "t3.small"]})
    check = run_audit(session, app.templates["Day1Lab1"])["unexpected-resources"]
    # its type and its 8 GB gp2 root volume, as `week5 cleanup` prices them
    assert not check.passed and "t3.small (instance $0.0260 + volume $0.0012 = $0.0272/h)" in check.evidence


def test_an_extra_instance_of_a_type_without_a_price_is_not_priced_not_free(session, app):
    """A trial: an extra t3.large read "($0.0000/h); $0.0000/h in all" (prices.json has no
    t3.large), where cleanup says "not priced"."""
    build_day1_lab1(session, {"instance_types": ["t3.micro", "t3.small", "t3.large"]})
    check = run_audit(session, app.templates["Day1Lab1"])["unexpected-resources"]
    assert not check.passed
    assert "t3.large (not priced)" in check.evidence and "$0.0000" not in check.evidence
    assert check.evidence.endswith(
        "; $0.0272/h for what is priced, plus 1 not priced: cost unknown"
    ), check.evidence


def test_the_command_against_a_local_aws_with_json(app, local_aws_env, tmp_path, monkeypatch,
                                                   capfd):  # fmt: skip
    env = local_aws_env
    # The server runs in this process: its EC2 without moto's default AMIs (1,286 here).
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    session = boto3.Session(
        region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )

    class Remote:
        def client(self, service):
            return session.client(service, endpoint_url=env["AWS_ENDPOINT_URL"])

    build_day1_lab1(Remote())
    command = [
        sys.executable, "-m", "week5", "audit", "Day1Lab1", "--student", "kim",
        "--assembly", str(app.outdir),
    ]  # fmt: skip
    # The command's own process once (its exit code and stdout); the other runs in this one.
    text = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert text.returncode == 0, text.stdout + text.stderr
    assert "PASS  vpc-cidr:" in text.stdout and "Day1Lab1: 9 passed, 0 failed." in text.stdout
    for key in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, env[key])
    monkeypatch.delenv("AWS_PROFILE", raising=False)

    def week5(args, cwd=ROOT):
        """``command`` (as ``args``) run by ``main`` in ``cwd``: (exit code, stdout)."""
        monkeypatch.chdir(cwd)
        code = main(args[3:])  # without `python -m week5`
        return code, capfd.readouterr().out

    capfd.readouterr()  # what came before: the server's start
    code, out = week5(command + ["--json"])
    report = json.loads(out)
    assert report["student"] == "kim" and all(c["passed"] for c in report["checks"])
    for_lee = [("lee" if part == "kim" else part) for part in command]
    code, out = week5(for_lee)
    assert code == 1  # lee built nothing; kim's VPC is not lee's
    assert "FAIL  vpc: no VPC tagged Week=Week5, Day=Day1, Lab=Lab1, Student=lee" in out
    # Without --student: the name `week5 init` set (as scripts/cdk deploys for it), not any
    # student's VPC that happens to match.
    project = tmp_path / "project"
    project.mkdir()
    (project / "cdk.json").write_text(json.dumps({"app": "python app.py", "context": {}}))
    (project / "cdk.context.json").write_text(json.dumps({"student": "lee"}))
    unnamed = [part for part in command if part not in ("--student", "kim")]
    code, out = week5(unnamed + ["--json"], cwd=project)
    assert code == 1 and json.loads(out)["student"] == "lee"
    # -c student= names the student as for cdk: kim's resources, not the name `init` set
    # (it synthesized for kim and read lee's). The synthesis is the session's lab (-c takes
    # no --assembly; what a synthesis for kim holds is test_app_builder's).
    from week5.analysis.assembly import read_labs

    (day1_lab1,) = [lab for lab in read_labs(app.outdir) if lab.lab_id == "Day1Lab1"]
    monkeypatch.setattr(audit_cli, "synthesized_lab", lambda args, quiet: day1_lab1)
    synthesized = [part for part in unnamed if part != "--assembly" and part != str(app.outdir)]
    code, out = week5(synthesized + ["-c", "student=kim", "--json"], cwd=project)
    assert code == 0 and json.loads(out)["student"] == "kim"
    # --student as well: the lab is synthesized for kim, so the Names an untagged build is
    # found by are kim's, not those of lee, whom init named (trial R16-A).
    contexts = []

    def synthesized_for(args, quiet):
        contexts.append(list(args.context))
        return day1_lab1

    monkeypatch.setattr(audit_cli, "synthesized_lab", synthesized_for)
    code, out = week5(synthesized + ["--student", "kim", "--json"], cwd=project)
    assert code == 0 and json.loads(out)["student"] == "kim"
    assert contexts == [["student=kim"]]
    assert main(command[3:-2] + ["-c", "student=lee"]) == 2
    assert capfd.readouterr() == ("",
        "week5: --student 'kim' and -c student='lee' name two students: pass one of them\n"
    )  # fmt: skip
    # A second VPC of the same lab: which ones, not "none".
    Remote().client("ec2").create_vpc(
        CidrBlock="10.9.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc", "Tags": [
            {"Key": "Week", "Value": "Week5"}, {"Key": "Day", "Value": "Day1"},
            {"Key": "Lab", "Value": "Lab1"}, {"Key": "Student", "Value": "kim"}]}],
    )  # fmt: skip
    code, out = week5(command)
    assert code == 1
    assert "FAIL  vpc: 2 VPCs match (vpc-" in out


def test_many_instances_of_a_type_are_counted_not_repeated(session, app):
    """31 instances where the lab runs one: one short line each, counts instead of 31 names."""
    build_day1_lab1(session, {"instance_types": ["t3.micro"] * 31})
    checks = run_audit(session, app.templates["Day1Lab1"])
    types = checks["instance-types"]
    assert not types.passed
    assert types.evidence == (
        "31 instances of EC2 t3.micro; the lab runs 1: 30 more than the lab's "
        "(unexpected-resources names them): delete them"
    )
    extra = checks["unexpected-resources"]
    assert not extra.passed and len(extra.evidence) < 120, extra.evidence
    assert re.fullmatch(
        r"30 × t3\.micro: i-\w+, i-\w+, i-\w+ and 27 more \(\$0\.4275/h\); \$0\.4275/h in all",
        extra.evidence,
    ), extra.evidence


@pytest.mark.parametrize("student, shown", [
    ("김", "'김'"), ("KIM", "'KIM'"), ("kim,lee", "'kim,lee'"), ("Day4Lab1-kim", "'Day4Lab1-kim'"),
    ("k" * 100_000, repr("k" * 37 + "...")), ("kim-", "'kim-'"), ("a--b", "'a--b'"),
])  # fmt: skip
def test_a_bad_student_with_a_class_copy_is_refused_as_a_name_first(student, shown, capsys):
    """A hostile trial: with Day4Lab1-kim, `--student 김` was answered 'pass Day4Lab1-김' (a
    100k name in full), an id no class has. The name is checked before any copy is named,
    before any synthesis."""
    from test_assembly_cache import week5  # noqa: I001 (the in-process `week5` helper)

    code, out, err = week5(
        capsys, "audit", "Day4Lab1-kim", "--student", student, "-c", "students=kim,lee"
    )
    assert (code, out) == (2, "")
    assert err == (
        f"week5: --student {shown} is not a student name: use a lowercase letter first, then "
        "lowercase letters, digits or '-' (no '--', no '-' at the end), at most 20 characters "
        "(Latin letters: write a Korean name as it is romanized); e.g. week5 audit LAB --student "
        "kim-minsu\n"
    )


class SecondPage:
    """An EC2 client whose describe_security_groups answers in two pages, the VPC's default
    group on the first and the rest on the second, as AWS pages a long listing."""

    def __init__(self, client):
        self.client = client

    def __getattr__(self, name):
        return getattr(self.client, name)

    def get_paginator(self, operation):
        if operation != "describe_security_groups":
            return self.client.get_paginator(operation)
        client = self.client

        class Paginator:
            def paginate(self, **params):
                groups = client.describe_security_groups(**params)["SecurityGroups"]
                first = [g for g in groups if g["GroupName"] == "default"]
                assert first and len(first) < len(groups)
                rest = [g for g in groups if g not in first]
                return iter([{"SecurityGroups": first}, {"SecurityGroups": rest}])

        return Paginator()


def test_every_page_of_a_listing_is_read(session, app):
    """SSH open to the world on a group of the listing's second page fails the check."""
    build_day1_lab1(session, {"extra_ingress": [WORLD_SSH]})
    vpc = find_vpc(session.client("ec2"), LAB_TAGS, "week5-day1-vpc")

    def client(service, **kwargs):
        made = session.client(service, **kwargs)
        return SecondPage(made) if service == "ec2" else made

    checks = {c.name: c for c in audit(app.templates["Day1Lab1"], read_account(client, vpc),
                                       LAB_TAGS)}  # fmt: skip
    assert [n for n, c in checks.items() if not c.passed] == ["ssh-rdp-from-internet"]
    assert "(week5-day1-web-sg) admits 22 from 0.0.0.0/0" in checks["ssh-rdp-from-internet"].evidence
