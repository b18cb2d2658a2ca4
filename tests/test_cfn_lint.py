"""cfn-lint over every synthesized template, as `week5 check` runs it: zero errors and warnings
(and the linter does find them)."""

import json
import re
import subprocess
import sys

import pytest
from support import ROOT

from stacks.catalog import CATALOG
from week5.analysis.lint import IGNORED_CHECKS, LintFinding, lint_template
from week5.core.settings import DEFAULT_REGION

BROKEN = {
    "Metadata": {"Cost": 0.1},  # CloudFormation metadata takes no floats
    "Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": 10}}},
}


@pytest.fixture(scope="module")
def checked(app, tmp_path_factory):
    """One real `week5 check` of every lab, in a project whose lint cache is empty: it lints
    all 14 templates (the per-lab tests below read their lab's row and findings from it), so
    the suite lints them once, not once here and again for the catalog."""
    project = tmp_path_factory.mktemp("project")
    (project / "cdk.json").write_text((ROOT / "cdk.json").read_text())
    return subprocess.run(
        [sys.executable, "-m", "week5", "check", "--assembly", str(app.outdir)],
        cwd=project, capture_output=True, text=True,
    )  # fmt: skip


def catalog_rows(stdout):
    return {line.split()[0]: line for line in stdout.splitlines() if line.startswith("Day")}


def test_check_prints_every_lab_with_its_results(checked):
    assert checked.returncode == 0, checked.stderr
    assert "findings from the cache" not in checked.stderr  # every template was linted here
    rows = catalog_rows(checked.stdout)
    assert list(rows) == list(CATALOG.ids)
    assert "$0.10" in rows["Day1Lab1"] and "VPC & EC2 기본 구성" in rows["Day1Lab1"]
    assert all("pass" in row and "0 errors, 0 warnings" in row for row in rows.values())
    assert (
        f"All {len(CATALOG)} lab(s) pass cdk-nag, the course rules, cfn-lint and the teardown "
        "check." in checked.stdout
    )


@pytest.mark.parametrize("lab_id", CATALOG.ids)
def test_template_has_no_cfn_lint_errors_or_warnings(checked, lab_id):
    # check prints each finding as "  <lab>: <rule> line <n>: <message>" under the table.
    findings = [
        line.strip()
        for line in checked.stdout.splitlines()
        if re.match(rf"  {lab_id}: [EWI]\d{{4}} line \d+: ", line)
    ]
    assert findings == []
    row = catalog_rows(checked.stdout).get(lab_id, checked.stderr)
    assert row.endswith(" 0 errors, 0 warnings"), row  # the count of every finding it kept


def test_the_linter_reports_an_error_in_a_broken_template(tmp_path):
    path = tmp_path / "broken.template.json"
    path.write_text(json.dumps(BROKEN))
    findings = lint_template(path)
    assert any(f.is_error for f in findings), findings


def test_one_runner_a_process_finds_what_cfn_lints_api_finds(tmp_path):
    """lint_template keeps one cfn-lint runner a process: a template's own cfn-lint config (a
    strict E3012 here) must not carry over to the next one, whose findings are cfnlint.api's."""
    from cfnlint.api import ManualArgs, lint

    strict = json.loads(json.dumps(BROKEN))
    strict["Metadata"]["cfn-lint"] = {"config": {"configure_rules": {"E3012": {"strict": True}}}}
    (tmp_path / "strict.json").write_text(json.dumps(strict))
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(BROKEN))
    assert "E3012" in [f.rule_id for f in lint_template(tmp_path / "strict.json")]
    config = ManualArgs(regions=[DEFAULT_REGION], ignore_checks=list(IGNORED_CHECKS))
    matches = lint(plain.read_text(), config=config)  # builds a runner of its own
    fresh = [LintFinding(m.rule.id, m.message, m.linenumber) for m in matches]
    assert lint_template(plain) == fresh and "E3012" not in [f.rule_id for f in fresh]
