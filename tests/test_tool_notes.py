"""What the tools tell a student, as two student trials read it: `week5 local`'s outputs header
on Run Command's invocations, its count of files put in a bucket and one line (and exit 2) for a
--port in use, and `week5 status` on a lab's snapshot cleanup on the emulator (it does not run
there)."""

from __future__ import annotations

import contextlib
import importlib
import socket
import sys
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import moto_in_process
import pytest

from week5.cli import local as local_command
from week5.cli import main
from week5.cli import status as status_command
from week5.operations import local
from week5.operations.status import StatusReport, Untracked

#: The module itself (``local.emulator`` may name something else in the package).
emulator_module = importlib.import_module("week5.operations.local.emulator")
#: The in-process moto's fixtures (tests/moto_in_process.py), by the names the tests use.
one_ami = moto_in_process.one_ami
aws = moto_in_process.aws

BIN = Path(sys.executable).parent
REGION = "ap-northeast-2"


# --- 1. the outputs header: listing a Run Command's invocations fails on the emulator ---------


def output(key: str, value: str):
    return {"key": key, "description": "", "value": value, "skipped": []}


def lab(outputs):
    return SimpleNamespace(outputs=outputs, load_balancers=[], auto_scaling_groups=[{}],
                           databases=[], caches=[])  # fmt: skip


LISTING = (
    "`aws ssm list-command-invocations` fails with HTTP 500 (`aws ssm get-command-invocation "
    "--command-id ID --instance-id ID` answers); the other API calls work"
)


def test_a_lab_that_sends_a_run_command_is_told_which_call_lists_its_invocations():
    """A trial of Day4Lab1: the header said "the other API calls work" and `aws ssm
    list-command-invocations` answered HTTP 500; get-command-invocation works. Said beside
    start-session, for a lab whose output sends a Run Command only."""
    load = output("LoadTestCommand", "aws ssm send-command --document-name AWS-RunShellScript")
    header = local_command.outputs_header(lab([load]))
    assert (
        "`aws ssm start-session` fails with HTTP 500) reach nothing here, nor do `aws s3control` "
        "calls (the account id goes in their host name), and " + LISTING
    ) in header
    assert header.count("the other API calls work") == 1
    assert "(LoadTestCommand loads nothing)" in header  # what runs behind it, as before
    other = local_command.outputs_header(lab([output("Url", "http://a")]))
    assert "list-command-invocations" not in other
    assert other.startswith(local_command.OUTPUTS_HEADER_START)


def test_moto_lacks_list_command_invocations_and_answers_get_command_invocation(aws):
    """What the header says; when this fails, moto lists invocations: say nothing of it
    (week5/cli/local.py, ``_INVOCATIONS``)."""
    ec2, ssm = aws("ec2"), aws("ssm")
    (instance,) = ec2.run_instances(
        ImageId=moto_in_process.AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
        TagSpecifications=[{"ResourceType": "instance",
                            "Tags": [{"Key": "Name", "Value": "web"}]}],
    )["Instances"]  # fmt: skip
    command = ssm.send_command(
        Targets=[{"Key": "tag:Name", "Values": ["web"]}],
        DocumentName="AWS-RunShellScript",
        Parameters={"commands": ["uptime"]},
    )["Command"]
    with pytest.raises(NotImplementedError):  # moto's server answers HTTP 500
        ssm.list_command_invocations(CommandId=command["CommandId"])
    answer = ssm.get_command_invocation(
        CommandId=command["CommandId"], InstanceId=instance["InstanceId"]
    )
    assert answer["Status"] == "Success"


# --- 2. status: a snapshot cleanup does not run on the emulator -------------------------------

SNAPSHOT = f"arn:aws:ec2:{REGION}::snapshot/snap-0123456789abcdef0"
STACK = "week5-park-Day2Lab1"
ON_AWS = f"(stack {STACK}'s snapshot cleanup deletes it at cdk destroy)"


def snapshot_report() -> StatusReport:
    """Day2Lab1's `SnapshotCommand` snapshot, which its LeftoverCleanup deletes at destroy."""
    tags = {"Week": "Week5", "Day": "Day2", "Lab": "Lab1", "Student": "park"}
    left = Untracked(arn=SNAPSHOT, tags=tags, destroy_deletes=STACK)
    return StatusReport(region=REGION, student="park", untracked=[left],
                        now=datetime(2026, 11, 29, tzinfo=timezone.utc))  # fmt: skip


def snapshot_lines(text: str):
    (header,) = [line for line in text.splitlines() if line.startswith("Tagged Week=Week5")]
    (line,) = [line for line in text.splitlines() if SNAPSHOT in line]
    return header, line


def test_status_on_the_emulator_says_the_snapshot_cleanup_does_not_run_there():
    """A trial of Day2Lab1 on `week5 local --keep`: status said the stack's snapshot cleanup
    deletes the snapshot at cdk destroy; the emulator runs no function and it stayed (week5
    local's destroy note says so)."""
    endpoint = "http://localhost:47863"
    header, line = snapshot_lines(status_command.format_status(snapshot_report(), endpoint))
    assert line.endswith(
        f"(stack {STACK}'s snapshot cleanup deletes it at cdk destroy on AWS, not on the "
        f"emulator at {endpoint}, which runs no function: it stays after destroy)"
    ), line
    assert ON_AWS not in line
    assert "cdk destroy does not remove these, `week5 cleanup --day DayN` does" in header
    # On AWS as before.
    header, line = snapshot_lines(status_command.format_status(snapshot_report()))
    assert line.endswith(ON_AWS)
    assert "(but those marked as a stack's snapshot cleanup's)" in header


@pytest.mark.parametrize(
    "endpoint, emulated",
    [("http://localhost:{port}", True), ("http://127.0.0.1:{port}", True), (None, False)],
)
def test_status_tells_the_emulator_by_the_endpoint_it_reads(
    monkeypatch, capsys, endpoint, emulated
):
    """AWS_ENDPOINT_URL on this machine (`week5 local --keep`'s export) is the emulator; no
    endpoint is AWS. (The report is the one read: the endpoint alone decides.)"""
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_CLOUDFORMATION", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    if endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint.format(port=47863))
    else:
        monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setattr(status_command, "read_status", lambda *_args: snapshot_report())
    assert main(["status", "--student", "park"]) == 0
    _, line = snapshot_lines(capsys.readouterr().out)
    assert line.endswith("it stays after destroy)" if emulated else ON_AWS), line


# --- 3. audit's reference: the NAT instance the lab runs --------------------------------------


def test_the_audits_reference_holds_the_labs_nat_instance(app):
    """`week5 audit Day2Case`: "the lab runs Auto Scaling t3.micro, ElastiCache cache.t3.micro,
    RDS db.t3.micro", its t4g.nano NAT instance left out (kept apart from the stand-alone
    instances, as the account's read is)."""
    from week5.operations.audit.reference import reference

    ref = reference(app.templates["Day2Case"])
    assert ref.nat_instances == ["t4g.nano"]
    assert ref.instance_types == []  # its hosts are an Auto Scaling group's


# --- 4. one file put into a bucket ------------------------------------------------------------


def test_one_file_put_into_a_bucket_is_said_in_the_singular():
    """`week5 local Day4Case` printed "1 files of the lab put into s3://..."."""
    row = {"files": 1, "bucket": "site-b", "prefix": "", "logical_id": "Content"}
    assert local_command.format_upload(row) == (
        "  1 file of the lab put into s3://site-b/, as Content's function does on AWS "
        "(`aws s3 ls s3://site-b --recursive` lists it)"
    )
    assert local_command.format_upload({**row, "files": 3}).startswith(
        "  3 files of the lab put into s3://site-b/"
    )
    assert local_command.format_upload({**row, "files": 3}).endswith("lists them)")


# --- 5. a --port in use: one line, exit 2, whenever it is found -------------------------------


@contextlib.contextmanager
def busy_port():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        yield busy.getsockname()[1]


def test_a_given_port_found_in_use_at_the_emulators_start_is_bad_input():
    with busy_port() as port:
        with pytest.raises(local.LocalError) as raised:
            local.start_emulator(BIN, port)
    assert str(raised.value) == (
        f"--port {port} is in use: pass another, or leave --port out for a free one"
    )
    assert raised.value.code == 2


def test_a_picked_port_in_use_is_no_bad_input(monkeypatch):
    with busy_port() as port:
        monkeypatch.setattr(emulator_module, "free_port", lambda: port)
        monkeypatch.setattr(emulator_module, "port_in_use", lambda _port: False)
        monkeypatch.setattr(emulator_module, "_log_says_in_use", lambda _path: True)
        with pytest.raises(local.LocalError) as raised:
            local.start_emulator(BIN)
    assert str(raised.value) == f"port {port} is in use: run again, or pass a free port with --port"
    assert raised.value.code == 1


def test_week5_local_says_a_taken_port_one_way_with_exit_2_before_and_after_synthesis(
    monkeypatch, capsys
):
    """The trial: `--port 47863 is in use: pass another, or leave --port out for a free one`
    exit 2 before synthesis; taken during it, `port 47318 is in use: pass another with
    --port, or leave it out` exit 1."""
    with busy_port() as port:
        argv = ["local", "Day1Lab1", "--port", str(port)]
        before = main(argv)
        before_err = capsys.readouterr().err
        # Free at the check before synthesis, taken by the emulator's start (the synthesis
        # stands in: minutes in which another program took the port).
        monkeypatch.setattr(local_command.local, "port_in_use", lambda _port: False)

        @contextlib.contextmanager
        def synthesized(*_args, **_kwargs):
            yield "never-read", 0.0

        monkeypatch.setattr(local_command, "synthesized", synthesized)
        monkeypatch.setattr(local_command, "read_labs", lambda _outdir: [])
        monkeypatch.setattr(
            local_command, "select_labs", lambda _labs, ids: [SimpleNamespace(lab_id=ids[0])]
        )
        after = main(argv)
        after_err = capsys.readouterr().err
    line = f"week5: --port {port} is in use: pass another, or leave --port out for a free one"
    assert (before, before_err.splitlines()[-1:]) == (2, [line])
    assert (after, after_err.splitlines()[-1:]) == (2, [line])


def test_audit_counts_the_nat_instance_the_lab_runs_and_the_account_runs(app):
    """The instance-types check lists the NAT instance on both sides (it left it out of both),
    and one missing fails it, named."""
    from week5.operations.audit.checks_compute import _instance_types
    from week5.operations.audit.model import Account
    from week5.operations.audit.reference import reference

    ref = reference(app.templates["Day2Case"])
    account = Account(
        nat_instances=[{"id": "i-0nat", "type": "t4g.nano"}],
        groups=[{"type": g["type"]} for g in ref.groups],
        databases=[{"class": d["class"]} for d in ref.databases],
        caches=[{"type": c["type"]} for c in ref.caches],
    )
    runs = (
        "Auto Scaling t3.micro, ElastiCache cache.t3.micro, NAT instance t4g.nano, RDS "
        "db.t3.micro"
    )
    check = _instance_types(account, ref)
    assert (check.passed, check.evidence) == (True, f"{runs}; the lab runs {runs}")
    account.nat_instances = []
    check = _instance_types(account, ref)
    assert not check.passed
    assert check.evidence.endswith(f"; the lab runs {runs}")
