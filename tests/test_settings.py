"""Context input: each bad value is refused with a message naming the input and the fix."""

import pytest

from week5.core.errors import CourseInputError
from week5.core.settings import (
    DEFAULT_AZS,
    CourseSettings,
    parse_azs,
    parse_key_name,
    parse_ssh_cidr,
    parse_student,
)


def test_defaults_serve_the_course():
    settings = CourseSettings.from_context({})
    assert settings == CourseSettings(
        student="instructor", region="ap-northeast-2", azs=DEFAULT_AZS, ssh_cidr=None
    )
    assert DEFAULT_AZS == ("ap-northeast-2a", "ap-northeast-2b")


@pytest.mark.parametrize("name", ["kim", "kim-minsu", "s01", "a" * 20])
def test_valid_student_names(name):
    assert parse_student(name) == name


@pytest.mark.parametrize(
    "name", ["Kim", "1kim", "-kim", "kim_minsu", "kim minsu", "a" * 21, "김민수", "", 7]
)
def test_malformed_student_names_are_refused_with_the_rule(name):
    with pytest.raises(CourseInputError, match=r"student") as error:
        parse_student(name)
    assert "-c student=" in str(error.value)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("203.0.113.7/32", "203.0.113.7/32"),
        ("203.0.113.7", "203.0.113.7/32"),
        ("198.51.100.0/24", "198.51.100.0/24"),
        (None, None),
        ("", None),
    ],
)
def test_ssh_cidr_accepts_your_own_network(value, expected):
    assert parse_ssh_cidr(value) == expected


@pytest.mark.parametrize(
    "value, says",
    [
        ("0.0.0.0/0", "whole internet"),
        ("::/0", "IPv6"),
        ("2001:db8::/32", "IPv6"),
        ("my-ip", "is not a CIDR"),
        ("10.0.0.300/32", "is not a CIDR"),
        ("203.0.113.7/33", "is not a CIDR"),
        ("203.0.113.7/24", "did you mean 203.0.113.0/24"),
    ],
)
def test_bad_ssh_cidr_is_refused_with_what_to_pass(value, says):
    with pytest.raises(CourseInputError, match="ssh_cidr") as error:
        parse_ssh_cidr(value)
    assert says in str(error.value)
    if says != "did you mean 203.0.113.0/24":
        assert "ssh_cidr=203.0.113.7/32" in str(error.value)


def test_azs_from_a_comma_separated_string_or_a_list():
    assert parse_azs("ap-northeast-2a,ap-northeast-2c", "ap-northeast-2") == (
        "ap-northeast-2a",
        "ap-northeast-2c",
    )
    assert (
        parse_azs(["ap-northeast-2b", "ap-northeast-2d"], "ap-northeast-2")[1] == "ap-northeast-2d"
    )


@pytest.mark.parametrize(
    "value, says",
    [
        ("ap-northeast-2a", "names 1 zone"),
        ("us-east-1a,us-east-1b", "not in the region ap-northeast-2"),
        ("ap-northeast-2a,ap-northeast-2a", "names a zone twice"),
        ("zone-a,zone-b", "not an availability-zone name"),
        (42, "comma-separated list"),
    ],
)
def test_bad_azs_are_refused(value, says):
    with pytest.raises(CourseInputError, match="azs") as error:
        parse_azs(value, "ap-northeast-2")
    assert says in str(error.value)


def test_region_override_moves_the_default_azs():
    settings = CourseSettings.from_context({"region": "us-west-2"})
    assert settings.azs == ("us-west-2a", "us-west-2b")
    with pytest.raises(CourseInputError, match="region"):
        CourseSettings.from_context({"region": "Seoul"})


def test_key_name():
    assert parse_key_name("week5-key") == "week5-key"
    assert parse_key_name(None) is None
    with pytest.raises(CourseInputError, match="key_name"):
        parse_key_name("bad\nname")


def test_from_context_reports_the_first_bad_value():
    with pytest.raises(CourseInputError, match="ssh_cidr"):
        CourseSettings.from_context({"student": "kim", "ssh_cidr": "0.0.0.0/0"})
