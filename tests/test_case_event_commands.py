"""The commands that drive and watch the failure and scaling events of Day 4 and Day 5: a trial
found Day5Challenge (고가용성, 30 % of the grade) with no failover or instance-kill command,
Day4Case teaching "ASG: 트래픽 급증 시 자동 확장" with no group, load or scaling output, and
Day4Challenge's failover promising the other AZ with nothing that shows an AZ.

Each output's exact text, each line run in bash with a fake ``aws`` that records what it was
handed, and each call checked against botocore's model of the operation (its name, its
options, the ones it requires): a typo fails here, not in class. The builders in
``week5/constructs/commands.py`` are tested on their own at the end.
"""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path
from typing import Dict, List

import botocore.session
import pytest
from botocore import xform_name
from botocore.exceptions import DataNotFoundError
from aws_cli_on_moto import CLI_PAGING_OPTIONS, shorthand
from lab_outputs import outputs, run
from support import logical_id, props, resources

from week5.constructs.commands import (
    SINGLE_SHARD_NODE_GROUP,
    cache_failover_command,
    db_az_command,
    health_watch_command,
    request_load,
    scaling_activities_command,
    terminate_instance_command,
)
from week5.core.errors import CourseInputError

REGION = "ap-northeast-2"
#: Options the AWS CLI takes for every operation (not the operation's own members).
CLI_GLOBAL_OPTIONS = {"region", "query", "output", "profile", "endpoint-url", "no-cli-pager"}
#: What the fake ``aws`` answers: an instance id for a ``$(...)`` look-up.
FAKE_INSTANCE = "i-0fake0000000000000"
#: botocore's models, as the AWS CLI reads them.
SESSION = botocore.session.get_session()


# --- running a line, and checking each `aws` call against botocore ---------------------------


@pytest.fixture
def fake_tools(tmp_path) -> Path:
    """A folder with an ``aws`` that records each call's arguments (one JSON list a line) in
    ``calls`` and prints an instance id; a ``curl`` that records its arguments in ``curls``
    and prints a health answer; a ``sleep`` that ends the shell that called it (a watch loop
    runs once)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, log, answer in (
        ("aws", "calls", FAKE_INSTANCE),
        ("curl", "curls", '{"status":"ok"}'),
    ):
        script = bin_dir / name
        script.write_text(
            "#!/usr/bin/env python3\n"
            "import json, sys\n"
            f"with open({str(tmp_path / log)!r}, 'a') as f:\n"
            "    f.write(json.dumps(sys.argv[1:]) + '\\n')\n"
            f"print({answer!r})\n"
        )
        script.chmod(0o755)
    sleep = bin_dir / "sleep"
    sleep.write_text("#!/bin/bash\nkill -TERM $PPID\n")
    sleep.chmod(0o755)
    return bin_dir


def recorded(fake_tools: Path, log: str) -> List[List[str]]:
    path = fake_tools.parent / log
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def check_cli_call(args: List[str]) -> None:
    """``aws <service> <command> --option value ...`` names an operation of botocore's model
    and only its members (a boolean as a bare ``--flag`` or ``--no-flag``), every member it
    requires, the CLI's own options, and the paging options only where it paginates."""
    service, command, rest = args[0], args[1], args[2:]
    model = SESSION.get_service_model(service)
    by_cli = {xform_name(op, "-"): op for op in model.operation_names}
    assert command in by_cli, f"{service} has no operation {command}: {args}"
    operation = by_cli[command]
    shape = model.operation_model(operation).input_shape
    members = {xform_name(m, "-"): s for m, s in shape.members.items()}
    try:
        SESSION.get_paginator_model(service).get_paginator(operation)
        paging = CLI_PAGING_OPTIONS
    except (DataNotFoundError, ValueError):  # no paginators for the service, or the operation
        paging = set()
    given, index = set(), 0
    while index < len(rest):
        word = rest[index]
        assert word.startswith("--"), f"{word!r} is not an option: {args}"
        option = word[2:]
        member = members.get(option)
        if member is None and option.startswith("no-"):
            member = members.get(option[3:])
            assert member is not None and member.type_name == "boolean", (option, args)
            given.add(option[3:])
            index += 1
            continue
        if member is not None and member.type_name == "boolean":
            given.add(option)
            index += 1
            continue
        assert member is not None or option in CLI_GLOBAL_OPTIONS | paging, (
            f"{service} {command} has no option --{option}: {args}"
        )
        assert index + 1 < len(rest) and not rest[index + 1].startswith("--"), (option, args)
        given.add(option)
        index += 2
    required = {xform_name(m, "-") for m in shape.required_members}
    assert required <= given, (f"{service} {command} needs", required - given, args)


def run_and_check(command: str, stand_ins: Dict[str, str], fake_tools: Path):
    """Run the line in bash with the fakes first on PATH; check every ``aws`` call it made. A
    line that is not a loop must end well (a loop ends at the fake ``sleep``)."""
    done = run(command, stand_ins, path=str(fake_tools))
    assert "syntax error" not in done.stderr, done.stderr
    if not command.startswith("while "):
        assert done.returncode == 0, done.stderr
    calls = recorded(fake_tools, "calls")
    assert calls, f"no aws call in {command!r}"
    for call in calls:
        check_cli_call(call)
    return done, calls


# --- Day 5 Challenge: 1 고가용성, tested in step 3 ---------------------------------------------


@pytest.fixture(scope="module")
def day5(app):
    return app.stacks["Day5Challenge"], app.templates["Day5Challenge"]


def test_day5_challenge_has_a_failover_for_each_store_a_kill_and_a_watch(day5, fake_tools):
    lab, t = day5
    shown = outputs(t)
    db = logical_id(lab.cloudmart.database.instance)
    cache = logical_id(lab.cloudmart.cache.replication_group)
    asg = logical_id(lab.cloudmart.backend.asg)
    target_group = logical_id(lab.cloudmart.backend.target_group)
    (dist,) = resources(t, "AWS::CloudFront::Distribution")
    assert shown["DbFailoverCommand"] == (
        f"aws rds reboot-db-instance --region {REGION} --db-instance-identifier <{db}> "
        "--force-failover"
    )
    assert shown["CacheFailoverCommand"] == (
        f"aws elasticache test-failover --region {REGION} --replication-group-id <{cache}> "
        "--node-group-id 0001"
    )
    assert shown["KillBackendInstanceCommand"] == (
        f"aws autoscaling terminate-instance-in-auto-scaling-group --region {REGION} "
        "--no-should-decrement-desired-capacity --instance-id "
        f"$(aws autoscaling describe-auto-scaling-groups --region {REGION} "
        f"--auto-scaling-group-names <{asg}> "
        "--query 'AutoScalingGroups[0].Instances[?LifecycleState==`InService`].InstanceId | [0]' "
        "--output text)"
    )
    assert shown["FailoverWatchCommand"] == (
        f"while true; do date +%T; curl -s --max-time 5 {shown['ApiHealthUrl']}; echo; "
        f"aws elbv2 describe-target-health --region {REGION} --target-group-arn "
        f"<{target_group}> "
        "--query 'TargetHealthDescriptions[].[Target.Id,TargetHealth.State]' --output text; "
        "sleep 5; done"
    )
    assert shown["ApiHealthUrl"] == f"https://<{dist}.DomainName>/api/health/deep"
    # What each command acts on can take it: a standby, a replica with automatic failover in
    # the one shard ("0001": no cluster mode), a group that replaces what it loses.
    (db_props,) = props(t, "AWS::RDS::DBInstance")
    assert db_props["MultiAZ"] is True
    (redis,) = props(t, "AWS::ElastiCache::ReplicationGroup")
    assert redis["NumCacheClusters"] == 2 and redis["AutomaticFailoverEnabled"] is True
    assert "NumNodeGroups" not in redis and "NodeGroupConfiguration" not in redis
    (group,) = props(t, "AWS::AutoScaling::AutoScalingGroup")
    assert group["MinSize"] == "2" and group["HealthCheckType"] == "ELB"


@pytest.mark.parametrize(
    "key, operations",
    [
        ("DbFailoverCommand", [["rds", "reboot-db-instance"]]),
        ("CacheFailoverCommand", [["elasticache", "test-failover"]]),
        (
            "KillBackendInstanceCommand",
            [
                ["autoscaling", "describe-auto-scaling-groups"],
                ["autoscaling", "terminate-instance-in-auto-scaling-group"],
            ],
        ),
        ("FailoverWatchCommand", [["elbv2", "describe-target-health"]]),
    ],
)
def test_day5_challenge_commands_are_valid_aws_cli(day5, fake_tools, key, operations):
    lab, t = day5
    stand_ins = {
        f"<{logical_id(lab.cloudmart.database.instance)}>": "cloudmart-db",
        f"<{logical_id(lab.cloudmart.cache.replication_group)}>": "cloudmart-cache",
        f"<{logical_id(lab.cloudmart.backend.asg)}>": "cloudmart-asg",
        f"<{logical_id(lab.cloudmart.backend.target_group)}>": "arn:aws:elasticloadbalancing:tg",
        f"<{next(iter(resources(t, 'AWS::CloudFront::Distribution')))}.DomainName>": "d1.test",
    }
    done, calls = run_and_check(outputs(t)[key], stand_ins, fake_tools)
    assert [c[:2] for c in calls] == operations
    if key == "KillBackendInstanceCommand":  # the look-up's answer is the instance killed
        assert calls[1][calls[1].index("--instance-id") + 1] == FAKE_INSTANCE
        assert calls[0][calls[0].index("--auto-scaling-group-names") + 1] == "cloudmart-asg"
    if key == "FailoverWatchCommand":  # one round: the health URL, then the targets
        assert recorded(fake_tools, "curls") == [
            ["-s", "--max-time", "5", "https://d1.test/api/health/deep"]
        ]
        assert '{"status":"ok"}' in done.stdout and FAKE_INSTANCE in done.stdout


# --- Day 4 case: "ASG: 트래픽 급증 시 자동 확장" -----------------------------------------------


@pytest.fixture(scope="module")
def day4_case(app):
    return app.stacks["Day4Case"], app.templates["Day4Case"]


def loop_of(load_test: str) -> str:
    """The one shell command LoadTestCommand has Run Command run on each news server."""
    words = shlex.split(load_test)
    parameters = words[words.index("--parameters") + 1]
    ((loop,),) = shorthand(parameters).values()
    return loop


def test_day4_case_outputs_the_group_the_load_and_the_scaling_watch(day4_case):
    lab, t = day4_case
    shown = outputs(t)
    asg = logical_id(lab.news.asg)
    (dist,) = resources(t, "AWS::CloudFront::Distribution")
    assert shown["AutoScalingGroupName"] == f"<{asg}>"
    assert shown["WatchScalingCommand"] == (
        f"aws autoscaling describe-scaling-activities --region {REGION} --max-items 5 "
        f"--auto-scaling-group-name <{asg}>"
    )
    popular = shown["PopularUrl"]
    assert popular == f"https://<{dist}.DomainName>/news/popular.json"
    assert shown["LoadTestCommand"] == (
        f"aws ssm send-command --region {REGION} --document-name AWS-RunShellScript "
        f"--targets 'Key=tag:aws:autoscaling:groupName,Values=<{asg}>' "
        f"--parameters \"commands=['seq 600 | {{ while read i; do yes {popular} | head -n 25 | "
        "xargs curl -s --max-time 10 > /dev/null & sleep 1; done; wait; }']\""
    )


def test_day4_case_load_reaches_the_alb_and_is_enough_to_scale_out(day4_case, fake_tools):
    """The load asks for PopularUrl, which the news servers answer ``no-store``
    (tests/test_news_cache.py): CloudFront's /news/* behavior follows the origin's
    Cache-Control, so each request reaches the ALB. An article would be kept at the edge for
    its 60 s and never reach it. At the group's two first servers, the load per target is
    above the policy's target."""
    lab, t = day4_case
    loop = loop_of(outputs(t)["LoadTestCommand"])
    # Run the loop with two seconds instead of 600, `sleep` a no-op, `curl` recorded.
    (fake_tools / "sleep").write_text("#!/bin/bash\n")
    seq = fake_tools / "seq"
    seq.write_text("#!/bin/bash\nprintf '1\\n2\\n'\n")
    seq.chmod(0o755)
    dist = next(iter(resources(t, "AWS::CloudFront::Distribution")))
    done = run(loop + "; wait", {f"<{dist}.DomainName>": "d1.test"}, path=str(fake_tools))
    assert done.returncode == 0, done.stderr
    url = "https://d1.test/news/popular.json"
    curls = recorded(fake_tools, "curls")
    assert curls == [["-s", "--max-time", "10"] + [url] * 25] * 2  # one curl a second
    per_second = len(curls[0]) - 3
    # The path CloudFront does not keep: the /news/* behavior uses the origin's Cache-Control
    # (managed UseOriginCacheControlHeaders, minimum TTL 0) and popular.json is its own route.
    (config,) = [d["DistributionConfig"] for d in props(t, "AWS::CloudFront::Distribution")]
    behaviors = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    assert behaviors["/news/*"]["CachePolicyId"] == "83da9c7e-98b4-4e11-a168-04f0df8e2c65"
    from stacks.day4 import NEWS_CACHE_APP

    assert 'POPULAR_PATH = "/news/popular.json"' in NEWS_CACHE_APP.read_text()
    # Enough to scale: the first servers (MinSize) each send 25 a second through the ALB.
    (group,) = props(t, "AWS::AutoScaling::AutoScalingGroup")
    (policy,) = props(t, "AWS::AutoScaling::ScalingPolicy")
    tracking = policy["TargetTrackingConfiguration"]
    assert tracking["PredefinedMetricSpecification"]["PredefinedMetricType"] == (
        "ALBRequestCountPerTarget"
    )
    servers = int(group["MinSize"])  # Run Command reaches the instances running when sent
    at_the_alb_per_minute = servers * per_second * 60
    assert at_the_alb_per_minute / servers == 1500 > tracking["TargetValue"] == 1000
    assert int(group["MaxSize"]) > servers


@pytest.mark.parametrize(
    "key, operations",
    [
        ("LoadTestCommand", [["ssm", "send-command"]]),
        ("WatchScalingCommand", [["autoscaling", "describe-scaling-activities"]]),
    ],
)
def test_day4_case_commands_are_valid_aws_cli(day4_case, fake_tools, key, operations):
    lab, t = day4_case
    dist = next(iter(resources(t, "AWS::CloudFront::Distribution")))
    stand_ins = {f"<{logical_id(lab.news.asg)}>": "news-asg", f"<{dist}.DomainName>": "d1.test"}
    _, calls = run_and_check(outputs(t)[key], stand_ins, fake_tools)
    assert [c[:2] for c in calls] == operations
    if key == "LoadTestCommand":
        targets = calls[0][calls[0].index("--targets") + 1]
        assert targets == "Key=tag:aws:autoscaling:groupName,Values=news-asg"


# --- Day 4 Lab 1: 부하 테스트 (Step 3) ---------------------------------------------------------


@pytest.fixture(scope="module")
def day4_lab1(app):
    return app.stacks["Day4Lab1"], app.templates["Day4Lab1"]


def test_day4_lab1_load_test_runs_stress_ng_on_every_instance_of_the_group(day4_lab1):
    from stacks.day4 import LOAD_TEST_SECONDS

    lab, t = day4_lab1
    asg = logical_id(lab.web.asg)
    shown = outputs(t)
    assert shown["AutoScalingGroupName"] == f"<{asg}>"
    assert shown["LoadTestCommand"] == (
        f"aws ssm send-command --region {REGION} --document-name AWS-RunShellScript "
        f"--targets 'Key=tag:aws:autoscaling:groupName,Values=<{asg}>' "
        "--parameters \"commands=['dnf install -y stress-ng','stress-ng --cpu 0 --timeout "
        f"{LOAD_TEST_SECONDS}s']\""
    )
    assert LOAD_TEST_SECONDS == 600
    assert shown["WatchScalingCommand"] == (
        f"aws autoscaling describe-scaling-activities --region {REGION} --max-items 5 "
        f"--auto-scaling-group-name <{asg}>"
    )
    # What the load is measured against: CPU target tracking on the group.
    (policy,) = props(t, "AWS::AutoScaling::ScalingPolicy")
    tracking = policy["TargetTrackingConfiguration"]
    assert tracking["PredefinedMetricSpecification"]["PredefinedMetricType"] == (
        "ASGAverageCPUUtilization"
    )


@pytest.mark.parametrize(
    "key, operations",
    [
        ("LoadTestCommand", [["ssm", "send-command"]]),
        ("WatchScalingCommand", [["autoscaling", "describe-scaling-activities"]]),
    ],
)
def test_day4_lab1_commands_are_valid_aws_cli(day4_lab1, fake_tools, key, operations):
    lab, t = day4_lab1
    _, calls = run_and_check(outputs(t)[key], {f"<{logical_id(lab.web.asg)}>": "web-asg"},
                             fake_tools)  # fmt: skip
    assert [c[:2] for c in calls] == operations
    if key == "LoadTestCommand":  # the shell hands Run Command the two commands, in order
        (call,) = calls
        assert call[call.index("--targets") + 1] == (
            "Key=tag:aws:autoscaling:groupName,Values=web-asg"
        )
        assert call[call.index("--document-name") + 1] == "AWS-RunShellScript"
        parameters = call[call.index("--parameters") + 1]
        assert shorthand(parameters) == {
            "commands": ["dnf install -y stress-ng", "stress-ng --cpu 0 --timeout 600s"]
        }


# --- Day 4 Challenge: the AZ the failover promises -------------------------------------------


@pytest.fixture(scope="module")
def day4_challenge(app):
    return app.stacks["Day4Challenge"], app.templates["Day4Challenge"]


def test_day4_challenge_shows_the_databases_az_and_its_standbys(day4_challenge, fake_tools):
    lab, t = day4_challenge
    db = logical_id(lab.database.instance)
    command = outputs(t)["DbAzCommand"]
    assert command == (
        f"aws rds describe-db-instances --region {REGION} --db-instance-identifier <{db}> "
        "--query 'DBInstances[0].[AvailabilityZone,SecondaryAvailabilityZone]' --output text"
    )
    assert t["Resources"][db]["Properties"]["MultiAZ"] is True  # there is a second AZ to show
    _, calls = run_and_check(command, {f"<{db}>": "tiers-db"}, fake_tools)
    assert calls == [[
        "rds", "describe-db-instances", "--region", REGION, "--db-instance-identifier",
        "tiers-db", "--query", "DBInstances[0].[AvailabilityZone,SecondaryAvailabilityZone]",
        "--output", "text",
    ]]  # fmt: skip


@pytest.mark.parametrize("key", ["DbFailoverCommand", "KillWebInstanceCommand"])
def test_day4_challenge_failure_tests_are_valid_aws_cli(day4_challenge, fake_tools, key):
    lab, t = day4_challenge
    stand_ins = {
        f"<{logical_id(lab.database.instance)}>": "tiers-db",
        f"<{logical_id(lab.web.asg)}>": "web-asg",
    }
    run_and_check(outputs(t)[key], stand_ins, fake_tools)


# --- the checker itself: it refuses what the CLI would -----------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["elasticache", "test-failover", "--replication-group-id", "g"],  # no --node-group-id
        ["elasticache", "failover", "--replication-group-id", "g", "--node-group-id", "0001"],
        ["rds", "describe-db-instances", "--db-instance-id", "d"],  # not the option's name
        ["rds", "reboot-db-instance", "--db-instance-identifier", "d", "--failover"],
        ["elbv2", "describe-target-health", "--target-group-arn", "a", "--max-items", "5"],
    ],
)
def test_the_checker_refuses_a_call_the_cli_would_refuse(args):
    with pytest.raises(AssertionError):
        check_cli_call(args)


# --- the builders (week5/constructs/commands.py) ---------------------------------------------


def test_the_builders_lines():
    assert cache_failover_command("g", region=REGION) == (
        "aws elasticache test-failover --region ap-northeast-2 --replication-group-id g "
        "--node-group-id 0001"
    )
    assert SINGLE_SHARD_NODE_GROUP == "0001"
    assert db_az_command("d", region=REGION) == (
        "aws rds describe-db-instances --region ap-northeast-2 --db-instance-identifier d "
        "--query 'DBInstances[0].[AvailabilityZone,SecondaryAvailabilityZone]' --output text"
    )
    assert scaling_activities_command("g", region=REGION) == (
        "aws autoscaling describe-scaling-activities --region ap-northeast-2 --max-items 5 "
        "--auto-scaling-group-name g"
    )
    assert terminate_instance_command("g", region=REGION).startswith(
        "aws autoscaling terminate-instance-in-auto-scaling-group --region ap-northeast-2 "
        "--no-should-decrement-desired-capacity --instance-id $(aws autoscaling "
    )
    assert request_load("https://d/x", per_second=3, seconds=9) == (
        "seq 9 | { while read i; do yes https://d/x | head -n 3 | xargs curl -s --max-time 10 "
        "> /dev/null & sleep 1; done; wait; }"
    )
    assert health_watch_command("https://d/h", target_group_arn="arn", region=REGION) == (
        "while true; do date +%T; curl -s --max-time 5 https://d/h; echo; aws elbv2 "
        "describe-target-health --region ap-northeast-2 --target-group-arn arn --query "
        "'TargetHealthDescriptions[].[Target.Id,TargetHealth.State]' --output text; sleep 5; "
        "done"
    )


@pytest.mark.parametrize("call, says", [
    (lambda: cache_failover_command(" ", region=REGION),
     "cache_failover_command: replication_group_id is empty"),
    (lambda: cache_failover_command("g", region=REGION, node_group_id=""),
     "cache_failover_command: node_group_id is empty"),
    (lambda: db_az_command("", region=REGION), "db_az_command: db_instance_id is empty"),
    (lambda: terminate_instance_command("", region=REGION),
     "terminate_instance_command: group is empty"),
    (lambda: scaling_activities_command("g", region=""),
     "scaling_activities_command: region is empty"),
    (lambda: health_watch_command("u", target_group_arn="", region=REGION),
     "health_watch_command: target_group_arn is empty"),
    (lambda: request_load("https://d/x'", per_second=1, seconds=1),
     "request_load: url=.* holds a quote or a backslash"),
    (lambda: request_load("https://d/x", per_second=0, seconds=1),
     "request_load: per_second=0; give a whole number of 1 or more"),
    (lambda: request_load("https://d/x", per_second=1, seconds=True),
     "request_load: seconds=True; give a whole number of 1 or more"),
])  # fmt: skip
def test_a_builder_refuses_what_would_make_a_broken_line(call, says):
    with pytest.raises(CourseInputError, match=says):
        call()


def test_the_load_loop_is_one_line_bash_accepts():
    done = subprocess.run(
        ["bash", "-n", "-c", request_load("https://d/x", per_second=2, seconds=3)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
