"""What holds a lab stack's subnet when it is TAGGED for the day: the student trial launched a
load generator by hand with the student's tags in Day5Lab1's public subnet; `cdk destroy`
failed (the subnet, its VPC and internet gateway DELETE_FAILED), and scripts/cdk.py's hint
promised that `week5 cleanup` "names what is left and what holds it". It listed the instance
beside the stack and never said the instance holds the subnet (an UNTAGGED one it names: "its
subnet subnet-1 (name): instance i-1, which is not tagged ..., runs in it"). The stack's line
names the tagged holder with what of the stack it holds, the listing puts it first, --json says
the same (``held_by``), and --apply deletes it before the stack. On in-process moto with the
emulator's models (`week5 local`'s: its CloudFormation refuses the subnet as AWS does), as
tests/test_cleanup_live_asg.py."""

import json

import pytest
from own_emulator import PUBLIC_NETWORK
import test_cleanup_live_asg
from test_cleanup_live_asg import COMMAND, REGION, STACK, tags

from week5.cli import main
from week5.cli.cleanup import format_found
from week5.operations.cleanup import Cleaner

#: test_cleanup_live_asg's account (moto with the emulator's models), by the name the tests use.
aws = test_cleanup_live_asg.aws

def lab_and_loadgen(aws, tagged=True):
    """The lab's public network as a stack tagged for the day (its VPC and subnet carry the
    lab's tags, as CDK's do), and an instance launched by hand in its subnet, with the
    student's tags unless not ``tagged``: (subnet id, instance id)."""
    resources = json.loads(json.dumps(PUBLIC_NETWORK))
    resources["Vpc"]["Properties"]["Tags"] = tags("week5-day4-park-vpc")
    resources["Public"]["Properties"]["Tags"] = tags("week5-day4-park-public-subnet-a")
    cloudformation = aws.client("cloudformation")
    cloudformation.create_stack(
        StackName=STACK, TemplateBody=json.dumps({"Resources": resources}), Tags=tags()
    )
    (subnet,) = [
        r["PhysicalResourceId"]
        for r in cloudformation.list_stack_resources(StackName=STACK)["StackResourceSummaries"]
        if r["LogicalResourceId"] == "Public"
    ]
    ec2 = aws.client("ec2")
    image = ec2.register_image(Name="base", RootDeviceName="/dev/xvda")["ImageId"]
    (instance,) = ec2.run_instances(
        ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=subnet,
        TagSpecifications=[{"ResourceType": "instance", "Tags": tags("loadgen")}] if tagged
        else [],
    )["Instances"]  # fmt: skip
    return subnet, instance["InstanceId"]



def destroy_fails(aws):
    """`cdk destroy`'s DeleteStack: the subnet the instance runs in is refused, the stack
    DELETE_FAILED with it (the trial's state)."""
    cloudformation = aws.client("cloudformation")
    cloudformation.delete_stack(StackName=STACK)
    (stack,) = cloudformation.describe_stacks(StackName=STACK)["Stacks"]
    assert stack["StackStatus"] == "DELETE_FAILED", stack


def find(aws):
    return Cleaner(
        aws.client, region=REGION, day="Day4", student="park", waits=(0, 0, 0),
        sleep=lambda s: None,
    ).find()  # fmt: skip


def test_the_untagged_holder_is_named_and_leaves_the_stack(aws):
    """As before: an untagged instance in the subnet leaves the stack, named."""
    subnet, instance = lab_and_loadgen(aws, tagged=False)
    destroy_fails(aws)
    (stack,) = find(aws)
    assert f"its subnet {subnet} (week5-day4-park-public-subnet-a): instance {instance}, " \
        "which is not tagged Week5/Day4/park, runs in it" in stack.held  # fmt: skip
    assert stack.held_by == []


@pytest.mark.parametrize("failed_first", [True, False], ids=["after-failed-destroy", "deployed"])
def test_a_tagged_holder_is_named_on_the_stacks_line_and_goes_first(aws, failed_first):
    """The trial: the tagged instance is listed above the stack, and the stack's line says it
    holds the subnet and goes first; before any destroy too (the same destroy would fail)."""
    subnet, instance = lab_and_loadgen(aws)
    if failed_first:
        destroy_fails(aws)
    found = find(aws)
    assert [(f.kind, f.id) for f in found] == [
        ("EC2 instance", instance),
        ("CloudFormation stack", STACK),
    ]
    loadgen, stack = found
    assert stack.held is None and loadgen.held is None
    assert instance in stack.needs
    assert stack.held_by[0]["id"] == instance and stack.held_by[0]["kind"] == "EC2 instance"
    assert f"subnet {subnet} (week5-day4-park-public-subnet-a)" in stack.held_by[0]["holds"]
    assert (
        f"; held by EC2 instance {instance} (loadgen), listed above it, which holds its subnet "
        f"{subnet} (week5-day4-park-public-subnet-a)"
    ) in stack.name
    assert stack.name.endswith(
        ": that goes first (--apply deletes it first; by hand, delete it, then destroy again)"
    )
    text = format_found(found, "Day4/park")
    assert text.index(f"EC2 instance          {instance}") < text.index(STACK)


def test_json_and_apply_carry_the_same(aws, capsys):
    """--json (JSON alone on stdout) lists the instance first and the stack's ``held_by``
    names it; --apply deletes it, then the stack: nothing fails, nothing is left."""
    subnet, instance = lab_and_loadgen(aws)
    destroy_fails(aws)
    assert main(COMMAND + ["--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert [f["id"] for f in body["found"]] == [instance, STACK]
    stack = body["found"][1]
    ((held,),) = [[h for h in stack["held_by"] if h["id"] == instance]]
    assert held["kind"] == "EC2 instance"
    assert f"subnet {subnet} (week5-day4-park-public-subnet-a)" in held["holds"]
    assert f"held by EC2 instance {instance} (loadgen)" in stack["name"]
    assert "held_by" not in body["found"][0]  # not a stack

    assert main(COMMAND + ["--apply", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert [f["id"] for f in body["deleted"]] == [instance, STACK]
    assert body["failed"] == [] and body["left"] == []
    listed = aws.client("cloudformation").describe_stacks()["Stacks"]
    assert [s["StackStatus"] for s in listed if s["StackName"] == STACK] in ([], ["DELETE_COMPLETE"])


def test_a_tagged_holder_that_is_left_leaves_the_stack_and_is_not_said_to_go_first(aws):
    """A tagged instance that is left itself (an Auto Scaling group made by hand, untagged,
    launched it in the stack's subnet and would replace it): the stack waits on it and is left,
    saying so; its line does not promise that the instance goes first."""
    subnet, _ = lab_and_loadgen(aws)
    ec2, autoscaling = aws.client("ec2"), aws.client("autoscaling")
    image = ec2.describe_images(Owners=["self"])["Images"][0]["ImageId"]
    template = ec2.create_launch_template(
        LaunchTemplateName="by-hand",
        LaunchTemplateData={"ImageId": image, "InstanceType": "t3.micro",
                            "TagSpecifications": [{"ResourceType": "instance", "Tags": tags()}]},
    )["LaunchTemplate"]["LaunchTemplateId"]  # fmt: skip
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="by-hand", MinSize=1, MaxSize=1, DesiredCapacity=1,
        LaunchTemplate={"LaunchTemplateId": template, "Version": "$Latest"},
        VPCZoneIdentifier=subnet,
    )  # fmt: skip
    (member,) = autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"][0]["Instances"]
    found = {f.id: f for f in find(aws)}
    grouped = found[member["InstanceId"]]
    assert "Auto Scaling group by-hand" in grouped.held
    stack = found[STACK]
    assert f"it waits on EC2 instance {member['InstanceId']}" in stack.held
    assert all(h["id"] != member["InstanceId"] for h in stack.held_by)
    assert f"held by EC2 instance {member['InstanceId']}" not in stack.name
