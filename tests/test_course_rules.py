"""The course's rule pack (week5/analysis/rules, one rule per file): each rule fires on a stack that
breaks it and passes one that keeps it; acknowledgements need a reason; every lab passes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3
from support import make_app

from stacks.catalog import CATALOG
from week5.analysis.rules import RULES
from week5.analysis.rules.base import pascal_case
from week5.core.settings import CourseSettings
from week5.synth.course_checks import CourseChecks
from week5.synth.lab import LabStack
from week5.synth.nag import acknowledge, enable_nag
from week5.synth.providers import give_provider_functions_log_groups
from week5.synth.tagging import apply_course_tags

RULES_DIR = Path(__file__).resolve().parent.parent / "week5" / "analysis" / "rules"
SEOUL = cdk.Environment(region="ap-northeast-2")
RULE_BY_NAME = {rule.name: rule for rule in RULES}


def lab_stack(tmp_path: Path, *, env=SEOUL, **kwargs) -> cdk.Stack:
    """A plain stack tagged like a lab: only what a case adds can break a rule."""
    stack = cdk.Stack(make_app(tmp_path), "Case", env=env, **kwargs)
    apply_course_tags(stack, 1, "Lab1", "kim")
    return stack


def findings(stack: cdk.Stack, rule_name: str) -> List[str]:
    """Synthesize ``stack``'s app, then run one rule over it: the violations' ids."""
    stack.node.root.synth()
    report = CourseChecks(rules=(RULE_BY_NAME[rule_name],)).validate_scope(stack)
    return sorted(v.rule_name for v in report.violations)


# ---- one builder per case: it adds to a lab-tagged Seoul stack ----


def _vpc(stack):
    return ec2.CfnVPC(stack, "Vpc", cidr_block="10.0.0.0/16")


def _untag(resource, *keys):
    for key in keys:
        cdk.Tags.of(resource).remove(key, priority=500)


def _ingress(stack, **rule):
    sg = ec2.CfnSecurityGroup(stack, "Group", group_description="lab", vpc_id=_vpc(stack).ref)
    ec2.CfnSecurityGroupIngress(stack, "Ingress", group_id=sg.attr_group_id, **rule)


def _inline_ingress(stack, *rules):
    ec2.CfnSecurityGroup(
        stack,
        "Group",
        group_description="lab",
        vpc_id=_vpc(stack).ref,
        security_group_ingress=[ec2.CfnSecurityGroup.IngressProperty(**r) for r in rules],
    )


def _instance(stack, instance_type="t3.micro", user_data=None, imdsv2=True):
    launch_template = ec2.CfnLaunchTemplate(
        stack,
        "LaunchTemplate",
        launch_template_data=ec2.CfnLaunchTemplate.LaunchTemplateDataProperty(
            metadata_options=ec2.CfnLaunchTemplate.MetadataOptionsProperty(
                http_tokens="required" if imdsv2 else "optional"
            )
        ),
    )
    ec2.CfnInstance(
        stack,
        "Instance",
        image_id="ami-0123456789abcdef0",
        instance_type=instance_type,
        launch_template=ec2.CfnInstance.LaunchTemplateSpecificationProperty(
            launch_template_id=launch_template.ref,
            version=launch_template.attr_latest_version_number,
        ),
        user_data=cdk.Fn.base64(user_data) if user_data else None,
    )


def _database(stack, removal=cdk.RemovalPolicy.DESTROY, **props):
    db = rds.CfnDBInstance(
        stack,
        "Database",
        engine="postgres",
        db_instance_class=props.pop("db_instance_class", "db.t3.micro"),
        allocated_storage="20",
        master_username="lab",
        manage_master_user_password=True,
        **props,
    )
    if removal is not None:
        db.apply_removal_policy(removal)


def _function(stack, with_log_group=True, **env):
    lambda_.Function(
        stack,
        "Function",
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return None\n"),
        environment=env or None,
        log_group=(
            logs.LogGroup(stack, "FunctionLogs", removal_policy=cdk.RemovalPolicy.DESTROY)
            if with_log_group
            else None
        ),
    )


def _bucket(stack, auto_delete):
    s3.Bucket(
        stack, "Bucket", removal_policy=cdk.RemovalPolicy.DESTROY, auto_delete_objects=auto_delete
    )
    if auto_delete:
        give_provider_functions_log_groups(stack)


Build = Callable[[cdk.Stack], None]
#: rule → [(case, builder, expected violation ids)]; an empty list means it passes.
CASES: Dict[str, List[Tuple[str, Build, List[str]]]] = {
    "CourseTags": [
        ("tagged like a lab", _vpc, []),
        (
            "a student name with a space",
            lambda s: cdk.Tags.of(_vpc(s)).add("Student", "Kim Minsu", priority=500),
            ["Week5-CourseTags[Student]"],
        ),
        (
            "Day and Lab tags removed",
            lambda s: _untag(_vpc(s), "Day", "Lab"),
            ["Week5-CourseTags[Day]", "Week5-CourseTags[Lab]"],
        ),
    ],
    "NoAdminPortsFromInternet": [
        (
            "SSH from one address, HTTPS from anywhere",
            lambda s: _inline_ingress(
                s,
                dict(ip_protocol="tcp", from_port=22, to_port=22, cidr_ip="203.0.113.7/32"),
                dict(ip_protocol="tcp", from_port=443, to_port=443, cidr_ip="0.0.0.0/0"),
            ),
            [],
        ),
        (
            "SSH from 0.0.0.0/0 as a separate ingress",
            lambda s: _ingress(s, ip_protocol="tcp", from_port=22, to_port=22, cidr_ip="0.0.0.0/0"),
            ["Week5-NoAdminPortsFromInternet"],
        ),
        (
            "RDP from ::/0 inline",
            lambda s: _inline_ingress(
                s, dict(ip_protocol="tcp", from_port=3389, to_port=3389, cidr_ipv6="::/0")
            ),
            ["Week5-NoAdminPortsFromInternet"],
        ),
        (
            "all traffic from anywhere",
            lambda s: _inline_ingress(s, dict(ip_protocol="-1", cidr_ip="0.0.0.0/0")),
            ["Week5-NoAdminPortsFromInternet"],
        ),
        (
            "a port range that spans 22",
            lambda s: _ingress(
                s, ip_protocol="tcp", from_port=1, to_port=1024, cidr_ip="0.0.0.0/0"
            ),
            ["Week5-NoAdminPortsFromInternet"],
        ),
        (
            "SSH from 0.0.0.0/1, half the internet",
            lambda s: _ingress(s, ip_protocol="tcp", from_port=22, to_port=22, cidr_ip="0.0.0.0/1"),
            ["Week5-NoAdminPortsFromInternet"],
        ),
        (
            "SSH from a /15 with host bits, wider than a /16",
            lambda s: _inline_ingress(
                s, dict(ip_protocol="tcp", from_port=22, to_port=22, cidr_ip="203.0.113.7/15")
            ),
            ["Week5-NoAdminPortsFromInternet"],
        ),
        (
            "SSH from one organisation's /16",
            lambda s: _ingress(
                s, ip_protocol="tcp", from_port=22, to_port=22, cidr_ip="10.20.0.0/16"
            ),
            [],
        ),
        (
            "RDP from an IPv6 /32, wider than a site's /48",
            lambda s: _inline_ingress(
                s,
                dict(ip_protocol="tcp", from_port=3389, to_port=3389, cidr_ipv6="2001:db8::/32"),
            ),
            ["Week5-NoAdminPortsFromInternet"],
        ),
        (
            "SSH from an IPv6 /64",
            lambda s: _inline_ingress(
                s,
                dict(ip_protocol="tcp", from_port=22, to_port=22, cidr_ipv6="2001:db8:1:2::/64"),
            ),
            [],
        ),
        (
            "HTTPS from 0.0.0.0/1: not an admin port",
            lambda s: _ingress(
                s, ip_protocol="tcp", from_port=443, to_port=443, cidr_ip="0.0.0.0/1"
            ),
            [],
        ),
    ],
    "DataPortsFromGroupsOnly": [
        (
            "PostgreSQL from the app's security group",
            lambda s: _ingress(
                s,
                ip_protocol="tcp",
                from_port=5432,
                to_port=5432,
                source_security_group_id="sg-0123456789abcdef0",
            ),
            [],
        ),
        (
            "PostgreSQL from the VPC's CIDR",
            lambda s: _ingress(
                s, ip_protocol="tcp", from_port=5432, to_port=5432, cidr_ip="10.0.0.0/16"
            ),
            ["Week5-DataPortsFromGroupsOnly[5432]"],
        ),
        (
            "all traffic from a CIDR opens every data port",
            lambda s: _inline_ingress(s, dict(ip_protocol="-1", cidr_ip="10.0.0.0/16")),
            [f"Week5-DataPortsFromGroupsOnly[{p}]" for p in ("11211", "3306", "5432", "6379")],
        ),
    ],
    "AllowedInstanceClasses": [
        ("t3.micro and db.t3.micro", lambda s: (_instance(s), _database(s)), []),
        (
            "an m5.large instance",
            lambda s: _instance(s, instance_type="m5.large"),
            ["Week5-AllowedInstanceClasses[m5.large]"],
        ),
        (
            "an r5 database",
            lambda s: _database(s, db_instance_class="db.r5.large"),
            ["Week5-AllowedInstanceClasses[db.r5.large]"],
        ),
        (
            "t3.medium declared on the stack with a reason",
            lambda s: (
                _instance(s, instance_type="t3.medium"),
                acknowledge(
                    s,
                    "Week5-AllowedInstanceClasses[t3.medium]",
                    "The load test needs 4 GiB of memory, which no small class has.",
                ),
            ),
            [],
        ),
    ],
    "NoRetainOnDelete": [
        ("a database deleted with the stack", _database, []),
        (
            "a retained volume",
            lambda s: ec2.CfnVolume(
                s, "Volume", availability_zone="ap-northeast-2a", size=1
            ).apply_removal_policy(cdk.RemovalPolicy.RETAIN),
            [
                "Week5-NoRetainOnDelete[DeletionPolicy:Retain]",
                "Week5-NoRetainOnDelete[UpdateReplacePolicy:Retain]",
            ],
        ),
        (
            "a database with no DeletionPolicy (CloudFormation snapshots it)",
            lambda s: _database(s, removal=None),
            ["Week5-NoRetainOnDelete[DeletionPolicy:Snapshot]"],
        ),
        (
            "automated backups kept after the database",
            lambda s: _database(s, delete_automated_backups=False),
            ["Week5-NoRetainOnDelete[DeleteAutomatedBackups:false]"],
        ),
    ],
    "BucketsEmptyThemselves": [
        ("auto_delete_objects", lambda s: _bucket(s, True), []),
        ("no auto-delete", lambda s: _bucket(s, False), ["Week5-BucketsEmptyThemselves"]),
    ],
    "NothingBlocksDeletion": [
        ("an unprotected database", _database, []),
        (
            "deletion protection",
            lambda s: _database(s, deletion_protection=True),
            ["Week5-NothingBlocksDeletion[DeletionProtection]"],
        ),
        (
            "a backup vault",
            lambda s: cdk.aws_backup.CfnBackupVault(s, "Vault", backup_vault_name="lab"),
            ["Week5-NothingBlocksDeletion[BackupVault]"],
        ),
        (
            "a protected load balancer",
            lambda s: cdk.aws_elasticloadbalancingv2.CfnLoadBalancer(
                s,
                "Alb",
                subnets=["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
                load_balancer_attributes=[{"key": "deletion_protection.enabled", "value": "true"}],
            ),
            ["Week5-NothingBlocksDeletion[deletion_protection.enabled]"],
        ),
    ],
    "LogGroupsRemoved": [
        ("a function with its own log group", _function, []),
        (
            "a function logging to the implicit /aws/lambda group",
            lambda s: _function(s, with_log_group=False),
            ["Week5-LogGroupsRemoved[ImplicitLambdaLogGroup]"],
        ),
        (
            "CDK's auto-delete provider left as CDK makes it",
            lambda s: s3.Bucket(
                s, "Bucket", removal_policy=cdk.RemovalPolicy.DESTROY, auto_delete_objects=True
            ),
            ["Week5-LogGroupsRemoved[ImplicitLambdaLogGroup]"],
        ),
        ("CDK's auto-delete provider given a log group", lambda s: _bucket(s, True), []),
        (
            "RDS log exports",
            lambda s: _database(s, enable_cloudwatch_logs_exports=["postgresql"]),
            ["Week5-LogGroupsRemoved[RdsLogExports]"],
        ),
    ],
    "NoPlaintextSecrets": [
        (
            "a password read from Secrets Manager at boot",
            lambda s: _instance(
                s,
                user_data="#!/bin/bash\nexport DB_PASSWORD=$(aws secretsmanager get-secret-value)\n",
            ),
            [],
        ),
        (
            "a password in user data",
            lambda s: _instance(s, user_data="#!/bin/bash\nexport DB_PASSWORD=hunter2\n"),
            ["Week5-NoPlaintextSecrets[DB_PASSWORD]"],
        ),
        (
            "the course's compose file inlined in user data",
            lambda s: _instance(
                s, user_data="services:\n  db:\n    environment:\n      DB_PASSWD: password\n"
            ),
            ["Week5-NoPlaintextSecrets[DB_PASSWD]"],
        ),
        (
            "a token in a function's environment",
            lambda s: _function(s, API_TOKEN="abc123", DB_SECRET_ARN="arn:aws:secretsmanager:x"),
            ["Week5-NoPlaintextSecrets[API_TOKEN]"],
        ),
        (
            "a literal master password",
            lambda s: rds.CfnDBInstance(
                s,
                "Database",
                engine="postgres",
                db_instance_class="db.t3.micro",
                allocated_storage="20",
                master_username="lab",
                master_user_password="password123",
            ).apply_removal_policy(cdk.RemovalPolicy.DESTROY),
            ["Week5-NoPlaintextSecrets[MasterUserPassword]"],
        ),
    ],
    "RequireImdsv2": [
        ("a launch template that requires tokens", _instance, []),
        (
            "IMDSv1 allowed",
            lambda s: _instance(s, imdsv2=False),
            ["Week5-RequireImdsv2"],
        ),
        (
            "an instance with no launch template",
            lambda s: ec2.CfnInstance(
                s, "Instance", image_id="ami-0123456789abcdef0", instance_type="t3.micro"
            ),
            ["Week5-RequireImdsv2"],
        ),
    ],
    "SeoulRegion": [("ap-northeast-2", _vpc, [])],
}


def _case_ids():
    return [(name, case) for name, cases in CASES.items() for case in cases]


@pytest.mark.parametrize(
    "rule_name, case", _case_ids(), ids=[f"{n}-{c[0]}" for n, c in _case_ids()]
)
def test_rule_fires_on_a_stack_that_breaks_it_and_passes_one_that_keeps_it(
    tmp_path, rule_name, case
):
    _, build, expected = case
    stack = lab_stack(tmp_path)
    build(stack)
    assert findings(stack, rule_name) == sorted(expected)


def test_every_rule_has_a_breaking_and_a_passing_case():
    assert set(CASES) == {rule.name for rule in RULES}
    for name, cases in CASES.items():
        if name == "SeoulRegion":  # its breaking stacks need another env: tested below
            continue
        assert any(not e for _, _, e in cases) and any(e for _, _, e in cases), name


@pytest.mark.parametrize(
    "env, expected",
    [
        (cdk.Environment(region="us-east-1"), ["Week5-SeoulRegion[us-east-1]"]),
        (None, ["Week5-SeoulRegion[unset]"]),  # environment-agnostic: wherever the CLI points
    ],
)
def test_region_rule_fires_outside_seoul(tmp_path, env, expected):
    stack = lab_stack(tmp_path, env=env)
    _vpc(stack)
    assert findings(stack, "SeoulRegion") == expected


def test_termination_protection_blocks_deletion(tmp_path):
    stack = lab_stack(tmp_path, termination_protection=True)
    _vpc(stack)
    assert findings(stack, "NothingBlocksDeletion") == [
        "Week5-NothingBlocksDeletion[StackTerminationProtection]"
    ]


def test_a_region_chosen_with_context_is_acknowledged_on_the_lab_stack(tmp_path):
    cdk_app = make_app(tmp_path, region="us-east-1", azs="us-east-1a,us-east-1b")
    lab = CATALOG.get("Day1Lab1")
    stack = LabStack(cdk_app, lab, CourseSettings.from_context(cdk_app.node.try_get_context))
    _vpc(stack)
    assert findings(stack, "SeoulRegion") == []


def test_rules_are_named_after_their_files_with_a_text_and_a_fix():
    files = sorted(p.stem for p in RULES_DIR.glob("*.py") if p.stem not in ("__init__", "base"))
    assert [rule.name for rule in RULES] == [pascal_case(f) for f in files]
    for rule in RULES:
        assert rule.rule_id == f"Week5-{rule.name}"
        assert len(rule.info) > 40 and len(rule.fix) > 40, rule.name


def test_acknowledging_a_rule_needs_a_reason(tmp_path):
    stack = lab_stack(tmp_path)
    with pytest.raises(ValueError, match="names the lab trade-off"):
        acknowledge(stack, "Week5-AllowedInstanceClasses[t3.medium]", "needed")


def test_the_pack_runs_at_synthesis_and_reports_like_cdk_nag(tmp_path):
    """enable_nag registers the pack: a broken stack fails `cdk synth` with the rule's id, its
    text and its fix in validation-report.json."""
    stack = lab_stack(tmp_path)
    enable_nag(stack.node.root)
    _ingress(stack, ip_protocol="tcp", from_port=22, to_port=22, cidr_ip="0.0.0.0/0")
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        stack.node.root.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    (week5,) = [p for p in report["pluginReports"] if p["pluginName"] == "Week5"]
    (violation,) = [
        v for v in week5["violations"] if v["ruleName"] == "Week5-NoAdminPortsFromInternet"
    ]
    assert "Fix: pass your own IP" in violation["description"]
    assert [c["constructPath"] for c in violation["violatingConstructs"]] == ["Case/Ingress"]


def test_a_rule_that_throws_is_reported_not_swallowed(tmp_path):
    broken = RULE_BY_NAME["CourseTags"].__class__(
        name="Broken", info="i" * 41, fix="f" * 41, check=lambda view: 1 / 0
    )
    stack = lab_stack(tmp_path)
    _vpc(stack)
    stack.node.root.synth()
    report = CourseChecks(rules=(broken,)).validate_scope(stack)
    (violation,) = report.violations
    assert violation.rule_name == "Week5-Broken" and "division by zero" in violation.description


def test_validate_scope_before_synthesis_says_to_synthesize(tmp_path):
    stack = lab_stack(tmp_path)
    _vpc(stack)
    with pytest.raises(Exception, match="synthesize the app"):
        CourseChecks().validate_scope(stack)


@pytest.mark.parametrize("lab_id", CATALOG.ids)
def test_every_lab_passes_the_course_rules(app, lab_id):
    report = CourseChecks().validate_scope(app.stacks[lab_id])
    assert [v.rule_name for v in report.violations] == []


def _readme_block(name: str) -> str:
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    return text.split(f"<!-- {name}:start -->")[1].split(f"<!-- {name}:end -->")[0]


def test_the_readme_lists_every_rule_of_the_pack():
    rows = [line for line in _readme_block("course-rules").splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == sorted(rule.rule_id for rule in RULES)
