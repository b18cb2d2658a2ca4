"""Calls the labs' constructs make to Node once, where they used to make one per item (issue 18:
each round trip to the jsii kernel is about 0.45 ms of a synth): each test pins that the call
still does all it did, and that it does not cost what it used to. (How fast a synth is, is
bench/synth_time.py's and bench/synth_breakdown.py's to say, not a test's.)"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import Validations
from aws_cdk import aws_s3 as s3
from support import jsii_requests, make_app

from week5.constructs.database import PostgresDatabase
from week5.constructs.host import LabHost
from week5.constructs.vpc import MultiAzVpc
from week5.synth.nag import acknowledge, acknowledge_all

SEOUL = cdk.Environment(region="ap-northeast-2")
REASON = "A case of the round-trip tests: the finding is acknowledged on purpose here."


def acknowledged(construct) -> list:
    return [
        entry.data
        for entry in construct.node.metadata
        if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY
    ]


def stack(tmp_path: Path) -> cdk.Stack:
    return cdk.Stack(make_app(tmp_path), "Case", env=SEOUL)


def test_acknowledge_all_records_what_one_call_per_rule_does_in_two_round_trips(tmp_path):
    scope = stack(tmp_path)
    one_by_one, at_once = s3.Bucket(scope, "OneByOne"), s3.Bucket(scope, "AtOnce")
    reasons = {rule: f"{REASON} ({rule})" for rule in ("AwsSolutions-S1", "AwsSolutions-S10")}
    reasons["CloudFormation-Validate::W3010"] = REASON
    for rule, reason in reasons.items():
        acknowledge(one_by_one, rule, reason)
    requests = jsii_requests(lambda: acknowledge_all(at_once, reasons))
    assert acknowledged(at_once) == acknowledged(one_by_one)
    assert len(acknowledged(at_once)) == 3
    # Validations.of(construct) and its acknowledge(...), for the three rules.
    assert requests == ["StaticInvokeRequest", "InvokeRequest"]


def test_acknowledge_all_refuses_a_short_reason_before_acknowledging_any(tmp_path):
    bucket = s3.Bucket(stack(tmp_path), "Bucket")
    with pytest.raises(ValueError, match="AwsSolutions-S10 on Case/Bucket needs a reason"):
        acknowledge_all(bucket, {"AwsSolutions-S1": REASON, "AwsSolutions-S10": "not needed"})
    assert acknowledged(bucket) == []


def test_a_grant_to_a_host_needs_no_call_back_into_python(tmp_path):
    """``db.grant_connect(host)`` hands Node the host's security groups and role: Node asks a
    construct written in Python for them with a call back (four a grant), which these skip."""
    scope = stack(tmp_path)
    vpc = MultiAzVpc(scope, "Network")
    host = LabHost(scope, "Client", vpc=vpc.vpc, subnet=vpc.private_subnets[0])
    db = PostgresDatabase(scope, "Db", vpc=vpc.vpc)
    requests = jsii_requests(lambda: db.grant_connect(host))
    assert "_CompleteRequest" not in requests  # the answer to a call back into Python
    template = cdk.assertions.Template.from_stack(scope)
    template.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {
            "Description": "PostgreSQL 5432 from a granted security group",
            "GroupId": scope.resolve(db.security_group.security_group_id),
            "SourceSecurityGroupId": scope.resolve(host.security_group.security_group_id),
        },
    )
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "Roles": [scope.resolve(host.role.role_name)],
            "PolicyDocument": {
                "Statement": cdk.assertions.Match.array_with(
                    [
                        cdk.assertions.Match.object_like(
                            {
                                "Action": [
                                    "secretsmanager:DescribeSecret",
                                    "secretsmanager:GetSecretValue",
                                ],
                                "Resource": scope.resolve(db.secret.secret_arn),
                            }
                        )
                    ]
                )
            },
        },
    )
