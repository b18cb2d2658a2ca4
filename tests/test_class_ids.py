"""Class mode's lab ids (`-c students=kim,lee,park`: one copy of each lab per student,
construct ids `Day4Lab1-kim`), found by an instructor's trial: `week5 labs` listed
`Day4Lab1-kim`, which `cost`, `diagram` and `audit` then called "not a lab id", and a plain
`Day4Lab1` was refused only after a synthesis; a `student` that `week5 init` had written long
ago refused `-c students` without saying where it came from; `scripts/cdk deploy Day4Lab1 -c
students=...` ended in the CDK CLI's "No stacks match" after the quota check."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_assembly_cache import FakeCdk, cdk, project, template, week5  # noqa: F401  (fixtures)
from test_preflight import bad_input, fake_project, launch, run_wrapper
from test_preflight import project as preflight_project
from test_quotas import fake_assembly

from week5.cli import main, synthesis
from week5.core.errors import CourseInputError
from week5.core.settings import CourseSettings
from week5.operations import preflight

CLASS = ("-c", "students=kim,lee,park")


class ClassCdk(FakeCdk):
    """`cdk synth` as the app builds class mode: one stack per lab and student, each with the
    construct id `Day4Lab1-kim`."""

    def __call__(self, root: Path, outdir: Path, context=(), app=None, validation=True) -> float:
        self.runs.append(list(context))
        named = [c.split("=", 1)[1] for c in context if c.startswith("labs=")]
        labs = named[-1].split(",") if named else ("Day1Lab1", "Day4Lab1")
        given = [c.split("=", 1)[1] for c in context if c.startswith("students=")]
        students = given[-1].split(",") if given else []
        ids = [f"{lab}-{name}" for lab in labs for name in students] if students else labs
        info = {i: template(i.split("-")[0], "class") for i in ids}
        fake_assembly(outdir, info)
        return 0.5


@pytest.fixture
def class_cdk(monkeypatch) -> ClassCdk:
    fake = ClassCdk()
    monkeypatch.setattr(synthesis, "synthesize", fake)
    return fake


# --- week5 cost, diagram, audit: the ids `week5 labs` lists ----------------------------------


def test_every_id_labs_lists_in_class_mode_is_one_cost_diagram_and_audit_take(
    project, class_cdk, capsys  # noqa: F811
):
    code, out, err = week5(capsys, "labs", "--json", *CLASS)
    assert code == 0, err
    listed = [row["lab"] for row in json.loads(out)]
    assert "Day4Lab1-kim" in listed and "Day4Lab1" not in listed
    for lab in listed:
        code, out, err = week5(capsys, "cost", lab, "--json", *CLASS)
        assert code == 0, err
        assert json.loads(out)["lab"] == lab
        code, out, err = week5(capsys, "diagram", lab, *CLASS)
        assert code == 0, err
        assert f" - {lab}: " in out.splitlines()[1]
    # One lab's copies are synthesized for a copy: the lab, not every lab, and not a copy's id.
    class_cdk.runs.clear()
    assert week5(capsys, "cost", "Day4Lab1-lee", "--no-cache", *CLASS)[0] == 0
    assert class_cdk.runs == [["students=kim,lee,park", "labs=Day4Lab1"]]


@pytest.mark.parametrize("command", ["cost", "diagram", "audit"])
def test_a_plain_lab_id_in_class_mode_is_one_line_before_synthesis(
    project, class_cdk, capsys, command  # noqa: F811
):
    code, out, err = week5(capsys, command, "Day4Lab1", *CLASS)
    more = (
        ", or drop -c students and pass --students 3 for the class's cost"
        if command == "cost"
        else ""
    )
    assert (code, out, class_cdk.runs) == (2, "", [])
    assert err == (
        "week5: Day4Lab1: in class mode (-c students=kim,lee,park) each student has a copy, "
        f"Day4Lab1-kim to Day4Lab1-park; pass one, e.g. week5 {command} Day4Lab1-kim{more}\n"
    )


def test_a_class_of_one_names_its_one_copy(project, class_cdk, capsys):  # noqa: F811
    code, out, err = week5(capsys, "cost", "Day4Lab1", "-c", "students=kim")
    assert (code, out, class_cdk.runs) == (2, "", [])
    assert "each student has a copy, Day4Lab1-kim; pass one" in err  # not "kim to kim"


WRONG_COPIES = [
    (["Day4Lab1-choi", *CLASS], "week5: Day4Lab1-choi: 'choi' is not among the class's "
     "students (kim, lee, park); pass Day4Lab1-kim, or add choi to -c students"),
    (["Day4Lab1-kim"], "week5: Day4Lab1-kim is kim's copy of Day4Lab1 in class mode: pass "
     "it with -c students naming kim (e.g. -c students=kim), or pass Day4Lab1 alone"),
    (["Day4lab1-kim", *CLASS], "week5: 'Day4lab1-kim' is not a lab id: "
     "Day<1-5><Lab1|Lab2|Case|Challenge>, e.g. Day4Lab1"),
]  # fmt: skip


@pytest.mark.parametrize("args, line", WRONG_COPIES, ids=[" ".join(a) for a, _ in WRONG_COPIES])
def test_a_copy_the_context_does_not_make_is_one_line_before_synthesis(
    project, class_cdk, capsys, args, line  # noqa: F811
):
    code, out, err = week5(capsys, "cost", *args)
    assert (code, out, err, class_cdk.runs) == (2, "", line + "\n", [])


def test_a_class_assembly_names_the_copies_of_a_plain_lab_id(tmp_path, capsys):
    outdir = fake_assembly(
        tmp_path / "cdk.out",
        {f"Day4Lab1-{name}": template("Day4Lab1", "class") for name in ("kim", "lee")},
    )
    code, out, err = week5(capsys, "cost", "Day4Lab1", "--assembly", str(outdir))
    assert (code, out) == (2, "")
    assert err == (
        "week5: Day4Lab1: the assembly is a class's (one copy per student), so pass one copy, "
        "e.g. Day4Lab1-kim; its copies: Day4Lab1-kim, Day4Lab1-lee\n"
    )
    code, out, err = week5(capsys, "cost", "Day4Lab1-lee", "--assembly", str(outdir), "--json")
    assert code == 0, err
    assert json.loads(out)["lab"] == "Day4Lab1-lee"


@pytest.mark.parametrize("command", ["cost", "diagram", "labs", "check"])
@pytest.mark.parametrize("value", ["students=,", "students=park,choi", "bogus=1"])
def test_context_with_an_assembly_is_refused_not_ignored(tmp_path, capsys, command, value):
    """A hostile trial: with --assembly every -c value was dropped in silence, a bad one too
    (`-c students=,` is refused without --assembly)."""
    outdir = fake_assembly(tmp_path / "cdk.out", {"Day4Lab1-kim": template("Day4Lab1", "class")})
    lab = ["Day4Lab1-kim"] if command in ("cost", "diagram") else []
    code, out, err = week5(capsys, command, *lab, "--assembly", str(outdir), "-c", value)
    assert (code, out) == (2, "")
    assert err == (
        f"week5: -c {value!r} cannot change --assembly {str(outdir)!r}, which `cdk synth` "
        "already built with its own context: drop the -c values, or drop --assembly to "
        "synthesize with them\n"
    )


def test_a_class_size_that_disagrees_with_the_class_is_refused_before_synthesis(
    project, class_cdk, capsys  # noqa: F811
):
    """A hostile trial: `--students 3` with a class of two priced three, in silence."""
    code, out, err = week5(capsys, "cost", "Day4Lab1-kim", "--students", "3", "-c",
                           "students=kim,lee")  # fmt: skip
    assert (code, out, class_cdk.runs) == (2, "", [])
    assert err == (
        "week5: --students 3 with -c students naming 2 (kim, lee): pass --students 2, or drop "
        "one of them\n"
    )
    code, out, err = week5(capsys, "cost", "Day4Lab1-kim", "--students", "1", "-c",
                           "students=kim,lee")  # fmt: skip
    assert (code, out) == (2, "") and "pass --students 2" in err  # given, 1 is a size too
    code, out, err = week5(capsys, "cost", "Day4Lab1-kim", "--students", "2", "-c",
                           "students=kim,lee", "--json")  # fmt: skip
    assert code == 0, err


def test_audit_of_a_copy_is_that_students_and_another_student_is_refused(
    project, class_cdk, capsys  # noqa: F811
):
    code, out, err = week5(capsys, "audit", "Day4Lab1-kim", "--student", "lee", *CLASS)
    assert (code, out, class_cdk.runs) == (2, "", [])
    assert err == (
        "week5: --student 'lee' with Day4Lab1-kim, which is kim's copy: pass Day4Lab1-lee, or "
        "leave --student out\n"
    )
    # Named by -c student: the line names that, not a --student no one typed (review D16).
    code, out, err = week5(capsys, "audit", "Day4Lab1-kim", *CLASS, "-c", "student=lee")
    assert (code, out, class_cdk.runs) == (2, "", [])
    assert err == (
        "week5: -c student='lee' with Day4Lab1-kim, which is kim's copy: pass Day4Lab1-lee, or "
        "leave -c student out\n"
    )
    # A bare lab in class mode with --student: the class-mode line, not a student/students
    # clash the audit's own synthesis for that student would make (its context added after).
    code, out, err = week5(capsys, "audit", "Day4Lab1", "--student", "kim", *CLASS)
    assert (code, out, class_cdk.runs) == (2, "", [])
    assert err.startswith("week5: Day4Lab1: in class mode (-c students=kim,lee,park) each ")
    # A copy's student follows the student rule: no suggestion of a name it refuses.
    code, out, err = week5(capsys, "audit", "Day4Lab1-kim-", *CLASS)
    assert (code, out) == (2, "")
    assert err == (
        "week5: 'Day4Lab1-kim-' is not a lab id: Day<1-5><Lab1|Lab2|Case|Challenge>, e.g. "
        "Day4Lab1\n"
    )


# --- a student `week5 init` wrote, with -c students ------------------------------------------


INIT_KIM = (
    "-c students=lee,park makes a copy per student, but cdk.context.json sets student 'kim' "
    "(`week5 init --student`), and class mode takes no single student; run `week5 init "
    "--clear-student` for class mode (it keeps the rest of that file), or drop -c students for "
    "that student's own labs"
)


def test_a_student_init_wrote_is_named_with_its_file_and_the_fix(tmp_path):
    root = preflight_project(tmp_path, cdk_context={"student": "kim"})
    with pytest.raises(CourseInputError) as refused:
        preflight.check_context(["deploy", "Day4Lab1-*", "-c", "students=lee,park"], root)
    assert str(refused.value) == INIT_KIM


def test_a_student_in_cdk_json_is_named_with_its_own_fix(tmp_path):
    root = preflight_project(tmp_path, cdk_json_student="kim")
    with pytest.raises(CourseInputError) as refused:
        preflight.check_context(["synth", "-c", "students=lee"], root)
    assert str(refused.value) == (
        "-c students=lee makes a copy per student, but cdk.json sets student 'kim', and class "
        "mode takes no single student; delete \"student\" from cdk.json's context for class "
        "mode, or drop -c students for that student's own labs"
    )


def test_a_typed_student_with_a_class_in_a_file_names_the_file(tmp_path):
    """A hostile trial: with 'students' in cdk.context.json, `-c student=kim` got "pass -c
    student=<name> for one student's labs", which was what the user had typed."""
    root = preflight_project(tmp_path, cdk_context={"students": "kim,lee"})
    with pytest.raises(CourseInputError) as refused:
        preflight.check_context(["synth", "Day4Lab1", "-c", "student=kim"], root)
    assert str(refused.value) == (
        "-c student='kim' asks for one student's labs, but cdk.context.json sets "
        "'students'=kim,lee (class mode); drop -c student for the class's copies, or remove "
        "\"students\" from cdk.context.json for that student's own labs"
    )


def test_both_given_on_the_command_line_and_in_the_app_keep_the_plain_line(tmp_path):
    root = preflight_project(tmp_path)
    with pytest.raises(CourseInputError) as refused:
        preflight.check_context(["synth", "-c", "students=lee", "-c", "student=kim"], root)
    assert str(refused.value) == (
        "context 'student'='kim' and 'students' were both given; pass -c student=<name> for "
        "one student's labs, or -c students=kim,lee for a copy per student"
    )
    # The app cannot tell where a value came from: it says where `week5 init` puts one.
    with pytest.raises(CourseInputError) as refused:
        CourseSettings.from_context({"student": "kim", "students": "lee"})
    assert str(refused.value).endswith(
        "(a student in cdk.context.json: `week5 init --clear-student` removes it)"
    )


def test_week5_labs_names_the_student_init_wrote_before_synthesis(
    project, class_cdk, capsys  # noqa: F811
):
    (project / "cdk.context.json").write_text(json.dumps({"student": "kim"}))
    code, out, err = week5(capsys, "labs", "-c", "students=lee,park")
    assert (code, out, err, class_cdk.runs) == (2, "", f"week5: {INIT_KIM}\n", [])
    assert main(["init", "--clear-student"]) == 0
    capsys.readouterr()
    assert week5(capsys, "labs", "-c", "students=lee,park")[0] == 0


# --- scripts/cdk with a plain lab id in class mode -------------------------------------------


CLASS_SELECTORS = [
    (["deploy", "Day4Lab1", "-c", "students=kim,lee"], "Day4Lab1 matches no stack in class "
     "mode (its copies are Day4Lab1-kim, Day4Lab1-lee); pass \"Day4Lab1-*\" for every "
     "student's copy, or Day4Lab1-kim for one"),
    (["destroy", "Day4Lab1-choi", "-c", "students=kim,lee", "--force"], "Day4Lab1-choi "
     "matches no stack in class mode: 'choi' is not among the class's students (its copies "
     "are Day4Lab1-kim, Day4Lab1-lee); pass \"Day4Lab1-*\" for every student's copy, or "
     "Day4Lab1-kim for one"),
]  # fmt: skip
COPIES = ("(its copies are Day4Lab1-kim, Day4Lab1-lee); pass \"Day4Lab1-*\" for every "
          "student's copy, or Day4Lab1-kim for one")
# A hostile-input trial: copies whose suffix no student name can be ended in "No stacks match",
# exit 0 for destroy.
CLASS_LOOKALIKES = [
    ("Day4Lab1-김", "'Day4Lab1-김' matches no stack in class mode: '김' is not among the class's "
     f"students {COPIES}"),
    ("Day4Lab1-KIM", f"Day4Lab1-KIM matches no stack in class mode: 'KIM' is not among the "
     f"class's students {COPIES}"),
    ("Day4Lab1-kim\u200b", "'Day4Lab1-kim\\u200b' matches no stack in class mode: it is not "
     f"'Day4Lab1-kim' (it has a look-alike or invisible character) {COPIES}"),
    ("Day\uff14Lab1-kim", "'Day\uff14Lab1-kim' matches no stack in class mode: it is not "
     f"'Day4Lab1-kim' (it has a look-alike or invisible character) {COPIES}"),
    ("Day4Lab1-" + "k" * 5000, f"'Day4Lab1-{'k' * 28}...' matches no stack in class mode: "
     f"'{'k' * 37}...' is not among the class's students {COPIES}"),
]  # fmt: skip


@pytest.mark.parametrize(
    "args, line", CLASS_SELECTORS, ids=[" ".join(a) for a, _ in CLASS_SELECTORS]
)
def test_a_selector_no_class_stack_matches_is_one_line(tmp_path, args, line):
    with pytest.raises(CourseInputError) as refused:
        preflight.check_context(args, preflight_project(tmp_path))
    assert str(refused.value) == line


@pytest.mark.parametrize(
    "args",
    [["deploy", "Day4Lab1-*", "-c", "students=kim,lee"],
     ["deploy", "Day4Lab1-kim", "Day4Lab1-lee", "-c", "students=kim,lee"],
     ["destroy", "Day4Lab1-k?m", "-c", "students=kim,lee"],
     ["deploy", "Day4Lab1", "--outputs-file", "Day4Lab1", "-c", "student=kim"]],
)  # fmt: skip
def test_class_selectors_that_match_pass(tmp_path, args):
    preflight.check_context(args, preflight_project(tmp_path))


@pytest.mark.parametrize("wrapper", ["cdk", "cdk.py"])
def test_the_wrappers_refuse_a_plain_lab_id_in_class_mode_before_the_cli(wrapper, tmp_path):
    root = fake_project(tmp_path)
    env = {**os.environ, "HOME": str(tmp_path)}  # no ~/.cdk.json of the machine's
    env.pop("WEEK5_PREFLIGHT", None)
    result, calls = run_wrapper(root, wrapper, CLASS_SELECTORS[0][0], env)
    assert (result.returncode, calls) == (2, [])
    assert result.stderr.splitlines() == [f"scripts/{wrapper}: {CLASS_SELECTORS[0][1]}"]


@pytest.mark.parametrize(
    "copy, line", CLASS_LOOKALIKES, ids=[ascii(c[:14]) for c, _ in CLASS_LOOKALIKES]
)
@pytest.mark.parametrize("command", ["deploy", "destroy"])
def test_a_copy_no_student_name_has_is_refused_in_class_mode(tmp_path, command, copy, line):
    with pytest.raises(CourseInputError) as refused:
        preflight.check_context([command, copy, "-c", "students=kim,lee"],
                                preflight_project(tmp_path))  # fmt: skip
    assert str(refused.value) == line


# Without class mode a lab's construct id is Day1Lab1 alone: the trial's `destroy Day1Lab1-kim
# --force` printed "No stacks match" and exited 0 with week5-kim-Day1Lab1 still deployed.
PLAIN_COPIES = [
    (["destroy", "Day1Lab1-kim", "--force"], "Day1Lab1-kim is a class-mode copy id and matches "
     "no stack without -c students; pass Day1Lab1 -c student=kim for kim's own lab, or -c "
     "students=kim,... for class mode"),
    (["deploy", "Day1Lab1-kim", "-c", "student=kim"], "Day1Lab1-kim is a class-mode copy id and "
     "matches no stack without -c students; pass Day1Lab1 -c student=kim for kim's own lab, or "
     "-c students=kim,... for class mode"),
    (["ls", "Day1Lab1-KIM"], "Day1Lab1-KIM matches no stack: a lab's id is Day1Lab1, with a "
     "-<student> suffix only in class mode (-c students=); pass Day1Lab1, with -c "
     "student=<name> for a student's own lab"),
    (["destroy", "Day1Lab1-kim\u200b"], "'Day1Lab1-kim\\u200b' matches no stack (it reads as "
     "'Day1Lab1-kim'): a lab's id is Day1Lab1, with a -<student> suffix only in class mode (-c "
     "students=); pass Day1Lab1, with -c student=<name> for a student's own lab"),
]  # fmt: skip


@pytest.mark.parametrize(
    "args, line", PLAIN_COPIES, ids=[ascii(" ".join(a)) for a, _ in PLAIN_COPIES]
)
def test_a_copy_id_without_class_mode_is_refused(tmp_path, args, line):
    with pytest.raises(CourseInputError) as refused:
        preflight.check_context(args, preflight_project(tmp_path))
    assert str(refused.value) == line


@pytest.mark.parametrize(
    "args",
    [["deploy", "Day1Lab1", "-c", "student=kim"],
     ["destroy", "Day1Lab1-*"],
     ["synth", "Day1Lab1", "-O", "Day1Lab1-out.json"],
     ["ls", "Day1Lab1-out.json"],
     # The review: a global option's value (CDK CLI 2.1148) is no selector.
     ["deploy", "Day1Lab1", "--telemetry-file", "Day1Lab1-t"],
     ["deploy", "Day1Lab1", "--unstable", "Day1Lab1-x"]],
)  # fmt: skip
def test_plain_selectors_and_file_names_pass_without_class_mode(tmp_path, args):
    preflight.check_context(args, preflight_project(tmp_path))


@pytest.mark.parametrize("pattern", ["Day4Lab1-{kim,lee}", "Day4Lab1-@(kim|lee)",
                                     "Day4Lab1-[kl]*", "!Day4Lab1-kim"])  # fmt: skip
def test_a_picomatch_pattern_in_class_mode_is_the_clis_to_match(tmp_path, pattern):
    """The review: the CDK CLI matches selectors with picomatch (braces, extglobs, classes,
    a negation); only * and ? were taken for patterns, the rest refused as no student's."""
    root = preflight_project(tmp_path)
    preflight.check_context(["deploy", pattern, "-c", "students=kim,lee"], root)


@pytest.mark.parametrize("wrapper", ["cdk", "cdk.py"])
@pytest.mark.parametrize(
    "args, line",
    [(["destroy", "Day1Lab1-kim", "--force"], PLAIN_COPIES[0][1]),
     (["destroy", "Day4Lab1-김", "-c", "students=kim,lee", "--force"], CLASS_LOOKALIKES[0][1])],
    ids=["plain", "class"],
)  # fmt: skip
def test_the_wrappers_refuse_a_copy_no_stack_has_before_the_cli(wrapper, tmp_path, args, line,
                                                                monkeypatch):  # fmt: skip
    """"plain" through each wrapper, "class" in process (test_preflight.launch)."""
    end_to_end = args[1] == "Day1Lab1-kim"
    root = fake_project(tmp_path)
    env = {**os.environ, "HOME": str(tmp_path)}
    env.pop("WEEK5_PREFLIGHT", None)
    code, stderr, calls = launch(root, wrapper, args, env, monkeypatch, end_to_end)
    assert (code, calls) == bad_input(end_to_end)
    assert stderr.splitlines() == [f"scripts/{wrapper}: {line}"]
