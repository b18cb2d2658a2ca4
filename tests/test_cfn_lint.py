"""cfn-lint over every synthesized template: zero errors (and the linter does find them)."""

import json

import pytest

from stacks.catalog import CATALOG
from week5.analysis.lint import lint_template


@pytest.mark.parametrize("lab_id", CATALOG.ids)
def test_template_has_no_cfn_lint_errors_or_warnings(app, lab_id):
    findings = lint_template(app.template_paths[lab_id])
    assert [str(f) for f in findings] == []


def test_the_linter_reports_an_error_in_a_broken_template(tmp_path):
    broken = {
        "Metadata": {"Cost": 0.1},  # CloudFormation metadata takes no floats
        "Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": 10}}},
    }
    path = tmp_path / "broken.template.json"
    path.write_text(json.dumps(broken))
    findings = lint_template(path)
    assert any(f.is_error for f in findings), findings
