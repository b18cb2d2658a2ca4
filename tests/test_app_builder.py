"""Building the app: context `labs` selects what is built, and `scripts/cdk` sets it."""

import json
import os
import subprocess
import sys

import pytest
from support import ROOT, make_app

from stacks.catalog import CATALOG
from week5.core.catalog import UnknownLabError
from week5.synth.app_builder import build_labs
from week5.synth.providers import give_provider_functions_log_groups
from week5.synth.tagging import tag_provider_resources


def test_labs_context_builds_only_those_labs(tmp_path):
    stacks = build_labs(make_app(tmp_path, labs="Day4Lab1,Day1Lab1"), CATALOG, nag=False)
    assert list(stacks) == ["Day1Lab1", "Day4Lab1"]


def test_labs_context_with_an_unknown_lab_builds_nothing(tmp_path):
    cdk_app = make_app(tmp_path, labs="Day1Lab1,Day7Lab1")
    with pytest.raises(UnknownLabError, match="Day7Lab1"):
        build_labs(cdk_app, CATALOG, nag=False)
    assert cdk_app.node.children == []


@pytest.fixture(scope="module")
def day1_day2_stacks(tmp_path_factory):
    """Day1Lab1 (no provider) and Day2Lab2 (S3 auto-delete's), built once for the two
    provider tests (the tags one adds are not what the other counts: log groups) and the stack
    tags (built as for the session's app of every lab, which this module need not wait for)."""
    outdir = tmp_path_factory.mktemp("providers")
    return build_labs(make_app(outdir, labs="Day1Lab1,Day2Lab2"), CATALOG, nag=False)


def test_provider_resources_are_found_where_cdk_puts_them(day1_day2_stacks):
    # Day2Lab2's bucket auto-delete provider holds one raw role and one raw function; Day1Lab1
    # has no provider. (The tags themselves are checked in every template by
    # test_course_conventions.)
    stacks = day1_day2_stacks
    assert tag_provider_resources(stacks["Day2Lab2"], {"Week": "Week5"}) == 2
    assert tag_provider_resources(stacks["Day1Lab1"], {"Week": "Week5"}) == 0


def test_provider_functions_get_a_log_group_once(day1_day2_stacks):
    # StaticSite already gave Day2Lab2's auto-delete function its log group; again changes nothing.
    stacks = day1_day2_stacks
    assert give_provider_functions_log_groups(stacks["Day2Lab2"]) == 0
    provider = stacks["Day2Lab2"].node.find_child(
        "Custom::S3AutoDeleteObjectsCustomResourceProvider"
    )
    assert provider.node.try_find_child("Logs") is not None
    assert give_provider_functions_log_groups(stacks["Day1Lab1"]) == 0


def test_a_provider_with_two_functions_gets_one_log_group_for_both(tmp_path):
    import aws_cdk as cdk
    from constructs import Construct

    stack = cdk.Stack(make_app(tmp_path), "Providers")
    provider = Construct(stack, "Custom::TwoFunctionsProvider")
    for name in ("First", "Second"):
        cdk.CfnResource(provider, name, type="AWS::Lambda::Function", properties={"Runtime": "x"})
    assert give_provider_functions_log_groups(stack) == 2
    template = cdk.App.of(stack).synth().get_stack_by_name("Providers").template
    (group,) = [k for k, r in template["Resources"].items() if r["Type"] == "AWS::Logs::LogGroup"]
    functions = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    assert [f["Properties"]["LoggingConfig"] for f in functions] == [
        {"LogGroup": {"Ref": group}}
    ] * 2


def run_cdk(*args, env=None):
    return subprocess.run(
        [str(ROOT / "scripts" / "cdk"), *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_cdk_wrapper_synthesizes_only_the_named_lab(tmp_path):
    # As a user who set CDK_VALIDATION=false (it wins): CDK's CloudFormation validation took
    # 5 of this synth's 9.5 s of CPU and is not what this shows (the session's app validates
    # every lab; test_cdk_validation, when the launchers run it).
    no_validation = {**os.environ, "CDK_VALIDATION": "false"}
    result = run_cdk("synth", "Day1Case", "--quiet", "--output", str(tmp_path), env=no_validation)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.glob("*.template.json")) == ["Day1Case.template.json"]


def test_cdk_wrapper_names_the_valid_labs_for_a_wrong_one(tmp_path):
    result = run_cdk("ls", "Day7Lab1", "--output", str(tmp_path))  # not the checkout's cdk.out
    # the launcher's preflight, before the app runs: one line, exit 2
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        f"scripts/cdk: unknown lab 'Day7Lab1' (did you mean Day1Lab1?); valid labs: "
        f"{', '.join(CATALOG.ids)}; nothing was run"
    ]


def test_cdk_wrapper_refuses_a_misspelt_key_in_one_line_before_the_cli_runs(tmp_path):
    """Through the app it was the app's line, then CDK's "Subprocess exited with error 1", exit
    1, after a second of start-up; the wrapper's check needs no synth."""
    result = run_cdk("synth", "Day1Lab1", "-q", "-c", "studnet=kim", "--output", str(tmp_path))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        "scripts/cdk: context 'studnet' is not a setting of this app; did you mean 'student'? "
        "Fix the name where it is set (-c, cdk.json, cdk.context.json or ~/.cdk.json)"
    ]
    assert list(tmp_path.iterdir()) == []


def test_building_one_lab_imports_only_its_day(tmp_path):
    """Lazy stack imports: Day1Lab1 alone pulls in neither later days nor their AWS modules."""
    script = (
        "import sys, aws_cdk as cdk\n"
        "from stacks.catalog import CATALOG\n"
        "from week5.synth.app_builder import build_labs\n"
        f"app = cdk.App(context={{'labs': 'Day1Lab1'}}, outdir={str(tmp_path)!r})\n"
        "build_labs(app, CATALOG, nag=False)\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith(('stacks.', 'aws_cdk.aws_')))))\n"
    )
    env = {**os.environ, "PATH": f"{ROOT / 'node_modules' / '.bin'}:{os.environ['PATH']}"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    loaded = set(result.stdout.split())
    assert "stacks.day1" in loaded
    assert not loaded & {"stacks.day2", "stacks.day5", "aws_cdk.aws_rds", "aws_cdk.aws_cloudfront"}


def test_class_mode_builds_one_copy_per_student(tmp_path):
    """`-c students=kim,lee`: Day4Lab1-kim and Day4Lab1-lee, each named and tagged for its
    student, otherwise the same template."""
    from support import make_app as app_with

    cdk_app = app_with(tmp_path, labs="Day4Lab1", students="kim,lee")
    stacks = build_labs(cdk_app, CATALOG, nag=False)
    assert list(stacks) == ["Day4Lab1-kim", "Day4Lab1-lee"]
    assert [s.stack_name for s in stacks.values()] == ["week5-kim-Day4Lab1", "week5-lee-Day4Lab1"]
    assembly = cdk_app.synth()
    kim, lee = (assembly.get_stack_by_name(s.stack_name).template for s in stacks.values())

    def shape(template):
        return sorted(
            json.dumps(r.get("Properties", {}).get("CidrBlock")) + r["Type"]
            for r in template["Resources"].values()
        )

    assert shape(kim) == shape(lee) and len(kim["Resources"]) > 30
    (vpc,) = [r for r in kim["Resources"].values() if r["Type"] == "AWS::EC2::VPC"]
    assert {"Key": "Student", "Value": "kim"} in vpc["Properties"]["Tags"]


def test_cdk_wrapper_builds_only_the_lab_of_a_class_pattern(tmp_path):
    result = run_cdk("ls", "Day1Case-*", "-c", "students=kim,lee", "--output", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert [line.split()[0] for line in result.stdout.splitlines()] == [
        "Day1Case-kim",
        "Day1Case-lee",
    ]


def test_a_lab_stack_itself_carries_the_course_tags(day1_day2_stacks):
    """CloudFormation stack tags (the manifest's), so `week5 status` finds a lab's stack."""
    stack = day1_day2_stacks["Day1Lab1"]
    assert stack.tags.tag_values() == {
        "Week": "Week5", "Day": "Day1", "Lab": "Lab1", "Student": "instructor"
    }
