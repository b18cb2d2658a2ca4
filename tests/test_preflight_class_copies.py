"""An instructor's trial (session 17, R17): in class mode, naming one student's copy planned
and quota-checked every student of -c students.

`scripts/cdk.py deploy Day1Lab2-kim Day2Lab2-kim -c students=kim,lee,park` said "checking the
quotas ... for 3 students" and, with 4 of 5 VPCs in use, refused a deploy that adds one VPC;
`destroy Day1Lab2-kim` noted that lee's and park's copies "do not exist" (never asked for),
and `destroy Day1Lab2-lee` with only kim's copy deployed went on instead of saying there is
nothing to destroy. The plan now keeps, per lab, the students its selectors name
(:func:`preflight.class_copies`); a pattern ("Day4Lab1-*", "Day4Lab1-{kim,lee}") names those
it matches."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from moto_in_process import REGION
from test_quotas import fake_assembly, lab_template, moto_env  # noqa: F401  (the fixture)

from week5.cli import preflight as cli_preflight
from week5.operations import preflight

CLASS = "students=kim,lee,park"


def class_plan(tmp_path: Path, *selectors: str, command: str = "deploy") -> preflight.Plan:
    plan = preflight.plan([command, *selectors, "-c", CLASS], tmp_path, {})
    assert plan is not None
    return plan


# --- the plan ----------------------------------------------------------------------------


def test_one_students_copy_targets_that_copy_alone(tmp_path):
    plan = class_plan(tmp_path, "Day1Lab2-kim", "Day2Lab2-kim")
    assert plan.labs == ["Day1Lab2", "Day2Lab2"]
    assert plan.targets("Day1Lab2") == ["week5-kim-Day1Lab2"]
    assert plan.targets("Day2Lab2") == ["week5-kim-Day2Lab2"]
    assert plan.named_students == ("kim",)


def test_each_lab_keeps_its_own_students(tmp_path):
    plan = class_plan(tmp_path, "Day1Lab2-park", "Day2Lab2-kim", "Day1Lab2-lee")
    assert plan.targets("Day1Lab2") == ["week5-lee-Day1Lab2", "week5-park-Day1Lab2"]
    assert plan.targets("Day2Lab2") == ["week5-kim-Day2Lab2"]
    assert plan.named_students == ("kim", "lee", "park")


def test_a_pattern_still_targets_every_copy_it_matches(tmp_path):
    every = ["week5-kim-Day4Lab1", "week5-lee-Day4Lab1", "week5-park-Day4Lab1"]
    assert class_plan(tmp_path, "Day4Lab1-*").targets("Day4Lab1") == every
    assert class_plan(tmp_path, "Day4Lab1-*").named_students == ("kim", "lee", "park")
    assert class_plan(tmp_path, "Day4Lab1-?i?").targets("Day4Lab1") == ["week5-kim-Day4Lab1"]
    # A brace pattern beside a copy id: its alternatives' students too.
    plan = class_plan(tmp_path, "Day4Lab1-kim", "Day4Lab1-{park,nobody}")
    assert plan.targets("Day4Lab1") == ["week5-kim-Day4Lab1", "week5-park-Day4Lab1"]


def test_what_cannot_be_read_alike_still_counts_the_class(tmp_path):
    """A picomatch class ([kl]), which fnmatch does not read alike, or --all: every copy."""
    every = ["week5-kim-Day4Lab1", "week5-lee-Day4Lab1", "week5-park-Day4Lab1"]
    assert class_plan(tmp_path, "Day4Lab1-park", "Day4Lab1-[kl]*").targets("Day4Lab1") == every
    plan = class_plan(tmp_path, "--all", command="destroy")
    assert plan.targets("Day4Lab1") == every and plan.named_students == ("kim", "lee", "park")


def test_without_class_mode_the_students_own_stack(tmp_path):
    plan = preflight.plan(["deploy", "Day1Lab2", "-c", "student=kim"], tmp_path, {})
    assert plan.targets("Day1Lab2") == ["week5-kim-Day1Lab2"]
    assert plan.named_students == ("kim",)


# --- destroy's judge -----------------------------------------------------------------------


def test_destroying_one_copy_names_no_stack_not_asked_for(tmp_path):
    plan = class_plan(tmp_path, "Day1Lab2-kim", command="destroy")
    verdict = preflight.judge(plan, ["week5-kim-Day1Lab2"])
    assert verdict.proceed and verdict.lines == []
    # Two copies asked for, one there: the note names the other alone.
    plan = class_plan(tmp_path, "Day1Lab2-kim", "Day1Lab2-lee", command="destroy")
    verdict = preflight.judge(plan, ["week5-kim-Day1Lab2", "week5-park-Day1Lab2"])
    assert verdict.proceed
    assert [line.split(" do")[0] for line in verdict.lines] == ["note: week5-lee-Day1Lab2"]


def test_destroying_a_copy_that_is_not_there_destroys_nothing(tmp_path):
    plan = class_plan(tmp_path, "Day1Lab2-lee", command="destroy")
    verdict = preflight.judge(plan, ["week5-kim-Day1Lab2"])
    assert not verdict.proceed and verdict.code == 0
    assert verdict.lines == [
        f"nothing to destroy: no stack week5-lee-Day1Lab2 in {REGION} in class mode; "
        "`week5 status` lists what exists"
    ]


# --- the quota check -------------------------------------------------------------------------


def quota_check(plan, tmp_path, monkeypatch, vpcs_made: int):
    """check_quotas on AWS (moto's endpoint taken for AWS's) with ``vpcs_made`` VPCs beside
    moto's default one; each lab a VPC and its internet gateway."""
    monkeypatch.setattr(preflight, "emulator_endpoint", lambda client: None)
    ec2 = boto3.client("ec2", region_name=REGION)
    for index in range(vpcs_made):
        ec2.create_vpc(CidrBlock=f"10.{index + 1}.0.0/16")
    templates = {lab: lab_template(lab, nat_azs=()) for lab in plan.labs}
    monkeypatch.setattr(cli_preflight, "synthesize",
                        lambda root, out, *a, **k: fake_assembly(out, templates))  # fmt: skip
    told = []
    code = cli_preflight.check_quotas(plan, tmp_path, [], told.append)
    return code, told


def test_one_copy_with_four_of_five_vpcs_in_use_is_not_refused(
    moto_env, tmp_path, monkeypatch  # noqa: F811
):
    """R17: 4 of 5 VPCs in use, kim's Day1Lab2 adds one: it fits (the class's three would not)."""
    plan = class_plan(tmp_path, "Day1Lab2-kim")
    code, told = quota_check(plan, tmp_path, monkeypatch, vpcs_made=3)
    assert code == cli_preflight.EXIT_OK, told
    assert told == [
        f"checking the quotas in {REGION} for 1 student (synthesizing the labs once)"
    ]


def test_the_whole_class_with_four_of_five_vpcs_in_use_is_still_refused(
    moto_env, tmp_path, monkeypatch  # noqa: F811
):
    plan = class_plan(tmp_path, "Day1Lab2-*")
    code, told = quota_check(plan, tmp_path, monkeypatch, vpcs_made=3)
    assert code == cli_preflight.EXIT_REFUSED, told
    assert told[0] == f"checking the quotas in {REGION} for 3 students (synthesizing the labs once)"
    assert told[1].startswith("refused: 3 students' Day1Lab2 would exceed 1 quota(s)"), told
    assert told[2].startswith("  VPCs: quota 5 (account), 4 in use, the deploy adds 3: short by 2")


def test_each_lab_is_counted_for_its_own_students(moto_env, tmp_path, monkeypatch):  # noqa: F811
    """kim's Day1Lab2 and lee's and park's Day2Lab2: three VPCs, not six; one VPC free."""
    plan = class_plan(tmp_path, "Day1Lab2-kim", "Day2Lab2-lee", "Day2Lab2-park")
    code, told = quota_check(plan, tmp_path, monkeypatch, vpcs_made=3)
    assert code == cli_preflight.EXIT_REFUSED, told
    assert told[0] == f"checking the quotas in {REGION} for 3 students (synthesizing the labs once)"
    assert told[1].startswith("refused: 3 students' Day1Lab2 + Day2Lab2 would exceed"), told
    assert told[2].startswith("  VPCs: quota 5 (account), 4 in use, the deploy adds 3: short by 2")


def test_a_pattern_matching_no_student_destroys_nothing(tmp_path):
    """`destroy "Day4Lab1-x*"` went ahead with a note that lee's and park's copies do not exist,
    as if kim's would go: the CDK CLI matches no stack (a review)."""
    plan = class_plan(tmp_path, "Day4Lab1-x*", command="destroy")
    assert plan.targets("Day4Lab1") == []
    verdict = preflight.judge(plan, ["week5-kim-Day4Lab1", "week5-lee-Day4Lab1"])
    assert not verdict.proceed and verdict.code == 0
    assert verdict.lines and verdict.lines[0].startswith("nothing to destroy:")


def test_a_pattern_matching_no_student_checks_no_quota(tmp_path, monkeypatch):
    plan = class_plan(tmp_path, "Day4Lab1-x*")
    monkeypatch.setattr(cli_preflight, "synthesize", lambda *a, **k: pytest.fail("synthesized"))
    told = []
    assert cli_preflight.check_quotas(plan, tmp_path, [], told.append) == 0 and told == []
