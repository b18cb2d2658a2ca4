"""The `week5` command: the catalog table, lab selection, and errors a newcomer can hit."""

import argparse
import ast
import json
import re
import subprocess
import sys

import pytest
from support import ROOT, error_lines

from stacks.catalog import CATALOG
from week5.analysis.assembly import read_labs
from week5.analysis.diagram import width
from week5.cli.errors import CliError
from week5.cli.synthesis import synthesize
from week5.cli.table import pad


def run_week5(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "week5", *args], cwd=cwd, capture_output=True, text=True
    )


# `week5 check` of every lab, the catalog it prints: tests/test_cfn_lint.py, whose per-lab
# cfn-lint tests read that one run's findings.


def test_check_fails_an_assembly_that_cdk_destroy_would_not_clear(app, tmp_path):
    """An assembly synthesized elsewhere (no rule pack) with a retained bucket in one lab."""
    import shutil

    shutil.copytree(app.outdir, tmp_path / "out")
    path = tmp_path / "out" / app.template_paths["Day2Lab2"].name
    template = app.templates["Day2Lab2"]
    bucket_id = next(k for k, r in template["Resources"].items() if r["Type"] == "AWS::S3::Bucket")
    broken = json.loads(json.dumps(template))
    broken["Resources"][bucket_id]["DeletionPolicy"] = "Retain"
    path.write_text(json.dumps(broken))
    result = run_week5("check", "--assembly", str(tmp_path / "out"), "Day2Lab2", "Day1Lab1")
    assert result.returncode == 1  # a failed check, not a usage error
    assert f"Day2Lab2: {bucket_id}: Week5-NoRetainOnDelete[DeletionPolicy:Retain]" in result.stdout
    assert "week5: `cdk destroy` would leave or be blocked by" in result.stderr
    assert "Day2Lab2" in result.stderr and "Day1Lab1" not in result.stderr


def test_check_selects_labs_and_names_the_valid_ones_for_a_wrong_id(app):
    result = run_week5("check", "--assembly", str(app.outdir), "Day1Case", "Day1Case")
    assert result.returncode == 0  # named twice, listed (and linted) once
    assert [row.split()[0] for row in result.stdout.splitlines() if row.startswith("Day")] == [
        "Day1Case"
    ]
    wrong = run_week5("check", "--assembly", str(app.outdir), "Day4Lab2")  # no such lab
    assert wrong.returncode == 2
    assert wrong.stderr.strip() == (
        f"week5: unknown lab 'Day4Lab2'; valid labs: {', '.join(CATALOG.ids)}"
    )
    no_id = run_week5("check", "--assembly", str(app.outdir), "Day9Lab1")  # no lab id at all
    assert (no_id.returncode, no_id.stderr.strip()) == (
        2, "week5: 'Day9Lab1' is not a lab id: Day<1-5><Lab1|Lab2|Case|Challenge>, e.g. Day4Lab1"
    )


def test_resource_counts_leave_out_cdk_metadata(app):
    labs = {lab.lab_id: lab for lab in read_labs(app.outdir)}
    template = app.templates["Day1Lab1"]
    assert labs["Day1Lab1"].resource_count == len(template["Resources"]) - 1
    assert labs["Day1Lab1"].course_cost_usd == 0.10 and labs["Day1Case"].course_cost_usd is None


def test_bad_context_is_refused_before_synthesis_in_one_line():
    """`cdk synth -c ssh_cidr=0.0.0.0/0` through the real CLI: app.py stops with the fix."""
    result = run_week5("check", "-c", "ssh_cidr=0.0.0.0/0")
    assert result.returncode == 2  # a usage error: the input is wrong
    (line,) = error_lines(result.stderr)  # one line, not the CDK CLI's whole output
    assert result.stdout == ""  # progress went to stderr too
    assert line.startswith("week5: context 'ssh_cidr'='0.0.0.0/0' opens SSH to the whole internet")
    assert "ssh_cidr=203.0.113.7/32" in result.stderr
    assert "Traceback" not in result.stderr


def test_outside_the_project_folder(tmp_path):
    result = run_week5("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "no cdk.json" in result.stderr


def test_missing_cdk_cli_is_one_clear_line(tmp_path, monkeypatch):
    (tmp_path / "cdk.json").write_text("{}")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CliError, match="CDK CLI is missing: run scripts/setup"):
        synthesize(tmp_path, tmp_path / "out")


def test_not_an_assembly(tmp_path):
    result = run_week5("check", "--assembly", str(tmp_path))
    assert result.returncode == 2 and "not a cloud assembly" in result.stderr


def test_table_aligns_hangul_titles():
    assert width("멀티 AZ") == 7
    assert pad("멀티", 6) == "멀티  "


def test_the_docstring_names_every_command_in_the_parser():
    import week5.cli

    parser = week5.cli.build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert list(commands.choices) == [
        "check", "local", "cost", "labs", "diagram", "rollout", "audit", "cleanup", "prices",
        "init", "status", "quotas", "preflight",
    ]  # fmt: skip
    for name in commands.choices:
        assert f"``week5 {name}" in week5.cli.__doc__, name


def _padding_in(path):
    """Lines of ``path`` that pad text themselves: ljust/rjust/center, a terminal-width call,
    or an f-string width such as ``{x:34s}`` or ``{x:<24}``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name)):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name in ("ljust", "rjust", "center", "width"):
                found.append(f"{path.name}:{node.lineno} {name}()")
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            spec = "".join(v.value for v in node.format_spec.values if isinstance(v, ast.Constant))
            if re.match(r"^[<>^]|^\d+s?$", spec):
                found.append(f"{path.name}:{node.lineno} :{spec}")
    return found


def test_only_the_table_module_pads_columns():
    """Every table a command prints goes through week5/cli/table.py."""
    folder = ROOT / "week5" / "cli"
    padded = [
        hit for p in sorted(folder.glob("*.py")) if p.name != "table.py" for hit in _padding_in(p)
    ]
    assert padded == []
    assert _padding_in(folder / "table.py")  # the check sees padding where there is some
