"""CDK's built-in CloudFormation validation (issue #18): it runs where a template is checked or
about to reach CloudFormation (`cdk synth`, `deploy`, `diff` through the launchers; `week5
check`), and is skipped where a command only reads names or figures (`cdk ls`, `week5 labs`,
`cost`, ...). A CDK_VALIDATION the user set wins.

The launchers' environments are read through a fake `cdk`; then the real CDK CLI runs on a
one-stack project whose template CDK's validator rejects (a property its resource type does not
have), so what each command does with validation shows in whether it passes."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

import pytest
from support import ROOT, counting_cdk, fake_cdk

from week5.core.catalog import LAB_METADATA_KEY

#: CDK's rule for a property the resource type does not have, as its report names it.
REJECTED = "CloudFormation-Validate::F3002"


def launcher_module():
    spec = importlib.util.spec_from_file_location("week5_cdk_py", ROOT / "scripts" / "cdk.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cdk_validation_seen(tmp_path: Path, args: List[str], user: Optional[str]) -> Dict[str, str]:
    """The CDK_VALIDATION (``unset`` when none) each launcher gives `cdk args`, the user's
    environment holding ``user`` (None: not set)."""
    fake_cdk(tmp_path, '#!/bin/sh\nprintf "%s\\n" "${CDK_VALIDATION-unset}"\n')
    env = {k: v for k, v in os.environ.items() if k != "CDK_VALIDATION"}
    if user is not None:
        env["CDK_VALIDATION"] = user
    bash = subprocess.run(
        ["bash", str(tmp_path / "scripts" / "cdk"), *args],
        capture_output=True, text=True, check=True, env=env,
    ).stdout.strip()  # fmt: skip
    (tmp_path / "node_modules" / "aws-cdk" / "bin").mkdir(parents=True)
    (tmp_path / "node_modules" / "aws-cdk" / "bin" / "cdk").write_text("")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    environ = {"PATH": "/usr/bin", **({"CDK_VALIDATION": user} if user is not None else {})}
    _, py_env = launcher_module().command_and_env(args, root=tmp_path, environ=environ)
    return {"scripts/cdk": bash, "scripts/cdk.py": py_env.get("CDK_VALIDATION", "unset")}


@pytest.mark.parametrize(
    "args, user, expected",
    [
        (["ls"], None, "false"),
        (["list", "-c", "student=kim"], None, "false"),
        (["-c", "student=kim", "ls", "Day1Lab1"], None, "false"),
        (["ls"], "true", "true"),  # the user's wins
        (["synth", "Day1Lab1"], None, "unset"),
        (["deploy", "Day1Lab1", "-c", "student=kim"], None, "unset"),
        (["diff", "Day1Lab1"], None, "unset"),
        (["destroy", "Day1Lab1", "--force"], None, "unset"),
        (["deploy", "Day1Lab1", "--profile", "ls"], None, "unset"),  # "ls" as a value
        (["deploy", "Day1Lab1"], "false", "false"),  # the user's wins
        (["bootstrap"], None, "unset"),
    ],
)
def test_the_launchers_skip_validation_for_ls_only(tmp_path, args, user, expected):
    assert cdk_validation_seen(tmp_path, args, user) == {
        "scripts/cdk": expected,
        "scripts/cdk.py": expected,
    }


APP = f"""\
import aws_cdk as cdk

app = cdk.App()
stack = cdk.Stack(app, "Day1Lab1", stack_name="week5-instructor-Day1Lab1",
                  env=cdk.Environment(region="ap-northeast-2"))
stack.template_options.metadata = {{{LAB_METADATA_KEY!r}: {{
    "LabId": "Day1Lab1", "Day": "Day1", "Lab": "Lab1", "TitleKo": "t", "TitleEn": "t",
    "CourseCostUsd": "0.3"}}}}
# Synthesizes; CDK's validator rejects it (F3002: the type has no such property).
cdk.CfnResource(stack, "Handle", type="AWS::CloudFormation::WaitConditionHandle",
                properties={{"NotAProperty": "x"}})
app.synth()
"""


@pytest.fixture(scope="module")
def rejected_project(tmp_path_factory) -> Path:
    """A project with the launchers, the pinned CDK CLI behind a `cdk` that logs each start
    with its CDK_VALIDATION, the venv, and one stack that CDK's validation rejects (an error,
    not a warning: the project's cdk.json turns on @aws-cdk/core:validateAgainstDefaultRules)."""
    root = tmp_path_factory.mktemp("rejected")
    (root / "app.py").write_text(APP)
    flag = "@aws-cdk/core:validateAgainstDefaultRules"
    assert json.loads((ROOT / "cdk.json").read_text())["context"][flag] is True
    (root / "cdk.json").write_text(json.dumps({"app": "python app.py", "context": {flag: True}}))
    (root / "scripts").mkdir()
    for name in ("cdk", "cdk.py"):
        shutil.copy(ROOT / "scripts" / name, root / "scripts" / name)
    counting_cdk(root, "${CDK_VALIDATION-unset} $1")
    (root / ".venv").symlink_to(ROOT / ".venv")
    return root


def run(root: Path, *command: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "CDK_VALIDATION"}
    environ.update(WEEK5_PREFLIGHT="0", **env)  # the precheck is not what this tests
    return subprocess.run(
        command, cwd=root, env=environ, capture_output=True, text=True, timeout=600
    )


def starts(root: Path) -> List[str]:
    runs = root / "cdk-runs.txt"
    return runs.read_text().splitlines() if runs.is_file() else []


def validation_findings(root: Path) -> List[str]:
    """The rules CDK's CloudFormation validation reported in the run that wrote cdk.out (none
    when it did not run)."""
    report = root / "cdk.out" / "validation-report.json"
    if not report.is_file():
        return []
    plugins = json.loads(report.read_text())["pluginReports"]
    return [v["ruleName"] for p in plugins if p["pluginName"] == "CloudFormation Validate"
            for v in p["violations"]]  # fmt: skip


def test_ls_skips_the_validation_that_finds_the_rejected_template(rejected_project):
    """`cdk ls` does not fail on what CDK's validation finds (it only lists), so the report
    cdk.out keeps says whether it ran: not through the launcher, yes with the user's
    CDK_VALIDATION=true. (Both launchers set the same environment:
    test_the_launchers_skip_validation_for_ls_only; a synth that validates fails on the
    template: the next test's `week5 check`.)"""
    root = rejected_project
    listed = run(root, "bash", "scripts/cdk", "ls")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == ["Day1Lab1", "(week5-instructor-Day1Lab1)"]
    assert validation_findings(root) == []
    shutil.rmtree(root / "cdk.out")
    wanted = run(root, "bash", "scripts/cdk", "ls", CDK_VALIDATION="true")  # the user's wins
    assert wanted.returncode == 0 and validation_findings(root) == ["F3002"]


def test_week5_reads_without_validation_and_check_refuses_the_cached_entry(rejected_project):
    """`week5 labs` synthesizes without CDK's validation and keeps the assembly; `cost` reads it
    from the cache; `week5 check` does not take it: it synthesizes with validation, which
    rejects the template, and keeps nothing (the read-only commands still read the entry)."""
    root = rejected_project
    before = len(starts(root))
    week5 = [sys.executable, "-m", "week5"]
    labs = run(root, *week5, "labs", "--json")
    assert labs.returncode == 0, labs.stderr
    assert [row["lab"] for row in json.loads(labs.stdout)] == ["Day1Lab1"]
    cost = run(root, *week5, "cost", "Day1Lab1", "--json")
    assert cost.returncode == 0 and "==> Day1Lab1 from the cached assembly of every lab" in (
        cost.stderr
    )
    check = run(root, *week5, "check")
    assert check.returncode != 0 and REJECTED in check.stderr
    assert "the cached assembly skipped CDK's CloudFormation validation" in check.stderr
    assert starts(root)[before:] == ["false synth", "unset synth"]
    again = run(root, *week5, "labs", "--json")
    assert again.returncode == 0 and "==> assembly from the cache" in again.stderr
    assert len(starts(root)) == before + 2


def test_the_suites_app_of_every_lab_validates_and_unit_stacks_do_not(tmp_path):
    """The session's app of every lab (tests/conftest.py) is made with ``cfn_validation`` on
    in the first pytest-xdist worker (or the only process), as `cdk synth` validates: a
    template CDK's engine rejects fails its synthesis; the other worker builds the same app.
    The unit tests' apps skip the engine (the same templates, 0.1 to 0.2 s less a synthesis)."""
    import aws_cdk as cdk

    from support import make_app

    def rejected(**validation) -> cdk.App:
        app = make_app(tmp_path / str(len(list(tmp_path.iterdir()))), **validation)
        stack = cdk.Stack(app, "Rejected", env=cdk.Environment(region="ap-northeast-2"))
        cdk.CfnResource(
            stack, "Handle", type="AWS::CloudFormation::WaitConditionHandle",
            properties={"NotAProperty": "x"},
        )
        return app

    assert rejected().synth().get_stack_by_name("Rejected").template["Resources"]
    with pytest.raises(Exception, match="F3002"):
        rejected(cfn_validation=True).synth()
    conftest = (ROOT / "tests" / "conftest.py").read_text()
    assert 'os.environ.get("PYTEST_XDIST_WORKER", "gw0") == "gw0"' in conftest
    assert "make_app(outdir, cfn_validation=validate" in conftest
