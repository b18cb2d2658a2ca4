"""`scripts/integ`'s refusals: one line naming the problem, exit 2, nothing deployed.

Without credentials it said "no usable AWS credentials" and exited 1, the reason sent to
/dev/null: a profile that does not exist was never named. It now says why in week5's words
(week5/operations/aws_errors.py). A command it does not know, and `run` without a lab, printed
the 17 lines of --help. No test here reaches AWS: no keys, no config files, no instance
metadata.
"""

from __future__ import annotations

import os
import subprocess

import pytest
from support import ROOT

INTEG = ROOT / "scripts" / "integ"
SEE_HELP = " (scripts/integ --help explains each)"


def _integ(*args, env=None):
    return subprocess.run(
        [str(INTEG), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def no_aws(tmp_path):
    """An environment with no AWS credentials anywhere boto3 and the CDK CLI look."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=str(tmp_path / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


CASES = [
    (["bogus"], "unknown command bogus: pass check, update or run"),
    (["a b"], "unknown command a\\ b: pass check, update or run"),
    (["run"], "run needs the labs to deploy: pass them or all, e.g. scripts/integ run Day4Lab1"),
    (["run", "--parallel", "2"], "run needs the labs to deploy: pass them or all, e.g. "
     "scripts/integ run Day4Lab1"),
]  # fmt: skip


@pytest.mark.parametrize("args, says", CASES, ids=[" ".join(a) for a, _ in CASES])
def test_bad_usage_is_one_line_not_the_help(args, says):
    run = _integ(*args)
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr.splitlines() == [f"scripts/integ: {says}{SEE_HELP}"]


def test_run_without_credentials_says_why_and_exits_2(no_aws):
    run = _integ("run", "Day4Lab1", env=no_aws)
    assert (run.returncode, run.stdout) == (2, "")
    (line,) = run.stderr.splitlines()
    assert line.startswith("scripts/integ: no AWS credentials were found; run `aws configure")
    assert line.endswith(" (nothing deployed)")


@pytest.mark.parametrize("where", ["--profile", "AWS_PROFILE"])
def test_run_names_a_profile_that_does_not_exist(no_aws, where):
    if where == "--profile":
        run = _integ("run", "Day4Lab1", "--profile", "nosuch", env=no_aws)
    else:
        run = _integ("run", "Day4Lab1", env={**no_aws, "AWS_PROFILE": "nosuch"})
    assert (run.returncode, run.stdout) == (2, "")
    (line,) = run.stderr.splitlines()
    assert line.startswith(f"scripts/integ: AWS profile 'nosuch' (from {where}) is not in ")
    assert "`aws configure --profile nosuch`" in line
    assert line.endswith(" (nothing deployed)")


def test_run_refuses_a_blank_profile_in_week5s_words(no_aws):
    run = _integ("run", "Day4Lab1", "--profile", " ", env=no_aws)
    assert run.returncode == 2
    (line,) = run.stderr.splitlines()
    assert line.startswith("scripts/integ: --profile ' ' names no profile: pass a profile's name")


def test_an_unreachable_aws_does_not_suggest_a_region_option_integ_lacks(no_aws):
    """A re-trial: keys, no network: the line said "--region ap-northeast-2 is the one you
    mean", an option scripts/integ does not have (its region is fixed)."""
    # keys that AWS would refuse; here AWS's host does not even resolve (no network)
    env = {**no_aws, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    run = _integ("run", "Day4Lab1", env=env)
    assert (run.returncode, run.stdout) == (2, "")
    (line,) = run.stderr.splitlines()
    assert line.startswith("scripts/integ: ") and line.endswith(" (nothing deployed)"), line
    assert "--region" not in line, line
