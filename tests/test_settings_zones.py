"""Context ``azs`` and ``region`` together: the labs build in exactly two zones, an empty entry is
refused, another region needs its zones named, and `week5 cost` says whose prices it used."""

import json
import subprocess
import sys

import pytest
from support import ROOT, make_app

from stacks.catalog import CATALOG
from week5.analysis import pricing
from week5.analysis.assembly import read_labs
from week5.cli import cost as cost_command
from week5.core.catalog import LAB_METADATA_KEY
from week5.core.errors import CourseInputError
from week5.core.settings import CourseSettings, parse_azs, parse_students
from week5.operations import preflight
from week5.synth.app_builder import build_labs

SEOUL = "ap-northeast-2"
CDK_JSON = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]


# --- 1. exactly two zones, no empty entry ---------------------------------------------------


@pytest.mark.parametrize(
    "value, unused",
    [
        ("ap-northeast-2a,ap-northeast-2b,ap-northeast-2c", "ap-northeast-2c"),
        (
            "ap-northeast-2a,ap-northeast-2b,ap-northeast-2c,ap-northeast-2d",
            "ap-northeast-2c, ap-northeast-2d",
        ),
        (["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2d"], "ap-northeast-2d"),
    ],
)
def test_more_zones_than_the_labs_build_in_are_refused_with_the_value(value, unused):
    """A trial: three zones were taken ("two or more") and the labs built subnets in the first
    two only."""
    with pytest.raises(CourseInputError) as error:
        parse_azs(value, SEOUL)
    message = str(error.value)
    shown = repr(value) if isinstance(value, list) else f"'{value}'"
    assert message == (
        f"context 'azs'={shown} names {len(value.split(',') if isinstance(value, str) else value)}"
        f" zones, but the labs build in two (AZ-A and AZ-B) and would leave {unused} unused; "
        "pass two, e.g. -c azs=ap-northeast-2a,ap-northeast-2c"
    )


def test_an_app_with_three_zones_builds_nothing(tmp_path):
    """The trial's command (CDK_CONTEXT_JSON with three zones) synthesized subnets in 2a and 2b."""
    cdk_app = make_app(
        tmp_path, labs="Day1Lab2", azs="ap-northeast-2a,ap-northeast-2b,ap-northeast-2c"
    )
    with pytest.raises(CourseInputError, match="names 3 zones, but the labs build in two"):
        build_labs(cdk_app, CATALOG)


@pytest.mark.parametrize(
    "value",
    [
        "ap-northeast-2a,,ap-northeast-2b",
        "ap-northeast-2a,ap-northeast-2b,",
        ",ap-northeast-2a,ap-northeast-2b",
        "ap-northeast-2a, ,ap-northeast-2b",
    ],
)
def test_an_empty_zone_is_refused_as_an_empty_student_is(value):
    """`-c azs=a,,b` dropped the empty entry while `-c students=kim,,lee` was refused."""
    with pytest.raises(CourseInputError) as students:
        parse_students(value.replace("ap-northeast-2a", "kim").replace("ap-northeast-2b", "lee"))
    assert str(students.value).startswith("context 'students' has '', which is not a valid ")
    with pytest.raises(CourseInputError) as error:
        parse_azs(value, SEOUL)
    assert str(error.value) == (
        "context 'azs' has '', which is not an availability-zone name; use names such as "
        "-c azs=ap-northeast-2a,ap-northeast-2c"
    )


def test_two_zones_with_a_space_after_the_comma_are_still_taken():
    assert parse_azs("ap-northeast-2a, ap-northeast-2c", SEOUL) == (
        "ap-northeast-2a",
        "ap-northeast-2c",
    )


# --- 2. another region needs its zones ------------------------------------------------------

FIX_TOKYO = (
    "pass two zones of ap-northeast-1 with it (`aws ec2 describe-availability-zones --region "
    "ap-northeast-1` lists them), e.g. -c azs=ap-northeast-1a,ap-northeast-1c"
)


def test_another_region_without_zones_is_refused_not_given_guessed_ones():
    """`<region>a,<region>b` was assumed: Tokyo has no ap-northeast-1b, and CloudFormation
    failed after the VPC was made."""
    with pytest.raises(CourseInputError) as error:
        CourseSettings.from_context({"region": "ap-northeast-1"})
    assert str(error.value) == (
        "context 'region'='ap-northeast-1' needs its zones: the course's zones "
        f"(ap-northeast-2a,ap-northeast-2b) are ap-northeast-2's; {FIX_TOKYO}"
    )


def test_another_region_with_cdk_jsons_seoul_zones_names_where_they_come_from():
    """A trial: `-c region=us-east-1` alone was refused for "context 'azs' has
    'ap-northeast-2a'", a value the user never typed (cdk.json's)."""
    context = {**CDK_JSON, "region": "ap-northeast-1"}
    with pytest.raises(CourseInputError) as error:
        CourseSettings.from_context(context, {"azs": "cdk.json", "region": "-c"})
    assert str(error.value) == (
        "context 'region'='ap-northeast-1' needs its zones, but 'azs' is the course's "
        f"ap-northeast-2 zones (ap-northeast-2a,ap-northeast-2b, set in cdk.json); {FIX_TOKYO}"
    )
    with pytest.raises(CourseInputError, match=r"zones \(ap-northeast-2a,ap-northeast-2b\); "):
        CourseSettings.from_context(context)  # the app cannot tell where they came from


def test_the_launchers_refuse_a_region_alone_before_the_cdk_cli_runs():
    with pytest.raises(CourseInputError) as error:
        preflight.check_context(["synth", "Day1Lab2", "-c", "region=ap-northeast-1"], ROOT, {})
    assert "needs its zones, but 'azs' is the course's ap-northeast-2 zones" in str(error.value)
    assert str(error.value).endswith(FIX_TOKYO)


def test_seoul_zones_typed_for_another_region_are_refused_as_not_in_it():
    with pytest.raises(CourseInputError) as error:
        CourseSettings.from_context(
            {**CDK_JSON, "region": "us-east-1", "azs": "ap-northeast-2a,ap-northeast-2b"},
            {"azs": "-c", "region": "-c"},
        )
    assert str(error.value) == (
        "context 'azs' has 'ap-northeast-2a', which is not in the region us-east-1; use "
        "-c azs=us-east-1a,us-east-1c"
    )


def test_another_region_with_its_zones_is_built_in_them(tmp_path):
    settings = CourseSettings.from_context(
        {**CDK_JSON, "region": "ap-northeast-1", "azs": "ap-northeast-1a,ap-northeast-1c"}
    )
    assert settings.region == "ap-northeast-1"
    assert settings.azs == ("ap-northeast-1a", "ap-northeast-1c")
    cdk_app = make_app(
        tmp_path, labs="Day1Lab2", region="ap-northeast-1", azs="ap-northeast-1a,ap-northeast-1c"
    )
    stack = build_labs(cdk_app, CATALOG)["Day1Lab2"]
    template = cdk_app.synth().get_stack_by_name(stack.stack_name).template
    zones = {
        r["Properties"]["AvailabilityZone"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::EC2::Subnet"
    }
    assert zones == {"ap-northeast-1a", "ap-northeast-1c"}


def test_seoul_needs_no_zones():
    assert CourseSettings.from_context({**CDK_JSON, "region": SEOUL}).azs == (
        "ap-northeast-2a",
        "ap-northeast-2b",
    )
    assert CourseSettings.from_context({"region": SEOUL}).azs == (
        "ap-northeast-2a",
        "ap-northeast-2b",
    )


# --- 3. week5 cost names the prices' region -------------------------------------------------

NOTE = (
    "Note: the price table is Seoul's (ap-northeast-2), the course's region; us-east-1's prices "
    "differ, so these figures are Seoul's for the same resources."
)
HOST = {
    "Type": "AWS::EC2::Instance",
    "Properties": {"InstanceType": "t3.micro"},
}


def test_the_price_table_is_seouls():
    assert pricing.load_prices()["region"] == SEOUL


def test_a_lab_in_another_region_is_said_to_be_priced_at_seouls_prices():
    """A trial: `week5 cost Day4Lab1 -c region=us-east-1 -c azs=...` printed "estimated cost in
    ap-northeast-2" with Seoul's prices and no note."""
    est = pricing.estimate({"Resources": {"Host": HOST}})
    lines = cost_command.format_cost("Day4Lab1", 0.30, est, 1, "us-east-1").splitlines()
    assert lines[:2] == [
        "Day4Lab1 (us-east-1): estimated cost at ap-northeast-2 prices (on-demand, USD)",
        NOTE,
    ]
    for region in (SEOUL, None):  # the course's region, or an assembly that does not say
        text = cost_command.format_cost("Day4Lab1", 0.30, est, 1, region)
        assert text.splitlines()[0] == "Day4Lab1: estimated cost in ap-northeast-2 (on-demand, USD)"
        assert "Note:" not in text


def assembly(folder, environment):
    """A cloud assembly of one lab stack, Day1Lab1, deployed to ``environment``."""
    folder.mkdir()
    template = {"Metadata": {LAB_METADATA_KEY: {"LabId": "Day1Lab1"}}, "Resources": {"Host": HOST}}
    (folder / "Day1Lab1.template.json").write_text(json.dumps(template))
    artifact = {
        "type": "aws:cloudformation:stack",
        "environment": environment,
        "displayName": "Day1Lab1",
        "properties": {"templateFile": "Day1Lab1.template.json", "stackName": "week5-kim-Day1Lab1"},
    }
    (folder / "manifest.json").write_text(json.dumps({"artifacts": {"Day1Lab1": artifact}}))
    return folder


def run_cost(*args):
    return subprocess.run(
        [sys.executable, "-m", "week5", "cost", "Day1Lab1", *args],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip


def test_cost_of_an_assembly_for_another_region_says_whose_prices(tmp_path):
    other = assembly(tmp_path / "us", "aws://unknown-account/us-east-1")
    result = run_cost("--assembly", str(other))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        "Day1Lab1 (us-east-1): estimated cost at ap-northeast-2 prices (on-demand, USD)",
        NOTE,
    ]
    body = json.loads(run_cost("--assembly", str(other), "--json").stdout)
    assert (body["region"], body["prices_region"]) == ("us-east-1", SEOUL)
    seoul = run_cost("--assembly", str(assembly(tmp_path / "kr", f"aws://unknown-account/{SEOUL}")))
    assert seoul.stdout.splitlines()[0] == (
        "Day1Lab1: estimated cost in ap-northeast-2 (on-demand, USD)"
    )
    assert "Note:" not in seoul.stdout


def test_a_synthesized_labs_region_is_its_manifest_environments(tmp_path):
    """`week5 cost` reads the lab's region where the CDK CLI does: the stack's environment in
    the assembly (an environment-agnostic stack names none)."""
    for environment, region in [
        (f"aws://unknown-account/{SEOUL}", SEOUL),
        ("aws://123456789012/us-east-1", "us-east-1"),
        ("aws://unknown-account/unknown-region", None),
        (None, None),
    ]:
        folder = assembly(tmp_path / str(len(list(tmp_path.iterdir()))), environment)
        (lab,) = read_labs(folder)
        assert lab.region == region, environment


def test_a_zone_named_twice_is_said_so_before_a_count():
    """A review: "2a,2b,2a" was "names 3 zones ... would leave ap-northeast-2a unused"."""
    with pytest.raises(CourseInputError, match="names a zone twice"):
        parse_azs("ap-northeast-2a,ap-northeast-2b,ap-northeast-2a", "ap-northeast-2")
