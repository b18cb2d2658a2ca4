"""The student name set once, and the check before deploy and destroy (issue #15 item 3).

`cdk destroy Day4Lab1` under a name that is not the student's used to "destroy" a stack that
does not exist and print success while the student's kept billing. `scripts/cdk` and
`scripts/cdk.py` now ask the account first (`week5 preflight`): a destroy under the wrong name
stops with the names of the stacks that exist, a destroy of nothing says so without running
cdk, and a deploy of a new stack beside another student's copy warns with the names."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from support import ROOT, assembly_cdk
from test_quotas import fake_assembly, lab_template, moto_env  # noqa: F401  (the fixture)

from week5.core.errors import CourseInputError
from week5.operations import preflight

REGION = "ap-northeast-2"


def project(folder: Path, cdk_context=None, cdk_json_student=None) -> Path:
    context = {} if cdk_json_student is None else {"student": cdk_json_student}
    (folder / "cdk.json").write_text(json.dumps({"app": "python app.py", "context": context}))
    if cdk_context is not None:
        (folder / "cdk.context.json").write_text(json.dumps(cdk_context))
    return folder


# --- reading the command line ---------------------------------------------------------------


def test_the_command_context_and_profile_are_read_as_cdk_reads_them():
    args = ["--profile", "kim", "destroy", "Day4Lab1", "-c", "student=kim", "--context=region="
            "ap-northeast-2", "--context", "ssh_cidr=203.0.113.7/32", "--force"]  # fmt: skip
    command, context, profile = preflight.command_context(args)
    assert command == "destroy" and profile == "kim"
    assert context == {"student": "kim", "region": "ap-northeast-2", "ssh_cidr": "203.0.113.7/32"}
    assert preflight.lab_args(["deploy", "Day4Lab1-*", "Day1Lab1", "day9x"]) == (
        ["Day4Lab1", "Day1Lab1"],
        False,
    )
    assert preflight.lab_args(["deploy", "--all"]) == ([], True)


@pytest.mark.parametrize(
    "args, files, student, source",
    [
        (["destroy", "Day4Lab1"], {}, "instructor", "the default"),
        (["destroy", "Day4Lab1"], {"cdk_context": {"student": "kim"}}, "kim", "cdk.context.json"),
        (["destroy", "Day4Lab1", "-c", "student=lee"], {"cdk_context": {"student": "kim"}},
         "lee", "-c student"),
        # cdk.json is read before cdk.context.json: a student there wins (the CDK CLI's order).
        (["destroy", "Day4Lab1"], {"cdk_context": {"student": "kim"},
                                   "cdk_json_student": "instructor"}, "instructor", "cdk.json"),
    ],
)  # fmt: skip
def test_the_student_is_the_one_cdk_will_use(tmp_path, args, files, student, source):
    plan = preflight.plan(args, project(tmp_path, **files), {})
    assert (plan.student, plan.student_source) == (student, source)


@pytest.mark.parametrize(
    "args, environ",
    [
        (["ls"], {}),
        (["synth", "Day4Lab1"], {}),
        (["deploy"], {}),  # no lab named: cdk itself asks which
        (["deploy", "Day4Lab1"], {"WEEK5_PREFLIGHT": "0"}),
        (["deploy", "Day4Lab1", "-c", "student="], {}),  # the app refuses it in one line
        (["deploy", "Day4Lab1", "-c", "region=Seoul"], {}),
    ],
)
def test_nothing_to_check(tmp_path, args, environ):
    assert preflight.plan(args, project(tmp_path), environ) is None


# --- the verdicts ---------------------------------------------------------------------------


def judge(tmp_path, args, live, **files):
    return preflight.judge(preflight.plan(args, project(tmp_path, **files), {}), live)


def test_destroy_under_the_wrong_name_stops_with_the_names(tmp_path):
    verdict = judge(tmp_path, ["destroy", "Day4Lab1"], ["week5-kim-Day4Lab1", "CDKToolkit"])
    assert not verdict.proceed and verdict.code == 1
    assert verdict.lines == [
        "nothing destroyed: there is no stack week5-instructor-Day4Lab1 in ap-northeast-2 "
        "for student 'instructor' (the default), but there is week5-kim-Day4Lab1; to destroy that, "
        "pass -c student=kim (or run `week5 init --student kim`)"
    ]


def test_destroy_of_nothing_says_so_and_runs_nothing(tmp_path):
    verdict = judge(tmp_path, ["destroy", "Day4Lab1"], ["CDKToolkit"],
                    cdk_context={"student": "kim"})  # fmt: skip
    assert not verdict.proceed and verdict.code == 0
    assert verdict.lines == [
        "nothing to destroy: no stack week5-kim-Day4Lab1 in ap-northeast-2 for student 'kim' "
        "(from cdk.context.json); `week5 status` lists what exists"
    ]


def test_destroy_of_the_students_own_stack_goes_on(tmp_path):
    live = ["week5-kim-Day4Lab1", "week5-lee-Day4Lab1"]
    verdict = judge(tmp_path, ["destroy", "Day4Lab1", "-c", "student=kim"], live)
    assert verdict.proceed and verdict.lines == []


def test_destroy_of_two_labs_where_one_is_missing_goes_on_with_a_note(tmp_path):
    verdict = judge(tmp_path, ["destroy", "Day4Lab1", "Day1Lab1", "-c", "student=kim"],
                    ["week5-kim-Day4Lab1"])  # fmt: skip
    assert verdict.proceed
    assert verdict.lines == [
        "note: week5-kim-Day1Lab1 does not exist in ap-northeast-2: cdk will call it destroyed, "
        "but there was nothing to remove"
    ]


def test_destroy_where_two_stacks_are_missing_says_they_do_not_exist(tmp_path):
    verdict = judge(tmp_path, ["destroy", "Day4Lab1", "Day1Lab1", "Day3Lab1", "-c",
                               "student=kim"], ["week5-kim-Day4Lab1"])  # fmt: skip
    assert verdict.proceed
    assert verdict.lines == [
        "note: week5-kim-Day1Lab1, week5-kim-Day3Lab1 do not exist in ap-northeast-2: cdk will "
        "call them destroyed, but there was nothing to remove"
    ]


def test_deploy_beside_another_students_copy_warns_with_the_names(tmp_path):
    verdict = judge(tmp_path, ["deploy", "Day4Lab1"], ["week5-kim-Day4Lab1"])
    assert verdict.proceed
    assert verdict.lines == [
        "warning: deploying a new stack week5-instructor-Day4Lab1 for student 'instructor' (the "
        "default) while week5-kim-Day4Lab1 exists in ap-northeast-2; if one of those is "
        "yours, stop now (Ctrl-C) and pass -c student=kim (or run `week5 init --student kim`)"
    ]
    # An update of one's own stack says nothing.
    assert judge(tmp_path, ["deploy", "Day4Lab1", "-c", "student=kim"],
                 ["week5-kim-Day4Lab1", "week5-lee-Day4Lab1"]).lines == []  # fmt: skip


def test_class_mode_warns_about_no_names(tmp_path):
    live = ["week5-park-Day4Lab1"]
    verdict = judge(tmp_path, ["deploy", "Day4Lab1-*", "-c", "students=kim,lee"], live)
    assert verdict.proceed and verdict.lines == []
    destroy = judge(tmp_path, ["destroy", "Day4Lab1-*", "-c", "students=kim,lee"], live)
    assert not destroy.proceed and destroy.code == 0
    assert destroy.lines[0].startswith(
        "nothing to destroy: no stack week5-kim-Day4Lab1, week5-lee-Day4Lab1 in ap-northeast-2"
    )


# --- the wrappers, end to end, against moto -------------------------------------------------


def fake_project(tmp_path: Path, cdk_context=None) -> Path:
    """scripts/cdk and scripts/cdk.py in a project whose `cdk` records its arguments."""
    (tmp_path / "project").mkdir()
    root = project(tmp_path / "project", cdk_context=cdk_context)
    (root / "scripts").mkdir()
    for name in ("cdk", "cdk.py"):
        shutil.copy(ROOT / "scripts" / name, root / "scripts" / name)
    shim = root / "node_modules" / ".bin" / "cdk"
    shim.parent.mkdir(parents=True)
    shim.write_text('#!/bin/sh\nprintf "%s\\n" "$*" >> "$FAKE_CDK_LOG"\n')
    shim.chmod(0o755)
    cli = root / "node_modules" / "aws-cdk" / "bin" / "cdk"  # what scripts/cdk.py runs with node
    cli.parent.mkdir(parents=True)
    cli.write_text("require('fs').appendFileSync(process.env.FAKE_CDK_LOG, "
                   "process.argv.slice(2).join(' ') + '\\n');\n")  # fmt: skip
    (root / ".venv" / "bin").mkdir(parents=True)
    python = root / ".venv" / "bin" / "python"  # this venv's, by its own path (a symlink
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')  # would lose the venv)
    python.chmod(0o755)
    (root / "node_modules" / "node" / "bin").mkdir(parents=True)  # the pinned Node
    (root / "node_modules" / "node" / "bin" / "node").symlink_to(
        ROOT / "node_modules" / "node" / "bin" / "node"
    )
    return root


def run_wrapper(root: Path, wrapper: str, args, env, profile=None):
    """The wrapper run with ``env`` (AWS_PROFILE set to ``profile``, else unset)."""
    log = root / "cdk-calls.log"
    env = {
        **env,
        "FAKE_CDK_LOG": str(log),
        "PATH": os.pathsep.join([str(ROOT / "node_modules" / ".bin"), env["PATH"]]),
    }
    env.pop("AWS_PROFILE", None)
    if profile is not None:
        env["AWS_PROFILE"] = profile
    command = (["bash", str(root / "scripts" / "cdk")] if wrapper == "cdk"
               else [sys.executable, str(root / "scripts" / "cdk.py")])  # fmt: skip
    result = subprocess.run(command + list(args), cwd=root, env=env, capture_output=True,
                            text=True, timeout=180)  # fmt: skip
    calls = log.read_text().splitlines() if log.exists() else []
    return result, calls


def wrapper_environ(root: Path, wrapper: str, args, env) -> dict:
    """The environment the wrapper gives `week5 preflight`: scripts/cdk's exported PATH, or
    scripts/cdk.py's (``command_and_env``'s: the pinned Node's folder and the venv's first on
    PATH, JSII_NODE, CDK_VALIDATION=false for ls; without its `node --version` process)."""
    if wrapper == "cdk":
        return {**env, "PATH": os.pathsep.join([str(root / "node_modules" / ".bin"),
                                                str(root / ".venv" / "bin"), env["PATH"]])}
    node = root / "node_modules" / "node" / "bin" / "node"
    env = {**env, "PATH": os.pathsep.join([str(node.parent), str(root / ".venv" / "bin"),
                                           env["PATH"]])}  # fmt: skip
    env.setdefault("JSII_NODE", str(node))
    named = {arg for arg in args if arg in preflight.APP_COMMANDS}  # the wrappers' list too
    if named and named <= {"ls", "list"}:  # (test_context_keys checks they are the same)
        env.setdefault("CDK_VALIDATION", "false")
    return env


def run_preflight(root: Path, wrapper: str, args, env, monkeypatch, profile=None):
    """run_wrapper's twin in this process: what the wrapper runs first, ``week5.cli.main(
    ["preflight", ...])`` with the wrapper's ``--prog``, environment (``env`` as run_wrapper
    passes it, AWS_PROFILE set to ``profile``, else unset) and working directory (``root``),
    and the catalog's lab ids where the wrapper's Python could import them (only a project
    with stacks/catalog.py: the fake project has none unless a test copies it). Returns
    (preflight's exit code, its stderr): for 10, 11 or 12 the wrappers exit 0, 1 or 2 with
    that stderr, without running cdk (scripts/cdk's `if [ "$code" = 10 ]` lines, scripts/cdk.py's
    PREFLIGHT_STOPS); any other code runs cdk. Nothing leaks: os.environ is set
    through ``monkeypatch`` (and what the check adds to it, such as the CDK CLI's proxy, is
    removed), the working directory too."""
    import contextlib
    import io

    from week5.cli import main

    # The wrappers run preflight only for a command that runs the app (or bootstrap) and
    # only when WEEK5_PREFLIGHT is not 0: a case outside that gate is run_wrapper's to prove.
    assert any(a in preflight.APP_COMMANDS or a == "bootstrap" for a in args), args
    assert env.get("WEEK5_PREFLIGHT", "1") != "0", "the wrapper would skip preflight"
    env = {**env, "FAKE_CDK_LOG": str(root / "cdk-calls.log"),
           "PATH": os.pathsep.join([str(ROOT / "node_modules" / ".bin"), env["PATH"]])}
    env.pop("AWS_PROFILE", None)
    if profile is not None:
        env["AWS_PROFILE"] = profile
    env = wrapper_environ(root, wrapper, args, env)
    for key in list(os.environ):
        if key not in env:
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(root)
    ids = []
    if (root / "stacks" / "catalog.py").is_file():  # the wrapper's `from stacks.catalog ...`
        from stacks.catalog import CATALOG

        ids = ["--lab-ids", ",".join(CATALOG.ids)]
    prog = "scripts/cdk" if wrapper == "cdk" else "scripts/cdk.py"
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr):
            code = main(["preflight", *ids, "--prog", prog, "--", *args])
    finally:
        for key in set(os.environ) - set(env):  # monkeypatch restores the rest
            del os.environ[key]
        for key, value in env.items():
            if os.environ.get(key) != value:
                os.environ[key] = value
    return code, stderr.getvalue()


def launch(root: Path, wrapper: str, args, env, monkeypatch, end_to_end: bool, profile=None):
    """(exit code, stderr, cdk calls): the wrapper run end to end (run_wrapper), or only its
    `week5 preflight` in this process (run_preflight: preflight's own exit code, calls None).
    A matrix of values runs one case per wrapper end to end, which proves the wrapper's
    mapping of that refusal, and the rest in process."""
    if end_to_end:
        result, calls = run_wrapper(root, wrapper, args, env, profile=profile)
        return result.returncode, result.stderr, calls
    code, stderr = run_preflight(root, wrapper, args, env, monkeypatch, profile=profile)
    return code, stderr, None


def bad_input(end_to_end: bool):
    """What ``launch`` gives for bad input: the wrapper's exit 2 with no cdk call, or
    preflight's 12 (EXIT_BAD_CONTEXT, which both wrappers turn into exit 2 without cdk)."""
    return (2, []) if end_to_end else (12, None)


@pytest.fixture
def kim_deployed(moto_env):  # noqa: F811
    cf = boto3.client("cloudformation", region_name=REGION)
    cf.create_stack(StackName="week5-kim-Day4Lab1", TemplateBody=json.dumps(lab_template()))
    return moto_env


@pytest.mark.parametrize("wrapper", ["cdk", "cdk.py"])
def test_a_destroy_under_the_default_name_destroys_nothing_and_says_why(
    wrapper, tmp_path, kim_deployed
):
    root = fake_project(tmp_path)
    result, calls = run_wrapper(root, wrapper, ["destroy", "Day4Lab1", "--force"], kim_deployed)
    assert result.returncode == 1, result.stderr
    assert calls == []  # cdk destroy never ran, so nothing printed "destroyed"
    assert result.stderr.strip() == (
        f"scripts/{wrapper}: nothing destroyed: there is no stack week5-instructor-Day4Lab1 in "
        "ap-northeast-2 for student 'instructor' (the default), but there is week5-kim-Day4Lab1; "
        "to destroy that, pass -c student=kim (or run `week5 init --student kim`)"
    )


@pytest.mark.parametrize("wrapper", ["cdk", "cdk.py"])
def test_the_name_week5_init_set_is_the_one_destroyed(wrapper, tmp_path, kim_deployed):
    root = fake_project(tmp_path, cdk_context={"student": "kim"})
    result, calls = run_wrapper(root, wrapper, ["destroy", "Day4Lab1", "--force"], kim_deployed)
    assert result.returncode == 0, result.stderr
    assert calls == ["destroy Day4Lab1 --force --context labs=Day4Lab1"]
    assert result.stderr == ""


@pytest.mark.parametrize("wrapper", ["cdk", "cdk.py"])
def test_a_deploy_beside_another_students_copy_warns_and_goes_on(wrapper, tmp_path, kim_deployed):
    root = fake_project(tmp_path)
    result, calls = run_wrapper(root, wrapper, ["deploy", "Day4Lab1"], kim_deployed)
    assert result.returncode == 0
    assert calls == ["deploy Day4Lab1 --context labs=Day4Lab1"]
    assert result.stderr.startswith(
        f"scripts/{wrapper}: warning: deploying a new stack week5-instructor-Day4Lab1"
    )


@pytest.mark.parametrize("wrapper", ["cdk", "cdk.py"])
@pytest.mark.parametrize(
    "args, profile, source",
    [
        (["deploy", "Day4Lab1"], "nonexistent", "AWS_PROFILE"),
        (["destroy", "Day4Lab1", "--force", "-c", "student=kim"], "nonexistent", "AWS_PROFILE"),
        (["--profile", "nonexistent", "deploy", "Day4Lab1"], None, "--profile"),
    ],
)
def test_a_profile_that_does_not_exist_runs_nothing(
    wrapper, tmp_path, kim_deployed, args, profile, source
):
    """With keys in the environment the CDK CLI went on without the profile: it deployed, and
    a destroy of a stack that never existed printed "destroyed", exit 0."""
    root = fake_project(tmp_path)
    env = {**kim_deployed, "AWS_CONFIG_FILE": str(tmp_path / "none"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}  # fmt: skip
    result, calls = run_wrapper(root, wrapper, args, env, profile=profile)
    assert (result.returncode, calls) == (2, [])
    (line,) = result.stderr.splitlines()
    assert line.startswith(
        f"scripts/{wrapper}: AWS profile 'nonexistent' (from {source}) is not in ~/.aws/config"
    ) and line.endswith("; nothing was run"), line


def test_without_aws_credentials_a_deploy_runs_nothing(tmp_path, monkeypatch):
    """The CDK CLI would synthesize for seconds, then fail "Unable to resolve AWS account"."""
    root = fake_project(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(
        tmp_path / "none"), AWS_EC2_METADATA_DISABLED="true")  # fmt: skip
    result, calls = run_wrapper(root, "cdk", ["deploy", "Day4Lab1"], env)
    assert (result.returncode, calls) == (2, [])
    (line,) = result.stderr.splitlines()
    assert line.startswith(
        "scripts/cdk: cdk deploy needs AWS credentials to resolve the account, and no AWS "
        "credentials were found;"
    ) and line.endswith("; nothing was run"), line


def test_the_check_asks_the_aws_cli_where_boto3_is_missing(tmp_path):
    """A student's venv has no boto3: the AWS CLI v2 lists the stacks instead."""
    calls = []

    class Done:
        returncode, stdout, stderr = 0, json.dumps(["week5-kim-Day4Lab1"]), ""

    def run(command, **_):
        calls.append(command)
        return Done()

    names = preflight.stack_names_with_cli("ap-northeast-2", "week5", run=run, aws="aws")
    assert names == ["week5-kim-Day4Lab1"]
    assert calls[0][1:5] == ["cloudformation", "list-stacks", "--region", "ap-northeast-2"]
    assert calls[0][-2:] == ["--profile", "week5"]


def test_a_class_deploy_beyond_the_quotas_is_checked_before_cdk_runs(
    tmp_path,
    moto_env,  # noqa: F811
):
    """Twelve students' Day4Lab1 needs twelve VPCs; moto's account has five (one in use).

    The quota check's synthesis is a stand-in that writes Day4Lab1's networking (one VPC): what
    is tested is the wrapper's check, which runs before cdk deploy. What the real templates
    count: test_quotas.test_the_lab_templates_count_what_they_create; `week5`'s synthesis
    through the real CLI: test_assembly_cache. The emulator enforces no quota: what AWS would
    refuse is a note, and the deploy runs (refused on AWS: test_instructor_trial_fixes)."""
    root = fake_project(tmp_path)
    env = dict(moto_env)
    assembly = fake_assembly(tmp_path / "assembly", {"Day4Lab1": lab_template("Day4Lab1")})
    assembly_cdk(root, assembly)
    students = ",".join(f"s{i:02d}" for i in range(1, 13))
    result, calls = run_wrapper(root, "cdk", ["deploy", "Day4Lab1-*", "-c",
                                              f"students={students}", "--require-approval",
                                              "never"], env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    # One synthesis, of one student's copy (no students context), then the deploy.
    synth, deploy = calls
    assert synth.startswith("synth --quiet --output ")
    assert synth.endswith(" --context labs=Day4Lab1")
    assert deploy.startswith("deploy Day4Lab1-*")
    lines = [x for x in result.stderr.splitlines() if x.startswith("scripts/cdk:")]
    assert lines[0] == (
        "scripts/cdk: checking the quotas in ap-northeast-2 for 12 students (synthesizing the "
        "labs once)"
    )
    assert (
        lines[1].startswith("scripts/cdk: note: 12 students' Day4Lab1 would exceed")
        and "but it enforces none: going on" in lines[1]
    )
    assert any(
        "VPCs: quota 5 (account), 1 in use, the deploy adds 12: short by 8; raise it to 13: aws "
        "service-quotas request-service-quota-increase --service-code vpc --quota-code "
        "L-F678F1CE --desired-value 13 --region ap-northeast-2" in x
        for x in lines
    )


def test_an_aws_cli_that_fails_is_a_note_not_a_stop():
    class Failed:
        returncode, stdout = 255, ""
        stderr = (
            "\nUnable to locate credentials. You can configure credentials by running "
            '"aws configure".\n'
        )

    with pytest.raises(OSError) as error:
        preflight.stack_names_with_cli("ap-northeast-2", None, run=lambda *a, **k: Failed(),
                                       aws="aws")  # fmt: skip
    assert str(error.value) == (
        "aws cloudformation list-stacks: Unable to locate credentials. You can configure "
        'credentials by running "aws configure".'
    )


def test_destroy_all_acts_on_the_students_own_stacks_only(tmp_path):
    live = ["week5-kim-Day1Lab1", "week5-lee-Day4Lab1"]
    assert judge(tmp_path, ["destroy", "--all", "-c", "student=kim"], live).proceed
    nothing = judge(tmp_path, ["destroy", "--all", "-c", "student=park"], live)
    assert not nothing.proceed and nothing.code == 0
    assert nothing.lines == [
        "nothing to destroy: no lab stack of student 'park' (from -c student) in ap-northeast-2; "
        "`week5 status` lists what exists"
    ]
    assert judge(tmp_path, ["deploy", "--all", "-c", "student=park"], live).lines == []


#: The labs' own values that only the app checked (exit 1, its line and the CLI's "Subprocess
#: exited with error 1"): each is now one line, exit 2, before the CLI starts.
LAB_VALUES = [
    ("restore_snapshot_id", "김철수", "'restore_snapshot_id'"),
    ("cloudmart_backend_port", "NaN", "'cloudmart_backend_port'='NaN'"),
    ("cloudmart_backend_port", "1e309", "cloudmart_backend_port"),
    ("cloudmart_backend_port", "-1", "cloudmart_backend_port"),
    ("cloudmart_backend_port", " 8080", "'cloudmart_backend_port'=' 8080'"),
    ("cloudmart_backend_port", "٨٠٨٠", "cloudmart_backend_port"),
    ("cloudmart_frontend_dir", "../../etc/passwd", "holds no index.html"),
    ("cloudmart_frontend_dir", "a" * 100_000, "holds no index.html"),
    ("alarm_email", "a@b", "'alarm_email'='a@b'"),
    ("cloudmart_backend_image", "$(id)", "not an image reference"),
    ("labs", "김철수", "'김철수' is not a lab id"),
    ("labs", " ", "names no lab"),
    ("labs", "Day1Lab1,day2lab2", "'day2lab2' is not a lab id"),
]


@pytest.mark.parametrize("key, value, says", LAB_VALUES, ids=[f"{k}={v[:12]}" for k, v, _ in
                                                              LAB_VALUES])  # fmt: skip
def test_a_labs_own_bad_value_is_refused_before_the_cli(tmp_path, key, value, says):
    root = project(tmp_path)
    with pytest.raises(CourseInputError) as refused:
        lab = "Day2Lab1" if key == "restore_snapshot_id" else "Day5Lab1"  # a lab reading it
        preflight.check_context(["synth", lab, "-c", f"{key}={value}"], root)
    message = str(refused.value)
    assert says in message and "\n" not in message and len(message) < 400, message


def test_good_lab_values_pass_the_check(tmp_path):
    root = project(tmp_path)
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "index.html").write_text("<html></html>")
    preflight.check_context(
        ["deploy", "Day5Lab1", "-c", "cloudmart_backend_port=8080", "-c",
         f"cloudmart_frontend_dir={tmp_path / 'dist'}", "-c", "alarm_email=kim@example.com",
         "-c", "cloudmart_backend_image=kim/cloudmart-backend:1.0", "-c",
         "restore_snapshot_id=snap-0123456789abcdef0", "-c", "labs=Day5Lab1,Day2Lab1"],
        root,
    )  # fmt: skip


@pytest.mark.parametrize("wrapper", ["cdk", "cdk.py"])
def test_the_wrappers_stop_on_a_labs_bad_value_with_exit_2(wrapper, tmp_path):
    root = fake_project(tmp_path)
    result, calls = run_wrapper(
        root, wrapper, ["synth", "Day5Lab1", "-c", "cloudmart_backend_port=NaN"], dict(os.environ)
    )
    assert (result.returncode, calls) == (2, [])
    assert result.stderr.splitlines() == [
        f"scripts/{wrapper}: context 'cloudmart_backend_port'='NaN' is not a TCP port; pass the "
        "port your backend image listens on, e.g. -c cloudmart_backend_port=8080"
    ]


#: Stack selectors the CDK CLI would match to nothing after synthesizing every lab (exit 1,
#: "No stacks match"), and -c keys it would take the last of silently.
SELECTORS = [
    (["synth", "DAY1LAB1"], "'DAY1LAB1' is not a lab id (did you mean Day1Lab1? lab ids are "
     "case-sensitive); `scripts/cdk ls` lists them"),
    (["deploy", "day4lab1-*"], "'day4lab1-*' is not a lab id (did you mean Day4Lab1-*? lab ids "
     "are case-sensitive); `scripts/cdk ls` lists them"),
    (["synth", ""], "'' names no stack; pass lab ids such as Day1Lab1 (`scripts/cdk ls` lists "
     "them)"),
    (["synth", "Day1Lab1,"], "'Day1Lab1,': pass lab ids as separate arguments (Day1Lab1), not "
     "separated by commas"),
    (["synth", "Day1Lab1,Day2Lab1"], "'Day1Lab1,Day2Lab1': pass lab ids as separate arguments "
     "(Day1Lab1 Day2Lab1), not separated by commas"),
    (["deploy", "Day1Lab1", "-c", "student=kim", "-c", "student=lee"],
     "-c student given twice ('kim', then 'lee'): pass it once"),
    (["synth", "Day1Lab1", "-c", "labs=Day2Lab1"], "Day1Lab1 is not among -c labs='Day2Lab1', "
     "so no stack would match it; drop -c labs (the launchers build the labs you name)"),
]  # fmt: skip


@pytest.mark.parametrize("args, line", SELECTORS, ids=[" ".join(a) for a, _ in SELECTORS])
def test_a_selector_that_matches_no_lab_is_one_line(tmp_path, args, line):
    with pytest.raises(CourseInputError) as refused:
        preflight.check_context(args, project(tmp_path))
    assert str(refused.value) == line


@pytest.mark.parametrize(
    "args",
    [["deploy", "Day4Lab1-*"], ["synth", "Day7Lab1"], ["deploy", "Day1Lab1", "--require-approval",
     "never"], ["ls"], ["synth", "Day1Lab1", "-c", "student=kim", "-c", "student=kim"],
     # Option values that look like lab ids, or like what the checks refuse (a review found
     # each refused): a file name, a change set, a list, an empty value.
     ["diff", "Day1Lab1", "--outputs-file", "day1lab1-outputs.json"],
     ["diff", "Day1Lab1", "-O", "day1lab1-outputs.json"],
     ["deploy", "Day1Lab1", "--change-set-name", "day1lab1-cs"],
     ["diff", "Day1Lab1", "--template", "day1lab1-old.json"],
     ["deploy", "Day1Lab1", "--build-exclude", "Day1Lab1,Day1Lab2"],
     ["deploy", "Day1Lab1", "--notification-arns", ""],
     ["deploy", "Day4Lab1-*", "--concurrency", "12", "--require-approval", "never"],
     ["deploy", "--all"]],
)  # fmt: skip
def test_selectors_and_values_the_cli_or_the_app_judges_pass(tmp_path, args):
    """A glob, another day (the app names the valid labs), an option's value, a repeat."""
    preflight.check_context(args, project(tmp_path))


def test_the_instructors_context_is_checked_as_its_app_checks_it(tmp_path):
    """Every bad value the instructor's app refuses (test_bad_input's lines), refused first
    with the same line; and a good context passes."""
    from test_bad_input import INSTRUCTOR_LINES

    root = project(tmp_path)
    for context, line in INSTRUCTOR_LINES:
        args = ["synth"] + [arg for k, v in context.items() for arg in ("-c", f"{k}={v}")]
        with pytest.raises(CourseInputError) as refused:
            preflight.check_context(args, root, app="instructor")
        assert str(refused.value) == line, context
    preflight.check_context(
        ["deploy", "InstructorAccess", "-c", "instructor_account=111122223333"], root,
        app="instructor",
    )  # fmt: skip


def test_scripts_instructor_stops_on_a_bad_value_with_exit_2(tmp_path):
    root = fake_project(tmp_path)
    shutil.copy(ROOT / "scripts" / "instructor", root / "scripts" / "instructor")
    env = {**os.environ, "FAKE_CDK_LOG": str(root / "cdk-calls.log"),
           "PATH": os.pathsep.join([str(ROOT / "node_modules" / ".bin"), os.environ["PATH"]])}
    refused = subprocess.run(
        ["bash", str(root / "scripts" / "instructor"), "synth", "-c", "instructor_account=1234"],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert refused.returncode == 2 and not (root / "cdk-calls.log").exists()
    assert refused.stderr.splitlines() == [
        "scripts/instructor: context 'instructor_account'='1234' must be the instructor's AWS "
        "account id, 12 ASCII digits, e.g. -c instructor_account=111122223333"
    ]
    good = subprocess.run(
        ["bash", str(root / "scripts" / "instructor"), "synth", "-c",
         "instructor_account=111122223333"],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert good.returncode == 0, good.stderr
    assert (root / "cdk-calls.log").read_text().startswith("--app python3 instructor_app.py synth")


def test_scripts_instructor_refuses_a_profile_that_does_not_exist(tmp_path):
    """With keys in the environment, the CDK CLI destroyed a stack that never existed and said
    so ("destroyed", exit 0)."""
    root = fake_project(tmp_path)
    shutil.copy(ROOT / "scripts" / "instructor", root / "scripts" / "instructor")
    env = {**os.environ, "FAKE_CDK_LOG": str(root / "cdk-calls.log"),
           "AWS_PROFILE": "nonexistent", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y",
           "AWS_CONFIG_FILE": str(tmp_path / "none"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
           "PATH": os.pathsep.join([str(ROOT / "node_modules" / ".bin"), os.environ["PATH"]])}
    result = subprocess.run(
        ["bash", str(root / "scripts" / "instructor"), "destroy", "InstructorAccess", "--force",
         "-c", "instructor_account=111122223333"],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2 and not (root / "cdk-calls.log").exists()
    (line,) = result.stderr.splitlines()
    assert line.startswith("scripts/instructor: AWS profile 'nonexistent' (from AWS_PROFILE)")


def test_a_labs_own_value_blocks_only_the_labs_that_read_it(tmp_path):
    """The app builds Day1Lab1 whatever a stale Day 5 value says; the check did not (a review):
    a value is judged where the labs being built read it, or every lab is built."""
    root = project(tmp_path)
    for args in (["synth", "Day1Lab1", "-c", "cloudmart_backend_port=NaN"],
                 ["synth", "-c", "labs=Day1Lab1", "-c", "restore_snapshot_id=x"]):  # fmt: skip
        preflight.check_context(args, root)
    for args in (["synth", "Day5Challenge", "-c", "cloudmart_backend_port=NaN"],
                 ["synth", "-c", "cloudmart_backend_port=NaN"],
                 ["deploy", "Day2Lab1", "-c", "restore_snapshot_id=x"]):  # fmt: skip
        with pytest.raises(CourseInputError):
            preflight.check_context(args, root)
