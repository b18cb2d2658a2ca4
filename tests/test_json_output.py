"""`--json` means JSON alone on stdout (issue #15 item 11): every command that has the option is
run here as a user runs it (a new process) and its stdout parsed whole; progress and notes go to
stderr. `week5 labs --json` synthesizes through a stand-in CDK CLI (tests/support.py assembly_cdk): the
stdout of a command whose synthesis is the real CLI's is parsed whole in test_assembly_cache
(`week5 cost --json`, twice)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT, assembly_cdk
from test_quotas import fake_assembly, lab_template, moto_env  # noqa: F401  (the fixture)

import week5.cli
from week5.core import progress


def run_week5(*args, env=None, timeout=600, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "week5", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def json_commands():
    """Every (sub)command whose parser has --json."""
    found = []

    def walk(parser, path):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, path + [name])
            elif "--json" in action.option_strings:
                found.append(" ".join(path))

    walk(week5.cli.build_parser(), [])
    return sorted(found)


@pytest.fixture
def assembly(tmp_path):
    return fake_assembly(tmp_path / "out", {"Day1Lab1": lab_template("Day1Lab1")})


def synth_project(assembly: Path) -> Path:
    """A project beside ``assembly`` whose `cdk synth` writes it."""
    project = assembly.parent / "project"
    project.mkdir()
    assembly_cdk(project, assembly)
    return project


def runs(assembly, env):
    """How each --json command is run here."""
    return {
        # --no-cache: the synthesis prints its progress (a cached assembly prints one line).
        "labs": lambda: run_week5(
            "labs", "--json", "-c", "labs=Day1Lab1", "--no-cache", cwd=synth_project(assembly)
        ),
        "cost": lambda: run_week5("cost", "Day1Lab1", "--json", "--assembly", str(assembly)),
        "audit": lambda: run_week5(
            "audit", "Day1Lab1", "--student", "kim", "--json", "--assembly", str(assembly), env=env
        ),  # fmt: skip
        "status": lambda: run_week5("status", "--all", "--json", env=env),
        "cleanup": lambda: run_week5("cleanup", "--day", "Day1", "--apply", "--json", env=env),
        "quotas": lambda: run_week5(
            "quotas",
            "--students",
            "kim,lee",
            "Day1Lab1",
            "--json",
            "--assembly",
            str(assembly),
            env=env,
        ),  # fmt: skip
    }


def test_every_json_command_is_run_here(assembly):
    assert json_commands() == sorted(runs(assembly, {}))


@pytest.mark.parametrize("command", ["labs", "cost", "audit", "status", "quotas", "cleanup"])
def test_stdout_is_json_alone(command, assembly, moto_env):  # noqa: F811
    result = runs(assembly, moto_env)[command]()
    assert result.returncode in (0, 1), result.stderr  # audit: 1 when a check fails
    assert "Traceback" not in result.stderr
    json.loads(result.stdout)  # the whole of stdout, nothing before or after
    if command == "cleanup":  # its progress went to stderr
        assert "==> Week5 Day1 resources of every student in ap-northeast-2" in result.stderr
    if command == "labs":  # a synthesis: its progress lines went to stderr
        assert "==> synthesizing Day1Lab1" in result.stderr
        # The ticker's lines (every 3 s) go to stderr too: test_the_ticker_writes_to_stderr
        # (one lab without CDK's validation can take under 3 s).


def test_the_ticker_writes_to_stderr_while_a_step_runs(capfd, monkeypatch):
    """A step that outlasts the interval gets its `... still` lines, on stderr; the step's own
    output is captured, and stdout stays empty for the command's result."""
    monkeypatch.setattr(progress, "PROGRESS_EVERY_S", 0.05)
    result, seconds = progress.run_with_progress(
        [sys.executable, "-c", "import time; print('own output'); time.sleep(0.4)"],
        cwd=Path.cwd(), env=os.environ, doing="synthesizing",
    )
    out, err = capfd.readouterr()
    assert result.returncode == 0 and result.stdout == "own output\n" and seconds >= 0.4
    assert out == "" and err.count("   ... still synthesizing (") >= 3


def test_progress_and_notes_go_to_stderr(capsys):
    progress.say("==> working")
    progress.say("note")
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == "==> working\nnote\n"


def test_an_interrupted_audit_leaves_stdout_empty(assembly, moto_env, monkeypatch, capsys):  # noqa: F811
    """Ctrl-C during `week5 audit --json`: no JSON was made, so stdout holds nothing."""
    import week5.cli.audit as audit_cli

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(audit_cli, "vpc_candidates", interrupted)
    code = week5.cli.main(
        ["audit", "Day1Lab1", "--student", "kim", "--json", "--assembly", str(assembly)]
    )
    out, err = capsys.readouterr()
    assert code == 130 and out == "" and "Interrupted: nothing was changed" in err
