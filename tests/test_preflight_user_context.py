"""A hostile-input trial of the launchers (scripts/cdk, scripts/cdk.py → `week5 preflight`) and
the settings:

1. A student named in the user's ~/.cdk.json (`{"context": {"student": "lee"}}`), which the CDK
   CLI hands the app under the project's files, was ignored by the preflight, `week5 init` and
   `week5 status`: `scripts/cdk destroy Day1Lab1 --force` checked week5-instructor-Day1Lab1
   and let the CDK CLI print "destroyed" for week5-lee-Day1Lab1, which exists nowhere.
2. A `-c`/`--context` that ends the line went to the CDK CLI, which printed its yargs help
   (100-270 lines), exit 1.
3. A lab id of the right shape that is not in the catalog (Day9Lab9, Day5Lab3, Day1Challenge)
   reached the app: "Subprocess exited with error 1" after 2-3 s.
4. `snap-12345678\\n` and `nginx:latest\\n` passed: `$` matches before a final newline.

No test here reads the real HOME: each points HOME (Path.home()) at a folder of its own."""

from __future__ import annotations

import json

import boto3
import pytest
from test_launcher_input import CATALOG_IDS, offline_env, with_catalog
from test_preflight import bad_input, fake_project, launch, project, run_wrapper
from test_quotas import lab_template, moto_env  # noqa: F401  (the fixture)

from week5.cli import main
from week5.cli.arguments import project_student
from week5.core.errors import CourseInputError
from week5.core.settings import (
    IMAGE_RE,
    check_lab_context,
    configured_student,
    parse_backend_image,
    parse_snapshot_id,
)
from week5.operations import preflight

REGION = "ap-northeast-2"
WRAPPERS = ["cdk", "cdk.py"]


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A HOME of the test's own (Path.home() reads it), with no ~/.cdk.json yet."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    return folder


def user_context(home_folder, **context) -> None:
    (home_folder / ".cdk.json").write_text(json.dumps({"context": context}))


# --- 1. ~/.cdk.json's student, region and class -------------------------------------------


def test_the_student_of_the_users_cdk_json_is_the_one_configured(tmp_path, home):
    root = project(tmp_path)
    user_context(home, student="lee")
    assert configured_student(root) == ("lee", "~/.cdk.json")
    # The CDK CLI's order: the project's files over ~/.cdk.json.
    (root / "cdk.context.json").write_text(json.dumps({"student": "kim"}))
    assert configured_student(root) == ("kim", "cdk.context.json")
    (tmp_path / "other").mkdir()
    assert configured_student(project(tmp_path / "other", cdk_json_student="park")) == (
        "park", "cdk.json"
    )


def test_an_empty_student_in_the_users_cdk_json_is_refused_not_defaulted(tmp_path, home):
    root = project(tmp_path)
    user_context(home, student="")
    with pytest.raises(CourseInputError, match="context 'student' is empty"):
        configured_student(root)


def test_a_null_student_in_a_context_file_is_refused_as_the_app_refuses_it(tmp_path, home):
    """`week5 init` said "Student: instructor (from cdk.context.json)" for `"student": null`,
    which `week5 cost`, `status` and the launchers refuse (hostile trial)."""
    root = project(tmp_path)
    (root / "cdk.context.json").write_text(json.dumps({"student": None}))
    with pytest.raises(CourseInputError, match="context 'student' is null in cdk.context.json"):
        configured_student(root)
    (root / "cdk.context.json").unlink()
    user_context(home, student=None)
    with pytest.raises(CourseInputError, match="context 'student' is null in ~/.cdk.json"):
        configured_student(root)


def test_the_plan_takes_student_region_and_class_from_the_users_cdk_json(tmp_path, home):
    root = project(tmp_path)
    user_context(home, student="lee", region="us-east-1")
    plan = preflight.plan(["destroy", "Day1Lab1", "--force"], root, {})
    assert (plan.student, plan.student_source, plan.region) == ("lee", "~/.cdk.json", "us-east-1")
    assert plan.targets("Day1Lab1") == ["week5-lee-Day1Lab1"]
    assert plan.who == "student 'lee' (from ~/.cdk.json)"
    user_context(home, students="kim,park")
    plan = preflight.plan(["deploy", "Day4Lab1-*"], root, {})
    assert plan.students == ("kim", "park") and plan.class_mode
    # -c and the project's files still win.
    (root / "cdk.context.json").write_text(json.dumps({"region": "ap-northeast-2"}))
    plan = preflight.plan(["deploy", "Day4Lab1-*", "-c", "students=choi"], root, {})
    assert (plan.students, plan.region) == (("choi",), "ap-northeast-2")


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_a_destroy_under_the_users_cdk_json_student_says_what_exists(
    wrapper, tmp_path, moto_env, monkeypatch  # noqa: F811
):
    """The trial: the emulator held week5-instructor-Day1Lab1, ~/.cdk.json named lee, and the
    launcher printed "Day1Lab1 (week5-lee-Day1Lab1): destroyed", exit 0. Through scripts/cdk;
    scripts/cdk.py's preflight in process (preflight's 11, EXIT_REFUSED, is its exit 1:
    test_preflight's test_a_destroy_under_the_default_name_... runs both wrappers)."""
    end_to_end = wrapper == "cdk"
    cf = boto3.client("cloudformation", region_name=REGION)
    cf.create_stack(StackName="week5-instructor-Day1Lab1",
                    TemplateBody=json.dumps(lab_template()))  # fmt: skip
    home_folder = tmp_path / "home"
    home_folder.mkdir()
    user_context(home_folder, student="lee")
    root = fake_project(tmp_path)
    env = {**moto_env, "HOME": str(home_folder)}
    code, stderr, calls = launch(root, wrapper, ["destroy", "Day1Lab1", "--force"], env,
                                 monkeypatch, end_to_end)  # fmt: skip
    assert (code, calls) == ((1, []) if end_to_end else (11, None)), stderr
    assert stderr.strip() == (
        f"scripts/{wrapper}: nothing destroyed: there is no stack week5-lee-Day1Lab1 in "
        "ap-northeast-2 for student 'lee' (from ~/.cdk.json), but there is "
        "week5-instructor-Day1Lab1; to destroy that, pass -c student=instructor (or run "
        "`week5 init --student instructor`)"
    )


def test_week5_init_names_the_users_cdk_json(tmp_path, home, monkeypatch, capsys):
    root = project(tmp_path)
    user_context(home, student="lee")
    monkeypatch.chdir(root)
    assert main(["init"]) == 0
    assert capsys.readouterr().out == (
        "Student: lee (from ~/.cdk.json); stacks are named week5-lee-<lab>.\n"
    )


def test_clear_student_says_when_the_users_cdk_json_still_names_one(tmp_path, home, monkeypatch,
                                                                   capsys):  # fmt: skip
    """It said "stacks are now week5-instructor-<lab> (the default)" while the CDK CLI went on
    building lee's, and class mode was refused for lee."""
    root = project(tmp_path, cdk_context={"student": "kim"})
    user_context(home, student="lee")
    monkeypatch.chdir(root)
    assert main(["init", "--clear-student"]) == 1
    assert capsys.readouterr().err.strip() == (
        f"week5: student 'kim' removed from {root / 'cdk.context.json'}, but the CDK CLI still "
        "uses student 'lee' from ~/.cdk.json, which it reads when cdk.context.json names no "
        "student: delete \"student\" from the context in ~/.cdk.json for the default student "
        "and class mode"
    )
    assert json.loads((root / "cdk.context.json").read_text()) == {}


def test_week5_status_takes_the_users_cdk_json_student(tmp_path, home, monkeypatch,
                                                       moto_env, capsys):  # noqa: F811
    root = project(tmp_path)
    user_context(home, student="lee")
    monkeypatch.chdir(root)
    assert project_student() == "lee"  # status, audit and cleanup read it so
    assert main(["status"]) == 0
    assert "==> Week5 lab stacks of student lee in ap-northeast-2" in capsys.readouterr().err


# --- 2. a -c with nothing after it --------------------------------------------------------


@pytest.mark.parametrize("option", ["-c", "--context"])
def test_a_context_option_that_ends_the_line_is_one_line(tmp_path, option):
    with pytest.raises(CourseInputError) as refused:
        preflight.check_context(["ls", "Day1Lab1", option], project(tmp_path), {})
    assert str(refused.value) == (
        f"{option} ends the command line with no key=value after it, and the CDK CLI would "
        f"print its help and exit 1; pass -c key=<value> (e.g. -c student=kim), or drop the "
        f"{option}"
    )


@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize("option", ["-c", "--context"])
def test_the_launchers_stop_a_context_option_without_a_value(wrapper, option, tmp_path, home,
                                                             monkeypatch):  # fmt: skip
    """-c through each wrapper, --context in process (test_preflight.launch)."""
    end_to_end = option == "-c"
    root = fake_project(tmp_path)
    code, stderr, calls = launch(root, wrapper, ["ls", "Day1Lab1", option], offline_env(home),
                                 monkeypatch, end_to_end)  # fmt: skip
    assert (code, calls) == bad_input(end_to_end), stderr
    assert stderr.startswith(f"scripts/{wrapper}: {option} ends the command line")
    assert len(stderr.strip().splitlines()) == 1


# --- 3. a lab id the catalog does not have -------------------------------------------------


@pytest.mark.parametrize(
    "args, nearest",
    [(["ls", "Day9Lab9"], "Day1Lab1"), (["synth", "Day5Lab3"], "Day5Lab1"),
     (["ls", "Day1Challenge"], "Day4Challenge"), (["deploy", "Day2Lab3", "--force"], "Day2Lab1"),
     (["deploy", "Day9Lab9-kim", "-c", "students=kim,lee"], "Day1Lab1")],
)  # fmt: skip
def test_a_lab_id_not_in_the_catalog_is_one_line(tmp_path, home, args, nearest):
    lab = args[1].split("-")[0]
    with pytest.raises(CourseInputError) as refused:
        preflight.check_patterns(args, project(tmp_path), {}, lab_ids=CATALOG_IDS)
    assert str(refused.value) == (
        f"unknown lab '{lab}' (did you mean {nearest}?); valid labs: {', '.join(CATALOG_IDS)}; "
        "nothing was run"
    )


def test_without_the_catalog_an_id_of_no_lab_shape_is_refused(tmp_path, home):
    with pytest.raises(CourseInputError) as refused:
        preflight.check_patterns(["ls", "Day9Lab9"], project(tmp_path), {})
    assert str(refused.value) == (
        "'Day9Lab9' is not a lab id: Day<1-5><Lab1|Lab2|Case|Challenge>, e.g. Day4Lab1 "
        "(`scripts/cdk ls` lists the labs); nothing was run"
    )


@pytest.mark.parametrize(
    "args",
    [["ls", "Day1Lab1"], ["deploy", "Day4Lab1-*", "-c", "students=kim,lee"],
     ["deploy", "Day4Lab1-kim", "-c", "students=kim,lee"], ["ls", "Day4Chall*"],
     ["ls", "Day{1,9}Lab1"], ["ls"], ["deploy", "--all"],
     ["diff", "Day1Lab1", "--outputs-file", "Day9Lab9"]],
)  # fmt: skip
def test_catalog_ids_patterns_and_option_values_pass(tmp_path, home, args):
    root = project(tmp_path)
    preflight.check_context(args, root, {})
    preflight.check_patterns(args, root, {}, lab_ids=CATALOG_IDS)


@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize("args", [["ls", "Day9Lab9"], ["synth", "Day1Challenge"]])
def test_the_launchers_refuse_a_lab_the_catalog_does_not_have(wrapper, args, tmp_path, home,
                                                               monkeypatch):  # fmt: skip
    """ls Day9Lab9 through each wrapper, synth Day1Challenge in process (where preflight's 0
    is the wrapper's "run cdk")."""
    end_to_end = args[0] == "ls"
    root = with_catalog(fake_project(tmp_path))
    code, stderr, calls = launch(root, wrapper, args, offline_env(home), monkeypatch, end_to_end)
    assert (code, calls) == bad_input(end_to_end), stderr
    assert stderr.startswith(f"scripts/{wrapper}: unknown lab '{args[1]}' (did you mean")
    code, stderr, calls = launch(root, wrapper, ["ls", "Day4Challenge"], offline_env(home),
                                 monkeypatch, end_to_end)  # fmt: skip
    assert (code, calls) == (
        (0, ["ls Day4Challenge --context labs=Day4Challenge"]) if end_to_end else (0, None)
    ), stderr


@pytest.mark.parametrize(
    "args", [["ls", "Day1Challenge", "-c", "students=kim,lee"], ["ls", "Day1Challenge-kim"]]
)
def test_an_unknown_lab_in_class_form_is_named_before_any_class_advice(args, tmp_path, home,
                                                                       monkeypatch):  # fmt: skip
    """The class-mode checks advised "Day1Challenge-*" or -c student=kim for a lab that does
    not exist: the unknown lab is said first. In process: the wrappers' exit 2 for an unknown
    lab is test_the_launchers_refuse_a_lab_the_catalog_does_not_have's."""
    root = with_catalog(fake_project(tmp_path))
    code, stderr, calls = launch(root, "cdk", args, offline_env(home), monkeypatch,
                                 end_to_end=False)  # fmt: skip
    assert (code, calls) == bad_input(False), stderr
    assert stderr.startswith("scripts/cdk: unknown lab 'Day1Challenge'"), stderr


def valid_labs() -> str:
    return ", ".join(CATALOG_IDS)


@pytest.mark.parametrize(
    "args, files, refused",
    [(["ls", "-c", "labs=Day1Challenge"], {}, ("Day1Challenge", "-c labs", "Day4Challenge")),
     (["synth", "-q", "--context=labs=Day1Lab1, Day2Challenge"], {},
      ("Day2Challenge", "-c labs", "Day4Challenge")),
     (["ls"], {"cdk.context.json": {"labs": "Day1Challenge"}},
      ("Day1Challenge", "context 'labs' of cdk.context.json", "Day4Challenge")),
     (["deploy", "--all"], {"cdk.context.json": {"labs": ["Day1Lab1", "Day9Lab9"]}},
      ("Day9Lab9", "context 'labs' of cdk.context.json", "Day1Lab1")),
     (["synth"], {"cdk.json": {"app": "python app.py", "context": {"labs": "Day5Lab3"}},
                  "cdk.context.json": {"labs": "Day1Lab1"}},
      ("Day5Lab3", "context 'labs' of cdk.json", "Day5Lab1")),
     (["ls"], {"~": {"context": {"labs": "Day1Challenge"}}},
      ("Day1Challenge", "context 'labs' of ~/.cdk.json", "Day4Challenge"))],
    ids=["-c", "--context= list", "cdk.context.json", "--all, a JSON list", "cdk.json",
         "~/.cdk.json"],
)  # fmt: skip
def test_a_lab_of_the_labs_context_not_in_the_catalog_is_one_line(tmp_path, home, args, files,
                                                                  refused):  # fmt: skip
    """`scripts/cdk ls -c labs=Day1Challenge` passed the preflight (the bare id is refused):
    the app said "unknown lab" and the CDK CLI "Subprocess exited with error 1"."""
    root = project(tmp_path)
    for name, content in files.items():
        (home / ".cdk.json" if name == "~" else root / name).write_text(json.dumps(content))
    lab, where, nearest = refused
    message = (f"unknown lab '{lab}' in {where} (did you mean {nearest}?); valid labs: "
               f"{valid_labs()}; nothing was run")  # fmt: skip
    with pytest.raises(CourseInputError) as refusal:
        preflight.check_known_labs(args, CATALOG_IDS, root)
    assert str(refusal.value) == message
    with pytest.raises(CourseInputError) as refusal:
        preflight.check_patterns(args, root, {}, lab_ids=CATALOG_IDS)
    assert str(refusal.value) == message


@pytest.mark.parametrize(
    "args, cdk_context",
    [(["ls", "Day1Lab1"], {"labs": "Day1Challenge"}),  # the launchers pass -c labs=Day1Lab1
     (["ls", "-c", "labs=Day4Challenge"], {"labs": "Day1Challenge"}),  # -c over the file
     (["synth", "-c", "labs=Day1Lab1,Day4Challenge"], None),
     (["ls", "-c", "labs=Day1Lab1"], {"labs": ["Day5Challenge"]})],
)  # fmt: skip
def test_catalog_ids_in_the_labs_the_app_gets_pass(tmp_path, home, args, cdk_context):
    root = project(tmp_path, cdk_context=cdk_context)
    preflight.check_known_labs(args, CATALOG_IDS, root)
    preflight.check_patterns(args, root, {}, lab_ids=CATALOG_IDS)


@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize(
    "args, cdk_context, where",
    [(["ls", "-c", "labs=Day1Challenge"], None, "-c labs"),
     (["synth", "-q", "-c", "labs=Day1Challenge"], None, "-c labs"),
     (["ls"], {"labs": "Day1Challenge"}, "context 'labs' of cdk.context.json")],
)  # fmt: skip
def test_the_launchers_refuse_a_labs_context_the_catalog_does_not_have(wrapper, args,
                                                                        cdk_context, where,
                                                                        tmp_path, home,
                                                                        monkeypatch):  # fmt: skip
    """ls -c labs= through each wrapper, the others in process."""
    end_to_end = args == ["ls", "-c", "labs=Day1Challenge"]
    root = with_catalog(fake_project(tmp_path, cdk_context=cdk_context))
    code, stderr, calls = launch(root, wrapper, args, offline_env(home), monkeypatch, end_to_end)
    assert (code, calls) == bad_input(end_to_end), stderr
    assert stderr == (
        f"scripts/{wrapper}: unknown lab 'Day1Challenge' in {where} (did you mean "
        f"Day4Challenge?); valid labs: {valid_labs()}; nothing was run\n"
    )


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_without_the_catalog_the_labs_context_is_checked_for_shape_only(wrapper, tmp_path, home):
    root = fake_project(tmp_path)
    result, calls = run_wrapper(root, wrapper, ["ls", "-c", "labs=Day1Challenge"],
                                offline_env(home))  # fmt: skip
    assert (result.returncode, calls) == (0, ["ls -c labs=Day1Challenge"]), result.stderr
    result, calls = run_wrapper(root, wrapper, ["ls", "-c", "labs=Day9Lab9"], offline_env(home))
    assert (result.returncode, calls) == (2, ["ls -c labs=Day1Challenge"]), result.stderr
    assert result.stderr.startswith(f"scripts/{wrapper}: context 'labs'='Day9Lab9': 'Day9Lab9' "
                                    "is not a lab id")  # fmt: skip


# --- 4. a final newline is no part of a value ---------------------------------------------


@pytest.mark.parametrize("value", ["snap-12345678\n", "snap-0123456789abcdef0\n"])
def test_a_snapshot_id_with_a_final_newline_is_refused(tmp_path, home, value):
    assert parse_snapshot_id(value.strip()) == value.strip()
    with pytest.raises(CourseInputError, match="is not an EBS snapshot id"):
        parse_snapshot_id(value)
    with pytest.raises(CourseInputError, match="is not an EBS snapshot id"):
        preflight.check_context(["synth", "Day2Lab1", "-c", f"restore_snapshot_id={value}"],
                                project(tmp_path), {})  # fmt: skip


@pytest.mark.parametrize("value", ["nginx:latest\n", "nginx\n",
                                   "nginx@sha256:" + "0" * 64 + "\n"])  # fmt: skip
def test_a_backend_image_with_a_final_newline_is_refused(tmp_path, home, value):
    assert parse_backend_image(value.strip()) == value.strip()
    with pytest.raises(CourseInputError, match="is not an image reference"):
        parse_backend_image(value)
    with pytest.raises(CourseInputError, match="is not an image reference"):
        check_lab_context({"cloudmart_backend_image": value}, ["Day5Lab1"])
    with pytest.raises(CourseInputError, match="is not an image reference"):
        preflight.check_context(["synth", "Day5Lab1", "-c", f"cloudmart_backend_image={value}"],
                                project(tmp_path), {})  # fmt: skip
    # The construct's own check (week5/constructs/cloudmart.py) matches with IMAGE_RE.match.
    assert IMAGE_RE.match(value) is None and IMAGE_RE.match(value.strip())
