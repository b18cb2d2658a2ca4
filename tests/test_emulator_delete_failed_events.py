"""A stack's deletion on the emulator records each resource's events and reasons as
CloudFormation does (week5/operations/moto_models/stack_delete_failed.py).

A student trial (Day3Case on the emulator, an instance made by hand with a public address in
the lab's subnet, then `python3 scripts/cdk.py destroy Day3Case -c student=choi --force`): the
failed destroy left 5 stack events, all the stack's; ``list-stack-resources`` listed the four
resources left ``DELETE_FAILED`` with no ``ResourceStatusReason``; the stack's reason told the
internet gateway's error alone, the subnet's nowhere; ``cdk destroy`` printed no resource, and
the successful second destroy printed ``DELETE_COMPLETE`` before ``DELETE_IN_PROGRESS`` (the
same millisecond: CDK sorts the events it reads by time, ties kept newest first).

On AWS the stack's reason is "The following resource(s) failed to delete: [A, B]. ", each
resource it could not delete has its own ``DELETE_FAILED`` event and ``ResourceStatusReason``
with its own error, each deleted one ``DELETE_IN_PROGRESS`` then ``DELETE_COMPLETE``, and the
events are listed newest first. Through the real emulator (moto's server with the project's
models, started as `week5 local` starts it) with boto3, and `week5 cleanup`'s account of the
stack (:func:`week5.operations.cleanup.stacks.delete_failed`) read from it.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

import own_emulator
from own_emulator import PUBLIC_NETWORK

from week5.operations.cleanup.scope import Scope
from week5.operations.cleanup.stacks import delete_failed
from week5.operations.price_table import PriceTable

#: The file's own emulator (tests/own_emulator.py), by the names the tests use.
emulator = own_emulator.emulator
aws = own_emulator.aws

REGION = "ap-northeast-2"
#: moto's Amazon Linux AMI.
AMI = "ami-12c6146b"
STACK = "week5-choi-Day3Case"
TAGS = [{"Key": "Week", "Value": "Week5"}, {"Key": "Day", "Value": "Day3"}]
#: The lab's network, small: a VPC with its internet gateway attached, a public subnet and a
#: security group (which the deletion deletes).
RESOURCES: Dict[str, Any] = {
    **PUBLIC_NETWORK,
    "Group": {
        "Type": "AWS::EC2::SecurityGroup",
        "Properties": {"GroupDescription": "web", "VpcId": {"Ref": "Vpc"}},
    },
}
#: What the deletion cannot delete while the hand-made instance is in the subnet, in the
#: template's order (the order the stack's reason names them in).
LEFT = ["Vpc", "Igw", "Attachment", "Public"]


def failed_destroy(aws) -> Dict[str, str]:
    """The stack made, a public instance made by hand in its subnet, and the stack's deletion
    asked (it ends DELETE_FAILED); logical id -> physical id, and ``instance``: the instance."""
    cfn = aws("cloudformation")
    cfn.create_stack(StackName=STACK, TemplateBody=json.dumps({"Resources": RESOURCES}), Tags=TAGS)
    physical = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cfn.list_stack_resources(StackName=STACK)["StackResourceSummaries"]
    }
    (instance,) = aws("ec2").run_instances(
        ImageId=AMI,
        InstanceType="t3.micro",
        MinCount=1,
        MaxCount=1,
        NetworkInterfaces=[
            {"DeviceIndex": 0, "SubnetId": physical["Public"], "AssociatePublicIpAddress": True}
        ],
    )["Instances"]
    cfn.delete_stack(StackName=STACK)
    return {**physical, "instance": instance["InstanceId"]}


def events(aws, stack: str) -> List[Dict[str, Any]]:
    """The stack's events as DescribeStackEvents lists them (newest first)."""
    return aws("cloudformation").describe_stack_events(StackName=stack)["StackEvents"]


def statuses(listed: List[Dict[str, Any]], logical_id: str) -> List[str]:
    """The statuses of the resource's events, oldest first."""
    return [e["ResourceStatus"] for e in reversed(listed) if e["LogicalResourceId"] == logical_id]


def assert_newest_first_by_the_millisecond(listed: List[Dict[str, Any]]) -> None:
    """Each event later than the one listed after it, to the millisecond (what CDK sorts by)."""
    millis = [int(e["Timestamp"].timestamp() * 1000) for e in listed]
    assert all(a > b for a, b in zip(millis, millis[1:])), [
        (e["LogicalResourceId"], e["ResourceStatus"], m) for e, m in zip(listed, millis)
    ]


def test_a_failed_destroy_has_each_resources_events_and_its_own_reason(aws):
    physical = failed_destroy(aws)
    cfn = aws("cloudformation")
    (stack,) = cfn.describe_stacks(StackName=STACK)["Stacks"]
    assert stack["StackStatus"] == "DELETE_FAILED"
    assert stack["StackStatusReason"] == (
        f"The following resource(s) failed to delete: [{', '.join(LEFT)}]. "
    )
    summaries = {
        r["LogicalResourceId"]: r
        for r in cfn.list_stack_resources(StackName=STACK)["StackResourceSummaries"]
    }
    assert {k: r["ResourceStatus"] for k, r in summaries.items()} == {
        **{k: "DELETE_FAILED" for k in LEFT},
        "Group": "DELETE_COMPLETE",
    }
    reasons = {k: summaries[k].get("ResourceStatusReason") for k in LEFT}
    # each its own error: the subnet's and the VPC's refusals, the gateway's detach refused
    assert reasons["Public"] == (
        f"The subnet '{physical['Public']}' has dependencies and cannot be deleted."
    )
    assert reasons["Vpc"] == (
        f"The vpc '{physical['Vpc']}' has dependencies and cannot be deleted."
    )
    assert reasons["Attachment"] == (
        f"Network {physical['Vpc']} has some mapped public address(es). Please unmap those "
        "public address(es) before detaching the gateway."
    )
    assert reasons["Igw"], summaries["Igw"]
    assert "ResourceStatusReason" not in summaries["Group"]
    described = {
        r["LogicalResourceId"]: r
        for r in cfn.describe_stack_resources(StackName=STACK)["StackResources"]
    }
    assert {k: described[k].get("ResourceStatusReason") for k in LEFT} == reasons
    assert described["Group"]["ResourceStatus"] == "DELETE_COMPLETE"

    listed = events(aws, STACK)
    assert_newest_first_by_the_millisecond(listed)
    assert (listed[0]["LogicalResourceId"], listed[0]["ResourceStatus"]) == (
        STACK,
        "DELETE_FAILED",
    )
    assert listed[0]["ResourceStatusReason"] == stack["StackStatusReason"]
    assert statuses(listed, STACK)[-2:] == ["DELETE_IN_PROGRESS", "DELETE_FAILED"]
    assert statuses(listed, "Group") == ["DELETE_IN_PROGRESS", "DELETE_COMPLETE"]
    for logical_id in LEFT:
        assert statuses(listed, logical_id) == ["DELETE_IN_PROGRESS", "DELETE_FAILED"], logical_id
        (failed,) = [
            e
            for e in listed
            if e["LogicalResourceId"] == logical_id and e["ResourceStatus"] == "DELETE_FAILED"
        ]
        assert failed["ResourceStatusReason"] == reasons[logical_id]
        assert failed["PhysicalResourceId"] == physical[logical_id]
        assert failed["ResourceType"] == RESOURCES[logical_id]["Type"]
        # the resource's time is its last event's, as spaced by the millisecond (review D18b)
        assert summaries[logical_id]["LastUpdatedTimestamp"] == failed["Timestamp"], logical_id
        assert described[logical_id]["Timestamp"] == failed["Timestamp"], logical_id


def test_cleanup_names_each_failed_resource_with_its_own_reason(aws):
    """`week5 cleanup`'s line for the stack: each resource with its own error (before, the
    subnet's error was nowhere: the stack's reason, the gateway's, stood for all four)."""
    physical = failed_destroy(aws)
    (stack,) = aws("cloudformation").describe_stacks(StackName=STACK)["Stacks"]
    scope = Scope(lambda service, **_: aws(service), REGION, "Day3", "choi", PriceTable())
    ids, line = delete_failed(scope, stack)
    assert ids == tuple(sorted(LEFT))
    assert f"AWS::EC2::Subnet Public ({physical['Public']}): The subnet '{physical['Public']}' " \
        "has dependencies and cannot be deleted." in line, line
    assert f"AWS::EC2::VPCGatewayAttachment Attachment ({physical['Attachment']}): Network " \
        f"{physical['Vpc']} has some mapped public address(es)" in line, line
    assert "the stack's reason" not in line, line


def test_the_retried_destroy_deletes_whats_left_each_in_progress_then_complete(aws):
    physical = failed_destroy(aws)
    before = {e["EventId"] for e in events(aws, STACK)}
    (stack_id,) = [s["StackId"] for s in aws("cloudformation").describe_stacks()["Stacks"]]
    aws("ec2").terminate_instances(InstanceIds=[physical["instance"]])
    aws("cloudformation").delete_stack(StackName=STACK)
    listed = [e for e in events(aws, stack_id) if e["EventId"] not in before]
    assert_newest_first_by_the_millisecond(listed)
    assert (listed[0]["LogicalResourceId"], listed[0]["ResourceStatus"]) == (
        STACK,
        "DELETE_COMPLETE",
    )
    assert (listed[-1]["LogicalResourceId"], listed[-1]["ResourceStatus"]) == (
        STACK,
        "DELETE_IN_PROGRESS",
    )
    # what is left, each deleted once; the group, deleted by the first destroy, not again
    assert {e["LogicalResourceId"] for e in listed} == {STACK, *LEFT}
    for logical_id in LEFT:
        assert statuses(listed, logical_id) == ["DELETE_IN_PROGRESS", "DELETE_COMPLETE"], logical_id
    assert all("ResourceStatusReason" not in e for e in listed if e["LogicalResourceId"] != STACK)


def test_a_destroy_that_succeeds_has_each_resources_events_in_order(aws):
    cfn = aws("cloudformation")
    cfn.create_stack(StackName=STACK, TemplateBody=json.dumps({"Resources": RESOURCES}), Tags=TAGS)
    (stack_id,) = [s["StackId"] for s in cfn.describe_stacks()["Stacks"]]
    created = {e["EventId"] for e in events(aws, stack_id)}
    cfn.delete_stack(StackName=STACK)
    listed = [e for e in events(aws, stack_id) if e["EventId"] not in created]
    assert_newest_first_by_the_millisecond(listed)
    assert statuses(listed, STACK) == ["DELETE_IN_PROGRESS", "DELETE_COMPLETE"]
    for logical_id in RESOURCES:
        assert statuses(listed, logical_id) == ["DELETE_IN_PROGRESS", "DELETE_COMPLETE"], logical_id
        assert {e["PhysicalResourceId"] for e in listed if e["LogicalResourceId"] == logical_id}
