"""A stack update that the emulator cannot apply to a resource says so
(week5/operations/moto_models/stack_update_keeps.py): the resource is kept as it was, and the
update's events name it ``UPDATE_FAILED`` with the reason, which ``cdk deploy`` prints (a student
trial: a second ``cdk deploy Day2Lab1 -c restore_snapshot_id=<another snapshot>`` printed
``UPDATE_COMPLETE`` alone while the restored volume stayed the first snapshot's).

Through boto3 against an in-process moto with the package loaded, the update made as the CDK CLI
makes it (a change set), as tests/test_moto_models.py does.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List

import moto_in_process
from moto_in_process import REGION

#: The in-process moto's fixtures (tests/moto_in_process.py), by the names the tests use.
one_ami = moto_in_process.one_ami
aws = moto_in_process.aws

STACK = "week5-park-Day2Lab1"
TAGS = [{"Key": "Week", "Value": "Week5"}, {"Key": "Lab", "Value": "Day2Lab1"}]
#: The start of the reason a kept resource's event gives.
KEPT = "The emulator does not update AWS::EC2::Volume (SnapshotId changed): kept as it was"


def snapshots(aws, count: int) -> List[str]:
    """``count`` snapshots of a 1 GiB volume, as the lab's ``SnapshotCommand`` takes them."""
    ec2 = aws("ec2")
    volume = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=1, VolumeType="gp3")
    return [ec2.create_snapshot(VolumeId=volume["VolumeId"])["SnapshotId"] for _ in range(count)]


def template(snapshot: str, marker: str) -> Dict[str, Any]:
    """Day2Lab1's restore, cut down: a volume from ``snapshot`` and a parameter moto can update
    (its value ``marker``)."""
    return {
        "Resources": {
            "RestoredVolume": {
                "Type": "AWS::EC2::Volume",
                "Properties": {
                    "AvailabilityZone": f"{REGION}a",
                    "SnapshotId": snapshot,
                    "VolumeType": "gp3",
                },
            },
            "Marker": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Name": "/week5/park/restored", "Type": "String", "Value": marker},
            },
        }
    }


def cdk_deploy(aws, body: Dict[str, Any], kind: str) -> Dict[str, Any]:
    """A change set made and executed as ``cdk deploy`` does; the stack described."""
    cfn = aws("cloudformation")
    name = f"cdk-deploy-{kind.lower()}"
    cfn.create_change_set(StackName=STACK, ChangeSetName=name, ChangeSetType=kind,
                          TemplateBody=json.dumps(body), Tags=TAGS)  # fmt: skip
    cfn.execute_change_set(StackName=STACK, ChangeSetName=name)
    (stack,) = cfn.describe_stacks(StackName=STACK)["Stacks"]
    return stack


def update_events(aws) -> List[Dict[str, Any]]:
    """The stack's events since its last ``UPDATE_IN_PROGRESS``, oldest first, as ``cdk deploy``
    prints them."""
    events = aws("cloudformation").describe_stack_events(StackName=STACK)["StackEvents"]
    since = []
    for event in events:  # newest first
        since.append(event)
        if event["LogicalResourceId"] == STACK and event["ResourceStatus"] == "UPDATE_IN_PROGRESS":
            break
    return since[::-1]


def volume_snapshot(aws, volume_id: str) -> str:
    (volume,) = aws("ec2").describe_volumes(VolumeIds=[volume_id])["Volumes"]
    return volume["SnapshotId"]


def test_a_redeploy_with_another_snapshot_says_the_volume_was_kept(aws, caplog):
    first, second = snapshots(aws, 2)
    assert cdk_deploy(aws, template(first, "one"), "CREATE")["StackStatus"] == "CREATE_COMPLETE"
    cfn = aws("cloudformation")
    volume = cfn.describe_stack_resource(StackName=STACK, LogicalResourceId="RestoredVolume")[
        "StackResourceDetail"
    ]["PhysicalResourceId"]
    with caplog.at_level(logging.WARNING):
        stack = cdk_deploy(aws, template(second, "two"), "UPDATE")
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    # what moto could update is updated; the volume is kept, still the first snapshot's
    assert aws("ssm").get_parameter(Name="/week5/park/restored")["Parameter"]["Value"] == "two"
    assert volume_snapshot(aws, volume) == first
    events = update_events(aws)
    assert [(e["LogicalResourceId"], e["ResourceStatus"]) for e in events] == [
        (STACK, "UPDATE_IN_PROGRESS"),
        ("RestoredVolume", "UPDATE_FAILED"),
        (STACK, "UPDATE_COMPLETE"),
    ]
    kept = events[1]
    assert kept["ResourceType"] == "AWS::EC2::Volume"
    assert kept["PhysicalResourceId"] == volume
    assert kept["ResourceStatusReason"].startswith(KEPT), kept["ResourceStatusReason"]
    assert "destroy the stack and deploy it again" in kept["ResourceStatusReason"]
    # the emulator's log (the server's output, which week5 local names) says it too
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
        f"{STACK} RestoredVolume: {kept['ResourceStatusReason']}"
    ]
    # the kept volume is still the stack's, and goes with it
    cfn.delete_stack(StackName=STACK)
    assert aws("ec2").describe_volumes(
        Filters=[{"Name": "volume-id", "Values": [volume]}]
    )["Volumes"] == []


def test_an_update_that_changes_nothing_moto_cannot_update_adds_no_such_event(aws):
    (first,) = snapshots(aws, 1)
    cdk_deploy(aws, template(first, "one"), "CREATE")
    cdk_deploy(aws, template(first, "two"), "UPDATE")
    assert [e["ResourceStatus"] for e in update_events(aws)] == [
        "UPDATE_IN_PROGRESS",
        "UPDATE_COMPLETE",
    ]


def test_update_stack_reports_it_too(aws):
    """``aws cloudformation update-stack`` (no change set), the template's tags changed too."""
    first, second = snapshots(aws, 2)
    cdk_deploy(aws, template(first, "one"), "CREATE")
    changed = template(second, "one")
    changed["Resources"]["RestoredVolume"]["Properties"]["Tags"] = TAGS
    aws("cloudformation").update_stack(StackName=STACK, TemplateBody=json.dumps(changed))
    (kept,) = [e for e in update_events(aws) if e["ResourceStatus"] == "UPDATE_FAILED"]
    assert kept["ResourceStatusReason"].startswith(
        "The emulator does not update AWS::EC2::Volume (SnapshotId, Tags changed): kept as it was"
    )


#: A parameter of the AMI as the CDK CLI makes it: an SSM parameter's path, resolved at deploy.
AMI_PATH = "/week5/test/ami"


def with_parameters(snapshot: str) -> Dict[str, Any]:
    """A host of the AMI parameter (unchanged by an update) and a volume of the snapshot
    parameter ``Snapshot`` (its default ``snapshot``)."""
    body = template(snapshot, "one")
    body["Parameters"] = {
        "Ami": {"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", "Default": AMI_PATH},
        "Snapshot": {"Type": "String", "Default": snapshot},
    }
    body["Resources"]["RestoredVolume"]["Properties"]["SnapshotId"] = {"Ref": "Snapshot"}
    body["Resources"]["Host"] = {
        "Type": "AWS::EC2::Instance",
        "Properties": {"ImageId": {"Ref": "Ami"}, "InstanceType": "t3.micro"},
    }
    return body


def cdk_update(aws, body: Dict[str, Any], **given: str) -> None:
    """An update as the CDK CLI makes it: each parameter ``UsePreviousValue`` unless given."""
    cfn = aws("cloudformation")
    parameters = [
        {"ParameterKey": k, "ParameterValue": given[k]} if k in given
        else {"ParameterKey": k, "UsePreviousValue": True}
        for k in body["Parameters"]
    ]  # fmt: skip
    cfn.create_change_set(StackName=STACK, ChangeSetName="cdk-deploy-update", ChangeSetType="UPDATE",
                          TemplateBody=json.dumps(body), Parameters=parameters)  # fmt: skip
    cfn.execute_change_set(StackName=STACK, ChangeSetName="cdk-deploy-update")


def test_a_cdk_update_that_keeps_the_parameters_reports_nothing_it_did_not_change(aws):
    """The CLI's ``UsePreviousValue`` for parameters the creation took by default made moto count
    every resource that ``Ref``s one changed: each instance was reported on every redeploy."""
    (first,) = snapshots(aws, 1)
    aws("ssm").put_parameter(Name=AMI_PATH, Value=moto_in_process.AMI, Type="String")
    body = with_parameters(first)
    cdk_deploy(aws, body, "CREATE")
    body["Resources"]["Marker"]["Properties"]["Value"] = "two"
    cdk_update(aws, body)
    assert [(e["LogicalResourceId"], e["ResourceStatus"]) for e in update_events(aws)] == [
        (STACK, "UPDATE_IN_PROGRESS"),
        (STACK, "UPDATE_COMPLETE"),
    ]


def test_a_parameter_given_another_value_is_named(aws):
    first, second = snapshots(aws, 2)
    aws("ssm").put_parameter(Name=AMI_PATH, Value=moto_in_process.AMI, Type="String")
    body = with_parameters(first)
    cdk_deploy(aws, body, "CREATE")
    cdk_update(aws, body, Snapshot=second)
    kept = [e for e in update_events(aws) if e["ResourceStatus"] == "UPDATE_FAILED"]
    assert [e["LogicalResourceId"] for e in kept] == ["RestoredVolume"]  # the host: unchanged
    assert kept[0]["ResourceStatusReason"].startswith(
        "The emulator does not update AWS::EC2::Volume (parameter Snapshot changed): kept"
    )
