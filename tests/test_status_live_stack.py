"""`week5 status` against the labs deployed on the session's emulator (tests/emulated_labs.py):
what a live lab stack holds is not "in no stack" though CloudFormation gives it no stack tag
(an Auto Scaling group's volumes, tagged by the launch template; Day 5's SSM parameters and
CloudFront distribution), and what a deleted stack leaves behind still is (a student trial)."""

from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest

from week5.cli import main
from week5.operations import status

#: One worker runs every test of the session's shared emulator (tests/emulated_labs.py).
pytestmark = pytest.mark.xdist_group("emulator")

#: The labs of the trial: Day4Lab1's Auto Scaling group, Day5Lab1's group, parameters and
#: distribution.
LABS = ("Day4Lab1", "Day5Lab1")


@pytest.fixture
def emulator(emulated_labs, monkeypatch):
    """This process's boto3 (and so `week5 status`) pointed at the session's emulator."""
    for key in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, emulated_labs.env[key])
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for lab_id in LABS:
        result = emulated_labs.results[lab_id]
        assert not isinstance(result, str), f"{lab_id} did not deploy: {result}"
    return emulated_labs


def student_of(emulated_labs) -> str:
    (student,) = {
        status.parse_stack_name(emulated_labs.labs[lab_id].stack_name).group("student")
        for lab_id in LABS
    }
    return student


def run_json(capsys, *args) -> Dict[str, Any]:
    code = main(["status", "--json", *args])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def without_stack_tag(emulated_labs, lab_id: str) -> List[str]:
    """The ARNs the tagging API lists with the lab's tags but no stack tag (the emulator's
    regional one lists CloudFront's distributions too)."""
    tagged = status.tagged_resources(emulated_labs.clients("resourcegroupstaggingapi"))
    day, lab = lab_id[:4], lab_id[4:]
    return sorted({
        m["ResourceARN"]
        for m in tagged
        if (tags := {t["Key"]: t["Value"] for t in m.get("Tags", [])}).get("Day") == day
        and tags.get("Lab") == lab
        and status.STACK_NAME_TAG not in tags
        and not status.own_stack_name(m["ResourceARN"])
    })  # fmt: skip


def test_a_live_stacks_volumes_parameters_and_distribution_are_not_left_behind(emulator, capsys):
    student = student_of(emulator)
    day4, day5 = (without_stack_tag(emulator, lab_id) for lab_id in LABS)
    # What the trial saw listed: tagged for the lab, no stack tag, on AWS as on the emulator.
    assert any(":volume/" in arn for arn in day4), day4
    assert any(":volume/" in arn for arn in day5), day5
    assert any(":distribution/" in arn for arn in day5), day5
    assert any(f":parameter/week5-{student}-Day5Lab1/cloudmart/" in arn for arn in day5), day5
    for who in (["--student", student], ["--all"]):
        untracked = [u["arn"] for u in run_json(capsys, *who)["untracked"]]
        assert [arn for arn in untracked if arn in day4 + day5] == [], who
    assert main(["status", "--student", student]) == 0
    out = capsys.readouterr().out
    assert "in no stack" not in out
    assert f"Nothing tagged Week=Week5 of student {student} outside a stack." in out


def course_tags(student: str) -> List[Dict[str, str]]:
    pairs = {"Week": "Week5", "Day": "Day4", "Lab": "Lab1", "Student": student}
    return [{"Key": k, "Value": v} for k, v in pairs.items()]


def group_stack(emulated_labs, student: str) -> str:
    """A lab stack of ``student`` as the course makes Day4Lab1's web tier: an Auto Scaling group
    whose launch template tags the instances and volumes with the lab's tags, no stack's; and
    an SSM parameter, one more kept when the stack goes (DeletionPolicy Retain). In one of
    Day4Lab1's subnets, from its image."""
    cloudformation, ec2 = emulated_labs.clients("cloudformation"), emulated_labs.clients("ec2")
    lab = emulated_labs.labs["Day4Lab1"].stack_name
    resources = cloudformation.list_stack_resources(StackName=lab)["StackResourceSummaries"]
    subnet, launch_template = (
        next(r["PhysicalResourceId"] for r in resources if r["ResourceType"] == kind)
        for kind in ("AWS::EC2::Subnet", "AWS::EC2::LaunchTemplate")
    )
    (version,) = ec2.describe_launch_template_versions(
        LaunchTemplateId=launch_template, Versions=["$Latest"]
    )["LaunchTemplateVersions"]
    tags = course_tags(student)
    name = f"week5-{student}-Day4Lab1"
    parameter = {"Type": "String", "Value": "x", "Tags": {t["Key"]: t["Value"] for t in tags}}
    template = {
        "Description": "Week 5 Day4 Lab1: test",
        "Resources": {
            "Template": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {
                "ImageId": version["LaunchTemplateData"]["ImageId"], "InstanceType": "t3.micro",
                "TagSpecifications": [{"ResourceType": kind, "Tags": tags}
                                      for kind in ("instance", "volume")]}}},
            "Group": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {
                "MinSize": "1", "MaxSize": "1", "VPCZoneIdentifier": [subnet],
                "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Template"},
                                   "Version": {"Fn::GetAtt": ["Template", "LatestVersionNumber"]}}}},
            "Parameter": {"Type": "AWS::SSM::Parameter",
                          "Properties": {**parameter, "Name": f"/{name}/app/endpoint"}},
            "Kept": {"Type": "AWS::SSM::Parameter", "DeletionPolicy": "Retain",
                     "Properties": {**parameter, "Name": f"/{name}/app/kept"}},
        },
    }  # fmt: skip
    cloudformation.create_stack(StackName=name, TemplateBody=json.dumps(template), Tags=tags)
    return name


def test_what_a_deleted_stack_leaves_is_listed_and_not_before(emulator, capsys):
    """A volume a student attached to an instance of the group, tagged for the lab: it goes
    with nothing (AWS detaches it when the group's instance terminates), so it is listed while
    the stack lives (a review found it hidden); and a parameter the stack retains: listed once
    the stack is gone. The stacks listed are only those the leftovers' tags name."""
    cloudformation, ec2, ssm = (emulator.clients(s) for s in ("cloudformation", "ec2", "ssm"))
    student = "leftover"  # a student of its own: the session's labs are not touched
    name = group_stack(emulator, student)
    volume = ""
    try:
        (stack,) = cloudformation.describe_stacks(StackName=name)["Stacks"]
        assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
        (instance,) = [
            i
            for r in ec2.describe_instances(Filters=[
                {"Name": "tag:Student", "Values": [student]},
                {"Name": "instance-state-name", "Values": ["pending", "running"]}])["Reservations"]
            for i in r["Instances"]
        ]  # fmt: skip
        volume = ec2.create_volume(
            AvailabilityZone=instance["Placement"]["AvailabilityZone"], Size=1,
            TagSpecifications=[{"ResourceType": "volume", "Tags": course_tags(student)}],
        )["VolumeId"]  # fmt: skip
        ec2.attach_volume(VolumeId=volume, InstanceId=instance["InstanceId"], Device="/dev/sdf")
        volumes = ec2.describe_volumes(
            Filters=[{"Name": "attachment.instance-id", "Values": [instance["InstanceId"]]}]
        )["Volumes"]
        tagged = [v for v in volumes if {"Key": "Student", "Value": student} in v.get("Tags", [])]
        assert len(tagged) >= 2, volumes  # the launch template's and the attached one
        assert all(status.STACK_NAME_TAG not in {t["Key"] for t in v["Tags"]} for v in tagged), (
            tagged
        )  # as on AWS: the stack never tags them

        report = run_json(capsys, "--student", student)
        assert [s["stack"] for s in report["stacks"]] == [name]
        # The group's volumes go with its instances; the one attached by hand outlives them
        # (not deleted on termination), so cdk destroy leaves it: listed while the stack lives.
        assert [u["arn"].rsplit(":", 1)[1] for u in report["untracked"]] == [f"volume/{volume}"]

        cloudformation.delete_stack(StackName=name)
        report = run_json(capsys, "--student", student)
        assert report["stacks"] == []
        left = {u["arn"].rsplit(":", 1)[1]: u for u in report["untracked"]}
        assert sorted(left) == sorted([f"volume/{volume}", f"parameter/{name}/app/kept"]), left
        assert left[f"volume/{volume}"]["tags"] == {
            "Day": "Day4",
            "Lab": "Lab1",
            "Student": student,
        }
        assert left[f"volume/{volume}"]["cleanup_takes_it"] is True
    finally:  # the session's emulator as it was, for the tests that destroy the labs
        cloudformation.delete_stack(StackName=name)
        if volume:
            ec2.delete_volume(VolumeId=volume)
        ssm.delete_parameters(Names=[f"/{name}/app/kept"])
