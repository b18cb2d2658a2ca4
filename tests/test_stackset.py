"""`week5 rollout`: InstructorAccess to every student account with StackSets, on moto."""

import subprocess
import sys

import boto3
import pytest
from moto import mock_aws
from support import ROOT

from week5.core.errors import CourseInputError
from week5.operations import stackset


@pytest.fixture(scope="module")
def template(instructor_templates):
    return instructor_templates["InstructorAccess"]


def test_the_template_needs_no_bootstrap_in_the_student_accounts(template):
    assert "BootstrapVersion" not in template.get("Parameters", {})
    assert "Rules" not in template


def test_creates_the_stack_set_then_adds_only_the_new_accounts(template):
    with mock_aws():
        cf = boto3.client("cloudformation", region_name="ap-northeast-2")
        first = stackset.roll_out(cf, template, ["222233334444", "555566667777"], poll_s=0)
        assert first["created"] and first["added"] == ["222233334444", "555566667777"]
        again = stackset.roll_out(cf, template, ["222233334444", "888899990000"], poll_s=0)
        assert again["updated"] and not again["created"]
        assert again["added"] == ["888899990000"] and again["already"] == ["222233334444"]
        summaries = cf.list_stack_instances(StackSetName=stackset.DEFAULT_STACK_SET_NAME)
        assert sorted(s["Account"] for s in summaries["Summaries"]) == [
            "222233334444",
            "555566667777",
            "888899990000",
        ]
        assert all(s["Region"] == "ap-northeast-2" for s in summaries["Summaries"])


@pytest.mark.parametrize(
    "value, says",
    [("", "names no account"), ("1234", "'1234'"), ("222233334444,222233334444", "twice"),
     # A hostile trial: an entry lost between commas passed; 100k digits were printed whole.
     ("222233334444,,555566667777", "has an empty entry between commas"),
     ("1" * 100_000, "has '1{37}\\.\\.\\.', not a 12-digit")],
)
def test_accounts_are_checked(value, says):
    with pytest.raises(CourseInputError, match=says):
        stackset.parse_accounts(value)


def test_dry_run_synthesizes_with_the_real_cli_and_changes_nothing(local_aws_env):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "week5",
            "rollout",
            "--accounts",
            "222233334444,555566667777",
            "-c",
            "instructor_account=111122223333",
            "--dry-run",
        ],
        cwd=ROOT,
        env=local_aws_env,  # a dry run reads the stack set: on moto's server
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "Would roll week5-instructor-access out to 2 account(s)" in result.stdout
