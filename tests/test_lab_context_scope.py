"""A value only some labs read is checked for the command's lab alone: `week5 cost Day4Lab1 -c
alarm_email=x` was refused (Day 5's rule) while `week5 check Day4Lab1` and `cdk synth Day4Lab1`
took it (a trial)."""

from __future__ import annotations

import argparse

import pytest
from support import ROOT

from week5.cli.synthesis import synthesis_context
from week5.cli.errors import CliError
from week5.core.errors import CourseInputError

NOT_AN_ADDRESS = "alarm_email=x"


def context_of(lab, *context):
    return synthesis_context(argparse.Namespace(lab=lab, context=list(context)))


def context_of_labs(labs, *context):
    """As `week5 check LAB ...` asks (its labs in ``args.labs``)."""
    return synthesis_context(argparse.Namespace(labs=list(labs), context=list(context)))


@pytest.fixture(autouse=True)
def in_the_project(monkeypatch):
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("lab", ["Day4Lab1", "Day1Lab1", "Day4Lab1-kim"])
def test_a_value_only_day_5_reads_is_not_checked_for_another_lab(lab):
    students = ["students=kim,lee"] if "-" in lab else []
    assert context_of(lab, NOT_AN_ADDRESS, *students)["alarm_email"] == "x"


@pytest.mark.parametrize("lab", ["Day5Lab1", "Day5Challenge", "Day5Lab1-kim"])
def test_the_lab_that_reads_it_refuses_it_in_one_line(lab):
    students = ["students=kim,lee"] if "-" in lab else []
    with pytest.raises(CourseInputError, match="alarm_email.*not an e-mail address"):
        context_of(lab, NOT_AN_ADDRESS, *students)


def test_a_command_without_a_lab_checks_every_labs_values():
    with pytest.raises(CourseInputError, match="alarm_email"):
        synthesis_context(argparse.Namespace(context=[NOT_AN_ADDRESS]))


def test_course_wide_values_are_still_checked_for_any_lab():
    with pytest.raises(CourseInputError, match="student"):
        context_of("Day4Lab1", "student=kim-")


def test_check_checks_the_context_for_its_labs_alone():
    """`week5 check Day4Lab1 -c alarm_email=x` (its labs in args.labs) was refused again by Day
    5's rule once check asked synthesis_context for the class's students (a review)."""
    assert context_of_labs(["Day4Lab1"], NOT_AN_ADDRESS)["alarm_email"] == "x"
    assert context_of_labs(["Day4Lab1-kim"], NOT_AN_ADDRESS, "students=kim,lee")
    with pytest.raises(CourseInputError, match="alarm_email"):
        context_of_labs(["Day4Lab1", "Day5Lab1"], NOT_AN_ADDRESS)
    with pytest.raises(CourseInputError, match="alarm_email"):
        context_of_labs([], NOT_AN_ADDRESS)  # every lab


def test_a_lab_that_is_no_lab_id_is_named_before_any_context_value():
    with pytest.raises(CliError, match="'day4lab1' is not a lab id"):
        context_of("day4lab1", NOT_AN_ADDRESS)
