"""`week5 cleanup` never changes what the day's tags do not make the day's, and a policy that
refuses us-east-1 does not stop it (a review, with moto repros):

1. a CloudFormation stack without the day's tags is never taken over because one of its
   resources carries them: `--apply` deleted someone's `payments-prod` stack, its untagged
   DynamoDB table and bucket with it, for one tagged log group. Only a stack that carries the
   day's tags itself (a lab's stack does) is deleted; the tagged resource is left, with the
   stack named and what to do;
2. the region's default VPC, its default subnets and its internet gateway are left whatever
   their tags (course rule 1 tags everything): AWS makes a default VPC again only with `aws ec2
   create-default-vpc`;
3. an organization's region-deny SCP (IAM's documented example exempts only global services)
   refuses WAF's ListWebACLs of CloudFront's scope in us-east-1: the run went no further (exit
   2, nothing listed in Seoul). Now that read is "not checked", naming the call and the
   region, the rest is listed and deleted, and the run exits 1.

On in-process moto with the emulator's models, as tests/test_cleanup_stack_identity.py; the
SCP's refusal by botocore's Stubber on the us-east-1 WAF client."""

import json

import pytest
from botocore.stub import Stubber
from shared_botocore import Clients, course_tags, moto_account, quiet_cleaner, tag_spec

import week5.cli.cleanup as cleanup_cli
from week5.cli import main

REGION = "ap-northeast-2"
CLIENTS = Clients(REGION)
DAY1 = course_tags("Day1")


@pytest.fixture
def aws(monkeypatch):
    with moto_account(monkeypatch, emulator_models=True):
        yield CLIENTS


def live_stacks(aws):
    listed = aws.client("cloudformation").describe_stacks()["Stacks"]
    return {s["StackName"] for s in listed if s["StackStatus"] != "DELETE_COMPLETE"}


# --- 1. a stack without the day's tags is not the day's ---------------------------------------


def payments_stack(aws, stack_tags=None):
    """The review's case: someone's stack `payments-prod` with a log group tagged for Day1/kim
    (by hand, or by a copied template), an untagged DynamoDB table with an item in it and a
    bucket tagged for its team."""
    resources = {
        "Logs": {"Type": "AWS::Logs::LogGroup",
                 "Properties": {"LogGroupName": "/kim/day1", "Tags": DAY1}},
        "Orders": {"Type": "AWS::DynamoDB::Table", "Properties": {
            "TableName": "orders", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}},
        "Data": {"Type": "AWS::S3::Bucket", "Properties": {
            "BucketName": "payments-prod-data", "Tags": [{"Key": "Team", "Value": "payments"}]}},
    }  # fmt: skip
    aws.client("cloudformation").create_stack(
        StackName="payments-prod", TemplateBody=json.dumps({"Resources": resources}),
        **({"Tags": stack_tags} if stack_tags else {}),
    )  # fmt: skip
    aws.client("dynamodb").put_item(TableName="orders", Item={"id": {"S": "1"}})


MADE_BY = (
    "CloudFormation stack payments-prod, which is not tagged Week5/Day1/kim, made it: if that "
    "stack is the day's, delete that stack (`cdk destroy`, or the CloudFormation console), "
    "never its resources one by one; cleanup deletes only a stack that carries the day's tags "
    "itself, as a lab's does"
)


def test_an_untagged_stack_is_not_taken_over_for_its_tagged_resource(aws):
    payments_stack(aws)
    found = quiet_cleaner(aws.client, "Day1").find()
    assert [(f.kind, f.id, f.held) for f in found] == [("log group", "/kim/day1", MADE_BY)]
    report = quiet_cleaner(aws.client, "Day1").apply(found, say=lambda line: None)
    assert not report.deleted and not report.failed
    assert [(f.id, why) for f, why in report.left] == [("/kim/day1", MADE_BY)]
    assert live_stacks(aws) == {"payments-prod"}
    assert aws.client("dynamodb").scan(TableName="orders")["Count"] == 1
    assert [b["Name"] for b in aws.client("s3").list_buckets()["Buckets"]] == [
        "payments-prod-data"
    ]
    assert [g["logGroupName"] for g in aws.client("logs").describe_log_groups()["logGroups"]] == [
        "/kim/day1"
    ]


def test_a_stack_tagged_for_another_student_is_not_taken_either(aws):
    """The same stack tagged for lee's Day1: kim's run leaves it and kim's tagged log group."""
    payments_stack(aws, course_tags("Day1", "lee"))
    found = quiet_cleaner(aws.client, "Day1").find()
    assert [(f.kind, f.id, f.held) for f in found] == [("log group", "/kim/day1", MADE_BY)]


def test_the_commands_dry_run_and_json_name_the_stack_and_apply_exits_1(aws, capsys):
    payments_stack(aws)
    code = main(["cleanup", "--day", "Day1", "--student", "kim", "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    listed = json.loads(out)
    assert [(f["kind"], f["id"], f["left_because"]) for f in listed["found"]] == [
        ("log group", "/kim/day1", MADE_BY)
    ]
    code = main(["cleanup", "--day", "Day1", "--student", "kim", "--apply"])
    out = capsys.readouterr().out
    assert code == 1, out
    assert "deleted CloudFormation stack" not in out
    assert f"left: log group /kim/day1: {MADE_BY}" in out
    assert live_stacks(aws) == {"payments-prod"}


def test_a_stack_that_carries_the_days_tags_itself_still_goes_whole(aws):
    """What a lab's stack is (synth/lab.py tags the stack): the day's, deleted whole, with what
    it made, untagged or not."""
    payments_stack(aws, DAY1)
    found = quiet_cleaner(aws.client, "Day1").find()
    assert [(f.kind, f.id, f.held) for f in found] == [
        ("CloudFormation stack", "payments-prod", None)
    ]
    report = quiet_cleaner(aws.client, "Day1").apply(found, say=lambda line: None)
    assert [f.id for f in report.deleted] == ["payments-prod"] and not report.failed
    assert live_stacks(aws) == set()


# --- 2. the region's default VPC ---------------------------------------------------------------


def tagged_default_vpc(aws, day_tags=DAY1):
    """The region's default VPC, its default subnets and its internet gateway (AWS makes one
    with the VPC; moto does not: attached here), all tagged as course rule 1 says to tag
    everything. (VPC id, default subnet ids, gateway id)."""
    ec2 = aws.client("ec2")
    (vpc,) = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    vpc_id = vpc["VpcId"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    subnet_ids = sorted(s["SubnetId"] for s in subnets if s["DefaultForAz"])
    assert subnet_ids
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    ec2.create_tags(Resources=[vpc_id, *subnet_ids, gateway], Tags=day_tags)
    return vpc_id, subnet_ids, gateway


def test_the_default_vpc_its_subnets_and_gateway_are_left_whatever_their_tags(aws):
    vpc_id, subnet_ids, gateway = tagged_default_vpc(aws)
    ec2 = aws.client("ec2")
    # a subnet made by hand in the default VPC, tagged: the day's, deleted
    extra = ec2.create_subnet(
        VpcId=vpc_id, CidrBlock="172.31.200.0/24", AvailabilityZone="ap-northeast-2a",
        TagSpecifications=tag_spec("subnet", DAY1),
    )["Subnet"]["SubnetId"]  # fmt: skip
    found = quiet_cleaner(aws.client, "Day1").find()
    held = {f.id: f.held for f in found}
    assert set(held) == {vpc_id, *subnet_ids, gateway, extra}
    assert held[extra] is None
    assert held[vpc_id] == (
        "it is the region's default VPC: left whatever its tags, as AWS makes one again only "
        "with `aws ec2 create-default-vpc`"
    )
    for subnet_id in subnet_ids:
        assert f"of the region's default VPC {vpc_id}: left whatever its tags" in held[subnet_id]
        assert "`aws ec2 create-default-subnet`" in held[subnet_id]
    assert held[gateway].startswith(
        f"it is attached to {vpc_id}, the region's default VPC: left whatever its tags"
    ), held[gateway]
    report = quiet_cleaner(aws.client, "Day1").apply(found, say=lambda line: None)
    assert [f.id for f in report.deleted] == [extra] and not report.failed
    assert {f.id for f, _ in report.left} == {vpc_id, *subnet_ids, gateway}
    default = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    assert [v["VpcId"] for v in default] == [vpc_id]
    left = {s["SubnetId"] for s in ec2.describe_subnets()["Subnets"] if s["VpcId"] == vpc_id}
    assert left == set(subnet_ids)
    (attached,) = ec2.describe_internet_gateways(InternetGatewayIds=[gateway])["InternetGateways"]
    assert attached["Attachments"][0]["VpcId"] == vpc_id


def test_a_tagged_vpc_of_the_days_own_is_still_deleted_with_its_subnet(aws):
    """What the guard keeps: a VPC that is not the default one goes, its subnet first."""
    tagged_default_vpc(aws, course_tags("Day2"))  # another day's: not found
    ec2 = aws.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.1.0.0/16", TagSpecifications=tag_spec("vpc", DAY1))[
        "Vpc"
    ]["VpcId"]
    subnet = ec2.create_subnet(
        VpcId=vpc_id, CidrBlock="10.1.1.0/24", TagSpecifications=tag_spec("subnet", DAY1)
    )["Subnet"]["SubnetId"]
    found = quiet_cleaner(aws.client, "Day1").find()
    assert [(f.kind, f.id, f.held) for f in found] == [
        ("subnet", subnet, None), ("VPC", vpc_id, None)
    ]  # fmt: skip
    report = quiet_cleaner(aws.client, "Day1").apply(found, say=lambda line: None)
    assert [f.id for f in report.deleted] == [subnet, vpc_id]


def test_a_subnet_the_emulator_calls_default_in_a_lab_vpc_is_the_labs(aws):
    """Only the default VPC has default subnets on AWS; moto marks a subnet made without a
    zone DefaultForAz in any VPC (a lab stack's, here): that one goes with its stack."""
    template = {"Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16", "Tags": DAY1}},
        "Public": {"Type": "AWS::EC2::Subnet", "Properties": {
            "VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24", "Tags": DAY1}},
    }}  # fmt: skip
    cloudformation = aws.client("cloudformation")
    cloudformation.create_stack(
        StackName="week5-kim-Day1Lab2", TemplateBody=json.dumps(template), Tags=DAY1
    )
    subnets = cloudformation.list_stack_resources(StackName="week5-kim-Day1Lab2")
    (subnet,) = [
        r["PhysicalResourceId"]
        for r in subnets["StackResourceSummaries"]
        if r["ResourceType"] == "AWS::EC2::Subnet"
    ]
    (described,) = aws.client("ec2").describe_subnets(SubnetIds=[subnet])["Subnets"]
    assert described["DefaultForAz"]  # the emulator's mark
    found = quiet_cleaner(aws.client, "Day1").find()
    assert [(f.kind, f.id, f.held) for f in found] == [
        ("CloudFormation stack", "week5-kim-Day1Lab2", None)
    ]
    report = quiet_cleaner(aws.client, "Day1").apply(found, say=lambda line: None)
    assert [f.id for f in report.deleted] == ["week5-kim-Day1Lab2"]


# --- 3. a policy that refuses us-east-1 ---------------------------------------------------------


SCP_DENY = (
    "User is not authorized to perform: wafv2:ListWebACLs with an explicit deny in a service "
    "control policy"
)


def scp_clients(aws, refused="us-east-1", code="AccessDeniedException"):
    """``aws.client``, but WAF's ListWebACLs in ``refused`` answers ``code`` (a region-deny SCP;
    a client of its own, with botocore's Stubber, not the module's shared one)."""

    def client(service, region_name=None, **kwargs):
        if service == "wafv2" and (region_name or REGION) == refused:
            made = aws.session.client(service, region_name=refused, **kwargs)
            stub = Stubber(made)
            stub.add_client_error("list_web_acls", code, SCP_DENY, 400)
            stub.activate()
            return made
        return aws.client(service, **({"region_name": region_name} if region_name else {}))

    return client


def day_instance_and_web_acl(aws):
    """The day's instance and regional web ACL in Seoul: (instance id, web ACL id)."""
    instance = aws.client("ec2").run_instances(
        ImageId="ami-12c6146b", InstanceType="t3.micro", MinCount=1, MaxCount=1,
        TagSpecifications=tag_spec("instance", DAY1),
    )["Instances"][0]["InstanceId"]  # fmt: skip
    acl = aws.client("wafv2").create_web_acl(
        Name="day1", Scope="REGIONAL", DefaultAction={"Allow": {}}, Tags=DAY1,
        VisibilityConfig={"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False,
                          "MetricName": "day1"},
    )["Summary"]["Id"]  # fmt: skip
    return instance, acl


NOT_CHECKED = (
    "WAF web ACLs of CloudFront's scope: ListWebACLs in us-east-1 answered "
    "AccessDeniedException (a policy, such as an organization's region-deny SCP, refuses "
    "us-east-1): run with credentials that may read us-east-1 to check them"
)


def test_a_refused_us_east_1_read_is_not_checked_and_the_rest_is_found(aws):
    instance, acl = day_instance_and_web_acl(aws)
    cleaner = quiet_cleaner(scp_clients(aws), "Day1")
    found = cleaner.find()
    assert {(f.kind, f.id) for f in found} == {("EC2 instance", instance), ("WAF web ACL", acl)}
    assert cleaner.warnings == [NOT_CHECKED]
    report = cleaner.apply(found, say=lambda line: None)
    assert {f.id for f in report.deleted} == {instance, acl} and not report.failed


def test_the_command_lists_and_deletes_the_rest_and_exits_1(aws, capsys, monkeypatch):
    instance, _ = day_instance_and_web_acl(aws)
    monkeypatch.setattr(cleanup_cli, "aws_clients", lambda profile, region: scp_clients(aws))
    code = main(["cleanup", "--day", "Day1", "--student", "kim", "--json"])
    out = capsys.readouterr().out
    assert code == 1, out
    listed = json.loads(out)
    assert listed["not_checked"] == [NOT_CHECKED]
    assert instance in [f["id"] for f in listed["found"]]
    code = main(["cleanup", "--day", "Day1", "--student", "kim", "--apply"])
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert code == 1, out
    assert f"  not checked: {NOT_CHECKED}" in out
    assert f"not checked, so nothing of it deleted: {NOT_CHECKED}" in out
    assert f"deleted EC2 instance {instance}" in out
    (reservation,) = aws.client("ec2").describe_instances(InstanceIds=[instance])["Reservations"]
    assert reservation["Instances"][0]["State"]["Name"] in ("shutting-down", "terminated")


@pytest.mark.parametrize(
    "refused, code",
    [(REGION, "AccessDeniedException"), ("us-east-1", "WAFInternalErrorException")],
)
def test_a_refusal_in_the_runs_own_region_or_another_error_still_stops_the_run(
    aws, capsys, monkeypatch, refused, code
):
    """Only a policy's refusal of the other region's global read is "not checked": the run's
    own region refused, or any other answer, stops the run with one line (exit 2), as before."""
    day_instance_and_web_acl(aws)
    monkeypatch.setattr(
        cleanup_cli, "aws_clients", lambda profile, region: scp_clients(aws, refused, code)
    )
    assert main(["cleanup", "--day", "Day1", "--student", "kim"]) == 2
    assert "ListWebACLs" in capsys.readouterr().err
