"""`week5 cleanup --day all`: every course day's tagged resources in one run, with one summary
(a Day column in the listing, per-day counts and each report line's day) and one exit code;
in --json each entry says its day. An end-of-week cleanup was five runs (`--day` took one day).
Each day is found by its own tags, as a run of that day finds it. A bad --day is refused in one
line that names ``all`` too (exit 2). On in-process moto with the emulator's models."""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List

import pytest
from shared_botocore import Clients, course_tags, moto_account, tag_spec
from test_cleanup_delete_failed_end import STACK, lab_with_a_held_vpc

import week5.cli.cleanup as cleanup_cli
from week5.cli import main
from week5.operations.cleanup import Cleaner

REGION = "ap-northeast-2"
CLIENTS = Clients(REGION)


@pytest.fixture
def aws(monkeypatch) -> Iterator[Clients]:
    with moto_account(monkeypatch, emulator_models=True):
        yield CLIENTS


def vpc(aws: Clients, day: str, student: str = "kim") -> str:
    """A VPC tagged for ``day`` and ``student``, with a tagged security group in it."""
    ec2 = aws.client("ec2")
    tags = course_tags(day, student)
    made = ec2.create_vpc(CidrBlock="10.1.0.0/16", TagSpecifications=tag_spec("vpc", tags))
    vpc_id = made["Vpc"]["VpcId"]
    ec2.create_security_group(
        GroupName=f"{day}-web", Description="web", VpcId=vpc_id,
        TagSpecifications=tag_spec("security-group", tags),
    )  # fmt: skip
    return vpc_id


def a_week(aws: Clients) -> Dict[str, str]:
    """kim's VPCs of Day1, Day3 and Day5; lee's of Day2 and an untagged one (never touched)."""
    made = {day: vpc(aws, day) for day in ("Day1", "Day3", "Day5")}
    made["lee"] = vpc(aws, "Day2", "lee")
    made["untagged"] = aws.client("ec2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    return made


def vpcs(aws: Clients) -> List[str]:
    return [v["VpcId"] for v in aws.client("ec2").describe_vpcs()["Vpcs"]]


def test_all_days_are_listed_then_deleted_in_one_run_each_entry_with_its_day(aws, capsys):
    made = a_week(aws)
    command = ["cleanup", "--day", "all", "--student", "kim", "--json"]
    assert main(command) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["day"] == "all" and body["days"] == ["Day1", "Day2", "Day3", "Day4", "Day5"]
    found = {e["id"]: e["day"] for e in body["found"] if e["kind"] == "VPC"}
    assert found == {made["Day1"]: "Day1", made["Day3"]: "Day3", made["Day5"]: "Day5"}
    groups = [e["day"] for e in body["found"] if e["kind"] == "security group"]
    assert sorted(groups) == ["Day1", "Day3", "Day5"]

    assert main([*command, "--apply"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["failed"] == [] and body["left"] == [] and body["still_deleting"] == []
    deleted = {e["id"]: e["day"] for e in body["deleted"] if e["kind"] == "VPC"}
    assert deleted == {made["Day1"]: "Day1", made["Day3"]: "Day3", made["Day5"]: "Day5"}
    assert sorted(e["day"] for e in body["deleted"]) == ["Day1"] * 2 + ["Day3"] * 2 + ["Day5"] * 2
    left = vpcs(aws)
    assert made["lee"] in left and made["untagged"] in left
    assert not {made["Day1"], made["Day3"], made["Day5"]} & set(left)


def test_the_text_has_a_day_column_and_counts_by_day(aws, capsys):
    made = a_week(aws)
    command = ["cleanup", "--day", "all", "--student", "kim"]
    assert main(command) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines() if line.startswith("  Day")]
    assert sorted((row[0], row[1]) for row in rows) == [
        ("Day1", "VPC"), ("Day1", "security"), ("Day3", "VPC"), ("Day3", "security"),
        ("Day5", "VPC"), ("Day5", "security"),
    ]  # fmt: skip
    assert ["Day1", "VPC", made["Day1"]] in [row[:3] for row in rows]
    assert "6 resource(s), $0.0000/h where priced (Day1: 2, Day3: 2, Day5: 2)" in out

    assert main([*command, "--apply"]) == 0
    out = capsys.readouterr().out
    assert "Deleted 6, failed 0, left 0." in out
    assert "  deleted by day: Day1: 2, Day3: 2, Day5: 2" in out


def test_one_exit_code_for_the_week_and_each_failure_with_its_day(aws, capsys, monkeypatch):
    """jung's Day1 stack ends DELETE_FAILED, the Day4 VPC goes: exit 1 for the run, the failure
    under Day1, the deletion under Day4."""
    lab_with_a_held_vpc(aws, monkeypatch)
    day4 = vpc(aws, "Day4", "jung")
    slept: List[float] = []

    class Recorded(Cleaner):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, sleep=slept.append, **kwargs)

    monkeypatch.setattr(cleanup_cli, "Cleaner", Recorded)
    assert main(["cleanup", "--day", "all", "--student", "jung", "--apply", "--json"]) == 1
    body = json.loads(capsys.readouterr().out)
    assert [(e["id"], e["day"]) for e in body["failed"]] == [(STACK, "Day1")]
    assert (day4, "Day4") in [(e["id"], e["day"]) for e in body["deleted"]]
    assert body["still_deleting"] == [] and slept == [10]  # one series of waits for the week

    lab = main(["cleanup", "--day", "all", "--student", "jung", "--apply"])
    out = capsys.readouterr().out
    assert lab == 1 and "  failed by day: Day1: 1" in out
    assert f"  failed: Day1 CloudFormation stack {STACK} (" in out


@pytest.mark.parametrize("day", ["Day6", "day1", "ALL", "All", ""])
def test_a_bad_day_is_refused_in_one_line_naming_all(aws, capsys, day):
    assert main(["cleanup", "--day", day, "--all"]) == 2
    captured = capsys.readouterr()
    (line,) = [line for line in captured.err.splitlines() if line.strip()]
    assert f"--day {day!r}" in line
    assert "pass one of Day1, Day2, Day3, Day4, Day5, or all for every day's" in line
    assert captured.out == ""
