"""Two findings of the instructor trial (T19-D, Day4Lab1 x6 students on the emulator) about what
`week5 cleanup`'s lines say.

Whose: in a class-wide run (every student's: `--all`, or no student set) a line such as
`Elastic IP eipalloc-... (198.51.100.11)` did not say whose it is, nor did a --json entry. Each
line of such a run now carries the resource's Student tag's value (the listing a column, the
report and the progress lines a word before the resource, "(no Student tag)" for one without
it), and every --json entry a ``student`` (null when untagged), in every run.

What was done: --apply's done lines repeated the listing's advice, `deleted CloudFormation stack
week5-kim-Day4Lab1 (... that goes first (--apply deletes it first; by hand, delete it, then
destroy again))`: a line of what was done says that, not what to do.

On in-process moto (the Elastic IPs) and moto with the emulator's models (the held stack), as
tests/test_cleanup_json.py and tests/test_cleanup_holders_tagged.py."""

import json

import pytest
from shared_botocore import Clients, course_tags, moto_account, tag_spec
import test_cleanup_holders_tagged
from test_cleanup_holders_tagged import COMMAND, STACK, destroy_fails, lab_and_loadgen

from week5.cli import main
from week5.cli.cleanup import format_found, format_report
from week5.operations.cleanup import Cleaner

REGION = "ap-northeast-2"
CLIENTS = Clients(REGION)
CLASS = ["cleanup", "--day", "Day4", "--all"]
#: What the stack's listing line adds on what to do, which a done line leaves out.
ADVICE = "that goes first (--apply deletes it first; by hand, delete it, then destroy again)"

#: test_cleanup_holders_tagged's account (moto with the emulator's models).
held_aws = test_cleanup_holders_tagged.aws


@pytest.fixture
def aws(monkeypatch):
    with moto_account(monkeypatch):
        yield CLIENTS


def addresses(aws):
    """An Elastic IP each for kim and lee, and one tagged for the day without a Student tag:
    {owner: (allocation id, address)}."""
    ec2 = aws.client("ec2")
    made = {}
    for owner in ("kim", "lee", None):
        tags = course_tags("Day4", owner or "x")
        if owner is None:
            tags = [t for t in tags if t["Key"] != "Student"]
        reply = ec2.allocate_address(Domain="vpc", TagSpecifications=tag_spec("elastic-ip", tags))
        made[owner] = (reply["AllocationId"], reply["PublicIp"])
    return made


def line_of(text, allocation):
    (line,) = [row for row in text.splitlines() if allocation in row]
    return line.split()


def test_a_class_wide_listing_says_whose_each_line_is(aws, capsys):
    """`--all`: each listing line has its student (the trial's Elastic IP lines did not say);
    --json gives every entry its ``student``, null for the untagged one."""
    made = addresses(aws)
    assert main(CLASS) == 0
    text = capsys.readouterr().out
    for owner, (allocation, address) in made.items():
        words = line_of(text, allocation)
        expected = owner or "(no Student tag)"
        assert words[: len(expected.split()) + 2] == [*expected.split(), "Elastic", "IP"], words
        assert f"({address})" in words or address in words

    assert main(CLASS + ["--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert {e["id"]: e["student"] for e in body["found"]} == {
        allocation: owner for owner, (allocation, _) in made.items()
    }


def test_one_students_run_has_no_column_but_json_says_whose(aws, capsys):
    """`--student kim`: one student's, no column (every line is kim's); --json's entries still
    carry ``student``."""
    made = addresses(aws)
    allocation, _ = made["kim"]
    assert main(["cleanup", "--day", "Day4", "--student", "kim"]) == 0
    text = capsys.readouterr().out
    assert line_of(text, allocation)[:2] == ["Elastic", "IP"]
    assert made["lee"][0] not in text
    assert main(["cleanup", "--day", "Day4", "--student", "kim", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert [(e["id"], e["student"]) for e in body["found"]] == [(allocation, "kim")]


def test_a_class_wide_apply_says_whose_each_done_line_is(aws, capsys):
    """--apply over every student's: each progress line (stderr) says whose it deleted, and
    --json's deleted entries carry ``student``."""
    made = addresses(aws)
    assert main(CLASS + ["--apply"]) == 0
    err = capsys.readouterr().err
    for owner, (allocation, address) in made.items():
        assert (
            f"  deleted {owner or '(no Student tag)'} Elastic IP {allocation} ({address})"
            in err.splitlines()
        ), err
    made = addresses(aws)
    assert main(CLASS + ["--apply", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert {e["id"]: e["student"] for e in body["deleted"]} == {
        allocation: owner for owner, (allocation, _) in made.items()
    }


def test_the_reports_lines_say_whose_in_a_class_wide_run(aws):
    """format_report's lines (here already gone) carry the student as the listing does."""
    made = addresses(aws)
    cleaner = Cleaner(aws.client, region=REGION, day="Day4", waits=(0,), sleep=lambda s: None)
    found = cleaner.find()
    assert {f.id: f.student for f in found} == {a: o for o, (a, _) in made.items()}
    for allocation, _ in made.values():
        aws.client("ec2").release_address(AllocationId=allocation)
    report = cleaner.apply(found, say=lambda line: None)
    text = format_report(report, by_student=True)
    allocation, address = made["lee"]
    assert f"  already gone: lee Elastic IP {allocation} ({address}) (" in text
    assert f"  already gone: Elastic IP {allocation}" in format_report(report)
    listing = format_found(found, "Day4", by_student=True)
    assert line_of(listing, allocation)[:3] == ["lee", "Elastic", "IP"]


def test_the_done_lines_say_what_was_done_not_what_to_do(held_aws, capsys):
    """The trial's stack, held by a tagged load generator: its listing line says what to do
    (that goes first); --apply's line of its deletion, and --json's ``deleted`` entry, say it
    was deleted, without that advice."""
    subnet, instance = lab_and_loadgen(held_aws)
    destroy_fails(held_aws)
    assert main(COMMAND) == 0
    listed = capsys.readouterr().out
    assert ADVICE in " ".join(listed.split())  # the listing still says what to do

    assert main(COMMAND + ["--apply"]) == 0
    captured = capsys.readouterr()
    (done,) = [line for line in captured.err.splitlines() if STACK in line]
    assert done.startswith(f"  deleted CloudFormation stack {STACK} (")
    assert "held by" not in done and "goes first" not in done and "by hand" not in done, done
    assert f"deleted EC2 instance {instance} (loadgen)" in captured.err
    assert "Deleted 2, failed 0, left 0." in captured.out


def test_the_json_deleted_entry_says_what_was_done(held_aws, capsys):
    """--json: the found entry's name keeps the advice (with ``held_by``); the deleted one's
    does not."""
    lab_and_loadgen(held_aws)
    destroy_fails(held_aws)
    assert main(COMMAND + ["--apply", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    found = {e["id"]: e for e in body["found"]}
    deleted = {e["id"]: e for e in body["deleted"]}
    assert found[STACK]["name"].endswith(ADVICE)
    assert found[STACK]["name"].startswith(deleted[STACK]["name"] + "; held by EC2 instance")
    assert "held by" not in deleted[STACK]["name"] and ADVICE not in deleted[STACK]["name"]
    assert deleted[STACK]["student"] == found[STACK]["student"] == "park"
