"""scripts/cdk.py after a `cdk destroy` that exited 1 without deleting anything: the CDK CLI
exits 1 for a declined confirmation ("Deletion cancelled") and for no terminal to ask on, as for
a failed deletion. A student trial answered "n" and was told the destroy failed and to delete
what holds the stack: now `week5 preflight --after-destroy` reads the stacks the destroy named,
and only a stack left deleting or DELETE_FAILED (or none that can be read) gets the hint."""

from __future__ import annotations

import json

import boto3
import pytest
from moto.cloudformation.models import cloudformation_backends
from moto.core import DEFAULT_ACCOUNT_ID
from test_preflight import fake_project, run_wrapper
from test_quotas import lab_template, moto_env  # noqa: F401  (the fixture)

REGION = "ap-northeast-2"
STACK = "week5-kim-Day4Lab1"
DESTROY = ["destroy", "Day4Lab1", "-c", "student=kim"]
HINT = "scripts/cdk.py: the destroy failed: `.venv/bin/week5 cleanup --day Day4 --student kim`"


@pytest.fixture
def project(tmp_path):
    """fake_project's, with a CDK CLI that exits 1 as a declined or failed destroy does."""
    root = fake_project(tmp_path)
    cli = root / "node_modules" / "aws-cdk" / "bin" / "cdk"
    # FAKE_RESET: the CLI empties the emulator first, as a destroy that removed the stack
    # and still failed would leave it.
    cli.write_text(cli.read_text() + (
        "const reset = process.env.FAKE_RESET;\n"
        "(reset ? fetch(reset, {method: 'POST'}) : Promise.resolve())"
        ".then(() => process.exit(1));\n"
    ))  # fmt: skip
    return root


@pytest.fixture
def aws(moto_env):  # noqa: F811
    return moto_env


def deployed(status=None):
    cf = boto3.client("cloudformation", region_name=REGION)
    stack_id = cf.create_stack(StackName=STACK, TemplateBody=json.dumps(lab_template()))["StackId"]
    if status:
        cloudformation_backends[DEFAULT_ACCOUNT_ID][REGION].stacks[stack_id].status = status


@pytest.mark.parametrize(
    "force, says",
    [
        # No terminal to ask on (the output is a pipe here): the CLI refused to ask.
        ((), f"nothing was destroyed: {STACK} is CREATE_COMPLETE; to destroy without the "
             "question, pass --force"),
        (("--force",), f"nothing was destroyed: {STACK} is CREATE_COMPLETE"),
    ],
)  # fmt: skip
def test_a_destroy_that_deleted_nothing_says_so_and_gives_no_cleanup_hint(
    project, aws, force, says
):
    deployed()
    result, calls = run_wrapper(project, "cdk.py", DESTROY + list(force), aws)
    assert calls == [" ".join(["destroy Day4Lab1 -c student=kim", *force, "--context labs=Day4Lab1"])]
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"scripts/cdk.py: {says}"]


@pytest.mark.parametrize("status", ["DELETE_FAILED", "DELETE_IN_PROGRESS"])
def test_a_stack_left_deleting_or_failed_gets_the_cleanup_hint(project, aws, status):
    deployed(status)
    result, _ = run_wrapper(project, "cdk.py", DESTROY, aws)
    assert result.returncode == 1
    assert result.stderr.startswith(HINT), result.stderr
    assert "nothing was destroyed" not in result.stderr


def test_a_stack_gone_after_a_failed_destroy_keeps_the_hint(project, aws):
    """The CLI failed, yet the stack is gone: what failed is unknown, so the hint stands."""
    deployed()
    reset = f"{aws['AWS_ENDPOINT_URL']}/moto-api/reset"
    result, _ = run_wrapper(project, "cdk.py", DESTROY + ["--force"], {**aws, "FAKE_RESET": reset})
    assert result.returncode == 1 and result.stderr.startswith(HINT), result.stderr


def test_a_class_destroy_that_stopped_at_a_failed_stack_names_those_not_tried(project, aws):
    """An instructor trial: `destroy 'Day4Lab1-*' -c students=...` ended at kim's DELETE_FAILED
    copy, the other students' still CREATE_COMPLETE, and only the hint was printed: the
    instructor read the class as destroyed but for kim."""
    cf = boto3.client("cloudformation", region_name=REGION)
    for name in ("kim", "lee", "park"):
        stack_id = cf.create_stack(
            StackName=f"week5-{name}-Day4Lab1", TemplateBody=json.dumps(lab_template())
        )["StackId"]
        if name == "kim":
            cloudformation_backends[DEFAULT_ACCOUNT_ID][REGION].stacks[stack_id].status = (
                "DELETE_FAILED"
            )
    args = ["destroy", "Day4Lab1-*", "-c", "students=kim,lee,park", "--force"]
    result, _ = run_wrapper(project, "cdk.py", args, aws)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0] == (
        "scripts/cdk.py: not destroyed: week5-lee-Day4Lab1, week5-park-Day4Lab1 (cdk destroy "
        "stops at the first stack it cannot delete): destroy them again once what holds it is "
        "gone"
    ), result.stderr
    assert lines[1].startswith("scripts/cdk.py: the destroy failed: `.venv/bin/week5 cleanup "
                               "--day Day4 --all`")  # fmt: skip


@pytest.mark.parametrize("left", ["gone", "UPDATE_IN_PROGRESS"])
def test_a_destroy_that_deleted_one_stack_or_met_one_mid_operation_is_no_untouched_one(
    project, aws, left
):
    """A review: kim's copy deleted, then the CLI stopped at lee's (termination protection,
    a deploy running): the stacks still listed were all at rest, and the launcher said
    "nothing was destroyed" and hid the hint. A stack mid-operation is no untouched one either
    (--force would not help it)."""
    cf = boto3.client("cloudformation", region_name=REGION)
    for name in ("kim", "lee"):
        stack_id = cf.create_stack(
            StackName=f"week5-{name}-Day4Lab1", TemplateBody=json.dumps(lab_template())
        )["StackId"]
        if name == "kim" and left == "UPDATE_IN_PROGRESS":
            cloudformation_backends[DEFAULT_ACCOUNT_ID][REGION].stacks[stack_id].status = left
    if left == "gone":  # as the CLI leaves it when it deleted kim's, then stopped at lee's
        cf.delete_stack(StackName="week5-kim-Day4Lab1")
    args = ["destroy", "Day4Lab1-*", "-c", "students=kim,lee"]
    result, _ = run_wrapper(project, "cdk.py", args, aws)
    assert result.returncode == 1
    assert "nothing was destroyed" not in result.stderr, result.stderr
    assert result.stderr.strip().splitlines()[-2:] == [
        "scripts/cdk.py: not destroyed: week5-lee-Day4Lab1 (cdk destroy stops at the first "
        "stack it cannot delete): destroy them again once what holds it is gone",
        HINT.replace("--student kim`", "--all`") + " names what is left and what holds it (it "
        "deletes nothing without --apply); delete what holds it, then destroy again",
    ], result.stderr
