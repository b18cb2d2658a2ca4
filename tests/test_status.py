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
    assert "(stack week5-lee-Day2Lab1 is gone)" in out


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
