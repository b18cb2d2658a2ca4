"""cfn-lint findings kept by template content (week5/cli/lint_cache.py): a template linted
before answers from the cache; its bytes, the cfn-lint version or --no-cache lint it again."""

import json
import subprocess
import sys

import pytest
from support import ROOT

from week5.analysis.lint import LintFinding
from week5.cli import lint_cache

BROKEN = {
    "Metadata": {"Cost": 0.1},  # CloudFormation metadata takes no floats: a real finding
    "Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": 10}}},
}


@pytest.fixture
def counted(monkeypatch):
    """cfn-lint's real findings, with a count of the runs the cache asked for (each run after
    the process's first takes about 15 ms for these small templates: one runner a process)."""
    runs = []
    real = lint_cache.lint_template

    def lint(path):
        runs.append(path)
        return real(path)

    monkeypatch.setattr(lint_cache, "lint_template", lint)
    return runs


@pytest.fixture
def template(tmp_path):
    path = tmp_path / "Broken.template.json"
    path.write_text(json.dumps(BROKEN))
    return path


def test_a_template_linted_before_answers_from_the_cache(tmp_path, template, counted):
    first, cached = lint_cache.cached_lint(tmp_path, template)
    assert not cached and any(f.is_error for f in first)
    again, cached = lint_cache.cached_lint(tmp_path, template)
    assert cached and again == first
    assert len(counted) == 1


def test_a_changed_template_is_linted_again(tmp_path, template, counted):
    lint_cache.cached_lint(tmp_path, template)
    template.write_text(json.dumps({**BROKEN, "Metadata": {"Cost": "0.1"}}))
    findings, cached = lint_cache.cached_lint(tmp_path, template)
    assert not cached and len(counted) == 2
    assert not any(f.rule_id == "E4002" for f in findings)  # the float finding went with it


def test_another_cfn_lint_version_lints_again(tmp_path, template, counted, monkeypatch):
    lint_cache.cached_lint(tmp_path, template)
    monkeypatch.setattr(lint_cache.importlib.metadata, "version", lambda name: "999.0.0")
    assert lint_cache.cached_lint(tmp_path, template)[1] is False
    assert len(counted) == 2


def test_refresh_lints_afresh_and_rewrites(tmp_path, template, counted):
    lint_cache.cached_lint(tmp_path, template)
    (kept,) = (tmp_path / ".week5-cache" / "lint").glob("*.json")
    kept.write_text(json.dumps([["W9999", "planted", 1]]))
    assert lint_cache.cached_lint(tmp_path, template)[0] == [LintFinding("W9999", "planted", 1)]
    findings, cached = lint_cache.cached_lint(tmp_path, template, refresh=True)
    assert not cached and LintFinding("W9999", "planted", 1) not in findings
    assert lint_cache.cached_lint(tmp_path, template)[0] == findings


@pytest.mark.parametrize("content", ["", "{not json", '{"rows": 1}', '[["E1"]]'])
def test_an_unreadable_cache_file_is_linted_again(tmp_path, template, counted, content):
    lint_cache.cached_lint(tmp_path, template)
    (kept,) = (tmp_path / ".week5-cache" / "lint").glob("*.json")
    kept.write_text(content)
    findings, cached = lint_cache.cached_lint(tmp_path, template)
    assert not cached and any(f.is_error for f in findings)


def test_the_newest_files_are_kept(tmp_path, template, counted, monkeypatch):
    monkeypatch.setattr(lint_cache, "KEEP_FILES", 2)
    for cidr in ("10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"):
        template.write_text(json.dumps({"Resources": {"V": {
            "Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": cidr}}}}))  # fmt: skip
        lint_cache.cached_lint(tmp_path, template)
    assert len(list((tmp_path / ".week5-cache" / "lint").glob("*.json"))) == 2


def test_without_a_project_it_lints_and_keeps_nothing(tmp_path, template, counted):
    assert lint_cache.cached_lint(None, template)[1] is False
    assert not (tmp_path / ".week5-cache").exists() and len(counted) == 1


def test_week5_check_twice_lints_once(app, tmp_path):
    """The real command on the session's assembly: the second run reads every lab's findings."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "cdk.json").write_text((ROOT / "cdk.json").read_text())

    def check(*extra):
        return subprocess.run(
            [sys.executable, "-m", "week5", "check", "Day1Lab1", "Day2Lab2", *extra,
             "--assembly", str(app.outdir)],
            cwd=project, capture_output=True, text=True,
        )  # fmt: skip

    first, second, fresh = check(), check(), check("--no-cache")
    for result in (first, second, fresh):
        assert result.returncode == 0, result.stderr
    assert "findings from the cache" not in first.stderr + fresh.stderr
    assert "2 of them unchanged since an earlier check: findings from the cache" in second.stderr
    assert first.stdout == second.stdout == fresh.stdout
    assert len(list((project / ".week5-cache" / "lint").glob("*.json"))) == 2
