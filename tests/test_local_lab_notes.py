"""`week5 local`'s notes say only what the lab has. A student trial (T17-B) read, for Day3Lab2
(a cache, no alarm, no failure test), that "no alarm goes off by itself" and that the outputs
include "the guide's failure tests"; for Day5Lab1, of a ``WatchScalingCommand`` it has no
output for; and for Day2Lab2 and Day5Lab1, that `cdk destroy` leaves what "only those
functions delete", though status, cleanup and boto3 found nothing left after it.

The header's alarm clause follows the template's ``AWS::CloudWatch::Alarm`` resources, an
output is named only where the lab has it, the failure tests where an output runs one of the
course's (week5/constructs/commands.py), and the destroy warning only for the custom resources
whose work at destroy the emulator does not do (moto_models/s3_bucket.py empties a bucket
tagged for auto-delete; a ``BucketDeployment`` deletes nothing at destroy).

The first tests format made-up read-backs; the last one reads every lab's deployed read-back
and template from the session's emulator (tests/emulated_labs.py).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Dict, List

import pytest

from week5.cli import local as local_command
from week5.constructs.commands import (
    cache_failover_command,
    failover_command,
    terminate_instance_command,
)
from week5.operations import local

REGION = "ap-northeast-2"
ALARM = {"Type": "AWS::CloudWatch::Alarm", "Properties": {"MetricName": "CPUUtilization"}}
GROUP = {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {}}
WITH_ALARM = {"Resources": {"Group": GROUP, "CpuAlarm": ALARM}}
WITHOUT_ALARM = {"Resources": {"Group": GROUP}}
SCALING_WATCHED = "WatchScalingCommand shows no activity"
SNAPSHOTS = "Custom::Week5SnapshotCleanup"
AUTO_DELETE = "Custom::S3AutoDeleteObjects"
DEPLOYMENT = "Custom::CDKBucketDeployment"


def output(key: str, value: str) -> Dict[str, Any]:
    return {"key": key, "description": "", "value": value, "skipped": []}


def lab(outputs: List[Dict[str, Any]], *, balancer=False, group=False, store=False):
    """A read-back with what :func:`outputs_header` reads."""
    return SimpleNamespace(
        outputs=outputs,
        load_balancers=[{}] if balancer else [],
        auto_scaling_groups=[{}] if group else [],
        databases=[{}] if store else [],
        caches=[],
    )


def read_back(functions_not_run: Dict[str, int]) -> local.ReadBack:
    return local.ReadBack(
        stack_name="week5-kim-Day2Lab2",
        coverage=local.Coverage(4, 4),
        subnets=[],
        vpcs=[],
        security_groups=[],
        instances=[],
        load_balancers=[],
        auto_scaling_groups=[],
        databases=[],
        functions_not_run=functions_not_run,
    )


def test_a_cache_lab_without_alarms_or_failure_tests_hears_of_neither():
    """Day3Lab2's case: a cache, its outputs URLs, its template no alarm."""
    back = lab([output("AppUrl", "http://13.0.0.1"), output("RedisEndpoint", "r.cache")],
               store=True)  # fmt: skip
    header = local_command.outputs_header(back)
    assert "alarm" not in header and "failure test" not in header
    assert "a reboot or failover is over at once" in header
    with_template = local_command.outputs_header(back, {"Resources": {}})
    assert with_template == header


def test_the_alarm_clause_follows_the_templates_alarms():
    back = lab([output("AlbUrl", "http://alb")], balancer=True, group=True)
    assert local_command._ALARMS in local_command.outputs_header(back, WITH_ALARM)
    for template in (WITHOUT_ALARM, None):
        assert "alarm" not in local_command.outputs_header(back, template)
    assert local_command.has_alarms(WITH_ALARM) and not local_command.has_alarms(WITHOUT_ALARM)


def test_watch_scaling_command_is_named_only_where_the_lab_has_it():
    """Day5Lab1's case: a group and a scaling policy, no WatchScalingCommand output."""
    health = output("ApiHealthUrl", "http://alb/api/health")
    day5 = local_command.outputs_header(
        lab([health], balancer=True, group=True, store=True), WITH_ALARM
    )
    assert "WatchScalingCommand" not in day5
    assert "no scaling policy acts (skipped; `aws autoscaling set-desired-capacity" in day5
    assert "no alarm goes off by itself" in day5
    watch = output("WatchScalingCommand", "aws autoscaling describe-scaling-activities --x y")
    day4 = local_command.outputs_header(lab([watch], balancer=True, group=True))
    assert f"no scaling policy acts (skipped: {SCALING_WATCHED}; " in day4


def test_the_outputs_that_send_a_command_are_the_ones_named():
    """Day2Case sends RemoveInstallFolderCommand, not LoadTestCommand; Day4Lab1 LoadTestCommand."""
    remove = output("RemoveInstallFolderCommand", "aws ssm send-command --document-name x")
    header = local_command.outputs_header(lab([remove], group=True))
    assert "(RemoveInstallFolderCommand runs nothing)" in header
    assert "LoadTestCommand" not in header
    load = output("LoadTestCommand", "aws ssm send-command --document-name y")
    assert "(LoadTestCommand loads nothing)" in local_command.outputs_header(lab([load]))
    assert "send-command" not in local_command.outputs_header(lab([output("Url", "http://a")]))


def test_the_failure_tests_are_said_and_named_where_the_outputs_run_them():
    """The course's failure tests as the labs build them (Day3Case, Day4Challenge,
    Day5Challenge); a lab with only a watch or an AZ query has none."""
    tests = [
        output("DbFailoverCommand", failover_command("week5-kim-db", region=REGION)),
        output("CacheFailoverCommand", cache_failover_command("week5-kim-cache", region=REGION)),
        output("KillBackendInstanceCommand", terminate_instance_command("web", region=REGION)),
    ]
    watch = output("WatchScalingCommand", "aws autoscaling describe-scaling-activities --x y")
    back = lab([watch, *tests], balancer=True, group=True, store=True)
    assert local_command.failure_tests(back) == [
        "DbFailoverCommand", "CacheFailoverCommand", "KillBackendInstanceCommand"
    ]
    header = local_command.outputs_header(back)
    assert (
        "the other API calls work, the guide's failure tests (DbFailoverCommand, "
        "CacheFailoverCommand, KillBackendInstanceCommand) included, but nothing runs behind "
        "them: "
    ) in header
    without = local_command.outputs_header(lab([watch], balancer=True, group=True, store=True))
    assert "failure test" not in without
    assert "the other API calls work, but nothing runs behind them: " in without
    assert local_command.outputs_header(lab([])) == local_command.OUTPUTS_HEADER_START + ")"


@pytest.mark.parametrize(
    "functions",
    [
        {},
        {AUTO_DELETE: 1},
        {DEPLOYMENT: 1, AUTO_DELETE: 1},  # Day2Lab2's and Day5Lab1's
    ],
)
def test_destroy_promises_all_where_the_emulator_does_the_functions_work(functions):
    lines = local_command.format_read_back("Day2Lab2", read_back(functions)).splitlines()
    assert local_command.DESTROY_HERE + "." in lines
    assert not [line for line in lines if "not what only" in line]


def test_destroy_names_the_functions_whose_work_at_destroy_is_not_done_here():
    """Day2Lab1's snapshot clean-up: a snapshot taken by hand stays after destroy."""
    lines = local_command.format_read_back("Day2Lab1", read_back({SNAPSHOTS: 1})).splitlines()
    assert (
        "cdk destroy removes the stack's resources here too, but not what only "
        "Custom::Week5SnapshotCleanup's function deletes on AWS: with --keep, destroy the lab "
        "there and check what is left."
    ) in lines
    assert local_command.DESTROY_HERE + "." not in lines
    both = local_command.destroy_note({SNAPSHOTS: 1, AUTO_DELETE: 1, "Custom::Other": 2})
    assert "but not what only the functions of Custom::Other and " in both
    assert f"{SNAPSHOTS} delete on AWS" in both and AUTO_DELETE not in both


@pytest.mark.xdist_group("emulator")
def test_every_deployed_labs_notes_say_only_what_it_has(emulated_labs):
    """Over the session's deployed labs: the alarm clause where the template has an alarm, the
    outputs named where the lab has them, the failure tests where an output runs one, and the
    destroy warning only for functions whose work the emulator does not do."""
    failing, warned = set(), set()
    for lab_id, back in emulated_labs.results.items():
        assert not isinstance(back, str), f"{lab_id} did not deploy: {back}"
        template = emulated_labs.labs[lab_id].template
        resources = template["Resources"].values()
        alarms = any(r["Type"] == "AWS::CloudWatch::Alarm" for r in resources)
        printed = local_command.format_read_back(lab_id, back, template)
        header = local_command.outputs_header(back, template)
        if back.outputs:
            assert f"\n\n{header}\n" in printed
        assert ("no alarm goes off" in header) == alarms, lab_id
        keys = template.get("Outputs", {})
        for key in ("WatchScalingCommand", "LoadTestCommand"):
            assert (key in header) == (key in keys), (lab_id, key)
        if "failure tests" in header:
            failing.add(lab_id)
        warned.update(lab_id for line in printed.splitlines() if "not what only" in line)
        destroy_all = local_command.DESTROY_HERE + "." in printed.splitlines()
        assert destroy_all == (lab_id not in warned), lab_id
    session = set(emulated_labs.results)
    assert failing == {"Day3Case", "Day4Challenge", "Day5Challenge"} & session
    # Only the labs with the snapshot clean-up; Day2Lab2 and Day5Lab1 (S3 auto-delete and a
    # BucketDeployment) left nothing after destroy in the trial.
    assert warned == {"Day2Lab1", "Day3Lab1"} & session
    for trial in ("Day3Lab2", "Day5Lab1"):
        if trial in session:
            header = local_command.outputs_header(emulated_labs.results[trial],
                                                  emulated_labs.labs[trial].template)  # fmt: skip
            assert "failure test" not in header and "WatchScalingCommand" not in header
    if "Day3Lab2" in session:
        assert "alarm" not in local_command.outputs_header(
            emulated_labs.results["Day3Lab2"], emulated_labs.labs["Day3Lab2"].template
        )
