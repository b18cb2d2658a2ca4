"""The class quota check against what a real account holds and AWS documents.

- A NAT gateway being deleted still counts against its zone's quota ("NAT gateways only count
  toward your quota in the pending, active, and deleting states", Amazon VPC quotas): a class
  destroyed and deployed again at once passed the check, then failed with
  NatGatewayLimitExceeded.
- A stack in ROLLBACK_COMPLETE (a failed create; the CDK CLI deletes it and creates it again)
  or REVIEW_IN_PROGRESS (a change set never executed) holds nothing: the deploy creates all of
  it, so it counts as new, where it counted as an update that adds nothing.
- Internet gateways per Region is raised through VPCs per Region ("To increase this quota,
  increase the quota for VPCs per Region"): the command asked for the gateway quota's own code.
"""

from __future__ import annotations

import json

import boto3
import pytest
from shared_botocore import Clients, moto_account
from support import assembly_cdk
from test_preflight import fake_project, run_wrapper
from test_quotas import fake_assembly, lab_template, moto_env  # noqa: F401  (the fixture)

from week5.cli import preflight as cli_preflight
from week5.operations import preflight, quotas

REGION = "ap-northeast-2"
CLIENTS = Clients(REGION)
CLASS = [f"s{i:02d}" for i in range(1, 13)]
#: A stack that holds nothing the quotas count.
EMPTY = json.dumps({"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}})


@pytest.fixture
def aws(monkeypatch):
    with moto_account(monkeypatch):
        yield CLIENTS


def moto_backend(service):
    """moto's backend of ``service`` in Seoul, for its test account (the in-process mock's,
    and the server's of conftest, which runs in this process)."""
    from moto.backends import get_backend
    from moto.core import DEFAULT_ACCOUNT_ID

    return get_backend(service)[DEFAULT_ACCOUNT_ID][REGION]


# --- NAT gateways being deleted --------------------------------------------------------------


def test_a_nat_gateway_being_deleted_still_counts_against_its_zone(aws):
    ec2 = CLIENTS.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24",
                               AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]  # fmt: skip
    gateways = [
        ec2.create_nat_gateway(
            SubnetId=subnet, AllocationId=ec2.allocate_address(Domain="vpc")["AllocationId"]
        )["NatGateway"]["NatGatewayId"]
        for _ in range(3)
    ]
    moto_backend("ec2").nat_gateways[gateways[1]].state = "deleting"  # AWS: minutes
    ec2.delete_nat_gateway(NatGatewayId=gateways[2])  # moto: deleted at once
    states = {n["NatGatewayId"]: n["State"] for n in ec2.describe_nat_gateways()["NatGateways"]}
    assert states == {gateways[0]: "available", gateways[1]: "deleting", gateways[2]: "deleted"}
    assert quotas.read_usage(ec2)[("nats", f"{REGION}a")] == 2


# --- stacks that hold nothing yet ------------------------------------------------------------


def test_a_rolled_back_or_never_executed_stack_counts_as_new():
    template = {"Day4Lab1": lab_template()}
    states = {
        "week5-kim-Day4Lab1": "ROLLBACK_COMPLETE",
        "week5-lee-Day4Lab1": "UPDATE_COMPLETE",
        "week5-park-Day4Lab1": "REVIEW_IN_PROGRESS",
        "week5-choi-Day4Lab1": "UPDATE_ROLLBACK_COMPLETE",  # an update's rollback: all there
    }
    needs, counted = quotas.class_needs(template, ["kim", "lee", "park", "choi"], states)
    assert counted == {"Day4Lab1": ["kim", "park"]}
    assert needs[("vpcs", None)] == 2
    # Names alone (a caller without the states): each one that exists is an update, as before.
    assert quotas.class_needs(template, ["kim", "lee"], list(states))[1] == {"Day4Lab1": []}


def test_the_stack_states_are_read_every_page():
    pages = [
        {"StackSummaries": [{"StackName": "a", "StackStatus": "ROLLBACK_COMPLETE"},
                            {"StackName": "gone", "StackStatus": "DELETE_COMPLETE"}]},
        {"StackSummaries": [{"StackName": "b", "StackStatus": "CREATE_COMPLETE"}]},
    ]  # fmt: skip

    class Pages:
        def get_paginator(self, name):
            assert name == "list_stacks"
            return self

        def paginate(self):
            return iter(pages)

    assert preflight.stack_states(Pages()) == {"a": "ROLLBACK_COMPLETE", "b": "CREATE_COMPLETE"}
    assert preflight.stack_names(Pages()) == ["a", "b"]


def class_account():
    """s01's stack a change set never executed, s02's a failed create rolled back, s03's
    deployed: of twelve students' Day4Lab1, eleven are created."""
    cf = boto3.client("cloudformation", region_name=REGION)
    cf.create_change_set(StackName="week5-s01-Day4Lab1", ChangeSetName="cdk-deploy-change-set",
                         ChangeSetType="CREATE", TemplateBody=EMPTY)  # fmt: skip
    failed = cf.create_stack(StackName="week5-s02-Day4Lab1", TemplateBody=EMPTY)["StackId"]
    moto_backend("cloudformation").stacks[failed].status = "ROLLBACK_COMPLETE"
    cf.create_stack(StackName="week5-s03-Day4Lab1", TemplateBody=EMPTY)
    states = {s["StackName"]: s["StackStatus"] for s in cf.list_stacks()["StackSummaries"]}
    assert states == {
        "week5-s01-Day4Lab1": "REVIEW_IN_PROGRESS",
        "week5-s02-Day4Lab1": "ROLLBACK_COMPLETE",
        "week5-s03-Day4Lab1": "CREATE_COMPLETE",
    }


def test_the_class_deploy_counts_the_stacks_that_hold_nothing_as_new(tmp_path, moto_env):  # noqa: F811
    """Through scripts/cdk, as test_preflight's class deploy: the VPC line counts 11 new
    copies (it counted 9: the rolled-back and the never-executed stack as updates). moto is an
    emulator, which enforces no quota: the line is a note and the deploy goes on."""
    class_account()
    root = fake_project(tmp_path)
    assembly = fake_assembly(tmp_path / "assembly", {"Day4Lab1": lab_template("Day4Lab1")})
    assembly_cdk(root, assembly)
    result, calls = run_wrapper(root, "cdk", ["deploy", "Day4Lab1-*", "-c",
                                              f"students={','.join(CLASS)}",
                                              "--require-approval", "never"],
                                dict(moto_env))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert any(c.startswith("deploy") for c in calls), calls
    assert "enforces none: going on" in result.stderr, result.stderr
    (vpcs,) = [x for x in result.stderr.splitlines() if "VPCs: quota" in x]
    assert "1 in use, the deploy adds 11: short by 7; raise it to 12" in vpcs, vpcs


def test_the_preflight_reads_the_states_it_hands_the_quota_check(moto_env):  # noqa: F811
    class_account()
    plan = preflight.Plan("deploy", ["Day4Lab1"], False, "instructor", "the default",
                          tuple(CLASS), REGION, None)  # fmt: skip
    states = cli_preflight.live_stacks(plan)
    assert states["week5-s02-Day4Lab1"] == "ROLLBACK_COMPLETE"
    assert quotas.holding_stacks(states) == {"week5-s03-Day4Lab1"}


def test_week5_quotas_counts_the_stacks_that_hold_nothing_as_new(moto_env, monkeypatch):  # noqa: F811
    """`week5 quotas` reads the same states as the deploy's check (it counted the rolled-back and
    the never-executed stacks as updates: 9 new copies of 12)."""
    from week5.cli import quotas as cli_quotas
    from week5.operations import aws_errors

    class_account()
    handed = []
    monkeypatch.setattr(quotas, "check", lambda make_client, needs, region: handed.append(needs))
    make_client = aws_errors.clients(None, REGION)
    cli_quotas.check_class(make_client, {"Day4Lab1": lab_template("Day4Lab1")}, CLASS, REGION)
    (needs,) = handed
    assert needs == quotas.class_needs({"Day4Lab1": lab_template("Day4Lab1")},
                                       CLASS, {"week5-s03-Day4Lab1": "CREATE_COMPLETE"})[0]  # fmt: skip
    assert needs != quotas.class_needs({"Day4Lab1": lab_template("Day4Lab1")}, CLASS,
                                       preflight.stack_names(make_client("cloudformation")))[0]  # fmt: skip


# --- internet gateways are raised through VPCs per Region ------------------------------------


def rows(vpc_quota, usage, igw_quota=5):
    needs, _ = quotas.class_needs({"Day4Lab1": lab_template()}, CLASS)
    found = {spec.key: (5, "AWS default") for spec in quotas.SPECS}
    found["vpcs"], found["igws"] = vpc_quota, (igw_quota, "AWS default")
    return quotas.compare(needs, found, usage)


def test_the_internet_gateway_quota_is_raised_through_the_vpc_quota():
    """VPCs fit (20); internet gateways do not (5, three detached ones in use): the request
    is for VPCs per Region, 10 more (AWS raises the gateways by as much)."""
    lines = quotas.shortfalls(rows((20, "account"), {("vpcs", None): 1, ("igws", None): 3}),
                              REGION)  # fmt: skip
    (line,) = [x for x in lines if x.startswith("Internet gateways")]
    assert line == (
        "Internet gateways: quota 5 (AWS default), 3 in use, the deploy adds 12: short by 10; "
        "raise VPCs per Region (vpc/L-F678F1CE) to 30, which raises it by as much (AWS raises "
        "it no other way): aws service-quotas request-service-quota-increase --service-code "
        "vpc --quota-code L-F678F1CE --desired-value 30 --region ap-northeast-2"
    )
    assert not any("L-A4707A72" in x for x in lines)


def test_both_short_is_one_request_on_the_vpc_quota_for_what_each_needs():
    lines = quotas.shortfalls(rows((5, "AWS default"), {("vpcs", None): 1, ("igws", None): 3}),
                              REGION)  # fmt: skip
    (vpc,) = [x for x in lines if x.startswith("VPCs")]
    assert vpc.endswith(
        "short by 8; raise it to 15 (Internet gateways need that: it raises them by as much): "
        "aws service-quotas request-service-quota-increase --service-code vpc --quota-code "
        "L-F678F1CE --desired-value 15 --region ap-northeast-2"
    ), vpc
    (igw,) = [x for x in lines if x.startswith("Internet gateways")]
    assert igw.endswith("short by 10; the VPCs per Region request above raises it too"), igw
    assert sum("request-service-quota-increase" in x and "vpc --quota-code L-F678F1CE" in x
               for x in lines) == 1  # fmt: skip
    assert not any("L-A4707A72" in x for x in lines)


def test_the_vpc_quota_not_read_asks_for_what_the_gateways_need():
    """No figure of the VPC quota to add to: the gateways' own figure, on the VPC quota."""
    lines = quotas.shortfalls(
        rows((None, "not implemented"), {("vpcs", None): 1, ("igws", None): 3}), REGION
    )
    (igw,) = [x for x in lines if x.startswith("Internet gateways")]
    assert igw.endswith("--quota-code L-F678F1CE --desired-value 15 --region ap-northeast-2")


def test_the_json_row_names_the_quota_that_raises_the_gateways():
    by_label = {r.label: r.to_json() for r in rows((5, "AWS default"), {})}
    assert by_label["Internet gateways"]["quota_code"] == "L-A4707A72"  # what was read
    assert by_label["Internet gateways"]["raised_through"] == "vpc/L-F678F1CE"
    assert by_label["VPCs"]["raised_through"] is None
