"""`week5 cleanup --apply`: a stack whose deletion ends DELETE_FAILED is failed (exit 1), naming
what CloudFormation could not delete and why, not "still deleting" (exit 3) after five minutes
of waits; only a stack still DELETE_IN_PROGRESS when the waits run out is "still deleting".

The instructor trial: half of ``week5-jung-Day1Lab1`` deleted by hand left the stack
DELETE_FAILED; `week5 cleanup --day Day1 --student jung --apply --json` waited 5 min 15 s and
said "still deleting, not failed" (exit 3) every run, so a script re-running on exit 3 looped
for ever. A retried deletion that ends DELETE_FAILED again on the same resources now fails at
once: waiting on cures nothing there. Here the stack's VPC is refused (DependencyViolation, as
AWS refuses a VPC something holds): on in-process moto with the emulator's models (its
DELETE_FAILED: week5/operations/moto_models/stack_delete_failed.py; moto's VPC deletion made
to refuse, as the emulator's own models change what a hand deletion does), and through a
CloudFormation that
answers as AWS does, a deletion asked being DELETE_IN_PROGRESS at once (:class:`AsAws`).
Also: each ``usd_per_hour`` of the deleted, failed, left and still-deleting lists is rounded to
6 places, as the found list's (README: "rounded to 6 places").
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from shared_botocore import Clients, course_tags, moto_account

import week5.cli.cleanup as cleanup_cli
from week5.cli import main
from week5.operations.cleanup import Cleaner, Found, Report
from week5.operations.cleanup.deleter import delete_in_order
from week5.operations.cleanup.scope import JSON_PLACES, Scope
from week5.operations.cleanup.stacks import (
    FAILED_AGAIN_CODE,
    FAILED_CODE,
    stack_found,
)
from week5.operations.price_table import PriceTable

REGION = "ap-northeast-2"
CLIENTS = Clients(REGION)
STACK = "week5-jung-Day1Lab1"
TAGS = course_tags("Day1", "jung")
COMMAND = ["cleanup", "--day", "Day1", "--student", "jung", "--apply"]


@pytest.fixture
def aws(monkeypatch) -> Iterator[Clients]:
    with moto_account(monkeypatch, emulator_models=True):
        yield CLIENTS


@pytest.fixture
def waits(monkeypatch) -> List[float]:
    """The waits `week5 cleanup` sleeps, recorded instead of slept."""
    slept: List[float] = []

    class Recorded(Cleaner):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, sleep=slept.append, **kwargs)

    monkeypatch.setattr(cleanup_cli, "Cleaner", Recorded)
    return slept


#: What EC2 answers deleting the lab's VPC while something holds it.
HELD = "has dependencies and cannot be deleted"


def lab_with_a_held_vpc(aws: Clients, monkeypatch: pytest.MonkeyPatch) -> str:
    """jung's Day1Lab1 as a stack (a VPC, a subnet, a secret; all tagged), its VPC's deletion
    refused as AWS refuses it while something holds the VPC (DependencyViolation; any other
    VPC's goes): the stack's deletion ends DELETE_FAILED on the VPC, every time. The VPC's id."""
    from moto.ec2.exceptions import DependencyViolationError
    from moto.ec2.models.vpcs import VPCBackend

    resources = {
        "Vpc": ("AWS::EC2::VPC", {"CidrBlock": "10.0.0.0/16", "Tags": TAGS}),
        "Public": (
            "AWS::EC2::Subnet",
            {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24", "Tags": TAGS},
        ),
        "Db": ("AWS::SecretsManager::Secret", {"Name": "week5-jung-db", "Tags": TAGS}),
    }
    template = {"Resources": {k: {"Type": t, "Properties": p} for k, (t, p) in resources.items()}}
    cloudformation = aws.client("cloudformation")
    cloudformation.create_stack(StackName=STACK, TemplateBody=json.dumps(template), Tags=TAGS)
    (vpc,) = [
        r["PhysicalResourceId"]
        for r in cloudformation.list_stack_resources(StackName=STACK)["StackResourceSummaries"]
        if r["LogicalResourceId"] == "Vpc"
    ]

    delete_vpc = VPCBackend.delete_vpc

    def refused(self: Any, vpc_id: str) -> Any:
        if vpc_id != vpc:
            return delete_vpc(self, vpc_id)
        raise DependencyViolationError(f"The vpc '{vpc_id}' {HELD}.")

    monkeypatch.setattr(VPCBackend, "delete_vpc", refused)
    return vpc


def test_a_stack_left_delete_failed_is_failed_naming_what_failed_and_why(
    aws, waits, capsys, monkeypatch
):
    """The trial's repro: exit 1 (was 3), failed 1 and still deleting 0, the error naming the
    VPC, its physical id and CloudFormation's reason, and the command that deletes the stack
    without it; after one wait of 10 s (the retried deletion failed again on the same VPC),
    not the five minutes of waits."""
    vpc = lab_with_a_held_vpc(aws, monkeypatch)
    assert main([*COMMAND, "--json"]) == 1
    body = json.loads(capsys.readouterr().out)
    assert body["still_deleting"] == [] and body["deleted"] == []
    (failed,) = body["failed"]
    assert failed["id"] == STACK and failed["day"] == "Day1"
    error = failed["error"]
    assert error.startswith(f"{FAILED_AGAIN_CODE}: DELETE_FAILED again, on the same resource(s)")
    assert (
        f"CloudFormation could not delete 1 of its resource(s): AWS::EC2::VPC Vpc ({vpc})" in error
    )
    assert f"The vpc '{vpc}' {HELD}" in error
    assert f"delete-stack --stack-name {STACK} --retain-resources Vpc`" in error
    assert waits == [10]
    (stack,) = aws.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"]
    assert stack["StackStatus"] == "DELETE_FAILED"  # left as it was: cleanup never forces it

    # the same in text: one failed line, no "still deleting"
    assert main(COMMAND) == 1
    out = capsys.readouterr().out
    assert "Deleted 0, failed 1, left 0." in out and "still deleting" not in out
    assert f"  failed: CloudFormation stack {STACK} (" in out


def scope(clients: Any) -> Scope:
    return Scope(clients, REGION, "Day1", "jung", PriceTable())


def test_waits_that_run_out_on_delete_failed_fail_it(aws, monkeypatch):
    """No wait at all (the waits ran out): the stack read DELETE_FAILED once, after this run
    asked its deletion; it is failed (not "still deleting"), with what CloudFormation could
    not delete."""
    vpc = lab_with_a_held_vpc(aws, monkeypatch)
    where = scope(aws.client)
    (stack,) = aws.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"]
    report = delete_in_order([stack_found(where, stack)], (), lambda s: None, lambda s: None)
    assert report.still_deleting == [] and not report.unfinished
    ((item, why),) = report.failed
    assert item.id == STACK
    assert why.startswith(f"{FAILED_CODE}: DELETE_FAILED: CloudFormation could not delete 1 ")
    assert f"AWS::EC2::VPC Vpc ({vpc})" in why and HELD in why


# --- as AWS answers: a deletion asked reads DELETE_IN_PROGRESS at once -----------------------

#: One read of the stack: its status and, when DELETE_FAILED, logical id -> (the reason its
#: ListStackResources gives, the reason its latest DELETE_FAILED event gives).
Read = Tuple[str, Dict[str, Tuple[str, str]]]
IN_PROGRESS: Read = ("DELETE_IN_PROGRESS", {})
SUBNET = {"Subnet": ("", "resource subnet-1 has a dependent object")}
BOTH = {**SUBNET, "Web": ("resource sg-1 has a dependent object (ENI eni-1)", "")}


class Pages:
    def __init__(self, call: Any) -> None:
        self.call = call

    def paginate(self, **params: Any) -> List[Dict[str, Any]]:
        return [self.call(**params)]


class AsAws:
    """A CloudFormation whose stack goes through ``reads`` (one per DescribeStacks of it, the
    last repeated), counting DeleteStack calls."""

    def __init__(self, reads: List[Read]) -> None:
        self.reads = list(reads)
        self.read: Read = self.reads[0]
        self.deletions = 0

    def get_paginator(self, operation: str) -> Pages:
        return Pages(getattr(self, operation))

    def describe_stacks(self, StackName: Optional[str] = None) -> Dict[str, Any]:
        if StackName is not None:
            self.read = self.reads.pop(0) if len(self.reads) > 1 else self.reads[0]
        status, failed = self.read
        reason = f"The following resource(s) failed to delete: [{', '.join(failed)}]. "
        return {
            "Stacks": [
                {
                    "StackName": STACK,
                    "StackId": f"arn:aws:cloudformation:{REGION}:1:stack/{STACK}/1",
                    "StackStatus": status,
                    **({"StackStatusReason": reason} if failed else {}),
                    "Tags": TAGS,
                }
            ]
        }

    def list_stack_resources(self, StackName: str) -> Dict[str, Any]:
        _, failed = self.read
        return {
            "StackResourceSummaries": [
                {
                    "LogicalResourceId": logical,
                    "PhysicalResourceId": {"Subnet": "subnet-1", "Web": "sg-1"}[logical],
                    "ResourceType": {
                        "Subnet": "AWS::EC2::Subnet",
                        "Web": "AWS::EC2::SecurityGroup",
                    }[logical],
                    "ResourceStatus": "DELETE_FAILED",
                    **({"ResourceStatusReason": listed} if listed else {}),
                }
                for logical, (listed, _) in failed.items()
            ]
        }

    def describe_stack_events(self, StackName: str) -> Dict[str, Any]:
        _, failed = self.read
        return {
            "StackEvents": [
                {"LogicalResourceId": logical, "ResourceStatus": "DELETE_FAILED",
                 "ResourceStatusReason": event}
                for logical, (_, event) in failed.items()
            ]
        }  # fmt: skip

    def get_template(self, **_: Any) -> Dict[str, Any]:
        return {"TemplateBody": {"Resources": {}}}

    def delete_stack(self, StackName: str) -> None:
        self.deletions += 1


def run_as_aws(reads: List[Read], waits: Tuple[float, ...]) -> Tuple[Report, AsAws, List[float]]:
    cloudformation = AsAws(reads)
    where = scope(lambda service, **kw: cloudformation)
    stack = cloudformation.describe_stacks()["Stacks"][0]
    slept: List[float] = []
    report = delete_in_order([stack_found(where, stack)], waits, slept.append, lambda s: None)
    return report, cloudformation, slept


def test_a_retried_deletion_failing_again_on_the_same_resources_stops_the_waits():
    """The student's own `cdk destroy` left it DELETE_FAILED on its subnet; cleanup asks again
    (DELETE_IN_PROGRESS), and when it reads DELETE_FAILED on the same subnet again it fails it
    then, with the subnet's reason (from its latest DELETE_FAILED event): two waits of the
    six, one deletion asked."""
    report, cloudformation, slept = run_as_aws(
        [
            ("DELETE_FAILED", SUBNET),
            IN_PROGRESS,
            IN_PROGRESS,
            IN_PROGRESS,
            ("DELETE_FAILED", SUBNET),
        ],
        (10, 20, 40, 60, 90, 90),
    )
    assert slept == [10, 20] and cloudformation.deletions == 1
    ((item, why),) = report.failed
    assert why.startswith(f"{FAILED_AGAIN_CODE}: ")
    assert "AWS::EC2::Subnet Subnet (subnet-1): resource subnet-1 has a dependent object" in why
    assert report.still_deleting == []


def test_a_retried_deletion_failing_on_other_resources_is_asked_again():
    """DELETE_FAILED on the subnet, then on the subnet and a security group: not the same, so
    asked again; failed when the same two fail again, each named with its reason (the group's
    from ListStackResources)."""
    report, cloudformation, slept = run_as_aws(
        [("DELETE_FAILED", SUBNET), IN_PROGRESS, ("DELETE_FAILED", BOTH), IN_PROGRESS,
         ("DELETE_FAILED", BOTH)],
        (10, 20, 40, 60, 90, 90),
    )  # fmt: skip
    assert slept == [10, 20] and cloudformation.deletions == 2
    ((item, why),) = report.failed
    assert "could not delete 2 of its resource(s): AWS::EC2::Subnet Subnet (subnet-1): " in why
    assert "AWS::EC2::SecurityGroup Web (sg-1): resource sg-1 has a dependent object (ENI" in why
    assert "--retain-resources Subnet Web`" in why


def test_a_stack_still_delete_in_progress_when_the_waits_run_out_is_still_deleting():
    report, cloudformation, slept = run_as_aws([("CREATE_COMPLETE", {}), IN_PROGRESS], (10, 20))
    assert slept == [10, 20] and cloudformation.deletions == 1
    assert report.failed == []
    ((item, why),) = report.still_deleting
    assert item.id == STACK and "run cleanup again in 10 min to confirm" in why


# --- each list's $/hour to 6 places ----------------------------------------------------------


def test_every_lists_usd_per_hour_is_rounded_to_6_places():
    """A secret's $0.000548/h: 0.0005 in the deleted, failed, left and still-deleting lists
    before (4 places), the found list's 0.000548."""
    hourly = PriceTable().hourly("secretsmanager:secret")
    assert JSON_PLACES == 6 and round(hourly, 4) != round(hourly, 6)
    secret = Found("secret", "arn:secret:week5-jung-db", hourly=hourly)
    report = Report(
        deleted=[secret], failed=[(secret, "x")], left=[(secret, "y")],
        still_deleting=[(secret, "z")], waiting=[(secret, "w")],
    )  # fmt: skip
    lists = report.to_json()
    for name in ("deleted", "failed", "left", "still_deleting", "waiting"):
        assert [e["usd_per_hour"] for e in lists[name]] == [round(hourly, 6)], name
