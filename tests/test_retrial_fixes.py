"""Fixes for what a re-trial of `week5 local`, `status`, `quotas` and `cleanup` found."""

from __future__ import annotations

import importlib
import json
import socket
import sys
from pathlib import Path

import pytest
from test_quotas import fake_assembly, lab_template, moto_env  # noqa: F401  (the fixture)

from week5.cli import main
from week5.operations import local

#: The module itself (``local.emulator`` may name something else in the package).
emulator_module = importlib.import_module("week5.operations.local.emulator")

BIN = Path(sys.executable).parent


# --- 3. a port that is another connection's own port ------------------------------------------


@pytest.mark.parametrize("given", [True, False])
def test_a_port_bound_by_a_connection_but_no_listener_is_one_clear_error(
    monkeypatch, tmp_path, given
):
    """`week5 local --port 47352`: no listener there (the port check passed), but a connection's
    local port; the server exited "Port 47352 is in use by another program" and the run said
    only "the emulator failed to start (exit 1); its log: ...". A picked port the same."""
    monkeypatch.setattr(emulator_module.tempfile, "mkdtemp", lambda prefix: str(tmp_path / "log"))
    (tmp_path / "log").mkdir()
    with socket.socket() as server, socket.socket() as client:
        server.bind(("127.0.0.1", 0))
        server.listen()
        client.connect(server.getsockname())
        port = client.getsockname()[1]  # a connection's own port: nothing listens on it
        assert not local.port_in_use(port)
        if not given:
            monkeypatch.setattr(emulator_module, "free_port", lambda: port)
        with pytest.raises(local.LocalError) as raised:
            local.start_emulator(BIN, port if given else None)
    assert str(raised.value) == (
        f"--port {port} is in use: pass another, or leave --port out for a free one"
        if given
        else f"port {port} is in use: run again, or pass a free port with --port"
    )
    assert not (tmp_path / "log").exists()  # its log said no more than the error


# --- 4. status on a lab's snapshots that its snapshot cleanup deletes at destroy ---------------

REGION = "ap-northeast-2"


def course_tags(**more):
    values = {"Week": "Week5", "Day": "Day2", "Lab": "Lab1", "Student": "kim", **more}
    return [{"Key": k, "Value": v} for k, v in values.items()]


@pytest.fixture
def aws(monkeypatch):
    from shared_botocore import Clients, moto_account

    with moto_account(monkeypatch, emulator_models=True):
        yield Clients(REGION)


def cleanup_stack(clients, name, resources, cleanup_props, day="Day2"):
    """A lab stack with a ``LeftoverCleanup`` (its custom resource: the function is no matter,
    it does not run) beside ``resources``."""
    template = {
        "Description": f"Week 5 {day} Lab1: test",
        "Resources": {
            **resources,
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action":
                "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]}}},
            "Function": {"Type": "AWS::Lambda::Function", "Properties": {
                "Runtime": "python3.12", "Handler": "index.handler",
                "Role": {"Fn::GetAtt": ["Role", "Arn"]}, "Code": {"ZipFile": "x = 1"}}},
            "Cleanup": {"Type": "Custom::Week5SnapshotCleanup", "Properties": {
                "ServiceToken": {"Fn::GetAtt": ["Function", "Arn"]}, **cleanup_props}},
        },
    }  # fmt: skip
    clients.client("cloudformation").create_stack(
        StackName=name, TemplateBody=json.dumps(template), Tags=course_tags(Day=day)
    )
    return {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in clients.client("cloudformation").list_stack_resources(StackName=name)[
            "StackResourceSummaries"
        ]
    }


def test_status_says_a_labs_snapshot_cleanup_deletes_its_hand_taken_snapshot(aws):
    """Day2Lab1: the snapshot its SnapshotCommand output takes (course tags, no stack tags)
    was listed under "cdk destroy does not remove these"; its LeftoverCleanup deletes it."""
    from week5.cli.status import format_status
    from week5.operations import status

    physical = cleanup_stack(aws, "week5-kim-Day2Lab1", {
        "Data": {"Type": "AWS::EC2::Volume", "Properties": {
            "AvailabilityZone": f"{REGION}a", "Size": 1}},
    }, {"VolumeIds": [{"Ref": "Data"}]})  # fmt: skip
    ec2 = aws.client("ec2")
    mine = ec2.create_snapshot(VolumeId=physical["Data"], TagSpecifications=[
        {"ResourceType": "snapshot", "Tags": course_tags()}])["SnapshotId"]  # fmt: skip
    other = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=1)["VolumeId"]
    kept = ec2.create_snapshot(VolumeId=other, TagSpecifications=[
        {"ResourceType": "snapshot", "Tags": course_tags()}])["SnapshotId"]  # fmt: skip
    report = status.read_status(aws.client, REGION, "kim")
    marks = {u.arn.rsplit("/", 1)[1]: u.destroy_deletes for u in report.untracked}
    assert marks == {mine: "week5-kim-Day2Lab1", kept: ""}
    text = format_status(report).splitlines()
    (header,) = [line for line in text if line.startswith("Tagged Week=Week5 but in no stack")]
    assert "cdk destroy does not remove these (but those marked as a stack's snapshot " \
        "cleanup's)" in header
    (line,) = [line for line in text if mine in line]
    assert line.endswith("(stack week5-kim-Day2Lab1's snapshot cleanup deletes it at cdk destroy)")
    (line,) = [line for line in text if kept in line]
    assert "snapshot cleanup" not in line


def test_status_says_a_manual_db_snapshot_of_a_live_stack_has_its_tags_copied(aws):
    """Day3Lab1: a manual snapshot of the live stack's database carries the stack's tags (RDS's
    CopyTagsToSnapshot copies them): status explained it as "left by an earlier stack of that
    name, or kept by an update" and "cdk destroy does not remove these"; its LeftoverCleanup
    deletes it at destroy."""
    from week5.cli.status import format_status
    from week5.operations import status

    stack = "week5-kim-Day3Lab1"
    physical = cleanup_stack(aws, stack, {
        "Database": {"Type": "AWS::RDS::DBInstance", "Properties": {
            "Engine": "postgres", "DBInstanceClass": "db.t3.micro", "AllocatedStorage": "20",
            "MasterUsername": "lab", "MasterUserPassword": "labpassword1",
            "CopyTagsToSnapshot": True, "Tags": course_tags(Day="Day3")}},
    }, {"DbInstanceIds": [{"Ref": "Database"}]}, day="Day3")  # fmt: skip
    (described,) = aws.client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
    # What AWS's CopyTagsToSnapshot gives it: the database's tags, the stack's own with them.
    copied = course_tags(Day="Day3", **{
        "aws:cloudformation:stack-name": stack, "aws:cloudformation:stack-id":
        described["StackId"], "aws:cloudformation:logical-id": "Database"})  # fmt: skip
    arn = aws.client("rds").create_db_snapshot(
        DBSnapshotIdentifier="by-hand", DBInstanceIdentifier=physical["Database"], Tags=copied
    )["DBSnapshot"]["DBSnapshotArn"]
    report = status.read_status(aws.client, REGION, "kim")
    (left,) = [u for u in report.untracked if u.arn == arn]
    assert (left.live_stack, left.destroy_deletes) == (stack, stack)
    (line,) = [line for line in format_status(report).splitlines() if arn in line]
    assert "earlier stack" not in line
    assert line.endswith(
        f"(tagged as stack {stack}'s by RDS, which copies a database's tags to its snapshots "
        "and a snapshot's to a database restored from it: none of the stack's resources) "
        f"(stack {stack}'s snapshot cleanup deletes it at cdk destroy)"
    ), line


# --- 5. week5 quotas on the emulator ------------------------------------------------------------


def test_week5_quotas_on_the_emulator_gives_the_figures_and_exit_0(moto_env, capsys, tmp_path):  # noqa: F811
    """`week5 quotas --students a,b,c,d,e,f Day1Lab1` on the emulator exited 1 "It does not
    fit: ask AWS for more" with a raise command that fails there, while `scripts/cdk deploy`
    notes that the emulator enforces none and goes on."""
    templates = {"Day1Lab1": lab_template("Day1Lab1", nat_azs=())}
    assembly = fake_assembly(tmp_path / "out", templates)
    argv = ["quotas", "--students", "a,b,c,d,e,f", "Day1Lab1", "--assembly", str(assembly)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    endpoint = moto_env["AWS_ENDPOINT_URL"]
    assert "SHORT by 2" in out  # the same figures
    assert "ask AWS for more" not in out
    assert (
        f"It does not fit these figures, but the emulator at {endpoint} enforces none: a deploy "
        "there goes on. With these figures AWS would refuse it until raised (the commands below "
        "are AWS's):"
    ) in out.splitlines()
    assert main(argv + ["--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["fits"], report["emulator"]) == (False, endpoint)
    assert report["fixes"][0].startswith("VPCs: quota 5 (account), 1 in use, the deploy adds 6")


def test_the_deploys_emulator_note_says_what_aws_would_do_with_these_figures():
    from week5.operations.preflight import emulator_quota_note

    (line,) = emulator_quota_note("http://localhost:4566", 6, ["Day1Lab1"], ["VPCs: short"])
    assert "On AWS the deploy would be refused" not in line
    assert line.endswith("going on. With these figures AWS would refuse it until raised: VPCs: "
                         "short")  # fmt: skip


# --- 6. cleanup: what else holds a VPC ----------------------------------------------------------


def test_an_attached_vpn_or_egress_only_gateway_holds_the_vpc_by_name(monkeypatch):
    """An attached VPN gateway and an egress-only internet gateway, which cleanup neither
    reads nor deletes: the stack's VPC ended DELETE_FAILED with only "has dependencies". Each
    now holds the VPC by name, with what frees it, tagged for the day or not."""
    from shared_botocore import Clients, course_tags, moto_account, quiet_cleaner, tag_spec

    with moto_account(monkeypatch):
        aws = Clients(REGION)
        ec2 = aws.client("ec2")
        spec = tag_spec("vpc", course_tags("Day1"))
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=spec)["Vpc"]["VpcId"]
        vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
        ec2.attach_vpn_gateway(VpcId=vpc, VpnGatewayId=vgw)
        eigw = ec2.create_egress_only_internet_gateway(
            VpcId=vpc, TagSpecifications=tag_spec("egress-only-internet-gateway",
                                                  course_tags("Day1")),
        )["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]  # fmt: skip
        spare = ec2.create_vpc(CidrBlock="10.1.0.0/16", TagSpecifications=spec)["Vpc"]["VpcId"]
        found = quiet_cleaner(aws.client, "Day1").find()
    held = {f.id: f.held for f in found}
    assert not held[spare]  # nothing attached: it goes
    assert (
        f"VPN gateway {vgw}, which is not tagged Week5/Day1/kim, is attached to it (cleanup "
        f"deletes none: `aws ec2 detach-vpn-gateway --vpn-gateway-id {vgw} --vpc-id {vpc}`, "
        "then run this again)"
    ) in held[vpc], held[vpc]
    assert (
        f"egress-only internet gateway {eigw} is attached to it (cleanup deletes none: `aws ec2 "
        f"delete-egress-only-internet-gateway --egress-only-internet-gateway-id {eigw}`, then "
        "run this again)"
    ) in held[vpc], held[vpc]


def test_a_stack_whose_vpc_a_vpn_gateway_holds_is_left_naming_it(monkeypatch):
    """The re-trial's case: the stack's VPC, a VPN gateway attached to it by hand. The stack's
    deletion would end DELETE_FAILED ("has dependencies"): it is left, naming the gateway."""
    from shared_botocore import Clients, course_tags, moto_account, quiet_cleaner

    tags = course_tags("Day1", "jung")
    template = {"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {
        "CidrBlock": "10.0.0.0/16", "Tags": tags}}}}  # fmt: skip
    with moto_account(monkeypatch, emulator_models=True):
        aws = Clients(REGION)
        cloudformation = aws.client("cloudformation")
        cloudformation.create_stack(StackName="week5-jung-Day1Lab1",
                                    TemplateBody=json.dumps(template), Tags=tags)  # fmt: skip
        (vpc,) = [r["PhysicalResourceId"] for r in cloudformation.list_stack_resources(
            StackName="week5-jung-Day1Lab1")["StackResourceSummaries"]]  # fmt: skip
        ec2 = aws.client("ec2")
        vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
        ec2.attach_vpn_gateway(VpcId=vpc, VpnGatewayId=vgw)
        found = quiet_cleaner(aws.client, "Day1", student="jung").find()
    (stack,) = [f for f in found if f.id == "week5-jung-Day1Lab1"]
    assert f"VPN gateway {vgw}, which is not tagged Week5/Day1/jung, is attached to it" in (
        stack.held
    ), stack.held


# --- 1. and 2. what `week5 local` says a lab made ------------------------------------------------


def test_the_checks_of_a_volume_read_it_and_take_no_untagged_snapshot():
    """Day2Lab1's "What the lab made" gave `aws ec2 create-snapshot ... --description "my
    snapshot"`: an untagged snapshot status and cleanup cannot see, beside the lab's tagged
    SnapshotCommand output. The checks read what the lab made, and change nothing."""
    from week5.operations.local.readback import Deployed, emulator_checks

    template = {"Resources": {"DataVolume772801A0": {"Type": "AWS::EC2::Volume"}}}
    (check,) = emulator_checks(Deployed(template, {"DataVolume772801A0": "vol-1"}))
    assert check == (
        'aws ec2 describe-volumes --volume-ids vol-1 --query '
        '"Volumes[].[VolumeId,State,Size,AvailabilityZone]" --output text'
    )
    assert "create-snapshot" not in check


def read_back(functions, uploads=()):
    return local.ReadBack(
        stack_name="week5-kim-Lab", coverage=local.Coverage(13, 13), subnets=[], vpcs=[],
        security_groups=[], instances=[], load_balancers=[], auto_scaling_groups=[],
        databases=[], functions_not_run=functions, uploads=list(uploads),
    )  # fmt: skip


def functions_line(lab_id, functions, uploads=()):
    from week5.cli import local as local_command

    text = local_command.format_read_back(lab_id, read_back(functions, uploads))
    (line,) = [x for x in text.splitlines() if x.startswith("Created, but their Lambda")]
    return line


def test_the_functions_not_run_line_says_what_each_labs_functions_do():
    """One sentence for every lab told Day2Lab2 (a BucketDeployment and an auto-delete) that
    its functions delete snapshots, and Day2Lab1 and Day3Lab1 that theirs upload a site."""
    head = "Created, but their Lambda functions do not run here (moto runs them in Docker): "
    day2_lab1 = functions_line("Day2Lab1", {"Custom::Week5SnapshotCleanup": 1})
    assert day2_lab1 == head + (
        "Custom::Week5SnapshotCleanup x1 (on AWS it deletes at destroy the snapshots taken of "
        "the lab's volume or database: here they stay after destroy)."
    )
    upload = {"logical_id": "Site", "bucket": "site-b", "prefix": "", "files": 3}
    site = {"Custom::CDKBucketDeployment": 1, "Custom::S3AutoDeleteObjects": 1}
    assert functions_line("Day2Lab2", site, [upload]) == head + (
        "Custom::S3AutoDeleteObjects x1 (on AWS it empties its bucket as the stack deletes it: "
        "here the emulator empties a bucket tagged for it); Custom::CDKBucketDeployment x1 (on "
        "AWS it puts the lab's files into its bucket: here week5 local did the upload):"
    )
    assert "snapshot" not in functions_line("Day2Lab2", site)
    assert functions_line("Lab", {"AWS::CloudFormation::CustomResource": 2}) == head + (
        "AWS::CloudFormation::CustomResource x2 (on AWS it runs a function: here it does not "
        "run)."
    )
