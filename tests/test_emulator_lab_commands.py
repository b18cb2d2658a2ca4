"""The failure and effect steps the labs give as outputs, run in bash against the
session's emulator with every lab deployed (tests/emulated_labs.py), each checked by its effect:
Day 4 Challenge's 장애 테스트 (DbFailoverCommand, then DbAzCommand shows the AZs swapped;
KillWebInstanceCommand, then a replacement joins the target group), Day 3 Lab 1's Step 3 and 4
(SnapshotCommand, then the snapshot is listed; DeleteSnapshotCommand, then it is not) and
Day 4 Lab 1's 부하 테스트 and Day 4 case's 속보 트래픽 (LoadTestCommand, then Run Command has the
command for the group), and Day 2 case's RemoveInstallFolderCommand.

The tests template-check nothing: tests/test_case_event_commands.py and the labs' own test files
do. Each reads the deployed stack's outputs (as ``cdk deploy`` prints them) and runs the line in
bash, ``aws`` making each call through
boto3 at the emulator by botocore's model (tests/aws_cli_shim.py). What a test changes it
undoes (a second failover, the snapshot deleted), so the readers of the shared emulator and the
destroy that ends the session find the labs as deployed; an instance killed stays replaced, as
the group left it.

What the emulator cannot show: the load test's CPU load and the scaling it causes (moto runs no
command on an instance and has no CloudWatch metrics from them), and the ALB's answers during a
failover.
"""

from __future__ import annotations

import subprocess
from typing import Any, Dict, List

import pytest
from aws_cli_server import aws_on_path
from support import logical_id

#: One worker runs every test of the session's shared emulator (tests/emulated_labs.py).
pytestmark = pytest.mark.xdist_group("emulator")


@pytest.fixture(scope="module")
def cli(emulated_labs, tmp_path_factory):
    """``cli(line)``: the line run by bash, ``aws`` being tests/aws_cli_shim.py (the call made
    through boto3 by botocore's model at the emulator, printed as the AWS CLI prints it; one
    server process for the module: tests/aws_cli_server.py); the CompletedProcess."""
    folder = tmp_path_factory.mktemp("aws-cli")
    with aws_on_path(folder, emulated_labs.env) as env:

        def run(line: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                ["bash", "-c", line], env=env, cwd=folder, capture_output=True, text=True,
                timeout=120,
            )  # fmt: skip

        yield run


def deployed_outputs(emulated_labs, lab_id: str) -> Dict[str, str]:
    """The lab's outputs as the deploy printed them: key -> value."""
    stack_name = emulated_labs.labs[lab_id].stack_name
    (stack,) = emulated_labs.clients("cloudformation").describe_stacks(StackName=stack_name)[
        "Stacks"
    ]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def physical_id(emulated_labs, lab_id: str, construct: Any) -> str:
    """The deployed resource of the lab's ``construct``."""
    stack_name = emulated_labs.labs[lab_id].stack_name
    pages = emulated_labs.clients("cloudformation").get_paginator("list_stack_resources")
    (found,) = [
        s["PhysicalResourceId"]
        for page in pages.paginate(StackName=stack_name)
        for s in page["StackResourceSummaries"]
        if s["LogicalResourceId"] == logical_id(construct)
    ]
    return found


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


# --- Day 4 Challenge: 장애 테스트 ----------------------------------------------------------------


def test_day4_challenge_db_failover_swaps_the_database_and_standby_azs(emulated_labs, app, cli):
    shown = deployed_outputs(emulated_labs, "Day4Challenge")
    lab = app.stacks["Day4Challenge"]
    db = physical_id(emulated_labs, "Day4Challenge", lab.database.instance)
    assert f"--db-instance-identifier {db} " in shown["DbFailoverCommand"] + " "
    before = ok(cli(shown["DbAzCommand"])).split()
    primary, standby = before
    assert primary != standby and {primary, standby} <= {"ap-northeast-2a", "ap-northeast-2b"}
    try:
        ok(cli(shown["DbFailoverCommand"]))
        assert ok(cli(shown["DbAzCommand"])).split() == [standby, primary]
    finally:  # the other readers of the emulator find the database as deployed
        ok(cli(shown["DbFailoverCommand"]))
    assert ok(cli(shown["DbAzCommand"])).split() == before


def group_instances(cli, group: str) -> List[str]:
    line = (
        f"aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names {group} "
        "--query 'AutoScalingGroups[0].Instances[].InstanceId' --output text"
    )
    return ok(cli(line)).split()


def target_states(cli, target_group_arn: str) -> Dict[str, str]:
    line = (
        f"aws elbv2 describe-target-health --target-group-arn {target_group_arn} "
        "--query 'TargetHealthDescriptions[].[Target.Id,TargetHealth.State]' --output text"
    )
    return dict(row.split("\t") for row in ok(cli(line)).splitlines())


def test_day4_challenge_killed_web_instance_is_replaced_in_the_target_group(
    emulated_labs, app, cli
):
    shown = deployed_outputs(emulated_labs, "Day4Challenge")
    lab = app.stacks["Day4Challenge"]
    group = physical_id(emulated_labs, "Day4Challenge", lab.web.asg)
    target_group = physical_id(emulated_labs, "Day4Challenge", lab.web.target_group)
    assert f"--auto-scaling-group-names {group} " in shown["KillWebInstanceCommand"]
    before = group_instances(cli, group)
    assert len(before) == 2
    assert target_states(cli, target_group) == {i: "healthy" for i in before}
    killed = before[0]  # the command's look-up: the group's first instance
    ok(cli(shown["KillWebInstanceCommand"]))
    after = group_instances(cli, group)
    assert killed not in after and len(after) == 2  # the desired capacity kept
    (replacement,) = set(after) - set(before)
    states = target_states(cli, target_group)
    assert {i: states.get(i) for i in after} == {i: "healthy" for i in after}
    assert states.get(killed) in (None, "draining", "unused")
    assert states[replacement] == "healthy"


# --- Day 3 Lab 1: Step 3 스냅샷, Step 4 삭제 -------------------------------------------------------


def test_day3_lab1_snapshot_is_listed_for_the_database_then_deleted(emulated_labs, app, cli):
    shown = deployed_outputs(emulated_labs, "Day3Lab1")
    lab = app.stacks["Day3Lab1"]
    db = physical_id(emulated_labs, "Day3Lab1", lab.database.instance)
    snapshot = shown["DeleteSnapshotCommand"].rsplit(" ", 1)[-1]
    assert snapshot == "week5-instructor-day3-manual"
    listing = (
        f"aws rds describe-db-snapshots --db-instance-identifier {db} --snapshot-type manual "
        "--query 'DBSnapshots[].[DBSnapshotIdentifier,DBInstanceIdentifier,Status]' "
        "--output text"
    )
    assert ok(cli(listing)) == ""  # none before the step
    try:
        ok(cli(shown["SnapshotCommand"]))
        assert ok(cli(listing)).splitlines() == [f"{snapshot}\t{db}\tavailable"]
        ok(cli(shown["DeleteSnapshotCommand"]))  # Step 4
        assert ok(cli(listing)) == ""
    finally:  # the destroy at the end must find no manual snapshot (SnapshotCleanup's Lambda
        # does not run on the emulator), whatever failed above
        rds = emulated_labs.clients("rds")
        for left in rds.describe_db_snapshots(DBInstanceIdentifier=db, SnapshotType="manual")[
            "DBSnapshots"
        ]:
            rds.delete_db_snapshot(DBSnapshotIdentifier=left["DBSnapshotIdentifier"])


# --- Day 4 Lab 1: 부하 테스트 ------------------------------------------------------------------


def sent_commands(cli, line: str) -> Dict[str, Any]:
    """Run Command's record of the command ``line`` (an ``aws ssm send-command``) sent: its
    document, target, instances and shell commands."""
    command_id = ok(cli(line + " --query Command.CommandId --output text")).strip()
    command = f"aws ssm list-commands --command-id {command_id} --query 'Commands[0]."
    sent = ok(cli(command + "[DocumentName,Targets[0].Key,Targets[0].Values[0]]' --output text"))
    document, key, group = sent.rstrip("\n").split("\t")
    return {
        "document": document,
        "target": (key, group),
        "instances": sorted(ok(cli(command + "InstanceIds' --output text")).split()),
        "commands": ok(cli(command + "Parameters.commands' --output text")).rstrip("\n").split(
            "\t"
        ),
    }


def test_day4_lab1_load_test_sends_stress_ng_to_the_groups_instances(emulated_labs, app, cli):
    """Run Command finds the group's instances by the tag Auto Scaling puts on each; the load
    itself (stress-ng on every vCPU) and the scale-out it causes the emulator cannot show.
    The commands go as shorthand in single quotes, in one double-quoted word: no double quote
    inside for Windows PowerShell 5.1 to strip (tests/test_outputs_powershell.py)."""
    shown = deployed_outputs(emulated_labs, "Day4Lab1")
    lab = app.stacks["Day4Lab1"]
    group = physical_id(emulated_labs, "Day4Lab1", lab.web.asg)
    members = group_instances(cli, group)
    assert len(members) == 2
    assert shown["LoadTestCommand"].endswith(
        "--parameters \"commands=['dnf install -y stress-ng','stress-ng --cpu 0 --timeout 600s']\""
    )
    assert sent_commands(cli, shown["LoadTestCommand"]) == {
        "document": "AWS-RunShellScript",
        "target": ("tag:aws:autoscaling:groupName", group),
        "instances": sorted(members),
        "commands": ["dnf install -y stress-ng", "stress-ng --cpu 0 --timeout 600s"],
    }


def test_day4_case_load_test_sends_the_whole_loop_to_the_news_servers(emulated_labs, app, cli):
    """The loop (a pipe, braces, ``;`` and ``&``) reaches Run Command as one command, with the
    deployed PopularUrl in it; the requests it would send the emulator cannot show."""
    from stacks.day4 import LOAD_TEST_SECONDS, NEWS_LOAD_PER_SECOND

    shown = deployed_outputs(emulated_labs, "Day4Case")
    lab = app.stacks["Day4Case"]
    group = physical_id(emulated_labs, "Day4Case", lab.news.asg)
    loop = (
        f"seq {LOAD_TEST_SECONDS} | {{ while read i; do yes {shown['PopularUrl']} | head -n "
        f"{NEWS_LOAD_PER_SECOND} | xargs curl -s --max-time 10 > /dev/null & sleep 1; done; "
        "wait; }"
    )
    assert shown["LoadTestCommand"].endswith(f"--parameters \"commands=['{loop}']\"")
    sent = sent_commands(cli, shown["LoadTestCommand"])
    assert sent["target"] == ("tag:aws:autoscaling:groupName", group)
    assert sent["instances"] == sorted(group_instances(cli, group))
    assert sent["commands"] == [loop]


def test_day2_case_install_folder_removal_reaches_every_shop_instance(emulated_labs, app, cli):
    """RemoveInstallFolderCommand prints the command's id itself (``--query`` in the line)."""
    shown = deployed_outputs(emulated_labs, "Day2Case")
    lab = app.stacks["Day2Case"]
    group = physical_id(emulated_labs, "Day2Case", lab.shop.asg)
    line = shown["RemoveInstallFolderCommand"]
    assert line.endswith(" --query Command.CommandId --output text")
    sent = sent_commands(cli, line.removesuffix(" --query Command.CommandId --output text"))
    assert sent["target"] == ("tag:aws:autoscaling:groupName", group)
    assert sent["commands"] == ["rm -rf /mnt/efs/prestashop/install"]
