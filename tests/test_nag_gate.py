"""The cdk-nag gate: every lab passes AwsSolutions; a bad stack fails synthesis."""

import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from cdk_nag import AwsSolutionsChecks
from support import make_app

from stacks.catalog import CATALOG
from week5.synth.nag import acknowledge, enable_nag


@pytest.mark.parametrize("lab_id", CATALOG.ids)
def test_every_lab_passes_aws_solutions(app, lab_id):
    report = AwsSolutionsChecks().validate_scope(app.stacks[lab_id])
    assert report.success, [v.rule_name for v in report.violations]
    assert list(report.violations) == []


def _bad_stack(tmp_path):
    cdk_app = make_app(tmp_path)
    enable_nag(cdk_app)
    stack = cdk.Stack(cdk_app, "BadLab", env=cdk.Environment(region="ap-northeast-2"))
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0)
    sg = ec2.SecurityGroup(stack, "OpenSsh", vpc=vpc, description="SSH from anywhere")
    sg.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(22), "ssh")
    ec2.CfnVolume(stack, "PlainVolume", availability_zone="ap-northeast-2a", size=1)
    return cdk_app


def test_a_bad_stack_fails_synthesis_with_the_findings(tmp_path):
    cdk_app = _bad_stack(tmp_path)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        cdk_app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    rule_ids = {v["ruleName"] for p in report["pluginReports"] for v in p["violations"]}
    assert {"AwsSolutions-EC23", "AwsSolutions-EC26", "AwsSolutions-VPC7"} <= rule_ids


def test_acknowledgement_needs_a_reason_that_names_the_trade_off(tmp_path):
    stack = cdk.Stack(make_app(tmp_path), "S")
    with pytest.raises(ValueError, match="names the lab trade-off"):
        acknowledge(stack, "AwsSolutions-VPC7", "not needed")
