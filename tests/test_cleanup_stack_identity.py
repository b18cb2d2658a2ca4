"""`week5 cleanup` tells a stack's resource by its type, not by a bare name alone, and never
reports a stack deleted while CloudFormation kept some of it.

A target group, a load balancer, an Auto Scaling group, an RDS instance, a secret, an ECR
repository or a log group is found by its name, and CloudFormation calls many resources by a
bare name too (an SSM parameter, an IAM role, a Lambda function): a hand-made resource tagged
for the day that shares a name with a resource of someone else's untagged stack must not make
that stack the day's (a review: `--apply` deleted it), nor must `week5 status` hide a leftover
as "in a live stack" for such a name. And a stack whose resources are kept on delete
(DeletionPolicy Retain: CloudFormation marks them DELETE_SKIPPED and they keep billing) is
reported with what it left behind, its type and physical id, as a failure (exit 1), not as
deleted. On in-process moto with the emulator's models, as tests/test_cleanup_stacks.py."""

import json

import pytest
from shared_botocore import Clients, moto_account

from week5.cli import main
from week5.cli.cleanup import format_report
from week5.operations import status
from week5.operations.cleanup import Cleaner

REGION = "ap-northeast-2"
CLIENTS = Clients(REGION)
STACK_KIND = "CloudFormation stack"


def tags(day="Day1", student="kim", **more):
    values = {"Week": "Week5", "Day": day, "Student": student, **more}
    return [{"Key": k, "Value": v} for k, v in values.items()]


@pytest.fixture
def aws(monkeypatch):
    with moto_account(monkeypatch, emulator_models=True):
        yield CLIENTS


def cleaner(aws, day="Day1", student="kim"):
    return Cleaner(
        aws.client, region=REGION, day=day, student=student, waits=(0, 0, 0),
        sleep=lambda s: None,
    )  # fmt: skip


def live_stacks(aws):
    listed = aws.client("cloudformation").describe_stacks()["Stacks"]
    return {s["StackName"] for s in listed if s["StackStatus"] != "DELETE_COMPLETE"}


def parameter(name):
    properties = {"Name": name, "Type": "String", "Value": "x"}
    return {"Type": "AWS::SSM::Parameter", "Properties": properties}


def team_stack(aws, resources):
    """Someone else's stack, untagged, made of ``resources``; its physical ids by logical id."""
    cloudformation = aws.client("cloudformation")
    template = json.dumps({"Resources": resources})
    cloudformation.create_stack(StackName="team-app", TemplateBody=template)
    listed = cloudformation.list_stack_resources(StackName="team-app")
    summaries = listed["StackResourceSummaries"]
    return {r["LogicalResourceId"]: (r["ResourceType"], r["PhysicalResourceId"]) for r in summaries}


def a_vpc(aws):
    return aws.client("ec2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]


# --- 1. a bare name is no resource's identity ------------------------------------------------


def test_a_tagged_target_group_named_like_a_parameter_of_an_untagged_stack_leaves_that_stack(
    aws, capsys
):
    """The reviewer's case: a target group `web` tagged for Day1/kim by hand, and team-app (no
    tags) holding an SSM parameter named `web`. The target group is found alone and deleted;
    team-app is not the day's: neither listed nor deleted."""
    resources = team_stack(aws, {"P": parameter("web"), "Q": parameter("other")})
    assert resources["P"] == ("AWS::SSM::Parameter", "web")
    elb = aws.client("elbv2")
    elb.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=a_vpc(aws), Tags=tags())
    found = cleaner(aws).find()
    assert [(f.kind, f.id, f.held) for f in found] == [("target group", "web", None)]
    report = cleaner(aws).apply(found, say=lambda line: None)
    assert [f.kind for f in report.deleted] == ["target group"] and not report.failed
    assert live_stacks(aws) == {"team-app"}
    assert elb.describe_target_groups()["TargetGroups"] == []
    assert aws.client("ssm").get_parameter(Name="web")["Parameter"]["Value"] == "x"


def test_a_tagged_log_group_named_like_a_parameter_of_an_untagged_stack_is_found_alone(aws):
    """The same with a log group (found by its name as well)."""
    team_stack(aws, {"P": parameter("/app/web")})
    day_tags = {t["Key"]: t["Value"] for t in tags()}
    aws.client("logs").create_log_group(logGroupName="/app/web", tags=day_tags)
    found = cleaner(aws).find()
    assert [(f.kind, f.id, f.held) for f in found] == [("log group", "/app/web", None)]


LOG_GROUP_STACK = {
    "Logs": {"Type": "AWS::Logs::LogGroup",
             "Properties": {"LogGroupName": "/app/web", "Tags": tags()}},
    "P": parameter("/app/web"),
}  # fmt: skip


def test_a_stacks_resource_of_the_found_type_leaves_that_untagged_stack_and_itself(aws):
    """What the type-aware match keeps: a log group the untagged stack made, tagged for the
    day, is known as that stack's (unlike the hand-made one above), and that does not make the
    stack the day's (it was folded and deleted whole before, its parameter with it; a review:
    someone's stack went with a tagged log group). The log group is left, with the stack named
    and what to do; nothing is deleted."""
    team_stack(aws, LOG_GROUP_STACK)
    found = cleaner(aws).find()
    assert [(f.kind, f.id) for f in found] == [("log group", "/app/web")]
    assert found[0].held == (
        "CloudFormation stack team-app, which is not tagged Week5/Day1/kim, made it: if that "
        "stack is the day's, delete that stack (`cdk destroy`, or the CloudFormation console), "
        "never its resources one by one; cleanup deletes only a stack that carries the day's "
        "tags itself, as a lab's does"
    )
    report = cleaner(aws).apply(found, say=lambda line: None)
    assert not report.deleted and [f.id for f, _ in report.left] == ["/app/web"]
    assert live_stacks(aws) == {"team-app"}
    assert aws.client("ssm").get_parameter(Name="/app/web")["Parameter"]["Value"] == "x"


def test_a_stacks_resource_of_the_found_type_folds_the_stack_tagged_for_the_day(aws):
    """The same stack carrying the day's tags itself (as a lab's stack does) is the day's: its
    log group folds into it, and it is listed alone."""
    cloudformation = aws.client("cloudformation")
    cloudformation.create_stack(
        StackName="team-app", TemplateBody=json.dumps({"Resources": LOG_GROUP_STACK}),
        Tags=tags(),
    )  # fmt: skip
    found = cleaner(aws).find()
    assert [(f.kind, f.id, f.held) for f in found] == [(STACK_KIND, "team-app", None)]
    assert found[0].name == "1 tagged resource(s) in it"


def test_an_untagged_stack_with_a_resource_tagged_otherwise_is_not_the_days(aws):
    """An untagged stack is never the day's: team-app's subnet carries its team's tags (not
    the course's), and its VPC the day's; the VPC is left, with the stack named, and nothing
    is deleted."""
    team_stack(aws, {
        "Vpc": {"Type": "AWS::EC2::VPC",
                "Properties": {"CidrBlock": "10.0.0.0/16", "Tags": tags()}},
        "Sub": {"Type": "AWS::EC2::Subnet",
                "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24",
                               "Tags": [{"Key": "Team", "Value": "payments"}]}},
    })  # fmt: skip
    found = cleaner(aws).find()
    assert [f.kind for f in found] == ["VPC"]
    assert (
        "CloudFormation stack team-app, which is not tagged Week5/Day1/kim, made it: if that "
        "stack is the day's, delete that stack"
    ) in (found[0].held or ""), found[0].held
    report = cleaner(aws).apply(found, say=lambda line: None)
    assert not report.deleted and live_stacks(aws) == {"team-app"}


def test_status_does_not_hide_a_leftover_behind_a_live_stacks_parameter_of_its_name(aws):
    """`week5 status`: a log group `/week5-kim-Day1Lab1/web` tagged for kim's Day1Lab1 and
    left behind is listed though kim's live lab stack holds an SSM parameter of that name;
    a log group the stack made is not listed."""
    name = "/week5-kim-Day1Lab1/web"
    lab_tags = tags(Lab="Lab1")
    aws.client("cloudformation").create_stack(
        StackName="week5-kim-Day1Lab1",
        TemplateBody=json.dumps({
            "Description": "Week 5 Day1 Lab1: test",
            "Resources": {
                "P": parameter(name),
                "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {
                    "LogGroupName": "/week5-kim-Day1Lab1/made", "Tags": lab_tags}},
            },
        }),
        Tags=lab_tags,
    )  # fmt: skip
    logs = aws.client("logs")
    logs.create_log_group(logGroupName=name, tags={t["Key"]: t["Value"] for t in lab_tags})
    report = status.read_status(aws.client, REGION, "kim")
    untracked = [u.arn for u in report.untracked]
    assert any(arn.endswith(f":log-group:{name}") or arn.endswith(f":log-group:{name}:*")
               for arn in untracked), untracked  # fmt: skip
    assert not any("/week5-kim-Day1Lab1/made" in arn for arn in untracked), untracked


def test_one_shared_lookup_by_type():
    """The lookup both commands use: a physical id names a stack's resource only with its
    type, or when AWS made it unique (an ARN, an id with its type's prefix)."""
    from week5.operations.cleanup.stacks import arn_types, owner

    index = {
        "web": [("AWS::SSM::Parameter", "team-app")],
        "vol-0123456789abcdef0": [("AWS::EC2::Volume", "lab")],
        "arn:aws:elasticloadbalancing:r:1:targetgroup/web/abc": [
            ("AWS::ElasticLoadBalancingV2::TargetGroup", "lab")
        ],
    }
    target_group = {"AWS::ElasticLoadBalancingV2::TargetGroup"}
    assert owner(index, ["web"], target_group) is None
    assert owner(index, ["web"], {"AWS::SSM::Parameter"}) == "team-app"
    assert owner(index, ["web"], None) is None  # a bare name of unknown type: never
    assert owner(index, ["vol-0123456789abcdef0"], None) == "lab"
    assert owner(index, ["web", "arn:aws:elasticloadbalancing:r:1:targetgroup/web/abc"],
                 target_group) == "lab"  # fmt: skip
    assert arn_types("arn:aws:logs:r:1:log-group:web:*") == {"AWS::Logs::LogGroup"}
    assert arn_types("arn:aws:ssm:r:1:parameter/web") == {"AWS::SSM::Parameter"}
    assert arn_types("arn:aws:elasticloadbalancing:r:1:targetgroup/web/abc") == target_group


@pytest.mark.parametrize(
    "kind, resource_type, physical_id",
    [
        ("RDS cluster", "AWS::RDS::DBCluster", "shop-db"),
        ("ElastiCache serverless cache", "AWS::ElastiCache::ServerlessCache", "shop-cache"),
        ("VPC endpoint", "AWS::EC2::VPCEndpoint", "vpce-0123456789abcdef0"),
        ("network ACL", "AWS::EC2::NetworkAcl", "acl-0123456789abcdef0"),
    ],
)
def test_the_newer_finders_kinds_fold_into_the_stack_that_made_them(
    kind, resource_type, physical_id
):
    """A found cluster or serverless cache is known by a bare name: without its kind's type it
    folded into no stack (and, its stack-name tag no longer read, was deleted one by one under
    CloudFormation's feet)."""
    from week5.operations.cleanup.stacks import kind_types, owner

    index = {physical_id: [(resource_type, "week5-kim-Day3Lab2")]}
    assert kind_types(kind) == {resource_type}
    assert owner(index, [physical_id], kind_types(kind)) == "week5-kim-Day3Lab2"


# --- 2. what CloudFormation keeps is not deleted ---------------------------------------------


def retaining_stack(aws):
    """kim's Day1Lab1 stack (tagged for the day) with a 100 GB volume kept on delete
    (DeletionPolicy Retain) and one without a policy; the kept volume's id."""
    volume = {
        "AvailabilityZone": "ap-northeast-2a", "Size": 100, "VolumeType": "gp3", "Tags": tags()
    }  # fmt: skip
    template = {"Resources": {
        "Data": {"Type": "AWS::EC2::Volume", "DeletionPolicy": "Retain", "Properties": volume},
        "Scratch": {"Type": "AWS::EC2::Volume", "Properties": {**volume, "Size": 1}},
    }}  # fmt: skip
    cloudformation = aws.client("cloudformation")
    cloudformation.create_stack(
        StackName="week5-kim-Day1Lab1", TemplateBody=json.dumps(template), Tags=tags()
    )
    listed = cloudformation.list_stack_resources(StackName="week5-kim-Day1Lab1")
    summaries = listed["StackResourceSummaries"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in summaries}["Data"]


def test_a_stack_that_kept_a_resource_is_reported_with_it_not_deleted(aws):
    kept = retaining_stack(aws)
    found = cleaner(aws).find()
    assert [(f.kind, f.id) for f in found] == [(STACK_KIND, "week5-kim-Day1Lab1")]
    report = cleaner(aws).apply(found, say=lambda line: None)
    assert not report.deleted
    ((item, why),) = report.failed
    assert item.id == "week5-kim-Day1Lab1"
    assert f"AWS::EC2::Volume {kept}" in why and "Retain" in why
    assert live_stacks(aws) == set()
    # what it left is the day's tagged volume: the next run finds it on its own
    assert ("EBS volume", kept) in [(f.kind, f.id) for f in cleaner(aws).find()]
    text = format_report(report)
    assert f"AWS::EC2::Volume {kept}" in text


def test_the_command_exits_1_when_a_stack_kept_a_resource(aws, capsys):
    kept = retaining_stack(aws)
    code = main(["cleanup", "--day", "Day1", "--student", "kim", "--apply"])
    out = capsys.readouterr().out
    assert code == 1, out
    assert kept in out


def test_what_a_snapshot_or_retain_except_on_create_policy_keeps_is_left_behind(aws):
    """RetainExceptOnCreate keeps the resource of a stack that was created (DELETE_SKIPPED on
    AWS), Snapshot keeps a snapshot of it: both still bill and are named; a resource without a
    policy is not."""
    volume = {"AvailabilityZone": "ap-northeast-2a", "Size": 8, "Tags": tags()}
    template = {"Resources": {
        "Kept": {"Type": "AWS::EC2::Volume", "DeletionPolicy": "RetainExceptOnCreate",
                 "Properties": volume},
        "Saved": {"Type": "AWS::EC2::Volume", "DeletionPolicy": "Snapshot", "Properties": volume},
        "Plain": {"Type": "AWS::EC2::Volume", "Properties": volume},
    }}  # fmt: skip
    cloudformation = aws.client("cloudformation")
    cloudformation.create_stack(
        StackName="week5-kim-Day1Lab2", TemplateBody=json.dumps(template), Tags=tags()
    )
    listed = cloudformation.list_stack_resources(StackName="week5-kim-Day1Lab2")
    summaries = listed["StackResourceSummaries"]
    ids = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in summaries}
    report = cleaner(aws).apply(cleaner(aws).find(), say=lambda line: None)
    ((item, why),) = report.failed
    assert f"AWS::EC2::Volume {ids['Kept']} (DeletionPolicy RetainExceptOnCreate)" in why
    assert f"a snapshot of AWS::EC2::Volume {ids['Saved']} (DeletionPolicy Snapshot)" in why
    assert ids["Plain"] not in why and "left behind 2 resource(s)" in why


def test_a_stack_that_keeps_nothing_is_deleted_and_nothing_of_it_comes_back(aws):
    """A stack without keeping policies is deleted as before, and this run's checks leave
    nothing of it behind (moto creates a deleted stack's resources anew when they are listed:
    cleanup lists none of a deleted stack)."""
    template = {"Resources": {
        "Logs": {"Type": "AWS::Logs::LogGroup",
                 "Properties": {"LogGroupName": "/week5/kim", "Tags": tags()}},
    }}  # fmt: skip
    aws.client("cloudformation").create_stack(
        StackName="week5-kim-Day1Lab1", TemplateBody=json.dumps(template), Tags=tags()
    )
    report = cleaner(aws).apply(cleaner(aws).find(), say=lambda line: None)
    assert [f.id for f in report.deleted] == ["week5-kim-Day1Lab1"] and not report.failed
    assert aws.client("logs").describe_log_groups()["logGroups"] == []
    assert cleaner(aws).find() == []
