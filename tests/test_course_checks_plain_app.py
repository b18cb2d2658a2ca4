"""The course's rule pack in an app synthesized from plain Python (a student's own `python
app.py`, a unit test): no `aws:cdk:enable-path-metadata`, which only the CDK CLI sets, so a
finding's construct is found by logical id. An ec2.Instance's id carries a hash of its user
data (an overridden logical id): the pack crashed with `Validation plugin 'Week5' failed:
'HostInstance...'` instead of naming the rule (re-trial R4)."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2

from week5.constructs.host import LabHost
from week5.synth.nag import enable_nag


def test_a_finding_on_a_host_names_the_rule_without_path_metadata(tmp_path):
    app = cdk.App(outdir=str(tmp_path))
    assert not app.node.try_get_context("aws:cdk:enable-path-metadata")
    enable_nag(app)
    stack = cdk.Stack(app, "S", env=cdk.Environment(account="123456789012", region="ap-northeast-2"))
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    LabHost(stack, "Host", vpc=vpc, subnet=vpc.public_subnets[0])
    with pytest.raises(Exception) as failed:
        app.synth()
    report = (tmp_path / "validation-report.json").read_text(encoding="utf-8")
    assert "Validation plugin 'Week5' failed" not in str(failed.value) + report
    assert "Week5-CourseTags" in report and "S/Host/Instance" in report
