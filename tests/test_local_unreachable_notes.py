"""`week5 local`'s outputs say, in one line beside each, when a value names an AWS host the
emulator does not serve: a student trial of Day3Case ran ``ReadyCommand`` (an API Gateway URL)
and ``AlbUrl`` (a load balancer's DNS name) with no such line, though the made-up host may be
someone else's on AWS; only S3 website endpoints and CloudFront hosts had it.

The first test formats made-up outputs; the last one reads every lab's deployed outputs from
the session's emulator (tests/emulated_labs.py): each value naming any AWS host gets the line.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any, Dict

import pytest

from week5.cli import local as local_command

#: Any AWS public host: what an output may name that the emulator (on localhost) does not serve.
AWS_HOST = re.compile(
    r"[a-z0-9][a-z0-9.-]*\.(?:amazonaws\.com|cloudfront\.net|aws\.amazon\.com)", re.IGNORECASE
)
API = "https://a1b2c3d4e5.execute-api.ap-northeast-2.amazonaws.com"
ALB = "week5-Day3Case-Alb16C2F182-abc-1.ap-northeast-2.elb.amazonaws.com"


def output(key: str, value: str) -> Dict[str, Any]:
    return {"key": key, "description": "", "value": value, "skipped": []}


def test_api_gateway_load_balancer_database_cache_and_console_hosts_say_so():
    back = SimpleNamespace(load_balancers=[], auto_scaling_groups=[], databases=[], caches=[],
                           outputs=[
        output("ReadyCommand", f"curl -s {API}/ready"),
        output("ReadyCommandPowerShell", f"Invoke-RestMethod -Uri {API}/ready"),
        output("AlbUrl", f"http://{ALB}"),
        output("FailoverWatchCommand", f"while true; do curl -s http://{ALB}/; sleep 1; done"),
        output("DbEndpoint", "week5-db.aaaaaaaaaa.ap-northeast-2.rds.amazonaws.com"),
        output("RedisEndpoint", "week5-redis.abcdef.apne2.cache.amazonaws.com"),
        output("DashboardUrl", "https://ap-northeast-2.console.aws.amazon.com/cloudwatch/home"
               "?region=ap-northeast-2#dashboards:name=Week5"),
        output("Both", f"curl {API}/ready http://{ALB}/"),
        output("ArchiveListCommand", "aws s3 ls s3://archive-bucket --recursive"),
    ])  # fmt: skip
    lines = local_command.format_outputs(back).splitlines()[1:]
    notes = {lines[i - 2].strip(): line.strip() for i, line in enumerate(lines) if "(reach" in line}
    answers = "; on AWS it answers)"
    in_vpc = "; on AWS it answers inside the lab's VPC)"
    assert notes == {
        "ReadyCommand": f"(reaches nothing here: the emulator serves no API Gateway host{answers}",
        "ReadyCommandPowerShell": (
            f"(reaches nothing here: the emulator serves no API Gateway host{answers}"
        ),
        "AlbUrl": f"(reaches nothing here: the emulator serves no load balancer host{answers}",
        "FailoverWatchCommand": (
            f"(reaches nothing here: the emulator serves no load balancer host{answers}"
        ),
        "DbEndpoint": f"(reaches nothing here: the emulator serves no database endpoint{in_vpc}",
        "RedisEndpoint": (
            f"(reaches nothing here: the emulator serves no ElastiCache endpoint{in_vpc}"
        ),
        "DashboardUrl": (
            "(reaches nothing here: the emulator serves no AWS console; the console shows your "
            "AWS account, not the emulator)"
        ),
        "Both": (
            "(reaches nothing here: the emulator serves no load balancer host and no API "
            f"Gateway host{answers}"
        ),
    }


@pytest.mark.xdist_group("emulator")
def test_every_deployed_output_naming_an_aws_host_says_it_reaches_nothing(emulated_labs):
    """Over the session's deployed labs: an output whose value names an AWS host (API Gateway,
    load balancer, CloudFront, S3 website, database, cache, console) gets the line; no other
    does."""
    noted, checked = set(), set()
    for lab_id, back in emulated_labs.results.items():
        assert not isinstance(back, str), f"{lab_id} did not deploy: {back}"
        for row in back.outputs:
            if row["value"] is None:
                continue
            hosts = AWS_HOST.findall(row["value"])
            note = local_command.unreachable(row["value"])
            assert (note is not None) == bool(hosts), (lab_id, row["key"], row["value"], note)
            checked.add(f"{lab_id}.{row['key']}")
            if note:
                noted.add(f"{lab_id}.{row['key']}")
                printed = local_command.format_outputs(back).splitlines()
                assert f"    {note}" in printed
    # The trial's outputs, where their labs are in the session (WEEK5_TEST_LABS may cut it).
    trial = {
        "Day3Case": ("ReadyCommand", "ReadyCommandPowerShell", "BalanceExample",
                     "BalanceExamplePowerShell", "TransferExample", "TransferExamplePowerShell",
                     "ApiGatewayUrl", "AlbUrl", "FailoverWatchCommand",
                     "FailoverWatchCommandPowerShell"),
        "Day4Challenge": ("AlbUrl", "ApiUrl"),
        "Day5Challenge": ("DashboardUrl", "CloudMartUrl", "DbEndpoint", "RedisEndpoint"),
    }  # fmt: skip
    expected = {
        f"{lab_id}.{key}"
        for lab_id, keys in trial.items()
        if lab_id in emulated_labs.results
        for key in keys
    }
    assert expected and expected <= noted, sorted(expected - noted)
    assert checked - noted, "no output went without the line"
