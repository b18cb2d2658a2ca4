"""`week5 init --student NAME` (issue #15 item 3): the student's name set once, in CDK's own
cdk.context.json, which the CDK CLI reads on every command; `-c student=` (empty) refused."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT, fake_cdk, make_app

from stacks.catalog import CATALOG
from week5.cli import build_parser, main
from week5.cli.synthesis import cached_synthesis, synthesis_context
from week5.core.errors import CourseInputError
from week5.core.settings import configured_student, read_project_context
from week5.operations import preflight
from week5.synth.app_builder import build_labs

EMPTY = (
    "context 'student' is empty (-c student= with no name); pass your name, e.g. -c student=kim, "
    "or set it once with: week5 init --student kim"
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder whose cdk.json names no student (the course's default applies)."""
    (tmp_path / "cdk.json").write_text(json.dumps({"app": "python app.py", "context": {}}))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_init_writes_the_name_where_cdk_reads_it(project, capsys):
    (project / "cdk.context.json").write_text(json.dumps({"availability-zones:x": ["a"]}))
    assert main(["init", "--student", "kim-minsu"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Student set to kim-minsu in {project / 'cdk.context.json'}:")
    assert "deploys week5-kim-minsu-Day1Lab1" in out
    # What CDK cached there stays; the name is added.
    assert json.loads((project / "cdk.context.json").read_text()) == {
        "availability-zones:x": ["a"],
        "student": "kim-minsu",
    }
    assert configured_student(project) == ("kim-minsu", "cdk.context.json")
    assert main(["init"]) == 0
    assert capsys.readouterr().out == (
        "Student: kim-minsu (from cdk.context.json); stacks are named week5-kim-minsu-<lab>.\n"
    )


def test_init_takes_a_name_with_digits_and_single_hyphens(project, capsys):
    for name in ("a1", "kim-minsu-2"):
        assert main(["init", "--student", name]) == 0
        assert capsys.readouterr().out.startswith(f"Student set to {name} in ")
        assert configured_student(project) == (name, "cdk.context.json")


def test_init_without_a_name_shows_the_default(project, capsys):
    assert main(["init"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Student: instructor (from the default)")
    assert "week5 init --student <your-name>" in captured.err


@pytest.mark.parametrize(
    "name", ["Kim", "", "kim minsu", "김민수", "k" * 21, "kim\n", "kim-", "a--b", "-kim"]
)
def test_a_bad_name_is_one_line_and_writes_nothing(project, capsys, name):
    """`kim-` and `a--b` were written, and Day 3 Lab 1's RDS ids (week5-kim--day3-manual) then
    failed at deploy time."""
    assert main(["init", f"--student={name}"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"week5: --student {name!r} is not a student name")
    assert line.endswith("e.g. week5 init --student kim-minsu")
    assert not (project / "cdk.context.json").exists()


def test_a_name_cdk_json_overrides_is_not_reported_as_set(project, capsys):
    """The CDK CLI reads cdk.json's context before cdk.context.json: with a student there,
    init's name would not be used, and init says so instead of claiming success."""
    (project / "cdk.json").write_text(json.dumps({"context": {"student": "instructor"}}))
    assert main(["init", "--student", "kim"]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == (
        f"week5: wrote student=kim to {project / 'cdk.context.json'}, but the CDK CLI will still "
        "use 'instructor' from cdk.json, which it reads first: delete \"student\" from "
        "cdk.json's context"
    )


def test_a_broken_context_file_is_one_line(project, capsys):
    (project / "cdk.context.json").write_text("{not json")
    assert main(["init", "--student", "kim"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "cdk.context.json is not valid JSON" in line and "delete it" in line


def test_an_unreadable_context_file_is_one_line_that_says_so(project, capsys, monkeypatch):
    """A trial's chmod 000 file was reported as "not valid JSON (Permission denied)"."""
    (project / "cdk.context.json").write_text('{"student": "lee"}')
    read_text = Path.read_text

    def refuse(self, *args, **kwargs):
        if self.name == "cdk.context.json":
            raise PermissionError(13, "Permission denied")
        return read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", refuse)
    assert main(["init", "--student", "kim"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "cdk.context.json cannot be read (Permission denied)" in line and "JSON" not in line


def test_a_context_file_in_another_encoding_is_one_line(project, capsys):
    (project / "cdk.context.json").write_bytes('{"student": "김"}'.encode("cp949"))
    assert main(["init", "--student", "kim"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "cdk.context.json is not UTF-8 text" in line


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"a":' * 5_000 + "1" + "}" * 5_000])
def test_a_context_file_nested_deeper_than_json_reads_is_one_line(project, capsys, text):
    """A hostile trial: a RecursionError traceback (init, --clear-student, cost, status)."""
    (project / "cdk.context.json").write_text(text)
    for argv in (["init", "--student", "kim"], ["init", "--clear-student"]):
        assert main(argv) == 2
        (line,) = capsys.readouterr().err.strip().splitlines()
        assert "cdk.context.json" in line and "too deeply" in line, line


def test_a_context_file_that_is_a_folder_is_one_line_and_leaves_nothing(project, capsys):
    """It was an IsADirectoryError traceback, with .cdk.context.json.partial left behind."""
    (project / "cdk.context.json").mkdir()
    assert main(["init", "--student", "kim"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == (
        f"week5: {project / 'cdk.context.json'} is not a file; move it away (CDK keeps its "
        "context in that file), then run week5 init again"
    )
    assert sorted(p.name for p in project.iterdir()) == ["cdk.context.json", "cdk.json"]


def test_an_empty_student_is_refused_not_taken_for_the_default(tmp_path):
    with pytest.raises(CourseInputError) as error:
        build_labs(make_app(tmp_path / "out", student=""), CATALOG)
    assert str(error.value) == EMPTY


def cdk_context_seen(folder: Path, *args: str) -> dict:
    """The context the real CDK CLI hands an app in ``folder`` (the app only records it)."""
    dump = folder / "seen.json"
    app = (
        f"{sys.executable} -c \"import os; open({str(dump)!r}, 'w')"
        ".write(os.environ.get('CDK_CONTEXT_JSON', '{}'))\""
    )
    env = {**os.environ, "PATH": os.pathsep.join([str(ROOT / "node_modules" / ".bin"),
                                                  os.environ["PATH"]])}  # fmt: skip
    subprocess.run(
        ["cdk", "synth", "--app", app, "--output", str(folder / "out"), *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip  (it fails afterwards: the app writes no assembly; the context is recorded)
    return json.loads(dump.read_text())


def test_the_cdk_cli_reads_the_name_init_wrote_and_cdk_json_must_not_name_one(project):
    """The order the pinned CDK CLI really uses: -c, then cdk.json, then cdk.context.json."""
    assert main(["init", "--student", "kim"]) == 0
    assert cdk_context_seen(project)["student"] == "kim"
    assert cdk_context_seen(project, "-c", "student=lee")["student"] == "lee"
    assert cdk_context_seen(project, "-c", "student=")["student"] == ""  # refused by the app
    (project / "cdk.json").write_text(json.dumps({"context": {"student": "instructor"}}))
    assert cdk_context_seen(project)["student"] == "instructor"  # why cdk.json must not
    assert read_project_context(project)["student"] == "instructor"  # and we read it the same


def test_an_empty_student_given_to_a_week5_command_is_one_line():
    result = subprocess.run(
        [sys.executable, "-m", "week5", "cost", "Day1Lab1", "-c", "student="],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 2
    lines = [x for x in result.stderr.splitlines() if not x.startswith(("==>", "   "))]
    assert lines == [f"week5: {EMPTY}"]
    assert result.stdout == ""


@pytest.mark.parametrize(
    "context, says",
    [
        (["student="], EMPTY),
        (["studnet=kim"], "'studnet'"),
        (["labs=Day1Lab1", "students=kim,kim"], "kim"),
    ],
)
def test_a_context_the_app_would_refuse_stops_before_the_cdk_cli(tmp_path, context, says):
    """The same check as the app's (CourseSettings.from_context, over cdk.json and
    cdk.context.json too), made before the CLI starts: a `cdk` that records its runs never
    runs; a good context reaches it."""
    shutil.copy(ROOT / "cdk.json", tmp_path / "cdk.json")
    runs = tmp_path / "runs.txt"
    fake_cdk(tmp_path, f'#!/bin/sh\necho "$*" >> "{runs}"\nexit 0\n')
    with pytest.raises(CourseInputError, match=re.escape(says)):
        cached_synthesis(tmp_path, context, tmp_path / "scratch")
    assert not runs.exists()
    cached_synthesis(tmp_path, ["student=kim"], tmp_path / "scratch")
    assert "--context student=kim" in runs.read_text()


def test_clear_student_removes_the_name_and_keeps_the_rest(project, capsys):
    """An instructor's folder once set up with `week5 init --student kim` refused class mode
    (`-c students=...`), and `week5 init` had no way to unset the name."""
    (project / "cdk.context.json").write_text(
        json.dumps({"availability-zones:x": ["a"], "student": "kim"})
    )
    assert main(["init", "--clear-student"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Student 'kim' removed from {project / 'cdk.context.json'}:")
    assert json.loads((project / "cdk.context.json").read_text()) == {
        "availability-zones:x": ["a"]
    }
    assert configured_student(project) == ("instructor", "the default")
    assert main(["init", "--clear-student"]) == 0  # again: nothing to clear is no failure
    assert capsys.readouterr().out.startswith("No student is set in ")


def test_clear_student_says_when_cdk_json_still_names_one(project, capsys):
    (project / "cdk.json").write_text(json.dumps({"app": "x", "context": {"student": "lee"}}))
    (project / "cdk.context.json").write_text(json.dumps({"student": "kim"}))
    assert main(["init", "--clear-student"]) == 1
    err = capsys.readouterr().err
    assert "still uses student 'lee' from cdk.json" in err
    assert json.loads((project / "cdk.context.json").read_text()) == {}


def test_clear_student_and_student_are_not_taken_together(project, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["init", "--student", "kim", "--clear-student"])
    assert stopped.value.code == 2
    assert not (project / "cdk.context.json").exists()


#: `week5 init --student park`'s line, after a student trial: it said "destroy, cost, status,
#: audit and cleanup use park too (-c student=<name> overrides it once)", and `week5 status -c
#: student=lee` was "unrecognized arguments", exit 2 (status, audit and cleanup take --student).
SET_PARK = (
    "Student set to park in {path}: scripts/cdk.py deploy Day1Lab1 now deploys "
    "week5-park-Day1Lab1, and destroy, week5 cost, status, audit and cleanup use park too. "
    "Another student, once: -c student=<name> with scripts/cdk.py and week5 cost, "
    "--student <name> with week5 status, audit and cleanup.\n"
)

#: Each command's words before the option, as the parser takes them.
COMMAND_LINES = {
    "scripts/cdk.py": ["deploy", "Day1Lab1"],
    "week5 cost": ["cost", "Day1Lab1"],
    "week5 status": ["status"],
    "week5 audit": ["audit", "Day1Lab1"],
    "week5 cleanup": ["cleanup", "--day", "Day1"],
}


def test_init_says_which_command_takes_which_option(project, capsys):
    assert main(["init", "--student", "park"]) == 0
    assert capsys.readouterr().out == SET_PARK.format(path=project / "cdk.context.json")


def once_options(line: str):
    """(option, command) for each "OPTION with COMMANDS" the line names: "week5 status, audit
    and cleanup" is three commands."""
    assert "Another student, once: " in line, line
    once = line.split("Another student, once: ", 1)[1].rstrip(".\n")
    for claim in re.split(r", (?=-)", once):
        option, commands = claim.split(" with ", 1)
        words = re.split(r", | and ", commands)
        tool = words[0].split(" ", 1)[0]  # "week5" of "week5 status"
        for word in words:
            yield option, word if " " in word or word.endswith(".py") else f"{tool} {word}"


def test_each_option_the_line_names_is_taken_by_its_command(project, capsys):
    """The parsers run: each command takes the option the line names for it, for another name
    (lee) than the one set (park); status and cleanup take no -c at all."""
    main(["init", "--student", "park"])
    claims = list(once_options(capsys.readouterr().out))
    assert sorted(command for _, command in claims) == sorted(COMMAND_LINES)
    for option, command in claims:
        argv = [*COMMAND_LINES[command], *option.replace("<name>", "lee").split(" ")]
        if command == "scripts/cdk.py":  # the launcher's own reading of a cdk command line
            plan = preflight.plan(argv, project)
            assert (plan.student, plan.student_source) == ("lee", "-c student"), command
            continue
        args = build_parser().parse_args(argv)
        if option.startswith("-c"):
            assert synthesis_context(args)["student"] == "lee", command
        else:
            assert args.student == "lee", command
    for command in ("week5 status", "week5 cleanup"):  # what the old line sent a student to
        with pytest.raises(SystemExit) as stopped:
            main([*COMMAND_LINES[command], "-c", "student=lee"])
        assert stopped.value.code == 2
        assert "unrecognized arguments: -c student=lee" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["init"], ["status"], ["init", "--clear-student"]])
def test_a_saved_name_the_rule_now_refuses_says_where_it_is(project, capsys, command):
    """cdk.context.json from before the rule refused 'kim-' (review D16): the line named
    only `-c student=`; it names the file and the command that replaces the name."""
    (project / "cdk.context.json").write_text(json.dumps({"student": "kim-"}))
    code = main(command)
    err = capsys.readouterr().err
    if command == ["init", "--clear-student"]:  # the way out works
        assert code == 0 and "student" not in json.loads(
            (project / "cdk.context.json").read_text() or "{}"
        ), err
        return
    assert code == 2
    assert err == (
        "week5: cdk.context.json names the student 'kim-', which is not a valid student name: "
        "use a lowercase letter first, then lowercase letters, digits or '-' (no '--', no '-' "
        "at the end), at most 20 characters (Latin letters: write a Korean name as it is "
        "romanized); replace it: week5 init --student kim-minsu\n"
    )
    assert main(["init", "--student", "kim-minsu"]) == 0  # and the fix it names works
