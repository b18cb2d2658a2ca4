"""A resource tagged with a live stack's name that is none of its resources (one an earlier
stack of that name kept: DeletionPolicy Retain, or the stack deleted and deployed again with
the same name) is a leftover of its own: `week5 status` lists it as such, and `week5 cleanup`
deletes it by itself beside the stack, never folded into the stack (whose deletion leaves it,
billing, while the run said "Deleted 1"). Membership is the stack's resource list (physical id
and type), or the stack's own id in the resource's `aws:cloudformation:stack-id` tag; the
stack-name tag alone is not. On in-process moto with the emulator's models (CloudFormation
tags what it makes with the stack's name, id and logical id, as on AWS)."""

import json

import pytest
from shared_botocore import Clients, moto_account

from week5.cli import main
from week5.cli.status import format_status
from week5.operations import status
from week5.operations.cleanup import Cleaner

REGION = "ap-northeast-2"
CLIENTS = Clients(REGION)
STACK = "week5-kim-Day2Lab1"
NAME_TAG, ID_TAG = "aws:cloudformation:stack-name", "aws:cloudformation:stack-id"


def tags(**more):
    values = {"Week": "Week5", "Day": "Day2", "Lab": "Lab1", "Student": "kim", **more}
    return [{"Key": k, "Value": v} for k, v in values.items()]


@pytest.fixture
def aws(monkeypatch):
    with moto_account(monkeypatch, emulator_models=True):
        yield CLIENTS


def lab_stack(vpc):
    """The lab's stack: one security group, tagged for the day by the template, and the stack
    itself tagged for the day, as LabStack tags it. Its id."""
    template = {
        "Description": "Week 5 Day2 Lab1: test",
        "Resources": {"Web": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupDescription": "web", "VpcId": vpc, "Tags": tags()}}},
    }  # fmt: skip
    return CLIENTS.client("cloudformation").create_stack(
        StackName=STACK, TemplateBody=json.dumps(template), Tags=tags()
    )["StackId"]


def redeployed():
    """The lab deployed, deleted and deployed again under its name, and a security group the
    first stack left (as DeletionPolicy Retain keeps one: its tags, the first stack's name and
    id); (the stray group, the live stack's own group)."""
    ec2 = CLIENTS.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    earlier = lab_stack(vpc)
    CLIENTS.client("cloudformation").delete_stack(StackName=earlier)
    live = lab_stack(vpc)
    assert live != earlier
    stray = ec2.create_security_group(
        GroupName="kept", Description="kept", VpcId=vpc,
        TagSpecifications=[{"ResourceType": "security-group",
                            "Tags": tags(**{NAME_TAG: STACK, ID_TAG: earlier})}],
    )["GroupId"]  # fmt: skip
    (own,) = [
        r["PhysicalResourceId"]
        for r in CLIENTS.client("cloudformation").list_stack_resources(StackName=live)[
            "StackResourceSummaries"
        ]
    ]
    return stray, own


def groups():
    return {
        g["GroupId"]
        for g in CLIENTS.client("ec2").describe_security_groups()["SecurityGroups"]
        if g["GroupName"] != "default"
    }


def cleaner():
    return Cleaner(
        CLIENTS.client, region=REGION, day="Day2", student="kim", waits=(0, 0, 0),
        sleep=lambda s: None,
    )  # fmt: skip


# --- status ----------------------------------------------------------------------------------


def test_status_lists_what_an_earlier_stack_of_the_name_left(aws, capsys):
    stray, own = redeployed()
    report = status.read_status(CLIENTS.client, REGION, "kim")
    assert [s.name for s in report.stacks] == [STACK]
    assert [(u.arn.rsplit("/", 1)[1], u.live_stack, u.gone_stack) for u in report.untracked] == [
        (stray, STACK, "")
    ]
    text = format_status(report)
    assert "Tagged Week=Week5 but in no stack (1)" in text, text
    (line,) = [line for line in text.splitlines() if stray in line]
    assert line.endswith(
        f"(tagged as stack {STACK}'s but none of its resources: left by an earlier stack of "
        "that name, or kept by an update)"
    ), line
    assert own not in text
    assert main(["status", "--json", "--student", "kim"]) == 0
    (left,) = json.loads(capsys.readouterr().out)["untracked"]
    assert (left["live_stack"], left["gone_stack"], left["cleanup_takes_it"]) == (
        STACK, None, True
    )  # fmt: skip


def test_status_lists_one_with_the_live_stacks_name_tag_only(aws):
    """No stack-id tag to tell which stack of the name made it: the stack's resource list
    says it is none of its resources."""
    ec2 = CLIENTS.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    lab_stack(vpc)
    volume = ec2.create_volume(
        AvailabilityZone=f"{REGION}a", Size=1,
        TagSpecifications=[{"ResourceType": "volume", "Tags": tags(**{NAME_TAG: STACK})}],
    )["VolumeId"]  # fmt: skip
    report = status.read_status(CLIENTS.client, REGION, None)
    assert [(u.arn.rsplit("/", 1)[1], u.live_stack) for u in report.untracked] == [
        (volume, STACK)
    ]


def test_a_live_stacks_own_resources_are_still_in_it(aws):
    """What the stack made is not listed, by its stack-id tag or, without one, its resource
    list; the stack itself (the tagging API lists a stack tagged for the course) neither."""
    ec2 = CLIENTS.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    stack_id = lab_stack(vpc)
    (own,) = [
        r["PhysicalResourceId"]
        for r in CLIENTS.client("cloudformation").list_stack_resources(StackName=stack_id)[
            "StackResourceSummaries"
        ]
    ]
    group_tags = {
        t["Key"]: t["Value"]
        for t in ec2.describe_security_groups(GroupIds=[own])["SecurityGroups"][0]["Tags"]
    }
    assert (group_tags[NAME_TAG], group_tags[ID_TAG]) == (STACK, stack_id)
    assert status.read_status(CLIENTS.client, REGION, None).untracked == []
    ec2.delete_tags(Resources=[own], Tags=[{"Key": ID_TAG}])
    assert status.read_status(CLIENTS.client, REGION, None).untracked == []


def test_a_resource_of_a_students_own_app_stack_is_in_it(aws):
    """A stack of the student's own app (not named like a lab) whose resources carry the
    course's tags: listed by the name its resources' stack tag gives, so what it holds is not
    "in no stack", even without a stack-id tag."""
    ec2 = CLIENTS.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    template = {"Resources": {"Web": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
        "GroupDescription": "web", "VpcId": vpc, "Tags": tags()}}}}  # fmt: skip
    stack_id = CLIENTS.client("cloudformation").create_stack(
        StackName="my-shop", TemplateBody=json.dumps(template)
    )["StackId"]
    (own,) = [
        r["PhysicalResourceId"]
        for r in CLIENTS.client("cloudformation").list_stack_resources(StackName=stack_id)[
            "StackResourceSummaries"
        ]
    ]
    ec2.delete_tags(Resources=[own], Tags=[{"Key": ID_TAG}])
    assert status.read_status(CLIENTS.client, REGION, "kim").untracked == []


def test_an_instance_is_the_stacks_by_its_id_tag_not_its_name_tag(aws):
    """An Auto Scaling group gives the instances it launches its stack's tags (name and id):
    one with the live stack's id is its; one with an earlier stack's id is left behind."""
    ec2 = CLIENTS.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    earlier = lab_stack(vpc)
    CLIENTS.client("cloudformation").delete_stack(StackName=earlier)
    live = lab_stack(vpc)
    image = ec2.register_image(Name="base", RootDeviceName="/dev/xvda")["ImageId"]

    def instance(stack_id):
        return ec2.run_instances(
            ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1,
            TagSpecifications=[{"ResourceType": "instance",
                                "Tags": tags(**{NAME_TAG: STACK, ID_TAG: stack_id})}],
        )["Instances"][0]["InstanceId"]  # fmt: skip

    launched, stray = instance(live), instance(earlier)
    report = status.read_status(CLIENTS.client, REGION, "kim")
    assert [(u.arn.rsplit("/", 1)[1], u.live_stack) for u in report.untracked] == [
        (stray, STACK)
    ], (launched, report.untracked)


# --- cleanup ---------------------------------------------------------------------------------


def test_cleanup_finds_the_stray_beside_the_stack(aws):
    stray, own = redeployed()
    found = {(f.kind, f.id): f for f in cleaner().find()}
    assert sorted(found) == [("CloudFormation stack", STACK), ("security group", stray)]
    assert found[("CloudFormation stack", STACK)].name == "1 tagged resource(s) in it"
    assert found[("security group", stray)].held is None


def test_cleanup_apply_deletes_the_stray_and_says_so(aws, capsys):
    """The bug: "Deleted 1" (the stack) while the group the earlier stack kept stayed."""
    stray, own = redeployed()
    assert groups() == {stray, own}
    code = main(["cleanup", "--day", "Day2", "--student", "kim", "--apply"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert f"deleted security group {stray}" in err, err
    assert "Deleted 2, failed 0, left 0." in out, out
    assert groups() == set()


def earlier_stack(vpc):
    """The lab's stack as deployed before, and deleted: its id."""
    earlier = lab_stack(vpc)
    CLIENTS.client("cloudformation").delete_stack(StackName=earlier)
    return earlier


def stray_instance(vpc, earlier, volume_tags=None, group=None):
    """An instance the ``earlier`` stack of the lab's name left, outside the day's tags (its
    own tags: that stack's name and id only); its root volume tagged ``volume_tags``."""
    ec2 = CLIENTS.client("ec2")
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    image = ec2.register_image(Name="base", RootDeviceName="/dev/xvda")["ImageId"]
    specs = [{"ResourceType": "instance", "Tags": [
        {"Key": NAME_TAG, "Value": STACK}, {"Key": ID_TAG, "Value": earlier}]}]
    if volume_tags:
        specs.append({"ResourceType": "volume", "Tags": volume_tags})
    return ec2.run_instances(
        ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=subnet,
        TagSpecifications=specs, **({"SecurityGroupIds": [group]} if group else {}),
    )["Instances"][0]["InstanceId"]  # fmt: skip


def test_a_volume_of_an_earlier_stacks_instance_is_not_the_live_stacks(aws):
    """The volume (tagged for the day) goes with an instance an earlier stack of the name
    left: not the live stack's, so it is no resource of it and does not leave with it; it is
    found by itself, held by that instance (outside the day's tags)."""
    ec2 = CLIENTS.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    instance = stray_instance(vpc, earlier_stack(vpc), volume_tags=tags())
    lab_stack(vpc)
    found = {(f.kind, f.id): f for f in cleaner().find()}
    (volume,) = [v for kind, v in found if kind == "EBS volume"]
    assert found[("CloudFormation stack", STACK)].name == "1 tagged resource(s) in it"
    assert found[("CloudFormation stack", STACK)].held is None
    assert instance in (found[("EBS volume", volume)].held or ""), found[("EBS volume", volume)]


def test_an_earlier_stacks_instance_in_the_stacks_group_holds_the_stack(aws):
    """The live stack's security group is used by an instance outside the day's tags that an
    earlier stack of the name left: deleting the stack would fail on the group (on AWS), so
    the stack is left, with the instance named; the name tag does not make it the stack's."""
    ec2 = CLIENTS.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    earlier = earlier_stack(vpc)
    live = lab_stack(vpc)
    (group,) = [
        r["PhysicalResourceId"]
        for r in CLIENTS.client("cloudformation").list_stack_resources(StackName=live)[
            "StackResourceSummaries"
        ]
    ]
    instance = stray_instance(vpc, earlier, group=group)
    (stack,) = [f for f in cleaner().find() if f.kind == "CloudFormation stack"]
    assert stack.held and instance in stack.held, stack.held


def test_a_snapshot_and_a_restored_database_with_the_stacks_copied_tags_are_leftovers(aws):
    """A student trial: Day3Lab1's guide has a manual snapshot taken and restored; the
    database copies its tags to its snapshots, the stack's id too, and `week5 status` counted
    the snapshot and the restored database as the live stack's ("Nothing ... outside a
    stack") while cleanup listed both, billing. For RDS the stack's list decides."""
    ec2, rds = CLIENTS.client("ec2"), CLIENTS.client("rds")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    live = lab_stack(vpc)
    copied = tags(**{NAME_TAG: STACK, ID_TAG: live})
    rds.create_db_instance(
        DBInstanceIdentifier="week5-kim-restored", Engine="postgres",
        DBInstanceClass="db.t3.micro", AllocatedStorage=20, MasterUsername="lab",
        MasterUserPassword="moto-only-password", Tags=copied,
    )  # fmt: skip
    rds.create_db_snapshot(
        DBInstanceIdentifier="week5-kim-restored", DBSnapshotIdentifier="week5-kim-manual",
        Tags=copied,
    )
    report = status.read_status(CLIENTS.client, REGION, "kim")
    left = {u.arn.rsplit(":", 1)[1]: u.live_stack for u in report.untracked}
    assert left == {"week5-kim-restored": STACK, "week5-kim-manual": STACK}
    # the stack's own security group, tagged with the same id, stays the stack's
    assert [s.name for s in report.stacks] == [STACK]
