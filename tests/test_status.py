"""`week5 status` (issue #15 item 4), on moto: the lab stacks of a student (or of all), their age
and estimated $/hour, and what is tagged for the course but belongs to no stack."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from test_quotas import moto_env  # noqa: F401  (the fixture)

from week5.cli import main
from week5.operations import status

REGION = "ap-northeast-2"


def lab_stack_template(lab_id: str, student: str) -> str:
    """A lab stack as CDK writes it: the course's description and an Elastic IP ($0.005/h)."""
    return json.dumps({
        "Description": f"Week 5 Day{lab_id[3]} {lab_id[4:]}: test - student {student}",
        "Resources": {
            "Eip": {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc", "Tags": [
                {"Key": "Week", "Value": "Week5"}, {"Key": "Student", "Value": student}]}},
        },
    })  # fmt: skip


@pytest.fixture(autouse=True)
def no_default_amis(monkeypatch):
    """Before moto_env's reset (autouse fixtures come first): the server's EC2 without moto's
    default AMIs (1,286 in this region, built again at each reset); a test registers its own."""
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


@pytest.fixture
def account(moto_env):  # noqa: F811
    cf = boto3.client("cloudformation", region_name=REGION)
    for lab_id, student in (("Day4Lab1", "kim"), ("Day1Lab1", "lee"), ("Day2Lab1", "kim-minsu")):
        # Tagged as `cdk deploy` tags a lab's stack (its tags are the stack's own): the tagging
        # API lists the stack itself, which has no aws:cloudformation:stack-name tag.
        cf.create_stack(StackName=f"week5-{student}-{lab_id}",
                        TemplateBody=lab_stack_template(lab_id, student),
                        Tags=[{"Key": "Week", "Value": "Week5"},
                              {"Key": "Student", "Value": student}])  # fmt: skip
    # Named like a lab but not the course's (no description, no tag), and someone else's app.
    plain = json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}})
    cf.create_stack(StackName="week5-kim-Day1Lab2", TemplateBody=plain)
    cf.create_stack(StackName="shop-prod", TemplateBody=plain)
    ec2 = boto3.client("ec2", region_name=REGION)
    # Made by hand in the console, tagged as the course asks: in no stack.
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[
        {"Key": "Week", "Value": "Week5"}, {"Key": "Day", "Value": "Day1"},
        {"Key": "Student", "Value": "kim"}, {"Key": "Name", "Value": "week5-day1-vpc"},
    ])  # fmt: skip
    # Left behind by a stack that is gone (a retained volume keeps its stack tag).
    volume = ec2.create_volume(AvailabilityZone="ap-northeast-2a", Size=1)["VolumeId"]
    ec2.create_tags(Resources=[volume], Tags=[
        {"Key": "Week", "Value": "Week5"}, {"Key": "Student", "Value": "lee"},
        {"Key": "aws:cloudformation:stack-name", "Value": "week5-lee-Day2Lab1"}])  # fmt: skip
    return {"vpc": vpc, "volume": volume}


def run_json(capsys, *args):
    code = main(["status", "--json", *args])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def test_one_students_stacks_priced_with_their_age(account, capsys):
    report = run_json(capsys, "--student", "kim")
    assert [s["stack"] for s in report["stacks"]] == ["week5-kim-Day4Lab1"]
    (stack,) = report["stacks"]
    assert stack["lab"] == "Day4Lab1" and stack["status"] == "CREATE_COMPLETE"
    assert stack["usd_per_hour"] == pytest.approx(0.005)  # the EIP's public IPv4 address
    assert 0 <= stack["age_hours"] < 1
    assert report["usd_per_hour"] == pytest.approx(0.005)
    assert report["priced"].startswith("each stack's deployed template")
    # kim's hand-made VPC is untracked; lee's leftover is not kim's.
    assert [u["arn"].rsplit("/", 1)[1] for u in report["untracked"]] == [account["vpc"]]
    assert report["untracked"][0]["tags"] == {
        "Day": "Day1",
        "Student": "kim",
        "Name": "week5-day1-vpc",
    }


def test_every_student_for_the_instructor(account, capsys):
    report = run_json(capsys, "--all")
    assert [s["stack"] for s in report["stacks"]] == [
        "week5-kim-Day4Lab1", "week5-kim-minsu-Day2Lab1", "week5-lee-Day1Lab1",
    ]  # fmt: skip
    assert [s["student"] for s in report["stacks"]] == ["kim", "kim-minsu", "lee"]
    gone = {u["arn"].rsplit("/", 1)[1]: u["gone_stack"] for u in report["untracked"]}
    assert gone == {account["vpc"]: None, account["volume"]: "week5-lee-Day2Lab1"}


def test_the_table(account, capsys):
    assert main(["status", "--all"]) == 0
    out, err = capsys.readouterr()
    assert err.startswith("==> Week5 lab stacks of every student in ap-northeast-2")
    lines = out.splitlines()
    assert lines[0].split() == ["Stack", "Student", "Lab", "Status", "Created", "(UTC)", "Age",
                                "Est", "$/h"]  # fmt: skip
    assert any(line.startswith("week5-kim-Day4Lab1") and line.endswith("$0.005") for line in lines)
    assert "3 stack(s), $0.015/hour estimated" in out
    # What it priced, beside `week5 cleanup`'s figure for the same stacks (what exists now).
    assert "Priced: each stack's deployed template as `week5 cost LAB` prices it" in out
    assert "`week5 cleanup --day DayN` prices what exists instead." in out
    assert "Tagged Week=Week5 but in no stack (2)" in out
    # The hand-made VPC has its Day: cleanup takes it. The volume has none: cleanup would not.
    (volume,) = [line for line in lines if ":volume/" in line]
    assert volume.endswith(
        "(stack week5-lee-Day2Lab1 is gone) (no Day tag: cleanup leaves it; delete it by hand)"
    )
    (vpc,) = [line for line in lines if ":vpc/" in line]
    assert vpc.rstrip().endswith("Name=week5-day1-vpc")


def test_what_cleanup_leaves_is_marked_in_the_table_and_the_json(account, capsys):
    """`week5 cleanup --day DayN` takes one course day: a Day tag outside Day1-Day5 (a
    full-width digit typed in the console) is as good as none (a hostile trial)."""
    ec2 = boto3.client("ec2", region_name=REGION)
    odd = ec2.create_volume(AvailabilityZone="ap-northeast-2a", Size=1)["VolumeId"]
    ec2.create_tags(Resources=[odd], Tags=[
        {"Key": "Week", "Value": "Week5"}, {"Key": "Day", "Value": "Day９"},
        {"Key": "Student", "Value": "kim"}])  # fmt: skip
    assert main(["status", "--all"]) == 0
    (line,) = [line for line in capsys.readouterr().out.splitlines() if odd in line]
    assert line.endswith("(Day is no course day: cleanup leaves it; delete it by hand)")
    takes = {
        u["arn"].rsplit("/", 1)[1]: u["cleanup_takes_it"]
        for u in run_json(capsys, "--all")["untracked"]
    }
    assert takes == {account["vpc"]: True, account["volume"]: False, odd: False}


def test_nothing_there(moto_env, capsys):  # noqa: F811
    assert main(["status", "--student", "park"]) == 0
    out = capsys.readouterr().out
    assert "No lab stacks of student park in ap-northeast-2." in out
    assert "Nothing tagged Week=Week5 of student park outside a stack." in out


def test_the_student_defaults_to_the_one_week5_init_set(account, capsys, tmp_path, monkeypatch):
    (tmp_path / "cdk.json").write_text(json.dumps({"app": "python app.py", "context": {}}))
    (tmp_path / "cdk.context.json").write_text(json.dumps({"student": "lee"}))
    monkeypatch.chdir(tmp_path)
    report = run_json(capsys)
    assert report["student"] == "lee"
    assert [s["stack"] for s in report["stacks"]] == ["week5-lee-Day1Lab1"]


def test_every_page_is_read():
    """describe_stacks and get_resources return pages; status reads them all."""

    class Pages:
        def __init__(self, pages):
            self.pages = pages

        def get_paginator(self, _name):
            return self

        def paginate(self, **_):
            return iter(self.pages)

    stacks = [{"Stacks": [{"StackName": f"s{p}-{i}", "StackStatus": "CREATE_COMPLETE"}
                          for i in range(100)]} for p in range(3)]  # fmt: skip
    assert len(status.live_stacks(Pages(stacks))) == 300
    tagged = [{"ResourceTagMappingList": [{"ResourceARN": f"a{p}"}]} for p in range(4)]
    assert len(status.tagged_resources(Pages(tagged))) == 4


def test_stack_names_and_ages():
    assert status.parse_stack_name("week5-kim-minsu-Day4Challenge").group("student") == "kim-minsu"
    assert status.parse_stack_name("week5-kim-day4lab1") is None
    assert status.parse_stack_name("week5-Kim-Day4Lab1") is None
    assert status.format_age(0.5) == "30 min"
    assert status.format_age(2.25) == "2 h 15 min"
    assert status.format_age(50) == "2 d 2 h"
    created = datetime.now(timezone.utc) - timedelta(hours=3)
    stack = status.LabStackStatus("week5-kim-Day1Lab1", "kim", "Day1Lab1", "CREATE_COMPLETE",
                                  created)  # fmt: skip
    assert 2.99 < stack.age_hours(datetime.now(timezone.utc)) < 3.01


def test_a_terminated_instance_and_a_deleted_nat_gateway_are_not_left_behind(moto_env, capsys):  # noqa: F811
    """The tagging API lists them for about an hour after they are gone (moto's emulator for
    good): they neither bill nor need `week5 cleanup`, so status does not call them left."""
    ec2 = boto3.client("ec2", region_name=REGION)
    tags = [{"Key": "Week", "Value": "Week5"}, {"Key": "Student", "Value": "kim"}]
    spec = [{"ResourceType": "instance", "Tags": tags}]
    image = ec2.register_image(Name="base", RootDeviceName="/dev/xvda")["ImageId"]
    running, ended = (
        ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, TagSpecifications=spec)[
            "Instances"][0]["InstanceId"]
        for _ in range(2)
    )  # fmt: skip
    ec2.terminate_instances(InstanceIds=[ended])
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(
        SubnetId=subnet, AllocationId=eip,
        TagSpecifications=[{"ResourceType": "natgateway", "Tags": tags}],
    )["NatGateway"]["NatGatewayId"]  # fmt: skip
    ec2.delete_nat_gateway(NatGatewayId=nat)
    listed = boto3.client("resourcegroupstaggingapi", region_name=REGION).get_resources()
    arns = [m["ResourceARN"] for m in listed["ResourceTagMappingList"]]
    assert any(ended in arn for arn in arns) and any(nat in arn for arn in arns)  # as AWS lists
    report = run_json(capsys, "--student", "kim")
    assert [u["arn"].rsplit("/", 1)[1] for u in report["untracked"]] == [running]


def test_a_deleted_vpc_endpoint_is_not_left_behind(moto_env):  # noqa: F811
    """A re-trial: once cleanup deleted an endpoint, status still listed it (the emulator keeps
    it in state `deleted`, as AWS does for a while) and told to run cleanup, which found
    nothing."""
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    kept, deleted = (
        ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.s3",
                                VpcEndpointType="Gateway")["VpcEndpoint"]["VpcEndpointId"]
        for _ in range(2)
    )  # fmt: skip
    ec2.delete_vpc_endpoints(VpcEndpointIds=[deleted])
    arn = f"arn:aws:ec2:{REGION}:123456789012:vpc-endpoint/{{}}".format
    assert status.gone(ec2, [arn(kept), arn(deleted)]) == {arn(deleted)}


def test_a_live_databases_automatic_snapshot_is_not_left_behind_until_the_database_is_gone(
    moto_env, capsys  # noqa: F811
):
    """RDS's own snapshots copy the database's course tags but carry no stack tag: while the
    database lives they are its backups, not leftovers; one kept after it bills as storage.
    A snapshot taken by hand (Day3Lab1's Step 3) is listed either way."""
    rds = boto3.client("rds", region_name=REGION)
    tags = [{"Key": "Week", "Value": "Week5"}, {"Key": "Student", "Value": "kim"}]
    rds.create_db_instance(
        DBInstanceIdentifier="week5-kim-day3-db", Engine="postgres",
        DBInstanceClass="db.t3.micro", MasterUsername="labadmin",
        MasterUserPassword="not-a-real-one", AllocatedStorage=20, BackupRetentionPeriod=1,
        CopyTagsToSnapshot=True, Tags=tags,
    )  # fmt: skip
    rds.create_db_snapshot(
        DBInstanceIdentifier="week5-kim-day3-db", DBSnapshotIdentifier="week5-kim-day3-manual"
    )
    (automatic,) = rds.describe_db_snapshots(SnapshotType="automated")["DBSnapshots"]
    listed = boto3.client("resourcegroupstaggingapi", region_name=REGION).get_resources()
    arns = {m["ResourceARN"] for m in listed["ResourceTagMappingList"]}
    assert automatic["DBSnapshotArn"] in arns  # as AWS lists it: course tags, no stack tag

    database, manual = (
        f"arn:aws:rds:{REGION}:123456789012:{kind}"
        for kind in ("db:week5-kim-day3-db", "snapshot:week5-kim-day3-manual")
    )
    untracked = [u["arn"] for u in run_json(capsys, "--student", "kim")["untracked"]]
    assert untracked == [database, manual]  # made by hand, as moto's database is

    rds.delete_db_instance(
        DBInstanceIdentifier="week5-kim-day3-db", SkipFinalSnapshot=True,
        DeleteAutomatedBackups=False,
    )  # fmt: skip
    untracked = [u["arn"] for u in run_json(capsys, "--student", "kim")["untracked"]]
    assert untracked == [automatic["DBSnapshotArn"], manual]


def test_a_cloudfront_distribution_left_behind_is_listed_once(moto_env, capsys):  # noqa: F811
    """CloudFront is global: status reads us-east-1's tagging API for it too, and a region's
    own may list it as well (moto's does): one line, not two."""
    cloudfront = boto3.client("cloudfront", region_name="us-east-1")
    created = cloudfront.create_distribution_with_tags(DistributionConfigWithTags={
        "DistributionConfig": {
            "CallerReference": "week5-kim-day2", "Comment": "", "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [{
                "Id": "site", "DomainName": "example.s3.amazonaws.com",
                "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "site",
                                     "ViewerProtocolPolicy": "redirect-to-https"},
        },
        "Tags": {"Items": [{"Key": "Week", "Value": "Week5"}, {"Key": "Student", "Value": "kim"}]},
    })  # fmt: skip
    arn = created["Distribution"]["ARN"]
    untracked = [u["arn"] for u in run_json(capsys, "--student", "kim")["untracked"]]
    assert untracked == [arn]


def test_a_stack_whose_change_set_was_never_executed_is_listed_not_priced(account, capsys):
    """`cdk deploy` creates its stack through a change set: one never executed leaves the stack
    in REVIEW_IN_PROGRESS, and its GetTemplate comes back without Resources."""
    cf = boto3.client("cloudformation", region_name=REGION)
    cf.create_change_set(StackName="week5-lee-Day3Lab1", ChangeSetName="cdk-deploy-change-set",
                         TemplateBody=lab_stack_template("Day3Lab1", "lee"),
                         ChangeSetType="CREATE", Tags=[{"Key": "Week", "Value": "Week5"},
                                                       {"Key": "Student", "Value": "lee"}])  # fmt: skip
    assert cf.get_template(StackName="week5-lee-Day3Lab1")["TemplateBody"] == {}  # as AWS answers
    for who in (["--all"], ["--student", "lee"]):
        report = run_json(capsys, *who)
        stacks = {s["stack"]: s for s in report["stacks"]}
        waiting = stacks["week5-lee-Day3Lab1"]
        assert waiting["status"] == "REVIEW_IN_PROGRESS" and waiting["usd_per_hour"] is None
        assert waiting["note"] == "change set not executed: not priced"
        assert stacks["week5-lee-Day1Lab1"]["usd_per_hour"] == pytest.approx(0.005)
        assert report["usd_per_hour"] == pytest.approx(0.005 * len([
            s for s in report["stacks"] if s["usd_per_hour"]]))  # fmt: skip
    assert main(["status", "--student", "lee"]) == 0
    out = capsys.readouterr().out
    (line,) = [line for line in out.splitlines() if line.startswith("week5-lee-Day3Lab1")]
    assert "REVIEW_IN_PROGRESS (change set not executed: not priced)" in line
    assert line.endswith("not priced")
    assert "2 stack(s), $0.005/hour estimated (1 stack(s) not priced)." in out


class TemplateShapes:
    """moto's CloudFormation, except that GetTemplate answers the named stacks with the given
    body, or raises the given error: shapes moto will not deploy, and refusals."""

    def __init__(self, client, answers):
        self.client, self.answers = client, answers

    def __getattr__(self, name):
        return getattr(self.client, name)

    def get_template(self, StackName, **kwargs):  # noqa: N803 (boto3's parameter name)
        if StackName not in self.answers:
            return self.client.get_template(StackName=StackName, **kwargs)
        answer = self.answers[StackName]
        if isinstance(answer, Exception):
            raise answer
        return {"TemplateBody": answer}


def refused(code):
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": "no"}}, "GetTemplate")


#: Stack name → what GetTemplate answers, and the note (or the count not priced) it gets.
SHAPES = {
    "week5-a-Day1Lab1": ({}, "template has no Resources: not priced"),
    "week5-b-Day1Lab1": ({"Description": "Week 5 Day1 Lab1: x"},
                         "template has no Resources: not priced"),
    "week5-c-Day1Lab1": ("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n",
                         "template not JSON: not priced"),
    "week5-d-Day1Lab1": ("[]", "template not a JSON object: not priced"),
    "week5-e-Day1Lab1": ({"Resources": []}, "template has no Resources: not priced"),
    "week5-f-Day1Lab1": (refused("AccessDenied"), "GetTemplate failed (AccessDenied): not priced"),
    "week5-g-Day1Lab1": (refused("ValidationError"),
                         "GetTemplate failed (ValidationError): not priced"),
    # Resources the pricer cannot read: a parameter's Ref for the type, a group launched from a
    # launch configuration, a declaration without a Type; each "not priced", the EIP priced.
    "week5-h-Day1Lab1": ({"Resources": {
        "Eip": {"Type": "AWS::EC2::EIP"},
        "Host": {"Type": "AWS::EC2::Instance", "Properties": {
            "InstanceType": {"Ref": "Type"}, "BlockDeviceMappings": [{"Ebs": "8"}]}},
        "Group": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {
            "MinSize": "1", "MaxSize": "2", "LaunchConfigurationName": "lc"}},
        "Odd": "not a declaration",
    }}, 3),
}  # fmt: skip


def test_no_template_shape_stops_the_listing(account, capsys, monkeypatch):
    """Every stack is listed with its status whatever GetTemplate answers for it; what cannot
    be priced says why, and the command still exits 0 with the others priced."""
    from week5.operations import aws_errors

    cf = boto3.client("cloudformation", region_name=REGION)
    for name in SHAPES:
        cf.create_stack(StackName=name, TemplateBody=lab_stack_template("Day1Lab1", name[6]),
                        Tags=[{"Key": "Week", "Value": "Week5"}])  # fmt: skip
    opened = aws_errors.clients

    def clients(profile, region):
        make = opened(profile, region)

        def client(service, **kwargs):
            made = make(service, **kwargs)
            if service != "cloudformation":
                return made
            return TemplateShapes(made, {n: answer for n, (answer, _) in SHAPES.items()})

        return client

    monkeypatch.setattr(aws_errors, "clients", clients)
    report = run_json(capsys, "--all")
    stacks = {s["stack"]: s for s in report["stacks"]}
    for name, (_, expected) in SHAPES.items():
        stack = stacks[name]
        assert stack["status"] == "CREATE_COMPLETE", name
        if isinstance(expected, int):
            assert stack["not_priced"] == expected and stack["note"] == ""
            assert stack["usd_per_hour"] == pytest.approx(0.005)  # the EIP, the rest not $0
        else:
            assert (stack["usd_per_hour"], stack["note"]) == (None, expected), name
    assert stacks["week5-kim-Day4Lab1"]["usd_per_hour"] == pytest.approx(0.005)
    assert main(["status", "--all"]) == 0
    out = capsys.readouterr().out
    assert "(7 stack(s) not priced)" in out
    assert "$0.005 +3 not priced" in out


@pytest.mark.parametrize("command", ["status", "audit", "cleanup", "quotas"])
def test_the_help_says_which_region_it_reads(capsys, command):
    """boto3's session gets --region, which wins over AWS_REGION and the profile's region
    (tested here for status, in test_cleanup_network for cleanup)."""
    with pytest.raises(SystemExit):
        main([command, "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert ("default ap-northeast-2 (the course's region; AWS_REGION, AWS_DEFAULT_REGION and "
            "the profile's region are not read)") in help_text  # fmt: skip


def test_aws_region_is_not_read(account, capsys, monkeypatch):
    """What the help says: AWS_REGION set elsewhere, the stacks of ap-northeast-2 are listed."""
    monkeypatch.setenv("AWS_REGION", "us-west-2")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    report = run_json(capsys, "--all")
    assert report["region"] == REGION and len(report["stacks"]) == 3


def test_only_the_stacks_a_leftovers_tags_name_are_listed():
    """A class account has a stack per student and lab: status reads the resources of those a
    leftover could belong to, not every one (a review counted 100+ listings a run)."""
    from week5.operations.status import Untracked, stacks_named_by

    def stack(name, root=None):
        return {"StackName": name, "StackId": f"id/{name}", **({"RootId": f"id/{root}"} if root else {})}

    stacks = [stack("week5-kim-Day4Lab1"), stack("week5-kim-Day4Lab1-Nested", "week5-kim-Day4Lab1"),
              stack("week5-lee-Day4Lab1"), stack("week5-kim-Day5Lab1")]  # fmt: skip
    left = [
        Untracked(arn="arn:1", tags={"Day": "Day4", "Lab": "Lab1", "Student": "kim"}),
        Untracked(arn="arn:2", tags={"Day": "Day4", "Student": "lee"}),  # no Lab: names none
    ]
    assert [s["StackName"] for s in stacks_named_by(stacks, left)] == [
        "week5-kim-Day4Lab1", "week5-kim-Day4Lab1-Nested"
    ]


def test_only_resources_tagged_week5_are_untracked(account, capsys):
    """Another week's resource and another project's (each with Student=kim) are not the
    course's leftovers: status lists what is tagged Week=Week5 only."""
    ec2 = boto3.client("ec2", region_name=REGION)
    for tags in ({"Week": "Week4", "Student": "kim"}, {"Project": "x", "Student": "kim"}):
        vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
        ec2.create_tags(Resources=[vpc], Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    kim = [u["arn"].rsplit("/", 1)[1] for u in run_json(capsys, "--student", "kim")["untracked"]]
    assert kim == [account["vpc"]]
    everyone = {u["arn"].rsplit("/", 1)[1] for u in run_json(capsys, "--all")["untracked"]}
    assert everyone == {account["vpc"], account["volume"]}


def test_a_rolled_back_stack_costs_nothing_whatever_its_template_declares():
    """ROLLBACK_COMPLETE: the creation failed and CloudFormation deleted what it had made, so
    the Elastic IP its template declares is not there: $0, said so, GetTemplate not asked."""

    class Templates:
        def __init__(self):
            self.asked = []

        def get_template(self, StackName, **_):  # noqa: N803 (boto3's parameter name)
            self.asked.append(StackName)
            return {"TemplateBody": json.loads(lab_stack_template("Day1Lab1", "kim"))}

    stack = {"StackName": "week5-kim-Day1Lab1", "StackStatus": "ROLLBACK_COMPLETE",
             "Tags": [{"Key": "Week", "Value": "Week5"}]}  # fmt: skip
    cloudformation = Templates()
    (listed,) = status.course_stacks(cloudformation, [stack])
    assert (listed.usd_per_hour, listed.note) == (0.0, "rolled back: nothing left")
    assert cloudformation.asked == []
    # The same template in a stack that is up: its Elastic IP priced (the test's stub answers).
    (up,) = status.course_stacks(cloudformation, [{**stack, "StackStatus": "CREATE_COMPLETE"}])
    assert up.usd_per_hour == pytest.approx(0.005) and cloudformation.asked == [stack["StackName"]]


def test_a_partly_deleted_stack_is_priced_for_what_it_still_has():
    """A student re-trial: a destroy left DELETE_FAILED (a hand-made instance in a lab subnet)
    kept only the VPC and a subnet, yet status priced the whole template ($0.045/h)."""
    template = {"Resources": {
        "Eip": {"Type": "AWS::EC2::EIP", "Properties": {}},
        "Host": {"Type": "AWS::EC2::Instance", "Properties": {"InstanceType": "t3.micro"}},
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {}},
    }}  # fmt: skip
    summaries = [
        {"LogicalResourceId": "Eip", "ResourceStatus": "DELETE_COMPLETE"},
        {"LogicalResourceId": "Host", "ResourceStatus": "DELETE_COMPLETE"},
        {"LogicalResourceId": "Vpc", "ResourceStatus": "DELETE_FAILED"},
    ]

    class Stack:
        def get_template(self, **_):
            return {"TemplateBody": template}

        def get_paginator(self, name):
            assert name == "list_stack_resources"
            return self

        def paginate(self, StackName):  # noqa: N803 (boto3's parameter name)
            return iter([{"StackResourceSummaries": summaries}])

    stack = {"StackName": "week5-kim-Day1Lab1", "StackStatus": "DELETE_FAILED",
             "Tags": [{"Key": "Week", "Value": "Week5"}]}  # fmt: skip
    (listed,) = status.course_stacks(Stack(), [stack])
    assert (listed.usd_per_hour, listed.note) == (0.0, "partly deleted: the 1 resource(s) left")
    summaries[0]["ResourceStatus"] = "DELETE_FAILED"  # an Elastic IP still held: still billed
    (listed,) = status.course_stacks(Stack(), [stack])
    assert listed.usd_per_hour == pytest.approx(0.005)
    assert listed.note == "partly deleted: the 2 resource(s) left"


def test_what_a_failed_destroy_deleted_is_no_longer_the_stacks():
    """The index of a stack's resources leaves out those listed DELETE_COMPLETE (as cleanup's
    does): a DELETE_FAILED stack holds only what it did not delete."""
    summaries = [
        {"PhysicalResourceId": "i-gone", "ResourceType": "AWS::EC2::Instance",
         "ResourceStatus": "DELETE_COMPLETE"},
        {"PhysicalResourceId": "vpc-left", "ResourceType": "AWS::EC2::VPC",
         "ResourceStatus": "DELETE_FAILED"},
    ]  # fmt: skip

    class Resources:
        def get_paginator(self, _name):
            return self

        def paginate(self, StackName):  # noqa: N803 (boto3's parameter name)
            return iter([{"StackResourceSummaries": summaries}])

    stack = {"StackName": "week5-kim-Day1Lab1", "StackId": "arn:x", "StackStatus": "DELETE_FAILED",
             "Tags": [{"Key": "Week", "Value": "Week5"}]}  # fmt: skip
    assert status.stacks_resources(Resources(), [stack]) == {
        "vpc-left": [("AWS::EC2::VPC", "week5-kim-Day1Lab1")]
    }


def test_a_deleted_stack_is_not_listed():
    """DescribeStacks without a name lists the stacks deleted in the last 90 days too, as
    DELETE_COMPLETE: a lab deleted this morning is not a stack to list or price."""

    class Pages:
        def get_paginator(self, _name):
            return self

        def paginate(self, **_):
            tags = [{"Key": "Week", "Value": "Week5"}]
            return iter([{"Stacks": [
                {"StackName": "week5-kim-Day1Lab1", "StackStatus": "DELETE_COMPLETE", "Tags": tags},
                {"StackName": "week5-kim-Day1Lab1", "StackStatus": "CREATE_COMPLETE", "Tags": tags},
            ]}])  # fmt: skip

    live = status.live_stacks(Pages())
    assert [s["StackStatus"] for s in live] == ["CREATE_COMPLETE"]
    listed = status.course_stacks(None, live, priced=False)
    assert [(s.name, s.status) for s in listed] == [("week5-kim-Day1Lab1", "CREATE_COMPLETE")]
