"""`week5 cleanup --apply` when AWS is still deleting something as the waits run out (a stack
taking 11.4 min, a distribution's disabling about 7): neither deleted nor failed, said so on
its own lines and in --json (``still_deleting``, ``waiting``), exit 3; a failure still exits 1."""

import json

import pytest

from week5.cli import main
from week5.operations.cleanup import Cleaner, Found, Report


@pytest.fixture
def run(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    stack = Found("CloudFormation stack", "week5-kim-Day4Case")
    distribution = Found("CloudFront distribution", "E123")

    def go(report, *args):
        monkeypatch.setattr(Cleaner, "find", lambda self: [stack, distribution])
        monkeypatch.setattr(Cleaner, "apply", lambda self, found, say=None: report)
        return main(["cleanup", "--day", "Day4", "--student", "kim", "--apply", *args])

    return go, stack, distribution


def unfinished(stack, distribution):
    return Report(
        still_deleting=[(stack, "AWS goes on deleting it; run cleanup again in 10 min to confirm")],
        waiting=[(distribution, "AWS is still at work on it; run cleanup again in 10 min")],
    )


def test_still_deleting_is_its_own_state_and_exit_3(run, capsys):
    go, stack, distribution = run
    assert go(unfinished(stack, distribution)) == 3
    out = capsys.readouterr().out
    assert "Deleted 0, failed 0, left 0." in out
    assert "  still deleting: CloudFormation stack week5-kim-Day4Case: AWS goes on" in out
    assert "  not deleted yet: CloudFront distribution E123: AWS is still at work" in out


def test_json_says_what_is_still_deleting(run, capsys):
    go, stack, distribution = run
    assert go(unfinished(stack, distribution), "--json") == 3
    data = json.loads(capsys.readouterr().out)
    assert [e["id"] for e in data["still_deleting"]] == ["week5-kim-Day4Case"]
    assert [e["id"] for e in data["waiting"]] == ["E123"] and data["failed"] == []
    assert "run cleanup again in 10 min" in data["still_deleting"][0]["state"]


def test_a_failure_beside_it_still_exits_1(run):
    go, stack, distribution = run
    report = unfinished(stack, distribution)
    report.failed.append((Found("VPC", "vpc-1"), "DependencyViolation: ..."))
    assert go(report) == 1


def test_everything_deleted_exits_0(run):
    go, stack, distribution = run
    assert go(Report(deleted=[stack, distribution])) == 0
