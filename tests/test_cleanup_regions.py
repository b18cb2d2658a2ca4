"""`week5 cleanup` and `week5 status` run in one region, but CloudFront is global: a
distribution (and a web ACL of CloudFront's scope) is listed from every region, and its stack
may live in another (an instructor trial: `week5 cleanup --day Day2 --student kim --region
us-west-2 --apply` deleted the distribution of kim's Seoul Day2Lab2 stack, and `cdk destroy`
then failed on it). Such a resource is its stack's, found by its `aws:cloudformation:stack-id`
tag (whose ARN names the stack's region) or, untagged as on the emulator, among the stacks of the
course's region; a stack mid-deploy is left with its state; status names the region of a
stack that lives elsewhere and quotes a tag value that has spaces around it. On in-process moto
with the emulator's models, as tests/test_cleanup_stack_identity.py."""

import json

import pytest
from moto import mock_aws
from moto.cloudformation.models import cloudformation_backends
from moto.core import DEFAULT_ACCOUNT_ID
from shared_botocore import Clients

from week5.cli import main
from week5.cli.cleanup import format_found
from week5.cli.status import format_status
from week5.operations import status
from week5.operations.cleanup import Cleaner, console
from week5.operations.moto_models import load

SEOUL = "ap-northeast-2"
OREGON = "us-west-2"
CLIENTS = {region: Clients(region) for region in (SEOUL, OREGON, "us-east-1")}
STACK = "week5-kim-Day2Lab2"
DISTRIBUTION = "CloudFront distribution"


def tags(day="Day2", student="kim", **more):
    values = {"Week": "Week5", "Day": day, "Student": student, **more}
    return [{"Key": k, "Value": v} for k, v in values.items()]


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    load()
    with mock_aws():
        yield CLIENTS


def cleaner(region, day="Day2", student="kim"):
    return Cleaner(
        CLIENTS[region].client, region=region, day=day, student=student, waits=(0, 0, 0),
        sleep=lambda s: None,
    )  # fmt: skip


def distribution_config(reference="site"):
    """CloudFront API's shape (create_distribution)."""
    return {
        "CallerReference": reference,
        "Comment": "",
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{
            "Id": "site", "DomainName": "example.s3.amazonaws.com",
            "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {
            "TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https", "MinTTL": 0,
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}},
    }  # fmt: skip


def site_stack(region=SEOUL, name=STACK, student="kim"):
    """Day2Lab2 as deployed: a bucket and a distribution, tagged for the lab by the template (on
    the emulator a distribution gets no stack tag); its id and the stack's id."""
    lab_tags = tags(student=student, Lab="Lab2")
    template = {
        "Description": "Week 5 Day2 Lab2: test",
        "Resources": {
            "Site": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": lab_tags}},
            "Cdn": {"Type": "AWS::CloudFront::Distribution", "Properties": {
                "DistributionConfig": {
                    "Enabled": True,
                    "Origins": [{"Id": "s3", "DomainName": "example.s3.amazonaws.com",
                                 "S3OriginConfig": {"OriginAccessIdentity": ""}}],
                    "DefaultCacheBehavior": {
                        "TargetOriginId": "s3", "ViewerProtocolPolicy": "redirect-to-https",
                        "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}},
                "Tags": lab_tags}},
        },
    }  # fmt: skip
    cloudformation = CLIENTS[region].client("cloudformation")
    stack_id = cloudformation.create_stack(
        StackName=name, TemplateBody=json.dumps(template), Tags=lab_tags
    )["StackId"]
    resources = cloudformation.list_stack_resources(StackName=name)["StackResourceSummaries"]
    (cdn,) = [r["PhysicalResourceId"] for r in resources if r["LogicalResourceId"] == "Cdn"]
    return cdn, stack_id


def distributions():
    cloudfront = CLIENTS["us-east-1"].client("cloudfront")
    return [d["Id"] for d in cloudfront.list_distributions()["DistributionList"].get("Items", [])]


def by_hand_distribution(tag_list, reference="hand"):
    cloudfront = CLIENTS["us-east-1"].client("cloudfront")
    reply = cloudfront.create_distribution_with_tags(DistributionConfigWithTags={
        "DistributionConfig": distribution_config(reference), "Tags": {"Items": tag_list}})
    return reply["Distribution"]["Id"]  # fmt: skip


# --- F1: a global resource of a stack in another region ---------------------------------------


def test_the_distribution_of_a_seoul_stack_is_left_by_a_run_in_another_region(aws):
    """The trial's case, as on the emulator (no stack tag on the distribution): the run in
    us-west-2 finds it with the day's tags and leaves it, naming the stack and its region;
    --apply deletes nothing of it, and the stack still holds it."""
    cdn, _ = site_stack()
    assert distributions() == [cdn]
    found = cleaner(OREGON).find()
    assert [(f.kind, f.id) for f in found] == [(DISTRIBUTION, cdn)]
    assert found[0].held.startswith(
        f"CloudFormation stack {STACK} in {SEOUL} (CREATE_COMPLETE) holds it: a CloudFront "
        "distribution is global"
    ), found[0].held
    assert f"week5 cleanup --day Day2 --region {SEOUL}" in found[0].held
    report = cleaner(OREGON).apply(found, say=lambda line: None)
    assert report.deleted == [] and [item.id for item, _ in report.left] == [cdn]
    assert distributions() == [cdn]


def test_a_distribution_whose_stack_id_tag_names_a_live_stack_elsewhere_is_left(aws):
    """On AWS CloudFormation tags the distribution with its stack's ARN: the stack is looked up
    in the region that ARN names (here us-west-2, so not found by the course region's index)."""
    _, stack_id = site_stack(region=OREGON, name="week5-kim-Day2Lab1")
    assert f":{OREGON}:" in stack_id
    cdn = by_hand_distribution(tags(**{
        "aws:cloudformation:stack-name": "week5-kim-Day2Lab1",
        "aws:cloudformation:stack-id": stack_id}))  # fmt: skip
    found = {f.id: f for f in cleaner(SEOUL).find()}
    assert found[cdn].held and f"week5-kim-Day2Lab1 in {OREGON}" in found[cdn].held
    cleaner(SEOUL).apply(list(found.values()), say=lambda line: None)
    assert cdn in distributions()


def test_a_distribution_whose_stack_elsewhere_is_gone_is_taken(aws):
    """What the fix keeps: a distribution whose stack (by its stack-id tag) is deleted, and one
    made by hand, are the day's leftovers, deleted from any region."""
    _, stack_id = site_stack(region=OREGON, name="week5-kim-Day2Lab1")
    CLIENTS[OREGON].client("cloudformation").delete_stack(StackName=stack_id)
    orphan = by_hand_distribution(tags(**{
        "aws:cloudformation:stack-name": "week5-kim-Day2Lab1",
        "aws:cloudformation:stack-id": stack_id}), "orphan")  # fmt: skip
    hand = by_hand_distribution(tags())
    found = [f for f in cleaner(SEOUL).find() if f.kind == DISTRIBUTION]
    assert sorted((f.id, f.held) for f in found) == sorted([(orphan, None), (hand, None)])
    report = cleaner(SEOUL).apply(found, say=lambda line: None)
    assert sorted(item.id for item in report.deleted) == sorted([orphan, hand])


def test_the_command_in_another_region_deletes_nothing_of_the_seoul_stack(aws, capsys):
    """`week5 cleanup --day Day2 --student kim --region us-west-2 --apply`: exit 1 (something
    left), the distribution named with its stack, nothing deleted."""
    cdn, _ = site_stack()
    code = main(["cleanup", "--day", "Day2", "--student", "kim", "--region", OREGON, "--apply"])
    out = capsys.readouterr().out
    assert code == 1, out
    assert "deleted CloudFront distribution" not in out
    assert f"{STACK} in {SEOUL}" in out
    assert distributions() == [cdn]


def test_a_cloudfront_web_acl_of_a_us_east_1_stack_is_left_by_a_run_in_seoul(aws, monkeypatch):
    """The other global kind the finders list: a web ACL of CloudFront's scope, which lives in
    us-east-1 with its stack (tagged with the stack's ARN, as CloudFormation tags it); the run
    in the course's region leaves it, naming that stack. (Made through WAF's API: the
    emulator's model puts a stack's CLOUDFRONT ACL where moto's API does not list it; and
    in-process moto lacks ListDistributionsByWebACLId, so what it protects is said to be
    nothing.)"""
    monkeypatch.setattr(console, "_protected", lambda *args: [])
    parameter = {"Type": "AWS::SSM::Parameter",
                 "Properties": {"Name": "edge", "Type": "String", "Value": "x"}}
    stack_id = CLIENTS["us-east-1"].client("cloudformation").create_stack(
        StackName="week5-kim-Day2Edge", TemplateBody=json.dumps({"Resources": {"P": parameter}})
    )["StackId"]
    waf = CLIENTS["us-east-1"].client("wafv2")
    waf.create_web_acl(
        Name="edge", Scope="CLOUDFRONT", DefaultAction={"Allow": {}},
        VisibilityConfig={"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False,
                          "MetricName": "edge"},
        Tags=tags(**{"aws:cloudformation:stack-name": "week5-kim-Day2Edge",
                     "aws:cloudformation:stack-id": stack_id}),
    )  # fmt: skip
    found = cleaner(SEOUL).find()
    assert [f.kind for f in found] == ["WAF web ACL"]
    assert found[0].held and found[0].held.startswith(
        "CloudFormation stack week5-kim-Day2Edge in us-east-1 (CREATE_COMPLETE) holds it: a web "
        "ACL of CloudFront's scope is global"
    ), found[0].held
    cleaner(SEOUL).apply(found, say=lambda line: None)
    assert len(waf.list_web_acls(Scope="CLOUDFRONT")["WebACLs"]) == 1


# --- F11: a stack mid-deploy -------------------------------------------------------------------


def set_status(region, stack_id, state):
    """moto creates a stack at once: put it in ``state`` as AWS shows it mid-operation."""
    cloudformation_backends[DEFAULT_ACCOUNT_ID][region].stacks[stack_id].status = state


@pytest.mark.parametrize("state", ["CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS",
                                   "UPDATE_ROLLBACK_IN_PROGRESS"])  # fmt: skip
def test_a_stack_being_deployed_is_listed_with_its_state_and_left(aws, state):
    """A student deploying now: the stack's line names its state, and --apply leaves it (and
    what it made) with the reason, instead of deleting it under the deploy."""
    cdn, stack_id = site_stack()
    set_status(SEOUL, stack_id, state)
    found = cleaner(SEOUL).find()
    assert [(f.kind, f.id) for f in found] == [("CloudFormation stack", STACK)]
    assert found[0].name.startswith(f"{state}, 2 tagged resource(s) in it"), found[0].name
    assert found[0].held == f"a deploy is in progress ({state}): run again when it ends"
    listing = format_found(found, "Day2/kim")
    assert state in listing.splitlines()[0], listing
    report = cleaner(SEOUL).apply(found, say=lambda line: None)
    assert report.deleted == [] and [item.id for item, _ in report.left] == [STACK]
    stacks = CLIENTS[SEOUL].client("cloudformation").describe_stacks()["Stacks"]
    assert [(s["StackName"], s["StackStatus"]) for s in stacks] == [(STACK, state)]
    assert distributions() == [cdn]


def test_a_stack_whose_change_set_was_never_executed_is_taken_and_says_so(aws):
    """REVIEW_IN_PROGRESS: a change set never executed, nothing deployed: the stack is taken,
    and its line says what it is."""
    cloudformation = CLIENTS[SEOUL].client("cloudformation")
    parameter = {"Type": "AWS::SSM::Parameter",
                 "Properties": {"Name": "p", "Type": "String", "Value": "x"}}
    cloudformation.create_change_set(
        StackName=STACK, ChangeSetName="cdk-deploy-change-set", ChangeSetType="CREATE",
        TemplateBody=json.dumps({"Resources": {"P": parameter}}), Tags=tags(Lab="Lab2"),
    )  # fmt: skip
    (stack,) = cloudformation.describe_stacks(StackName=STACK)["Stacks"]
    assert stack["StackStatus"] == "REVIEW_IN_PROGRESS"
    found = cleaner(SEOUL).find()
    assert [(f.kind, f.id, f.held) for f in found] == [("CloudFormation stack", STACK, None)]
    assert found[0].name.startswith(
        "REVIEW_IN_PROGRESS: a change set never executed, nothing deployed by it (deleted all "
        "the same), 0 tagged resource(s) in it"
    ), found[0].name


# --- `week5 status` in another region: F1, F9 -------------------------------------------------


def deployed(region=SEOUL, name=STACK, student="kim"):
    """site_stack's template deployed by a change set, as `cdk deploy` does: the emulator's
    models tag the bucket with the stack's name and ARN (not the distribution)."""
    cloudformation = CLIENTS[region].client("cloudformation")
    cdn, _ = site_stack(region, name, student)
    template = cloudformation.get_template(StackName=name)["TemplateBody"]
    cloudformation.delete_stack(StackName=name)
    assert distributions() == []
    lab_tags = tags(student=student, Lab="Lab2")
    cloudformation.create_change_set(
        StackName=name, ChangeSetName="cdk-deploy-change-set", ChangeSetType="CREATE",
        TemplateBody=json.dumps(template), Tags=lab_tags,
    )  # fmt: skip
    cloudformation.execute_change_set(StackName=name, ChangeSetName="cdk-deploy-change-set")
    resources = cloudformation.list_stack_resources(StackName=name)["StackResourceSummaries"]
    ids = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}
    return ids["Cdn"], ids["Site"]


def test_status_in_another_region_lists_nothing_of_a_live_seoul_stack(aws, capsys):
    """The trial's `week5 status --all --region us-west-2`: the Seoul stack's distribution (no
    stack tag) and its bucket (the emulator's tagging API lists every region's) are its
    stack's, not "in no stack", and the bucket's stack is not "gone"."""
    cdn, bucket = deployed()
    bucket_tags = CLIENTS[SEOUL].client("s3").get_bucket_tagging(Bucket=bucket)["TagSet"]
    stack_tags = {"aws:cloudformation:stack-id", "aws:cloudformation:stack-name"}
    assert {t["Key"] for t in bucket_tags} >= stack_tags
    report = status.read_status(CLIENTS[OREGON].client, OREGON, None)
    assert [u.arn for u in report.untracked] == []
    assert main(["status", "--all", "--region", OREGON]) == 0
    out = capsys.readouterr().out
    assert "in no stack" not in out and "is gone" not in out, out
    assert cdn in distributions()


def test_status_names_the_region_of_a_gone_stack_elsewhere(aws):
    """A bucket left by a deleted Seoul stack, tagged with its ARN: listed, with the stack's
    region (not "gone" as if it were the region read)."""
    parameter = {"Type": "AWS::SSM::Parameter",
                 "Properties": {"Name": "p", "Type": "String", "Value": "x"}}
    cloudformation = CLIENTS[SEOUL].client("cloudformation")
    stack_id = cloudformation.create_stack(
        StackName=STACK, TemplateBody=json.dumps({"Resources": {"P": parameter}})
    )["StackId"]
    cloudformation.delete_stack(StackName=stack_id)
    s3 = CLIENTS[SEOUL].client("s3")
    s3.create_bucket(Bucket="kept-site",
                     CreateBucketConfiguration={"LocationConstraint": SEOUL})  # fmt: skip
    s3.put_bucket_tagging(Bucket="kept-site", Tagging={"TagSet": tags(Lab="Lab2")})
    CLIENTS[SEOUL].client("resourcegroupstaggingapi").tag_resources(
        ResourceARNList=["arn:aws:s3:::kept-site"],
        Tags={"aws:cloudformation:stack-name": STACK, "aws:cloudformation:stack-id": stack_id},
    )
    report = status.read_status(CLIENTS[OREGON].client, OREGON, None)
    text = format_status(report)
    assert f"(stack {STACK} in {SEOUL} is gone)" in text, text
    (left,) = [u for u in report.untracked if u.arn == "arn:aws:s3:::kept-site"]
    assert (left.gone_stack, left.stack_region) == (STACK, SEOUL)
    assert left.to_json()["stack_region"] == SEOUL


# --- F5, F6: status's words ---------------------------------------------------------------------


def test_status_quotes_a_tag_value_that_would_not_read_as_itself():
    """`Student="kim "` is not kim's: shown quoted, as an empty Name is; plain values as are."""
    report = status.StatusReport(region=SEOUL, student=None, untracked=[status.Untracked(
        arn="arn:aws:ec2:ap-northeast-2:1:vpc/vpc-1",
        tags={"Day": "Day1", "Lab": "Lab1", "Student": "kim ", "Name": ""})])  # fmt: skip
    text = format_status(report)
    assert "Day=Day1 Lab=Lab1 Student='kim ' Name=''" in text, text


def test_status_of_the_default_student_says_other_students_have_stacks(aws, capsys, tmp_path,
                                                                        monkeypatch):
    """Plain `week5 status` outside a project (student: instructor) while lee has a stack: one
    line says so and how to list it."""
    monkeypatch.chdir(tmp_path)
    site_stack(name="week5-lee-Day2Lab2", student="lee")
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert f"No lab stacks of student instructor in {SEOUL}." in out
    assert "1 stack(s) of other students: week5 status --all lists them." in out
    report = status.read_status(CLIENTS[SEOUL].client, SEOUL, "lee")
    assert [s.name for s in report.stacks] == ["week5-lee-Day2Lab2"] and report.others == 0
