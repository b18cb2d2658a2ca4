"""The lines ``week5/constructs/commands.py`` builds, given hostile or mistaken values: a trial
found names and URLs put into the shell line unquoted (``scaling_activities_command("web-asg;
touch X")`` ran ``touch``, a URL's ``&`` sent curl to the background, a group named ``Web Tier``
became two names, ``--region None``), and values AWS never takes (a region ``us east;id``, a
300-character database id) accepted.

Each line is run in bash with a fake ``aws`` and ``curl`` that record what they were handed:
nothing else may run (no file appears), and the value reaches the tool as one word. A value AWS
would not take is refused with one line that names the function, the argument and the fix.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import List

import pytest

from week5.constructs.commands import (
    asg_run_command,
    cache_failover_command,
    db_az_command,
    failover_command,
    first_instance_of,
    health_watch_command,
    interactive_command,
    request_load,
    scaling_activities_command,
    terminate_instance_command,
)
from week5.core.errors import CourseInputError

REGION = "ap-northeast-2"
ARN = (
    "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/web/0123456789abcdef"
)
#: What a deploy-time value looks like at synth.
TOKEN = "${Token[TOKEN.123]}"
#: A file a hostile value tries to make: the line ran something else if it exists.
MARK = "PWNED"


@pytest.fixture
def shell(tmp_path):
    """Run a line in bash in an empty folder, with a fake ``aws`` and ``curl`` (each records
    its arguments, one JSON list a line) and a ``sleep`` that ends the loop that called it;
    return what each tool was handed in that run."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, answer in (("aws", "i-0fake0000000000000"), ("curl", "ok")):
        script = bin_dir / name
        script.write_text(
            "#!/usr/bin/env python3\n"
            "import json, sys\n"
            f"with open({str(tmp_path / (name + '.log'))!r}, 'a') as f:\n"
            "    f.write(json.dumps(sys.argv[1:]) + '\\n')\n"
            f"print({answer!r})\n"
        )
        script.chmod(0o755)
    sleep = bin_dir / "sleep"
    sleep.write_text("#!/bin/bash\nkill -TERM $PPID\n")
    sleep.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()

    def run(line: str) -> dict:
        for name in ("aws", "curl"):
            (tmp_path / f"{name}.log").unlink(missing_ok=True)
        subprocess.run(
            ["bash", "-c", f"{line}\nwait"],
            cwd=work,
            env={"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert sorted(p.name for p in work.iterdir()) == [], f"the line ran more: {line}"
        return {name: _calls(tmp_path / f"{name}.log") for name in ("aws", "curl")}

    return run


def _calls(path: Path) -> List[List[str]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def _after(words: List[str], option: str) -> str:
    return words[words.index(option) + 1]


# --- literal names and URLs reach the tool as one word, and run nothing ---------------------


def test_a_group_name_with_a_semicolon_is_one_word(shell):
    calls = shell(scaling_activities_command(f"web-asg; touch {MARK}", region=REGION))
    assert len(calls["aws"]) == 1
    assert _after(calls["aws"][0], "--auto-scaling-group-name") == f"web-asg; touch {MARK}"


def test_a_group_name_with_a_space_is_one_name(shell):
    calls = shell(terminate_instance_command("Web Tier", region=REGION))
    lookup, terminate = calls["aws"]
    assert _after(lookup, "--auto-scaling-group-names") == "Web Tier"
    assert lookup[lookup.index("--auto-scaling-group-names") + 2] == "--query"
    assert _after(terminate, "--instance-id") == "i-0fake0000000000000"


def test_run_command_targets_a_group_with_a_space_in_one_word(shell):
    calls = shell(asg_run_command(["uptime"], group=f"Web Tier$(touch {MARK})", region=REGION))
    assert _after(calls["aws"][0], "--targets") == (
        f"Key=tag:aws:autoscaling:groupName,Values=Web Tier$(touch {MARK})"
    )


def test_a_health_url_with_a_query_reaches_curl_whole(shell):
    url = "http://h/health?db=1&cache=1"
    calls = shell(health_watch_command(url, target_group_arn=ARN, region=REGION))
    assert calls["curl"] == [["-s", "--max-time", "5", url]]
    assert _after(calls["aws"][0], "--target-group-arn") == ARN


def test_an_instance_id_that_is_a_command_substitution_is_not_run(shell):
    calls = shell(interactive_command("uptime", target=f"$(touch {MARK})", region=REGION))
    assert _after(calls["aws"][0], "--target") == f"$(touch {MARK})"


def test_the_groups_lookup_stays_a_lookup_as_a_target(shell):
    """The one ``$(...)`` a target may be is :func:`first_instance_of`'s, built again from its
    group and region; anything added to it is quoted as a plain value."""
    lookup = first_instance_of("Web Tier", region=REGION)
    calls = shell(interactive_command("uptime", target=lookup, region=REGION))
    assert _after(calls["aws"][0], "--auto-scaling-group-names") == "Web Tier"
    assert _after(calls["aws"][1], "--target") == "i-0fake0000000000000"
    added = lookup[:-1] + f"; touch {MARK})"
    calls = shell(interactive_command("uptime", target=added, region=REGION))
    assert [_after(call, "--target") for call in calls["aws"]] == [added]


# --- values AWS would not take are refused, naming the function and the argument -------------


@pytest.mark.parametrize("call, says", [
    (lambda: db_az_command(f"$(touch {MARK})mydb", region=REGION),
     r"db_az_command: db_instance_id='\$\(touch PWNED\)mydb' is not a db_instance_id AWS "
     r"takes; give one, e\.g\. week5-kim-day4lab1-db"),
    (lambda: failover_command("a" * 300, region=REGION),
     r"failover_command: db_instance_id='a+\.\.\.' is not a db_instance_id AWS takes"),
    (lambda: db_az_command("데이터베이스", region=REGION),
     "db_az_command: db_instance_id='데이터베이스' is not a db_instance_id AWS takes"),
    (lambda: db_az_command("a\nb", region=REGION),
     "db_az_command: db_instance_id=.* holds a line break or another control character"),
    (lambda: db_az_command("db", region="us east;id"),
     r"db_az_command: region='us east;id' is not a region AWS takes; give one, e\.g\. "
     "ap-northeast-2"),
    (lambda: cache_failover_command("rg", region=REGION, node_group_id="0001;id"),
     r"cache_failover_command: node_group_id='0001;id' is not a node_group_id AWS takes; "
     r"give one, e\.g\. 0001"),
    (lambda: cache_failover_command("Rg;id", region=REGION),
     "cache_failover_command: replication_group_id='Rg;id' is not a replication_group_id"),
    (lambda: scaling_activities_command("g" * 256, region=REGION),
     "scaling_activities_command: group has 256 characters, more than the 255 AWS takes"),
    (lambda: interactive_command("uptime", target="i-1", region=None),
     "interactive_command: region=None must be a string"),
    (lambda: interactive_command("uptime", target=None, region=REGION),
     "interactive_command: target=None must be a string"),
    (lambda: asg_run_command(["uptime"], group=None, region=REGION),
     "asg_run_command: group=None must be a string"),
    (lambda: asg_run_command(["uptime"], group="web,db", region=REGION),
     "asg_run_command: group='web,db' holds one of , = .* rename the group"),
    (lambda: first_instance_of("g", region="ap-northeast-2;id"),
     "first_instance_of: region='ap-northeast-2;id' is not a region AWS takes"),
    (lambda: health_watch_command("h/health; id", target_group_arn=ARN, region=REGION),
     "health_watch_command: url='h/health; id' is not a URL curl can take"),
    (lambda: request_load("http://h/;reboot", per_second=1, seconds=1),
     "request_load: url='http://h/;reboot' holds a character the instance's shell reads"),
    (lambda: request_load("http://h/x?a=1", per_second=1, seconds=1),
     "request_load: url=.* holds a character the instance's shell reads"),
    (lambda: request_load(f"https://{TOKEN}/$(id)", per_second=1, seconds=1),
     "request_load: url=.* holds a character the instance's shell reads"),
    (lambda: request_load("http://h/x", per_second=1, seconds=10**9),
     "request_load: seconds=1000000000 is more than the 3600 a course load test needs"),
    (lambda: request_load("http://h/x", per_second=10**6, seconds=1),
     "request_load: per_second=1000000 is more than the 100 a course load test needs"),
])  # fmt: skip
def test_a_value_aws_would_not_take_is_refused(call, says):
    with pytest.raises(CourseInputError, match=says) as refused:
        call()
    assert "\n" not in str(refused.value)


def test_the_load_limits_themselves_are_taken():
    assert "seq 3600" in request_load("http://h/x", per_second=100, seconds=3600)
    assert "head -n 100" in request_load("http://h/x", per_second=100, seconds=3600)


# --- deploy-time tokens ----------------------------------------------------------------------


def test_a_token_goes_in_as_it_is():
    """What the labs pass (a name, an id, an ARN, a URL on a domain name, the stack's region):
    CloudFormation completes the line, and the templates do not change."""
    assert scaling_activities_command(TOKEN, region=TOKEN) == (
        f"aws autoscaling describe-scaling-activities --region {TOKEN} --max-items 5 "
        f"--auto-scaling-group-name {TOKEN}"
    )
    assert f"yes https://{TOKEN}/news/popular.json |" in request_load(
        f"https://{TOKEN}/news/popular.json", per_second=25, seconds=600
    )
    assert f"curl -s --max-time 5 https://{TOKEN}/api/health/deep;" in health_watch_command(
        f"https://{TOKEN}/api/health/deep", target_group_arn=TOKEN, region=TOKEN
    )


def test_a_token_next_to_shell_characters_is_held_in_single_quotes(shell):
    line = db_az_command(f"{TOKEN}; touch {MARK}", region=REGION)
    assert f"--db-instance-identifier '{TOKEN}; touch {MARK}' " in line
    deployed = line.replace(TOKEN, "week5-kim-db")  # what CloudFormation puts in its place
    calls = shell(deployed)
    assert _after(calls["aws"][0], "--db-instance-identifier") == f"week5-kim-db; touch {MARK}"


def test_a_token_next_to_a_quote_is_refused():
    with pytest.raises(
        CourseInputError,
        match="failover_command: db_instance_id=.* holds a quote or a backslash next to its "
        "deploy-time value",
    ):
        failover_command(f"{TOKEN}'x", region=REGION)
