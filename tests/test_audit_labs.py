"""`week5 audit` against the project's own deployment of every lab on the emulator: the
session's assembly deployed once with the real CDK CLI into moto's server with the project's
CloudFormation models (tests/emulated_labs.py, shared with test_local and test_emulator_labs). Each lab passes every check, as
the reference should; a mistake made on a deployed Auto Scaling lab (a group left in one AZ,
SSH from the world, a database port open to a range) fails its check; the command answers
with one line and exit 2 when AWS cannot be reached.
"""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any, Dict

import pytest
from support import ROOT

from stacks.catalog import CATALOG
from week5.analysis.topology import extract
from week5.cli.synthesis import tool_env
from week5.core.tags import tag_filter
from week5.operations.audit import audit, audit_site, find_vpc, read_account

#: One worker runs every test of the session's shared emulator (tests/emulated_labs.py).
pytestmark = pytest.mark.xdist_group("emulator")

#: The Student tag of the project's own deployment (no -c student).
STUDENT = "instructor"


@pytest.fixture(scope="module")
def deployed(emulated_labs):
    """Every lab deployed into the session's emulator: (lab id → lab, clients, env)."""
    for lab_id, lab in emulated_labs.labs.items():
        result = emulated_labs.results[lab_id]
        assert not isinstance(result, str), f"{lab_id} did not deploy on the emulator: {result}"
    return emulated_labs.labs, emulated_labs.clients, emulated_labs.env


def lab_tags(lab: Any) -> Dict[str, str]:
    return tag_filter(lab.day, lab.kind, STUDENT)


def checks_of(lab: Any, clients: Any) -> Dict[str, Any]:
    tags = lab_tags(lab)
    vpcs = extract(lab.template).vpcs
    if not vpcs:
        return {c.name: c for c in audit_site(lab.template, clients, tags)}
    vpc = find_vpc(clients("ec2"), tags, vpcs[0].name)
    assert vpc is not None, f"no VPC tagged {tags}"
    return {c.name: c for c in audit(lab.template, read_account(clients, vpc, tags), tags)}


def lab_or_skip(deployed, lab_id: str) -> Any:
    labs, _, _ = deployed
    if lab_id not in labs:
        pytest.skip(f"{lab_id} not synthesized (WEEK5_TEST_LABS)")
    return labs[lab_id]


@pytest.mark.parametrize("lab_id", CATALOG.ids)
def test_the_projects_own_deployment_passes_every_check(deployed, lab_id):
    lab = lab_or_skip(deployed, lab_id)
    checks = checks_of(lab, deployed[1])
    assert [str(c) for c in checks.values() if not c.passed] == []
    if extract(lab.template).vpcs and any(
        r["Type"] == "AWS::AutoScaling::AutoScalingGroup"
        for r in lab.template["Resources"].values()
    ):
        # Its instances are the group's, not stand-alone ones the lab does not run.
        assert "Auto Scaling" in checks["instance-types"].evidence
        assert checks["unexpected-resources"].evidence == "nothing beyond the lab"


def _group_of(lab: Any, clients: Any) -> Dict[str, Any]:
    summaries = clients("cloudformation").list_stack_resources(StackName=lab.stack_name)[
        "StackResourceSummaries"
    ]
    (name,) = [
        s["PhysicalResourceId"]
        for s in summaries
        if s["ResourceType"] == "AWS::AutoScaling::AutoScalingGroup"
    ]
    (group,) = clients("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[name])[
        "AutoScalingGroups"
    ]
    return group


def test_a_group_left_in_one_az_fails_auto_scaling(deployed):
    lab = lab_or_skip(deployed, "Day4Lab1")
    clients = deployed[1]
    group = _group_of(lab, clients)
    subnets = group["VPCZoneIdentifier"]
    autoscaling = clients("autoscaling")
    autoscaling.update_auto_scaling_group(
        AutoScalingGroupName=group["AutoScalingGroupName"], VPCZoneIdentifier=subnets.split(",")[0]
    )
    try:
        checks = checks_of(lab, clients)
    finally:
        autoscaling.update_auto_scaling_group(
            AutoScalingGroupName=group["AutoScalingGroupName"], VPCZoneIdentifier=subnets
        )
    failed = {n for n, c in checks.items() if not c.passed}
    assert failed == {"auto-scaling"}, [str(c) for c in checks.values()]
    assert "missing ap-northeast-2" in checks["auto-scaling"].evidence


@pytest.mark.parametrize(
    "lab_id, port, source, check",
    [
        ("Day4Lab1", 22, "0.0.0.0/0", "ssh-rdp-from-internet"),
        ("Day3Lab1", 5432, "10.0.0.0/16", "databases-from-groups-only"),
    ],
    ids=["ssh from the world", "database open to a range"],
)
def test_a_rule_opened_on_a_deployed_lab_fails_its_check(deployed, lab_id, port, source, check):
    lab = lab_or_skip(deployed, lab_id)
    clients = deployed[1]
    ec2 = clients("ec2")
    vpc = find_vpc(ec2, lab_tags(lab), extract(lab.template).vpcs[0].name)
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])[
        "SecurityGroups"
    ]
    target = next(g for g in groups if g["GroupName"] != "default")["GroupId"]
    permission = {
        "IpProtocol": "tcp",
        "FromPort": port,
        "ToPort": port,
        "IpRanges": [{"CidrIp": source}],
    }
    ec2.authorize_security_group_ingress(GroupId=target, IpPermissions=[permission])
    try:
        checks = checks_of(lab, clients)
    finally:
        ec2.revoke_security_group_ingress(GroupId=target, IpPermissions=[permission])
    assert {n for n, c in checks.items() if not c.passed} == {check}
    assert f"admits {port} from {source}" in checks[check].evidence


def run_week5(*args: str, env: Dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "week5", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_the_command_passes_a_deployed_auto_scaling_lab(deployed, app):
    lab_or_skip(deployed, "Day4Lab1")
    _, _, env = deployed
    result = run_week5(
        "audit", "Day4Lab1", "--student", STUDENT, "--assembly", str(app.outdir), env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS  auto-scaling: as the lab" in result.stdout
    assert "Day4Lab1: 9 passed, 0 failed." in result.stdout


@pytest.mark.parametrize(
    "extra, env_change, says",
    [
        (
            (),
            {"AWS_ENDPOINT_URL": "http://localhost:9", "AWS_MAX_ATTEMPTS": "1"},
            "cannot reach AWS",
        ),
        (("--region", "seoul"), {}, "is not an AWS region name"),
        (("--profile", "nobody-has-this"), {}, "'nobody-has-this'"),
    ],
    ids=["unreachable", "bad region", "unknown profile"],
)
def test_aws_problems_are_one_line_and_exit_2(app, extra, env_change, says):
    lab_id = next(iter(app.templates))
    env = {
        **tool_env(ROOT),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": "/nonexistent",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        **env_change,
    }
    for command in (
        ("audit", lab_id, "--assembly", str(app.outdir), *extra),
        ("cleanup", "--day", "Day1", *extra),
    ):
        result = run_week5(*command, env=env)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        *progress, last = result.stderr.strip().splitlines()
        assert says in last and last.startswith("week5: "), result.stderr
        assert all(line.startswith("==> ") for line in progress), result.stderr


@pytest.mark.parametrize(
    "db_id, passes",
    [(f"week5-{STUDENT}-day3-restored", True), (f"week5-{STUDENT}-day3-mine", False)],
    ids=["the guide's restore", "one of the student's own"],
)
def test_the_guides_restored_database_is_named_with_its_outputs(deployed, db_id, passes):
    """Day3Lab1's Step 3 restores ``week5-<student>-day3-restored`` (RestoreDbCommand): a trial's
    audit failed the guide's own step twice (instance-types, unexpected-resources). It is named
    with the outputs that make and delete it, priced, and fails nothing; another database in
    the lab's VPC still fails both checks."""
    lab = lab_or_skip(deployed, "Day3Lab1")
    clients = deployed[1]
    rds = clients("rds")
    vpc = find_vpc(clients("ec2"), lab_tags(lab), extract(lab.template).vpcs[0].name)
    (own,) = [
        db
        for db in rds.describe_db_instances()["DBInstances"]
        if db["DBSubnetGroup"]["VpcId"] == vpc["VpcId"]
    ]
    rds.create_db_instance(
        DBInstanceIdentifier=db_id,
        DBInstanceClass=own["DBInstanceClass"],
        Engine=own["Engine"],
        MasterUsername="postgres",
        MasterUserPassword="not-a-secret-1",
        DBSubnetGroupName=own["DBSubnetGroup"]["DBSubnetGroupName"],
        VpcSecurityGroupIds=[g["VpcSecurityGroupId"] for g in own["VpcSecurityGroups"]],
        Tags=[{"Key": k, "Value": v} for k, v in lab_tags(lab).items()],
        # as Multi-AZ as the lab's: it sorts first, and must not pass for the lab's own (D19)
        MultiAZ=own["MultiAZ"],
    )
    try:
        checks = checks_of(lab, clients)
    finally:
        rds.delete_db_instance(DBInstanceIdentifier=db_id, SkipFinalSnapshot=True)
    failed = {n for n, c in checks.items() if not c.passed}
    evidence = checks["unexpected-resources"].evidence
    assert checks["multi-az"].evidence.count(own["DBInstanceIdentifier"]) == 1, checks["multi-az"]
    if passes:
        assert failed == set(), [str(c) for c in checks.values()]
        assert db_id not in checks["multi-az"].evidence
        assert re.fullmatch(
            rf"RDS {db_id} db\.t3\.micro \(\$0\.0\d+/h\), which the RestoreDbCommand output "
            r"made: DeleteRestoredDbCommand deletes it when the step is done; \$0\.0\d+/h in all",
            evidence,
        ), evidence
    else:
        assert failed == {"instance-types", "unexpected-resources"}, evidence
        assert evidence.startswith(f"RDS {db_id} db.t3.micro") and "output" not in evidence
