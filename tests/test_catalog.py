"""The lab catalog: ids, tag values, and a wrong id that lists the right ones."""

import pytest

from stacks.catalog import CATALOG
from week5.core.catalog import Catalog, Lab, UnknownLabError
from week5.core.errors import CourseInputError


def _noop(scope, lab, settings):
    return None


def test_course_cost_figures_as_the_plan_gives_them():
    assert {lab.lab_id: lab.course_cost_usd for lab in CATALOG} == {
        "Day1Lab1": 0.10,
        "Day1Lab2": 0.15,
        "Day1Case": None,  # Session 4 cases carry no cost figure in the plan
        "Day2Lab1": 0.15,
        "Day2Lab2": 0.10,
        "Day2Case": None,
        "Day3Lab1": 0.20,
        "Day3Lab2": 0.20,
        "Day3Case": None,
        "Day4Lab1": 0.30,
        "Day4Challenge": 0.40,
        "Day4Case": None,
        "Day5Lab1": 0.50,
        "Day5Challenge": 0.80,
    }


def test_tag_values_derive_from_the_id():
    lab = Lab("Day4Challenge", "고가용성", "HA", 0.40, _noop)
    assert (lab.day, lab.day_tag, lab.kind) == (4, "Day4", "Challenge")


@pytest.mark.parametrize("bad", ["day1lab1", "Day6Lab1", "Day1Lab3", "Day1", "Lab1"])
def test_malformed_lab_ids_are_refused(bad):
    with pytest.raises(CourseInputError, match="lab id"):
        Lab(bad, "x", "x", None, _noop)


def test_duplicate_ids_are_refused():
    lab = Lab("Day1Lab1", "x", "x", None, _noop)
    with pytest.raises(CourseInputError, match="twice"):
        Catalog([lab, lab])


def test_unknown_lab_lists_the_valid_ones():
    with pytest.raises(UnknownLabError) as error:
        CATALOG.get("Day9Lab1")
    message = str(error.value)
    assert "unknown lab 'Day9Lab1'" in message
    assert (
        "Day1Lab1, Day1Lab2, Day1Case, Day2Lab1, Day2Lab2, Day2Case, Day3Lab1, Day3Lab2, Day3Case"
        in message
    )


def test_unknown_lab_hints_at_case():
    with pytest.raises(UnknownLabError, match="did you mean Day1Lab2"):
        CATALOG.get("day1lab2")


def test_select_keeps_catalog_order_and_accepts_a_string_or_a_list():
    assert CATALOG.select("Day4Lab1, Day1Case").ids == ("Day1Case", "Day4Lab1")
    assert CATALOG.select(["Day2Lab1"]).ids == ("Day2Lab1",)


@pytest.mark.parametrize("everything", [None, "", []])
def test_select_without_labs_is_the_whole_catalog(everything):
    assert CATALOG.select(everything).ids == CATALOG.ids


def test_select_refuses_an_unknown_lab_with_the_valid_ones():
    with pytest.raises(UnknownLabError, match="unknown lab 'Day1Lab9'.*valid labs: Day1Lab1"):
        CATALOG.select("Day1Lab1,Day1Lab9")


@pytest.mark.parametrize("bad", [",", 3, {"Day1Lab1": True}])
def test_select_refuses_a_value_that_names_no_lab(bad):
    with pytest.raises(CourseInputError, match="-c labs=Day1Lab1"):
        CATALOG.select(bad)


def test_every_entry_builds_a_lab_stack():
    import importlib

    from week5.synth.lab import LabStack

    for lab in CATALOG:
        stack_class = getattr(importlib.import_module(lab.build.module), lab.build.attribute)
        assert issubclass(stack_class, LabStack), lab.lab_id
        assert stack_class.__name__ == f"{lab.lab_id}Stack"
