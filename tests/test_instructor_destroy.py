"""`scripts/instructor destroy`: without the deploy-time context (the trial's `destroy
BudgetGuard --force` was refused with "nothing to build"), and "nothing to destroy" for a stack
that is not there (the CDK CLI printed "✅ BudgetGuard: destroyed" for it)."""

import json
import os
import shutil
import subprocess
import sys

import boto3
import pytest
from support import ROOT, make_app, props

from instructor_app import DESTROY_ENV, build
from week5.core.errors import CourseInputError
from week5.core.settings import NOTHING_TO_BUILD

NO_STACK = (
    "scripts/instructor: nothing to destroy: no stack BudgetGuard in ap-northeast-2; nothing "
    "was run"
)


def test_for_destroy_a_stack_without_its_context_is_a_stand_in_that_cannot_deploy(tmp_path):
    cdk_app = make_app(tmp_path / "a", budget_email="instructor@example.com")
    stacks = build(cdk_app, {DESTROY_ENV: "1"})
    assembly = cdk_app.synth()
    assert sorted(stacks) == ["BudgetGuard", "InstructorAccess"]
    real = assembly.get_stack_by_name("BudgetGuard").template
    assert props(real, "AWS::Budgets::Budget")  # given its context, the stack itself
    stand_in = assembly.get_stack_by_name("InstructorAccess")
    template = stand_in.template
    assert [r["Type"] for r in template["Resources"].values()] == [
        "AWS::CloudFormation::WaitConditionHandle"
    ]  # one no-op: the CDK CLI deletes a deployed stack that has no resource
    (assertion,) = template["Rules"]["NeverDeployed"]["Assertions"]
    assert assertion["Assert"] == {"Fn::Equals": ["destroy", "only"]}  # always false
    # And before CloudFormation: the CDK CLI refuses a deploy with a parameter left unset.
    (parameter,) = [p for name, p in template["Parameters"].items() if name != "BootstrapVersion"]
    assert "Default" not in parameter
    # What `cdk destroy` uses: the name, the region and the deploy role of the real stack.
    assert stand_in.stack_name == "InstructorAccess"
    assert stand_in.environment.region == "ap-northeast-2"
    assert "cdk-hnb659fds-deploy-role" in stand_in.assume_role_arn


def test_without_destroy_no_context_still_builds_nothing(tmp_path):
    with pytest.raises(CourseInputError, match="nothing to build"):
        build(make_app(tmp_path), {})
    with pytest.raises(CourseInputError) as refused:
        build(make_app(tmp_path / "b"), {DESTROY_ENV: "yes"})  # only scripts/instructor's 1
    assert str(refused.value) == NOTHING_TO_BUILD


@pytest.fixture
def fake_project(tmp_path):
    """scripts/instructor in a project whose `cdk` records its arguments and the stand-in
    switch it was run with."""
    root = tmp_path / "project"
    (root / "scripts").mkdir(parents=True)
    (root / "cdk.json").write_text(json.dumps({"app": "python app.py", "context": {}}))
    shutil.copy(ROOT / "scripts" / "instructor", root / "scripts" / "instructor")
    shim = root / "node_modules" / ".bin" / "cdk"
    shim.parent.mkdir(parents=True)
    shim.write_text(
        f'#!/bin/sh\nprintf "%s|%s\\n" "${{{DESTROY_ENV}:-unset}}" "$*" >> "$FAKE_CDK_LOG"\n'
    )
    shim.chmod(0o755)
    (root / ".venv" / "bin").mkdir(parents=True)
    python = root / ".venv" / "bin" / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    return root


def run_instructor(root, env, *args):
    log = root / "cdk-calls.log"
    log.unlink(missing_ok=True)
    result = subprocess.run(
        ["bash", str(root / "scripts" / "instructor"), *args], cwd=root,
        env={**env, "FAKE_CDK_LOG": str(log)}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    calls = log.read_text().splitlines() if log.exists() else []
    return result, calls


def stack(env, name):
    cloudformation = boto3.client(
        "cloudformation", region_name="ap-northeast-2", endpoint_url=env["AWS_ENDPOINT_URL"],
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip
    handle = {"H": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}
    cloudformation.create_stack(StackName=name, TemplateBody=json.dumps({"Resources": handle}))
    return cloudformation


def test_destroy_needs_no_context_and_says_when_there_is_nothing(fake_project, local_aws_env):
    env = {k: v for k, v in local_aws_env.items() if k != "AWS_PROFILE"}
    result, calls = run_instructor(fake_project, env, "destroy", "BudgetGuard", "--force")
    assert (result.returncode, calls) == (0, [])
    assert result.stderr.splitlines() == [NO_STACK]

    stack(env, "BudgetGuard")
    result, calls = run_instructor(fake_project, env, "destroy", "BudgetGuard", "--force")
    assert result.returncode == 0 and result.stderr == ""
    assert calls == ["1|--app python3 instructor_app.py destroy BudgetGuard --force"]

    result, calls = run_instructor(fake_project, env, "destroy", "--all", "--force")
    assert result.stderr.splitlines() == [
        "scripts/instructor: note: InstructorAccess does not exist in ap-northeast-2: cdk will "
        "call it destroyed, but there was nothing to remove"
    ]
    assert calls == ["1|--app python3 instructor_app.py destroy --all --force"]

    # A bad value given is still refused; the stand-ins are for destroy only.
    result, calls = run_instructor(fake_project, env, "destroy", "BudgetGuard", "-c",
                                   "budget_email=x")  # fmt: skip
    assert result.returncode == 2 and calls == []
    result, calls = run_instructor(fake_project, {**env, DESTROY_ENV: "1"}, "deploy",
                                   "BudgetGuard", "-c", "budget_email=a@b.co")  # fmt: skip
    assert calls == ["unset|--app python3 instructor_app.py deploy BudgetGuard -c "
                     "budget_email=a@b.co"]  # fmt: skip


def test_the_trial_destroy_with_the_real_cdk_cli(local_aws_env, tmp_path):
    """`scripts/instructor destroy BudgetGuard --force`, no context, deletes the stack through
    the CDK CLI; run again, it says there is nothing to destroy."""
    env = {k: v for k, v in local_aws_env.items() if k not in ("AWS_PROFILE", DESTROY_ENV)}
    cloudformation = stack(env, "BudgetGuard")
    command = ["bash", str(ROOT / "scripts" / "instructor"), "destroy", "BudgetGuard", "--force",
               "-o", str(tmp_path / "cdk.out")]  # fmt: skip
    first = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=300)  # fmt: skip
    assert first.returncode == 0, first.stderr
    (summary,) = cloudformation.list_stacks()["StackSummaries"]
    assert summary["StackStatus"] == "DELETE_COMPLETE"
    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=300)  # fmt: skip
    assert again.returncode == 0 and again.stderr.splitlines() == [NO_STACK]
    assert "destroyed" not in again.stdout + again.stderr
    assert os.path.isdir(tmp_path / "cdk.out")  # the CLI wrote there, not into the project


# A hostile-input trial: `destroy Bogus --force` printed the CDK CLI's "No stacks match" and
# exited 0, and `destroy ""` gave the labs app's advice (`scripts/cdk ls`).
INSTRUCTOR_NAMES = [
    (["destroy", "Bogus", "--force"], "'Bogus' matches neither InstructorAccess nor BudgetGuard, "
     "the instructor app's stacks; pass one of them (`scripts/instructor ls` lists them); "
     "nothing was run"),
    (["destroy", "BudgetGuard", "Budget*x", "--force"], "'Budget*x' matches neither "
     "InstructorAccess nor BudgetGuard, the instructor app's stacks; pass one of them "
     "(`scripts/instructor ls` lists them); nothing was run"),
    (["destroy", "B" * 100, "--force"], f"'{'B' * 37}...' matches neither InstructorAccess nor "
     "BudgetGuard, the instructor app's stacks; pass one of them (`scripts/instructor ls` lists "
     "them); nothing was run"),
    (["destroy", "", "--force"], "'' names no stack; pass InstructorAccess or BudgetGuard "
     "(`scripts/instructor ls` lists them)"),
]  # fmt: skip


@pytest.mark.parametrize(
    "args, line", INSTRUCTOR_NAMES, ids=[a[1][:12] for a, _ in INSTRUCTOR_NAMES]
)
def test_a_name_no_instructor_stack_has_is_refused_before_the_cli(fake_project, tmp_path, args,
                                                                  line):  # fmt: skip
    env = {**os.environ, "HOME": str(tmp_path)}
    env.pop("WEEK5_PREFLIGHT", None)
    result, calls = run_instructor(fake_project, env, *args)
    assert (result.returncode, calls) == (2, [])
    assert result.stderr.splitlines() == [f"scripts/instructor: {line}"]


def test_the_instructor_stacks_by_name_or_pattern_are_not_refused(monkeypatch):
    from week5.cli import instructor_destroy

    monkeypatch.setattr(instructor_destroy, "live_stack_names", lambda profile: ["BudgetGuard"])
    for args in (["destroy", "BudgetGuard"], ["destroy", "Budget*"], ["destroy", "--all"]):
        told = []
        assert instructor_destroy.check(args, told.append, {}) == 0
        assert not any("matches neither" in line for line in told)


def test_only_the_command_the_cdk_cli_reads_builds_stand_ins(fake_project, tmp_path):
    """The review: the first word that looked like a command decided (`--profile destroy
    deploy` exported the stand-in switch, and the deploy would have met stand-ins)."""
    env = {**os.environ, "HOME": str(tmp_path), "WEEK5_PREFLIGHT": "0"}
    _, calls = run_instructor(fake_project, env, "--profile", "destroy", "deploy", "--all")
    assert calls == ["unset|--app python3 instructor_app.py --profile destroy deploy --all"]
    _, calls = run_instructor(fake_project, env, "--profile", "deploy", "destroy", "BudgetGuard")
    assert calls == ["1|--app python3 instructor_app.py --profile deploy destroy BudgetGuard"]


def test_a_picomatch_pattern_is_the_clis_to_match(monkeypatch):
    """The review: braces and a negation are patterns the CDK CLI matches (picomatch), which
    fnmatch does not read: they were refused as matching neither stack."""
    from week5.cli import instructor_destroy

    monkeypatch.setattr(instructor_destroy, "live_stack_names", lambda profile: ["BudgetGuard"])
    for pattern in ("{InstructorAccess,BudgetGuard}", "!InstructorAccess", "@(BudgetGuard)"):
        told = []
        assert instructor_destroy.check(["destroy", pattern], told.append, {}) == 0, told
