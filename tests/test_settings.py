"""Context input: each bad value is refused with a message naming the input and the fix."""

from pathlib import Path

import pytest

from week5.core.errors import CourseInputError
from week5.core.settings import (
    DEFAULT_AZS,
    KNOWN_REGIONS,
    REGION_AZS,
    CourseSettings,
    is_account_id,
    is_email,
    parse_azs,
    parse_key_name,
    parse_region,
    parse_ssh_cidr,
    parse_student,
    parse_students,
)


def test_defaults_serve_the_course():
    settings = CourseSettings.from_context({})
    assert settings == CourseSettings(
        student="instructor", region="ap-northeast-2", azs=DEFAULT_AZS, ssh_cidr=None
    )
    assert DEFAULT_AZS == ("ap-northeast-2a", "ap-northeast-2b")


@pytest.mark.parametrize("name", ["kim", "kim-minsu", "s01", "a" * 20, "a1", "kim-min-su2"])
def test_valid_student_names(name):
    assert parse_student(name) == name


@pytest.mark.parametrize(
    "name",
    ["Kim", "1kim", "-kim", "kim_minsu", "kim minsu", "a" * 21, "김민수", "", 7, "kim-", "a--b"],
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
        ("198.51.100.0/29", "198.51.100.0/29"),  # a classroom's NAT range: the widest taken
        ("198.51.100.8/30", "198.51.100.8/30"),
        ("10.0.0.5/32", "10.0.0.5/32"),  # a private address: from a VPN or inside the VPC
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
        ("203.0.113.7/30", "did you mean 203.0.113.4/30"),
        ("203.0.113.0/28", "admits 16 addresses"),
        ("198.51.100.0/24", "admits 256 addresses"),
        ("203.0.113.7/1", "admits 2,147,483,648 addresses"),
        ("224.0.0.5/32", "is a multicast address"),
        ("127.0.0.1", "is a loopback address"),
        ("0.0.0.0", "is the unspecified address"),
        ("169.254.169.254", "is a link-local address"),
        ("255.255.255.255", "is a reserved address"),
        ("203.0.113.7/32\n", "has spaces or a line break around it"),
        (" 203.0.113.7", "has spaces or a line break around it"),
        ("２０３.0.113.7", "is not a CIDR"),  # full-width digits
    ],
)
def test_bad_ssh_cidr_is_refused_with_what_to_pass(value, says):
    with pytest.raises(CourseInputError, match="ssh_cidr") as error:
        parse_ssh_cidr(value)
    assert says in str(error.value)
    if says != "did you mean 203.0.113.4/30":
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
        ("ap-northeast-2a,ap-northeast-2e", "which the region ap-northeast-2 does not have"),
        ("ap-northeast-2a,ap-northeast-2f", "its zones are ap-northeast-2a, ap-northeast-2b"),
        ("ap-northeast-2a,ap-northeast-٢c", "not an availability-zone name"),  # Arabic-Indic 2
        ("ap-northeast-2a,ap-northeast-2c\n", "has spaces or a line break around it"),
        ("ap-northeast-2a,\nap-northeast-2c", "not an availability-zone name"),
        (42, "comma-separated list"),
    ],
)
def test_bad_azs_are_refused(value, says):
    with pytest.raises(CourseInputError, match="azs") as error:
        parse_azs(value, "ap-northeast-2")
    assert says in str(error.value)


def test_every_seoul_zone_is_taken():
    assert REGION_AZS["ap-northeast-2"] == tuple(f"ap-northeast-2{x}" for x in "abcd")
    assert parse_azs("ap-northeast-2c, ap-northeast-2d", "ap-northeast-2") == (
        "ap-northeast-2c",
        "ap-northeast-2d",
    )


@pytest.mark.parametrize("region", ["ap-northeast-2", "us-east-1", "eu-central-2", "cn-north-1"])
def test_real_regions_are_taken(region):
    assert parse_region(region) == region


@pytest.mark.parametrize(
    "value, says",
    [
        ("ap-northeast-9", "is not a region AWS has"),
        ("us-east-3", "is not a region AWS has"),
        ("ap-northeast-２", "is not an AWS region name"),  # full-width 2
        ("ap-northeast-2\n", "has spaces or a line break around it"),
        ("Seoul", "is not an AWS region name"),
    ],
)
def test_regions_aws_does_not_have_are_refused(value, says):
    with pytest.raises(CourseInputError, match="'region'") as error:
        parse_region(value)
    assert says in str(error.value) and "-c region=ap-northeast-2" in str(error.value)


def test_the_region_list_is_botocores():
    """KNOWN_REGIONS is botocore's commercial, China and GovCloud regions (a test may import
    botocore; week5.core may not)."""
    import json

    import botocore

    endpoints = Path(botocore.__file__).parent / "data" / "endpoints.json"
    partitions = json.loads(endpoints.read_text(encoding="utf-8"))["partitions"]
    wanted = {"aws", "aws-cn", "aws-us-gov"}
    regions = {r for p in partitions if p["partition"] in wanted for r in p["regions"]}
    assert regions <= KNOWN_REGIONS, sorted(regions - KNOWN_REGIONS)


@pytest.mark.parametrize("value", ["kim\n", " kim", "kim\t"])
def test_a_student_name_with_space_around_it_is_refused_not_trimmed(value):
    with pytest.raises(CourseInputError, match="has spaces or a line break around it"):
        parse_student(value)


def test_students_take_spaces_after_commas_but_not_line_breaks():
    assert parse_students("kim, lee") == ("kim", "lee")
    for value in ("kim,\nlee", "kim,lee\n"):
        with pytest.raises(CourseInputError, match="'students'"):
            parse_students(value)


@pytest.mark.parametrize(
    "value, ok",
    [
        ("111122223333", True),
        ("111122223333\n", False),
        ("١١١١٢٢٢٢٣٣٣٣", False),  # Arabic-Indic digits: \d matches them
        ("１１１１２２２２３３３３", False),  # full-width digits
        ("11112222333", False),
        (111122223333, False),
    ],
)
def test_account_ids_are_twelve_ascii_digits(value, ok):
    assert is_account_id(value) is ok


@pytest.mark.parametrize(
    "value, ok",
    [
        ("instructor@example.com", True),
        ("first.last+week5@mail.example.co.kr", True),
        ("a@xn--9n2bp8q.com", True),  # an internationalised domain in its ASCII form
        ("강사@example.com", False),
        ("instructor@예시.com", False),
        ("instructor@example.com\n", False),
        ("instructor@example", False),
        ("a b@example.com", False),
        ("a@@example.com", False),
        (None, False),
    ],
)
def test_e_mail_addresses_are_ascii(value, ok):
    assert is_email(value) is ok


def test_another_region_needs_its_zones_given():
    """Zone letters differ by region (Tokyo has no ap-northeast-1b): no guessed default."""
    with pytest.raises(CourseInputError, match="needs its zones"):
        CourseSettings.from_context({"region": "us-west-2"})
    settings = CourseSettings.from_context({"region": "us-west-2", "azs": "us-west-2a,us-west-2b"})
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


@pytest.mark.parametrize("key", ["ssh_cidr", "key_name", "azs", "region", "students", "labs"])
def test_from_the_whole_context_an_empty_value_is_refused_not_the_default(key):
    """A mapping is the whole context: `-c ssh_cidr=` is a variable that was not set."""
    with pytest.raises(CourseInputError, match=f"^context '{key}' is empty \\(-c {key}= with no "):
        CourseSettings.from_context({"student": "kim", key: ""})


def test_from_the_whole_context_an_unknown_key_is_refused():
    with pytest.raises(CourseInputError, match="^context 'studnet' .* did you mean 'student'\\?"):
        CourseSettings.from_context({"studnet": "kim"})
    # A getter cannot list its keys: only its values are checked (tests that build one lab).
    assert CourseSettings.from_context({"studnet": "kim"}.get).student == "instructor"


@pytest.mark.parametrize(
    "image, ok",
    [
        ("a" * 255 + ":" + "b" * 128, True),
        ("r.example/x@sha256:" + "0" * 64, True),
        ("a" * 256, False),
        ("a:" + "b" * 129, False),
        ("a" * 100_000, False),  # a trial's value: a 100 KB Parameter Store value (4 KB at most)
    ],
)
def test_a_backend_image_within_dockers_limits(image, ok):
    from week5.core.settings import parse_backend_image

    if ok:
        assert parse_backend_image(image) == image
    else:
        with pytest.raises(CourseInputError, match=r"is \d+ characters: an image name takes at most 255"):
            parse_backend_image(image)


def test_an_unreadable_context_file_is_not_called_bad_json(tmp_path, monkeypatch):
    """A trial's chmod 000 cdk.context.json was reported as "not valid JSON"."""
    from week5.core.settings import context_file

    path = tmp_path / "cdk.context.json"
    path.write_text('{"student": "kim"}')

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_text", refuse)
    with pytest.raises(CourseInputError) as error:
        context_file(path)
    assert "cannot be read (Permission denied); give yourself read access" in str(error.value)
    assert "JSON" not in str(error.value)


def test_a_user_context_file_that_is_no_object_says_so(tmp_path):
    """~/.cdk.json holding an array was told "its 'context' must be a JSON object"."""
    from week5.core.settings import context_file

    path = tmp_path / ".cdk.json"
    path.write_text('["student", "kim"]')
    with pytest.raises(CourseInputError, match=r"must hold a JSON object \(its context under 'context'"):
        context_file(path, "context")


def test_a_context_file_nested_deeper_than_json_reads_is_one_line(tmp_path):
    """A hostile trial: a RecursionError traceback through every command that reads it, and
    the launchers went on to Node's "Maximum call stack size exceeded"."""
    from week5.core.settings import context_file

    path = tmp_path / "cdk.context.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(CourseInputError, match="nests its JSON too deeply to read"):
        context_file(path)


def test_a_context_file_in_another_encoding_is_one_line(tmp_path):
    """김 saved in CP949 (Korean Windows): a UnicodeDecodeError traceback once the read and
    the parse were split."""
    from week5.core.settings import context_file

    path = tmp_path / "cdk.context.json"
    path.write_bytes('{"student": "김"}'.encode("cp949"))
    with pytest.raises(CourseInputError, match="is not UTF-8 text; save it as UTF-8"):
        context_file(path)
