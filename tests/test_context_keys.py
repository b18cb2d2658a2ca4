"""The context the apps are given is checked strictly enough that a typo cannot deploy the wrong
thing: an unknown key is refused with the nearest known one, an empty value is refused instead
of read as unset, and `scripts/cdk` refuses both in one line, exit 2, before the CDK CLI runs."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
from support import INSTRUCTOR_CONTEXT, ROOT, make_app
from test_preflight import bad_input, fake_project, launch, run_wrapper

import week5.core.settings as settings
from stacks.catalog import CATALOG
from week5.core.errors import CourseInputError
from week5.core.settings import (
    KNOWN_CONTEXT,
    CourseSettings,
    check_context,
    empty_value_message,
)
from week5.operations import preflight
from week5.synth.app_builder import build_labs, synth_context

#: The keys only the instructor's app reads (instructor_app.py).
INSTRUCTOR_KEYS = (
    settings.CONTEXT_INSTRUCTOR_ACCOUNT,
    settings.CONTEXT_EXTERNAL_ID,
    settings.CONTEXT_BUDGET_EMAIL,
    settings.CONTEXT_BUDGET_TOPIC,
    settings.CONTEXT_BUDGET_STUDENTS,
)
LAB_KEYS = tuple(key for key in KNOWN_CONTEXT if key not in INSTRUCTOR_KEYS)
#: What the CDK CLI and aws-cdk-lib put into the context themselves: never the app's to refuse.
CDK_OWN = {
    "acknowledged-issue-numbers": [34892],  # `cdk acknowledge 34892`
    "cli-telemetry": False,  # `cdk cli-telemetry --disable`
    "assets-ecr-repository-name": "week5-assets",
    "default": {"@aws-cdk/core:checkSecretUsage": True},  # integ-runner's recommended flags
    "availability-zones:account=111122223333:region=ap-northeast-2": ["ap-northeast-2a"],
    "@aws-cdk/core:newStyleStackSynthesis": True,
    "aws:cdk:bundling-stacks": ["**"],
}


def files_under(folder: Path) -> list:
    return sorted(folder.rglob("*")) if folder.exists() else []


# --- unknown keys ---------------------------------------------------------------------------


def test_a_misspelt_key_is_refused_with_the_nearest_one(tmp_path):
    """`-c studnet=kim` used to build the default student's stack: `instructor`'s."""
    outdir = tmp_path / "cdk.out"
    with pytest.raises(CourseInputError) as error:
        build_labs(make_app(outdir, studnet="kim", labs="Day1Lab1"), CATALOG)
    assert str(error.value) == (
        "context 'studnet' is not a setting of this app; did you mean 'student'? Fix the name "
        "where it is set (-c, cdk.json, cdk.context.json or ~/.cdk.json)"
    )
    assert files_under(outdir) == []


@pytest.mark.parametrize(
    "key, nearest",
    [("Student", "student"), ("ssh-cidr", "ssh_cidr"), ("lab", "labs"), ("keyname", "key_name"),
     ("restore_snapshot", "restore_snapshot_id"), ("alarm-email", "alarm_email")],
)  # fmt: skip
def test_the_nearest_key_is_named(key, nearest):
    with pytest.raises(CourseInputError, match=f"did you mean '{nearest}'\\?"):
        check_context({key: "x"})


def test_a_key_like_no_setting_is_refused_with_the_list_of_settings():
    with pytest.raises(CourseInputError) as error:
        CourseSettings.from_context({"colour": "blue"})
    message = str(error.value)
    assert message.startswith("context 'colour' is not a setting of this app (its settings: ")
    assert all(key in message for key in KNOWN_CONTEXT) and "\n" not in message


def test_the_labs_app_takes_cdks_own_keys_and_the_instructor_apps(tmp_path):
    """CDK's own keys, and the instructor app's: both apps read cdk.json and cdk.context.json."""
    context = {**CDK_OWN, **INSTRUCTOR_CONTEXT}
    stacks = build_labs(make_app(tmp_path, labs="Day1Case", **context), CATALOG, nag=False)
    assert list(stacks) == ["Day1Case"]


def test_this_repositorys_context_passes():
    """cdk.json's flags and defaults, what the CLI adds, and what the integ apps add."""
    check_context(synth_context(ROOT / "cdk.json"))
    sys.path.insert(0, str(ROOT / "integ"))
    try:
        from promises import integ_context
    finally:
        sys.path.remove(str(ROOT / "integ"))
    check_context(integ_context())


def test_the_instructor_app_refuses_a_misspelt_key(tmp_path):
    """`-c externl_id=...` used to build the role without an external id (MFA instead)."""
    from instructor_app import build

    outdir = tmp_path / "cdk.out"
    cdk_app = make_app(outdir, instructor_account="111122223333", externl_id="week5-2026-fall")
    with pytest.raises(CourseInputError, match="did you mean 'external_id'\\?"):
        build(cdk_app)
    assert [c for c in cdk_app.node.children if isinstance(c, cdk.Stack)] == []
    assert files_under(outdir) == []


def test_the_instructor_app_names_a_misspelt_key_that_alone_would_build_nothing(tmp_path):
    """`-c instructor_acount=...` alone used to stop at "nothing to build", hiding the typo."""
    from instructor_app import build

    with pytest.raises(CourseInputError, match="did you mean 'instructor_account'\\?"):
        build(make_app(tmp_path / "cdk.out", instructor_acount="111122223333"))


def test_the_instructor_app_takes_the_labs_keys(tmp_path):
    """A student set in cdk.context.json, and cdk.json's zones, reach the instructor's app too
    (the labs' app takes the instructor's keys: above)."""
    from instructor_app import build

    stacks = build(make_app(tmp_path, student="kim", azs="ap-northeast-2a,ap-northeast-2c",
                            **INSTRUCTOR_CONTEXT))  # fmt: skip
    assert set(stacks) == {"InstructorAccess", "BudgetGuard"}


SOURCES = [ROOT / "app.py", ROOT / "instructor_app.py", *sorted((ROOT / "stacks").glob("*.py")),
           *sorted((ROOT / "week5").rglob("*.py"))]  # fmt: skip


def test_every_key_the_code_reads_is_a_known_setting():
    """One place knows the keys: every ``CONTEXT_*`` name the apps use is settings.py's and in
    KNOWN_CONTEXT, and no context is read by a literal key that would bypass the list."""
    used = set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bCONTEXT_[A-Z_]+\b", text))
        literal = re.findall(r"(?:try_get_context|get_context)\(\s*[\"'][^\"']+", text)
        assert literal == [], f"{path.relative_to(ROOT)} reads context by a literal key"
    assert used, "found no context names: the scan is broken"
    for name in sorted(used):
        assert getattr(settings, name, None) in KNOWN_CONTEXT, f"{name} is not in KNOWN_CONTEXT"


# --- empty values ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", LAB_KEYS)
def test_an_empty_value_is_refused_not_read_as_unset(tmp_path, key):
    """`-c ssh_cidr=$MYIP` with MYIP unset used to deploy with no SSH, without a word."""
    outdir = tmp_path / "cdk.out"
    context = {key: ""} if key == settings.CONTEXT_LABS else {key: "", "labs": "Day1Lab1"}
    with pytest.raises(CourseInputError) as error:
        build_labs(make_app(outdir, **context), CATALOG)
    message = str(error.value)
    assert message == empty_value_message(key)
    assert message.startswith(f"context '{key}' is empty (-c {key}= with no ")
    assert f"-c {key}=" in message.split(";", 1)[1] and "\n" not in message
    assert files_under(outdir) == []


@pytest.mark.parametrize("key", ["@aws-cdk/core:enablePartitionLiterals", "my:lookup"])
def test_an_empty_value_of_cdks_own_keys_is_refused_too(tmp_path, key):
    """README: an empty value is refused for every key; `-c x:y=` passed (hostile trial)."""
    outdir = tmp_path / "cdk.out"
    with pytest.raises(CourseInputError) as error:
        build_labs(make_app(outdir, **{key: "", "labs": "Day1Lab1"}), CATALOG)
    assert str(error.value) == (
        f"context '{key}' is empty (-c {key}= with no value); give its value, or leave the key "
        "out for CDK's default"
    )
    assert files_under(outdir) == []


@pytest.mark.parametrize("key", INSTRUCTOR_KEYS)
def test_an_empty_instructor_value_is_refused(tmp_path, key):
    """`-c external_id=` used to build the MFA variant; `-c budget_students=` no per-student
    budgets."""
    from instructor_app import build

    outdir = tmp_path / "cdk.out"
    with pytest.raises(CourseInputError) as error:
        build(make_app(outdir, **{**INSTRUCTOR_CONTEXT, key: ""}))
    assert str(error.value) == empty_value_message(key)
    assert files_under(outdir) == []


def test_no_wrapper_passes_an_empty_labs_value(tmp_path):
    """With no lab named, the wrappers add no `labs=` (it would now stop the app)."""
    root = fake_project(tmp_path)
    for wrapper in ("cdk", "cdk.py"):
        result, calls = run_wrapper(root, wrapper, ["synth", "--all"], dict(os.environ))
        assert result.returncode == 0, result.stderr
    assert calls == ["synth --all", "synth --all"]


# --- scripts/cdk: one line, exit 2, before the CDK CLI --------------------------------------


BAD = [
    (["-c", "studnet=kim"], "scripts/cdk: context 'studnet' is not a setting of this app; did "
     "you mean 'student'? Fix the name where it is set (-c, cdk.json, cdk.context.json or ~/.cdk.json)"),
    (["-c", "ssh_cidr="], f"scripts/cdk: {empty_value_message('ssh_cidr')}"),
    (["--context=restore_snapshot_id="],
     f"scripts/cdk: {empty_value_message('restore_snapshot_id')}"),
    (["-c", "student=Kim"], "scripts/cdk: context 'student'='Kim' is not a valid student name: "
     "use a lowercase letter first, then lowercase letters, digits or '-' (no '--', no '-' at "
     "the end), at most 20 characters (Latin letters: write a Korean name as it is romanized); "
     "for example -c student=kim-minsu"),
]  # fmt: skip


#: Each command that runs the app with each kind of bad context once (each run starts Python).
COMMANDS = ["synth", "diff", "deploy", "destroy"]


@pytest.mark.parametrize("wrapper", ["cdk", "cdk.py"])
@pytest.mark.parametrize(
    "command, context, line",
    [(command, *bad) for command, bad in zip(COMMANDS, BAD)],
    ids=[f"{c}-{kind}" for c, kind in zip(COMMANDS, ["unknown", "empty", "empty-day2", "bad"])],
)
def test_the_wrapper_refuses_bad_context_before_cdk_runs(
    tmp_path, wrapper, command, context, line, monkeypatch
):
    """synth through each wrapper, the other commands in process (test_preflight.launch)."""
    end_to_end = command == "synth"
    root = fake_project(tmp_path)
    code, stderr, calls = launch(root, wrapper, [command, "Day2Lab1", *context],
                                 dict(os.environ), monkeypatch, end_to_end)  # fmt: skip
    line = line.replace("scripts/cdk:", f"scripts/{wrapper}:", 1)
    assert (code, stderr.strip()) == (bad_input(end_to_end)[0], line)
    assert calls == bad_input(end_to_end)[1]  # the CDK CLI never ran: no synth, no AWS call


@pytest.mark.parametrize("student", ["kim-", "a--b", "-kim"])
def test_the_wrapper_refuses_a_name_aws_would_refuse_before_cdk_runs(tmp_path, student,
                                                                     monkeypatch):  # fmt: skip
    """`kim-` made the stack week5-kim--Day3Lab1 and Day 3 Lab 1's RDS ids
    week5-kim--day3-manual: it synthesized, and RDS refused the `--` after the deploy began.
    In process: the wrappers' exit 2 for bad context is the test above's."""
    root = fake_project(tmp_path)
    code, stderr, calls = launch(root, "cdk", ["deploy", "Day3Lab1", "-c", f"student={student}"],
                                 dict(os.environ), monkeypatch, end_to_end=False)  # fmt: skip
    assert (code, calls) == bad_input(False)
    assert stderr.strip() == (
        f"scripts/cdk: context 'student'='{student}' is not a valid student name: use a lowercase "
        "letter first, then lowercase letters, digits or '-' (no '--', no '-' at the end), at "
        "most 20 characters (Latin letters: write a Korean name as it is romanized); for example "
        "-c student=kim-minsu"
    )


def test_the_wrapper_passes_names_with_single_hyphens_and_digits(tmp_path, monkeypatch):
    """kim-minsu through scripts/cdk, a1 in process (preflight's 0 is "run cdk")."""
    root = fake_project(tmp_path)
    for student in ("kim-minsu", "a1"):
        code, stderr, _ = launch(root, "cdk", ["synth", "Day3Lab1", "-c", f"student={student}"],
                                 dict(os.environ), monkeypatch,
                                 end_to_end=student == "kim-minsu")  # fmt: skip
        assert (code, stderr) == (0, ""), student
    assert (root / "cdk-calls.log").read_text().splitlines() == [
        "synth Day3Lab1 -c student=kim-minsu --context labs=Day3Lab1"
    ]


def test_the_wrapper_checks_the_project_files_too(tmp_path, monkeypatch):
    """A misspelt key in cdk.context.json (written by hand) stops as one from -c does; CDK's own
    keys there (`cdk acknowledge`, `cdk cli-telemetry`) pass. In process: preflight's 0 is the
    wrappers' "run cdk", its 12 their exit 2 (the tests above run both wrappers)."""
    root = fake_project(tmp_path, cdk_context={"student": "kim", **CDK_OWN})
    code, stderr, _ = launch(root, "cdk", ["synth", "Day2Lab1"], dict(os.environ), monkeypatch,
                             end_to_end=False)  # fmt: skip
    assert (code, stderr) == (0, "")
    (root / "cdk.context.json").write_text(json.dumps({"studnet": "kim"}))
    code, stderr, calls = launch(root, "cdk", ["synth", "Day2Lab1"], dict(os.environ),
                                 monkeypatch, end_to_end=False)  # fmt: skip
    assert (code, calls) == bad_input(False)
    assert stderr.startswith("scripts/cdk: context 'studnet' is not a setting")


@pytest.mark.parametrize(
    "args, environ",
    [
        (["context", "--clear"], {}),  # runs no app
        (["acknowledge", "34892"], {}),
        (["synth", "Day1Lab1"], {"WEEK5_PREFLIGHT": "0"}),
    ],
)
def test_the_precheck_leaves_alone_what_runs_no_app(tmp_path, args, environ):
    (tmp_path / "cdk.json").write_text(json.dumps({"app": "python app.py", "context": {}}))
    preflight.check_context([*args, "-c", "studnet=kim"], tmp_path, environ)
    with pytest.raises(CourseInputError):  # the same context, for a command that runs the app
        preflight.check_context(["synth", "Day1Lab1", "-c", "studnet=kim"], tmp_path, {})


def test_the_precheck_reads_the_command_line_over_the_files(tmp_path):
    """The CDK CLI's order: `-c student=kim` wins over an empty one in cdk.context.json, which
    alone is refused."""
    (tmp_path / "cdk.json").write_text(json.dumps({"app": "python app.py", "context": {}}))
    (tmp_path / "cdk.context.json").write_text(json.dumps({"student": ""}))
    preflight.check_context(["deploy", "Day1Lab1", "-c", "student=kim"], tmp_path, {})
    with pytest.raises(CourseInputError, match="context 'student' is empty"):
        preflight.check_context(["deploy", "Day1Lab1"], tmp_path, {})


@pytest.mark.parametrize("wrapper", ["cdk", "cdk.py"])
def test_a_context_argument_without_a_value_stops_the_wrapper(tmp_path, wrapper, monkeypatch):
    """`-c student` (no `=`): the CDK CLI warns, drops it and deploys the default student's
    stack. Through scripts/cdk; scripts/cdk.py's preflight in process (its exit 2 for bad
    context: test_the_wrapper_refuses_bad_context_before_cdk_runs)."""
    end_to_end = wrapper == "cdk"
    root = fake_project(tmp_path)
    code, stderr, calls = launch(root, wrapper, ["deploy", "Day2Lab1", "-c", "student"],
                                 dict(os.environ), monkeypatch, end_to_end)  # fmt: skip
    assert (code, calls) == bad_input(end_to_end)
    assert stderr.strip() == (
        f"scripts/{wrapper}: -c 'student' is not key=value, and the CDK CLI would drop it and "
        "build the default; pass it as -c student=<value>, e.g. -c student=kim"
    )


def test_the_precheck_reads_the_users_cdk_json_under_the_project(tmp_path, monkeypatch):
    """The CDK CLI hands the app ~/.cdk.json's context too, under the project's files."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    project = tmp_path / "project"
    project.mkdir()
    (project / "cdk.json").write_text(json.dumps({"app": "python app.py", "context": {}}))
    (home / ".cdk.json").write_text(json.dumps({"context": {"team": "platform"}}))
    with pytest.raises(CourseInputError, match="context 'team' is not a setting .*~/.cdk.json"):
        preflight.check_context(["synth", "Day1Lab1"], project, {})
    (home / ".cdk.json").write_text(json.dumps({"context": {"student": ""}}))
    preflight.check_context(["synth", "Day1Lab1", "-c", "student=kim"], project, {})


@pytest.mark.parametrize(
    "key, says",
    [
        ("stu\ndent", "context 'stu\\ndent' is not a setting of this app; did you mean"),
        ("\x1b[31mred", "context '\\x1b[31mred' is not a setting of this app"),
        ("k" * 10_000, "context '" + "k" * 37 + "...' is not a setting of this app"),
        ("", "context has a key with no name (-c =value); pass key=value"),
    ],
    ids=["line-break", "escape", "huge", "empty"],
)
def test_an_unknown_key_is_shown_on_one_short_line(key, says):
    with pytest.raises(CourseInputError) as error:
        check_context({key: "x"})
    line = str(error.value)
    assert line.startswith(says) and "\n" not in line and "\x1b" not in line
    assert len(line) < 500  # the huge key cut to 40 characters


def test_a_null_setting_in_a_file_is_refused_not_taken_for_the_default(tmp_path):
    (tmp_path / "cdk.json").write_text(json.dumps({"app": "python app.py", "context": {}}))
    (tmp_path / "cdk.context.json").write_text(json.dumps({"student": None}))
    with pytest.raises(CourseInputError, match="context 'student' is null"):
        preflight.check_context(["deploy", "Day1Lab1"], tmp_path, {})


@pytest.mark.parametrize("text", ['["student", "kim"]', '"kim"', "3"])
def test_a_context_file_that_is_no_object_is_refused(tmp_path, text):
    """CDK hands the app a list's items as keys "0", "1"; the file is what to fix."""
    (tmp_path / "cdk.json").write_text(json.dumps({"app": "python app.py", "context": {}}))
    (tmp_path / "cdk.context.json").write_text(text)
    with pytest.raises(CourseInputError, match="cdk.context.json: it must be a JSON object"):
        preflight.check_context(["synth", "Day1Lab1"], tmp_path, {})


def test_the_wrappers_and_the_precheck_list_the_same_app_commands():
    """scripts/cdk, scripts/cdk.py (which cannot import week5) and the precheck agree."""
    bash = (ROOT / "scripts" / "cdk").read_text(encoding="utf-8")
    (listed,) = re.findall(r"^\s*((?:[a-z]+ \| )+[a-z]+)\)$", bash, flags=re.MULTILINE)
    spec = importlib.util.spec_from_file_location("week5_cdk_py", ROOT / "scripts" / "cdk.py")
    launcher = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(launcher)
    assert tuple(listed.split(" | ")) == launcher.APP_COMMANDS == preflight.APP_COMMANDS


@pytest.mark.parametrize(
    "args, says",
    [
        (["-c=studnet=kim"], "context 'studnet' is not a setting of this app"),
        (["-c=student"], "-c 'student' is not key=value"),
        (["--context=student"], "-c 'student' is not key=value"),
    ],
)
def test_the_precheck_reads_every_spelling_of_a_context_argument(tmp_path, args, says):
    """The CDK CLI takes `-c=k=v` and `--context=k=v` as it takes `-c k=v`."""
    (tmp_path / "cdk.json").write_text(json.dumps({"app": "python app.py", "context": {}}))
    with pytest.raises(CourseInputError) as error:
        preflight.check_context(["synth", "Day1Lab1", *args], tmp_path, {})
    assert str(error.value).startswith(says)
