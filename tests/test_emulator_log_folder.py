"""The emulator's ``week5-moto-*`` log folder: a `week5 local` run that worked removes it; a
failed one keeps it and names it, whatever failed (225 such folders were found in /tmp after a
day of test runs: the session's emulator left one each, see tests/emulated_labs.py)."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from week5.cli import local as local_command
from week5.cli.errors import CliError
from week5.operations import local

BIN = Path(sys.executable).parent


@pytest.fixture
def temporary(monkeypatch, tmp_path) -> Path:
    """The system's temporary folder, as `week5 local` finds it, made this test's own."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def folders(where: Path):
    return sorted(p.name for p in where.glob("week5-moto-*"))


def test_a_run_that_worked_leaves_no_folder(monkeypatch, temporary, capsys):
    """The real emulator (its bootstrap, the CDK CLI's, left out), started and stopped as
    `week5 local LAB` does."""
    monkeypatch.setattr(local, "bootstrap", lambda env: 0.0)
    with local_command.emulator_for(argparse.Namespace(port=None), {}) as (emulator, env):
        assert emulator.log_path.parent.parent == temporary
        assert folders(temporary) == [emulator.log_path.parent.name]
        assert env["AWS_ENDPOINT_URL"] == emulator.endpoint
    assert emulator.process.poll() is not None
    assert folders(temporary) == []
    assert "kept" not in capsys.readouterr().err


class Process:
    """A stand-in for the emulator's process: running until stopped (or ``died`` with a code)."""

    pid = 4242

    def __init__(self, died=None):
        self.returncode = died

    def poll(self):
        return self.returncode

    def terminate(self) -> None:
        self.returncode = -15

    kill = terminate

    def wait(self, timeout=None):
        return self.returncode


@pytest.mark.parametrize(
    "failure",
    [
        ClientError({"Error": {"Code": "Throttling", "Message": "slow down"}}, "ListObjectsV2"),
        RuntimeError("a bug"),
        KeyboardInterrupt(),
    ],
    ids=["aws error", "bug", "ctrl-c"],
)
def test_any_failure_keeps_the_log_and_names_it(
    monkeypatch, temporary, capsys, failure, tmp_path
):
    """A failure other than the emulator's or the CLI's own (an AWS error that main() turns
    into one line, a bug, Ctrl-C) kept the folder without a word of it."""
    log = tmp_path / "moto.log"  # a kept log, in the test's own folder
    log.write_text("moto's requests\n")
    monkeypatch.setattr(local, "start_emulator", lambda *a: local.Emulator(1, Process(), log))
    monkeypatch.setattr(local, "bootstrap", lambda env: 0.0)
    with pytest.raises(type(failure)):
        with local_command.emulator_for(argparse.Namespace(port=None), {}):
            raise failure
    assert log.is_file()
    said = capsys.readouterr().err.splitlines()  # after the progress lines
    assert said[-1] == f"week5: the emulator's log is kept: {log}"
    assert sum("kept" in line for line in said) == 1


def test_the_emulators_own_failure_still_names_it_once(
    monkeypatch, temporary, capsys, tmp_path
):
    log = tmp_path / "moto.log"  # a kept log, in the test's own folder
    monkeypatch.setattr(local, "start_emulator", lambda *a: local.Emulator(1, Process(), log))
    monkeypatch.setattr(local, "bootstrap", lambda env: 0.0)
    with pytest.raises(CliError) as caught:
        with local_command.emulator_for(argparse.Namespace(port=None), {}):
            raise CliError("cdk deploy Day1Lab1 failed on the emulator")
    assert str(caught.value).endswith(f"(the emulator's log is kept: {log})")
    assert "kept" not in capsys.readouterr().err  # on the error's own line, not twice


def test_the_session_emulators_log_goes_into_the_sessions_folder(tmp_path):
    """tests/emulated_labs.py puts it beside the session's assembly (pytest's folder): in the
    system's temporary folder each test session left one."""
    emulator = local.start_emulator(BIN, log_parent=tmp_path)
    try:
        assert emulator.log_path.parent.parent == tmp_path
        assert emulator.log_path.parent.name.startswith("week5-moto-")
    finally:
        emulator.stop()
        emulator.remove_log()
    assert folders(tmp_path) == []


@pytest.mark.parametrize(
    "failure",
    [
        EndpointConnectionError(endpoint_url="http://localhost:38809/"),
        CliError("cdk deploy Day1Lab1 failed on the emulator"),
    ],
    ids=["its calls", "the deploy"],
)
def test_an_emulator_that_died_midway_is_named_not_the_network(
    monkeypatch, temporary, capsys, tmp_path, failure
):
    """A trial's emulator exited during the run: the line said "cannot reach AWS at
    http://localhost:PORT; check the network and any proxy"."""
    log = tmp_path / "moto.log"
    log.write_text("moto's requests\n")
    monkeypatch.setattr(
        local, "start_emulator", lambda *a: local.Emulator(1, Process(died=1), log)
    )
    monkeypatch.setattr(local, "bootstrap", lambda env: 0.0)
    with pytest.raises(CliError) as caught:
        with local_command.emulator_for(argparse.Namespace(port=None), {}):
            raise failure
    assert str(caught.value) == (
        f"the local emulator stopped during the run (exit 1); its log is kept: {log}; "
        "run the command again"
    )
    assert log.is_file()
