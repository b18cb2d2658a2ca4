"""Course-wide settings read from CDK context, validated before anything is synthesized.

Every key a user can pass with ``cdk deploy -c key=value`` (or in ``cdk.json``) is named here
(:data:`KNOWN_CONTEXT`): another key, or an empty value, is refused (:func:`check_context`). The
course-wide values are parsed here, and a bad value raises :class:`CourseInputError` whose
message names the input and the fix.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

from week5.core.catalog import LAB_ID_RE
from week5.core.errors import CourseInputError, shown  # noqa: F401 (shown: re-exported)

#: The course runs every lab in Seoul.
DEFAULT_REGION = "ap-northeast-2"
#: The course's diagrams draw AZ-A and AZ-B as ap-northeast-2a and ap-northeast-2b.
DEFAULT_AZS: Tuple[str, ...] = ("ap-northeast-2a", "ap-northeast-2b")
#: Used when no ``student`` context is given: the instructor's reference deployment.
DEFAULT_STUDENT = "instructor"
STUDENT_MAX_LENGTH = 20
#: A student name's rule as the messages state it (:func:`parse_student`, ``--student``).
STUDENT_NAME_RULE = (
    "a lowercase letter first, then lowercase letters, digits or '-' (no '--', no '-' at the "
    f"end), at most {STUDENT_MAX_LENGTH} characters (Latin letters: write a Korean name as it is "
    "romanized)"
)

# Every pattern here is matched with ``fullmatch`` (``$`` also matches before a trailing newline)
# and spells its classes in ASCII: ``\d`` and ``\w`` match any script's digits and letters.
# A student name goes into names AWS restricts more than a stack name: Day 3 Lab 1's RDS
# identifiers ``week5-<student>-day3-manual`` and ``-day3-restored`` (RDS: no ``--``, no ``-``
# at the end), and the stack name ``week5-<student>-<lab>``, after which CloudFormation names
# what it creates. So a hyphen stands between letters or digits, one at a time: ``kim-`` would
# make ``week5-kim--day3-manual``, which RDS refuses at deploy time.
#: A student name's shape, for patterns that hold one (a class copy's id, Day4Lab1-kim).
STUDENT_PATTERN = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*"
_STUDENT_RE = re.compile(STUDENT_PATTERN)
_REGION_SHAPE_RE = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]")
_AZ_RE = re.compile(r"(?P<region>[a-z]{2}(-[a-z]+)+-[0-9])[a-z]")
_KEY_NAME_RE = re.compile(r"[\x20-\x7e]{1,255}")

#: AWS's regions in the commercial, China and GovCloud partitions: botocore 1.44.8's
#: ``data/endpoints.json`` (``partitions[].regions``). A region AWS opens later goes here.
KNOWN_REGIONS = frozenset(
    {
        "af-south-1",
        "ap-east-1",
        "ap-east-2",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "ca-central-1",
        "ca-west-1",
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "mx-central-1",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "cn-north-1",
        "cn-northwest-1",
        "us-gov-east-1",
        "us-gov-west-1",
    }
)
#: The zones a region has, where the course knows them: Seoul's four (every account sees the
#: same letters there). Other regions' zones are checked for their shape only.
REGION_AZS = {
    "ap-northeast-2": (
        "ap-northeast-2a",
        "ap-northeast-2b",
        "ap-northeast-2c",
        "ap-northeast-2d",
    ),
}
#: The widest ``ssh_cidr``: a /29, 8 addresses, enough for a classroom's or an office's NAT
#: range. The course says "your IP" (FAQ Q9: "SSH (22): 본인 IP만 허용"), a /32.
SSH_CIDR_WIDEST_PREFIX = 29

CONTEXT_STUDENT = "student"
CONTEXT_SSH_CIDR = "ssh_cidr"
CONTEXT_AZS = "azs"
CONTEXT_REGION = "region"
CONTEXT_KEY_NAME = "key_name"
#: Build only these labs (comma-separated ids); ``scripts/cdk`` sets it from the stacks named.
CONTEXT_LABS = "labs"
#: Class mode: one copy of each lab per student (``-c students=kim,lee``).
CONTEXT_STUDENTS = "students"
#: Day 2 Lab 1's restore step: a volume made from this EBS snapshot (stacks/day2.py).
CONTEXT_RESTORE_SNAPSHOT_ID = "restore_snapshot_id"
#: Day 5: your own CloudMart build instead of the demo, and the alarms' address (stacks/day5.py).
CONTEXT_BACKEND_IMAGE = "cloudmart_backend_image"
CONTEXT_BACKEND_PORT = "cloudmart_backend_port"
CONTEXT_FRONTEND_DIR = "cloudmart_frontend_dir"
CONTEXT_ALARM_EMAIL = "alarm_email"
#: The instructor's app (instructor_app.py, stacks/instructor.py).
CONTEXT_INSTRUCTOR_ACCOUNT = "instructor_account"
CONTEXT_EXTERNAL_ID = "external_id"
CONTEXT_BUDGET_EMAIL = "budget_email"
CONTEXT_BUDGET_TOPIC = "budget_topic_arn"
CONTEXT_BUDGET_STUDENTS = "budget_students"

#: Every setting of the course's apps: (what its value is, the fix when it is empty). The labs'
#: app (app.py) and the instructor's (instructor_app.py) read the same cdk.json and
#: cdk.context.json, so each takes the other's keys. Any other key is refused
#: (:func:`check_context`): a misspelt one would be ignored, and its default deployed.
KNOWN_CONTEXT: Dict[str, Tuple[str, str]] = {
    CONTEXT_STUDENT: (
        "name",
        "pass your name, e.g. -c student=kim, or set it once with: week5 init --student kim",
    ),
    CONTEXT_STUDENTS: (
        "names",
        "pass the class, e.g. -c students=kim,lee,park, or leave it out for one student's labs",
    ),
    CONTEXT_SSH_CIDR: (
        "CIDR",
        "pass your own IP, e.g. -c ssh_cidr=203.0.113.7/32 (curl -s "
        "https://checkip.amazonaws.com), or leave it out for no port 22 (SSH over Session Manager)",
    ),
    CONTEXT_KEY_NAME: (
        "key pair",
        "pass the name shown in EC2 → Key pairs, e.g. -c key_name=week5-key, or leave it out "
        "(the Day 1 labs create one)",
    ),
    CONTEXT_AZS: (
        "zones",
        f"pass two, e.g. -c azs={','.join(DEFAULT_AZS)}, or leave it out for those",
    ),
    CONTEXT_REGION: (
        "region",
        f"pass one such as -c region={DEFAULT_REGION}, or leave it out for the course's "
        f"{DEFAULT_REGION}",
    ),
    CONTEXT_LABS: ("lab ids", "pass e.g. -c labs=Day1Lab1, or leave it out to build every lab"),
    CONTEXT_RESTORE_SNAPSHOT_ID: (
        "snapshot id",
        "copy it from EC2 → Snapshots, e.g. -c restore_snapshot_id=snap-0123456789abcdef0, or "
        "leave it out for no restored volume",
    ),
    CONTEXT_BACKEND_IMAGE: (
        "image",
        "pass your backend image, e.g. -c cloudmart_backend_image=kim/cloudmart-backend:1.0, or "
        "leave it out for the demo backend",
    ),
    CONTEXT_BACKEND_PORT: (
        "port",
        "pass the port your backend image listens on, e.g. -c cloudmart_backend_port=8080, or "
        "leave it out for the demo backend's",
    ),
    CONTEXT_FRONTEND_DIR: (
        "folder",
        "pass your built frontend, e.g. -c cloudmart_frontend_dir=../cloudmart/frontend/dist, "
        "or leave it out for the demo frontend",
    ),
    CONTEXT_ALARM_EMAIL: (
        "address",
        "pass e.g. -c alarm_email=you@example.com, or leave it out for alarms without e-mail",
    ),
    CONTEXT_INSTRUCTOR_ACCOUNT: (
        "account id",
        "pass the instructor's, e.g. -c instructor_account=111122223333, or leave it out to "
        "build no InstructorAccess",
    ),
    CONTEXT_EXTERNAL_ID: (
        "id",
        "pass e.g. -c external_id=week5-2026-fall, or leave it out for a role that needs MFA "
        "instead",
    ),
    CONTEXT_BUDGET_EMAIL: (
        "address",
        "pass e.g. -c budget_email=instructor@example.com, or leave it out (alerts then need "
        "-c budget_topic_arn)",
    ),
    CONTEXT_BUDGET_TOPIC: (
        "ARN",
        "pass e.g. -c budget_topic_arn=arn:aws:sns:ap-northeast-2:111122223333:alerts, or leave "
        "it out for e-mail alerts only",
    ),
    CONTEXT_BUDGET_STUDENTS: (
        "names",
        "pass e.g. -c budget_students=kim,lee,park, or leave it out for no per-student budgets",
    ),
}
#: CDK's own context keys that hold no ':' and start with no '@' (all its others do: feature
#: flags, ``aws:cdk:*``, lookups such as ``availability-zones:account=...``). The CLI 2.1148 writes
#: the first two into cdk.context.json (``cdk acknowledge``, ``cdk cli-telemetry``);
#: aws-cdk-lib 2.275 reads the third (the repository of Docker image assets); integ-runner
#: 2.197.10 hands an integ app its recommended feature flags under the fourth.
CDK_PLAIN_KEYS = frozenset(
    {"acknowledged-issue-numbers", "cli-telemetry", "assets-ecr-repository-name", "default"}
)
#: One account's worth: the course has twelve students; a few spare.
MAX_CLASS_SIZE = 30


def is_cdk_key(key: str) -> bool:
    """A context key of CDK itself, which the course's apps take without knowing it."""
    return ":" in key or key.startswith("@") or key in CDK_PLAIN_KEYS


def empty_value_message(key: str) -> str:
    """Why ``-c <key>=`` is refused, with the fix: an empty value is a shell variable that was
    not set (``-c ssh_cidr=$MYIP``), not a wish for the default."""
    if key not in KNOWN_CONTEXT:  # CDK's own (a feature flag, a lookup): no course wording
        return (
            f"context '{key}' is empty (-c {key}= with no value); give its value, or leave the "
            "key out for CDK's default"
        )
    noun, fix = KNOWN_CONTEXT[key]
    return f"context '{key}' is empty (-c {key}= with no {noun}); {fix}"


#: Where the CDK CLI reads context from, for a message that asks to fix a key.
WHERE_CONTEXT_IS_SET = "-c, cdk.json, cdk.context.json or ~/.cdk.json"


def unknown_key_message(key: str) -> str:
    """Why a key that no app of the course reads is refused, with the nearest known one."""
    if not key:
        return (
            f"context has a key with no name (-c =value); pass key=value, e.g. -c student=kim, "
            f"or remove it from {WHERE_CONTEXT_IS_SET}"
        )
    close = difflib.get_close_matches(key[:100].lower(), [*KNOWN_CONTEXT, *CDK_PLAIN_KEYS], n=1)
    if close:
        return (
            f"context {shown(key)} is not a setting of this app; did you mean '{close[0]}'? Fix "
            f"the name where it is set ({WHERE_CONTEXT_IS_SET})"
        )
    return (
        f"context {shown(key)} is not a setting of this app (its settings: "
        f"{', '.join(sorted(KNOWN_CONTEXT))}); check the spelling, or remove it from "
        f"{WHERE_CONTEXT_IS_SET}"
    )


def check_context(context: Mapping[str, Any]) -> None:
    """Refuse a key that neither the course's apps nor CDK read, and an empty value of a
    setting: either would deploy a default without a word (``-c studnet=kim``, or ``-c
    student=$NAME`` with NAME unset, deploys, or destroys, the instructor's stack)."""
    unknown = sorted(key for key in context if key not in KNOWN_CONTEXT and not is_cdk_key(key))
    if unknown:
        raise CourseInputError(unknown_key_message(unknown[0]))
    for key in context:  # CDK's own keys too: an empty feature flag is a lost shell variable
        if context[key] == "":
            raise CourseInputError(empty_value_message(key))
    for key in KNOWN_CONTEXT:
        if key in context and context[key] is None:  # `"student": null` in a JSON file
            raise CourseInputError(
                f"context '{key}' is null (in cdk.json, cdk.context.json or ~/.cdk.json); give "
                f"it a value or remove the key: {KNOWN_CONTEXT[key][1]}"
            )


def refuse_padding(name: str, value: Any, example: str) -> None:
    """Refuse a string with spaces or a line break around it (``"kim\\n"`` from a file or a
    copy): it is not trimmed, as nothing else would show the user what was passed."""
    if isinstance(value, str) and value != value.strip():
        raise CourseInputError(
            # 80: a pasted ARN or address shows whole, with the stray end that is the problem
            f"context '{name}'={shown(value, 80)} has spaces or a line break around it; pass the "
            f"value alone, e.g. -c {name}={example}"
        )


def parse_student(value: Any) -> str:
    """A student name: lowercase letter first, then lowercase letters, digits or ``-`` (no
    ``--``, no ``-`` at the end: the RDS identifiers made from it would hold ``--``); ≤ 20."""
    if not isinstance(value, str) or not value:
        raise CourseInputError(
            f"context 'student' must be a name such as 'kim' (got {shown(value)}); "
            "pass -c student=<your-name>"
        )
    refuse_padding("student", value, "kim")
    if len(value) > STUDENT_MAX_LENGTH or not _STUDENT_RE.fullmatch(value):
        raise CourseInputError(
            f"context 'student'={shown(value)} is not a valid student name: use "
            f"{STUDENT_NAME_RULE}; for example -c student=kim-minsu"
        )
    return value


def parse_students(value: Any) -> Tuple[str, ...]:
    """Class mode's student names, comma-separated or a list: each a valid student name,
    no name twice, at most :data:`MAX_CLASS_SIZE`. Empty or absent: not class mode."""
    if value is None or value == "" or value == []:
        return ()
    example = "-c students=kim,lee,park"
    refuse_padding("students", value, "kim,lee,park")
    if isinstance(value, str):
        # Spaces after a comma are a way of writing a list; a line break inside is refused.
        names = [part.strip(" ") for part in value.split(",")]
    elif isinstance(value, (list, tuple)):
        names = list(value)
    else:
        raise CourseInputError(f"context 'students'={shown(value)} must be names, e.g. {example}")
    for name in names:
        try:
            parse_student(name)
        except CourseInputError:
            raise CourseInputError(
                f"context 'students' has {shown(name)}, which is not a valid student name: "
                f"{STUDENT_NAME_RULE}; e.g. {example}"
            ) from None
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise CourseInputError(
            f"context 'students' names {', '.join(twice)} twice; e.g. {example}"
        )
    if len(names) > MAX_CLASS_SIZE:
        raise CourseInputError(
            f"context 'students' names {len(names)} students; pass at most {MAX_CLASS_SIZE} "
            "(one class), or deploy in groups"
        )
    return tuple(names)


_ACCOUNT_ID_RE = re.compile(r"[0-9]{12}")


def is_account_id(value: Any) -> bool:
    """A 12-digit AWS account id, in ASCII digits, nothing around it."""
    return isinstance(value, str) and bool(_ACCOUNT_ID_RE.fullmatch(value))


#: ASCII only, as AWS Budgets and SNS take it: a local part of printable characters, then a
#: domain of letter, digit and ``-`` labels with a dot (an internationalised domain goes in its
#: ``xn--`` form).
_EMAIL_RE = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+", re.ASCII
)


def is_email(value: Any) -> bool:
    """Shaped like an e-mail address in ASCII (AWS confirms it by mail anyway)."""
    return isinstance(value, str) and len(value) <= 254 and bool(_EMAIL_RE.fullmatch(value))


def parse_ssh_cidr(value: Any, prop: Optional[str] = None) -> Optional[str]:
    """The one IPv4 CIDR SSH may come from, or ``None`` (no port 22 at all; use Session Manager).

    Course FAQ Q9, "SSH (22): 본인 IP만 허용": the internet at large (``0.0.0.0/0``, ``::/0``) and
    any range wider than a /29 (:data:`SSH_CIDR_WIDEST_PREFIX`) are refused, and so are addresses
    no SSH client has (multicast, loopback, unspecified, link-local, reserved).
    A bare address such as ``203.0.113.7`` is taken as ``/32``. ``prop`` names the construct
    when the value is its ``ssh_cidr`` prop, which gets a prop's fix instead of the CLI's.
    """
    if value is None or value == "":
        return None
    checkip = "(curl -s https://checkip.amazonaws.com)"
    if prop is None:
        subject = f"context 'ssh_cidr'={shown(value)}"
        fix = f"pass your own IP as -c ssh_cidr=203.0.113.7/32 {checkip}"
    else:
        subject = f"{prop}: ssh_cidr={shown(value)}"
        fix = f"pass your own IP as ssh_cidr=\"203.0.113.7/32\" {checkip}"
    if not isinstance(value, str):
        raise CourseInputError(f"{subject} is not a CIDR; {fix}")
    if prop is None:
        refuse_padding("ssh_cidr", value, "203.0.113.7/32")
    elif value != value.strip():
        raise CourseInputError(f"{subject} has spaces or a line break around it; {fix}")
    text = value
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise CourseInputError(f"{subject} is not a CIDR; {fix}") from None
    if network.version != 4:
        raise CourseInputError(
            f"{subject} is IPv6; the course's security groups take an IPv4 CIDR; {fix}"
        )
    if network.prefixlen == 0:
        raise CourseInputError(
            f"{subject} opens SSH to the whole internet, which the course forbids (FAQ Q9); "
            f"{fix}, or leave ssh_cidr unset and use Session Manager"
        )
    kinds = (
        ("a multicast", network.is_multicast),
        ("a loopback", network.is_loopback),
        ("the unspecified", network.is_unspecified),
        ("a link-local", network.is_link_local),
        ("a reserved", network.is_reserved),
    )
    for kind, flag in kinds:
        if flag:
            raise CourseInputError(
                f"{subject} is {kind} address, which no SSH client connects from; {fix}"
            )
    if network.prefixlen < SSH_CIDR_WIDEST_PREFIX:
        raise CourseInputError(
            f"{subject} admits {network.num_addresses:,} addresses; the course admits SSH "
            f"from your IP only (FAQ Q9), at most a /{SSH_CIDR_WIDEST_PREFIX} "
            f"({2 ** (32 - SSH_CIDR_WIDEST_PREFIX)} addresses, e.g. a classroom's NAT range); {fix}"
        )
    if str(network.network_address) != text.split("/")[0]:
        raise CourseInputError(
            f"{subject} has host bits set; did you mean {network}? "
            "(pass the network address, or an address with /32)"
        )
    return str(network)


def parse_azs(value: Any, region: str) -> Tuple[str, ...]:
    """Two distinct AZ names in ``region``, as a list or a comma-separated string: the labs
    build in AZ-A and AZ-B, so a third zone would be dropped without a word, and an empty
    entry (``a,,b``) is refused as ``students`` refuses one."""
    items: Sequence[Any]
    refuse_padding("azs", value, ",".join(DEFAULT_AZS))
    if isinstance(value, str):
        # Spaces after a comma are a way of writing a list; an empty entry is refused below.
        items = [part.strip(" ") for part in value.split(",")]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise CourseInputError(
            f"context 'azs'={shown(value)} must be a comma-separated list such as "
            f"-c azs={','.join(DEFAULT_AZS)}"
        )
    example = f"-c azs={region}a,{region}c"
    for az in items:
        match = _AZ_RE.fullmatch(az) if isinstance(az, str) else None
        if not match:
            raise CourseInputError(
                f"context 'azs' has {shown(az)}, which is not an availability-zone name; "
                f"use names such as {example}"
            )
        if match.group("region") != region:
            raise CourseInputError(
                f"context 'azs' has {shown(az)}, which is not in the region {region}; use {example}"
            )
        known = REGION_AZS.get(region)
        if known and az not in known:
            raise CourseInputError(
                f"context 'azs' has {shown(az)}, which the region {region} does not have (its zones are "
                f"{', '.join(known)}); use {example}"
            )
    if len(items) < 2:
        raise CourseInputError(
            f"context 'azs'={shown(value)} names {len(items)} zone(s); the Multi-AZ labs need two, "
            f"e.g. {example}"
        )
    if len(set(items)) != len(items):  # before the count: a zone twice is not a third zone
        raise CourseInputError(f"context 'azs'={shown(value)} names a zone twice; use {example}")
    if len(items) > len(DEFAULT_AZS):  # the labs take the first two (MultiAzVpc's az_count)
        raise CourseInputError(
            # 80: Seoul's four zones show whole
            f"context 'azs'={shown(value, 80)} names {len(items)} zones, but the labs build in two "
            f"(AZ-A and AZ-B) and would leave {', '.join(items[2:])} unused; pass two, e.g. "
            f"{example}"
        )
    return tuple(items)


def parse_region(value: Any) -> str:
    """One of AWS's regions (:data:`KNOWN_REGIONS`)."""
    refuse_padding("region", value, DEFAULT_REGION)
    if not isinstance(value, str) or not _REGION_SHAPE_RE.fullmatch(value):
        raise CourseInputError(
            f"context 'region'={shown(value)} is not an AWS region name; pass one such as "
            f"-c region={DEFAULT_REGION}, or leave it out for the course's {DEFAULT_REGION}"
        )
    if value not in KNOWN_REGIONS:
        raise CourseInputError(
            f"context 'region'={shown(value)} is not a region AWS has; pass one such as "
            f"-c region={DEFAULT_REGION}, or leave it out for the course's {DEFAULT_REGION}"
        )
    return value


def parse_key_name(value: Any) -> Optional[str]:
    """An existing EC2 key pair for ``ssh -i key.pem``; optional (Session Manager needs none)."""
    if value is None or value == "":
        return None
    refuse_padding("key_name", value, "week5-key")
    if not isinstance(value, str) or not _KEY_NAME_RE.fullmatch(value):
        raise CourseInputError(
            f"context 'key_name'={shown(value)} is not an EC2 key-pair name; pass the name shown in "
            "EC2 → Key pairs, e.g. -c key_name=week5-key"
        )
    return value


# ``\Z``, not ``$`` (which also matches before a final newline: ``snap-12345678\n`` passed),
# so that ``IMAGE_RE.match`` elsewhere (week5/constructs/cloudmart.py) refuses one too.
_SNAPSHOT_ID = re.compile(r"snap-[0-9a-f]{8}([0-9a-f]{9})?\Z")
#: A container image reference: [registry/]repository[:tag][@sha256:digest], lower-case path.
IMAGE_RE = re.compile(r"[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]+)?(@sha256:[0-9a-f]{64})?\Z")
#: Docker's limits on a reference's repository name (registry included) and its tag.
IMAGE_NAME_MAX = 255
IMAGE_TAG_MAX = 128


def parse_snapshot_id(value: Any, given_as: str = f"context {CONTEXT_RESTORE_SNAPSHOT_ID!r}"
                      ) -> Optional[str]:  # fmt: skip
    """An EBS snapshot id (``snap-`` and 8 or 17 hex digits), or None; ``given_as`` names where
    the value came from in the error (the lab's context key, or a construct's prop)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _SNAPSHOT_ID.fullmatch(value):
        example = (
            f"-c {CONTEXT_RESTORE_SNAPSHOT_ID}=snap-0123456789abcdef0"
            if given_as.startswith("context")
            else "snap-0123456789abcdef0"
        )
        raise CourseInputError(
            f"{given_as}={shown(str(value))} is not an EBS snapshot id; copy it from EC2 → "
            f"Snapshots, e.g. {example}"
        )
    return value


def parse_backend_port(value: Any) -> Optional[int]:
    """Context ``cloudmart_backend_port``: a TCP port in ASCII digits, or None (the demo
    backend's). ``int`` takes spaces and other scripts' digits (`` 8080``, ``٨٠٨٠``)."""
    if value is None or value == "":
        return None
    text = str(value)
    port = int(text) if text.isascii() and text.isdigit() and len(text) <= 5 else 0
    if not 1 <= port <= 65535:
        raise CourseInputError(
            f"context '{CONTEXT_BACKEND_PORT}'={shown(text)} is not a TCP port; pass the port "
            f"your backend image listens on, e.g. -c {CONTEXT_BACKEND_PORT}=8080"
        )
    return port


def parse_frontend_dir(value: Any) -> Optional[Path]:
    """Context ``cloudmart_frontend_dir``: a folder holding an index.html, or None (the demo
    frontend)."""
    if value is None or value == "":
        return None
    folder = None
    if isinstance(value, str) and "\0" not in value:
        try:
            folder = Path(value).expanduser().resolve()
            found = (folder / "index.html").is_file()
        except (OSError, RuntimeError):  # a name too long, a symlink loop
            found = False
    else:
        found = False
    if not found:
        raise CourseInputError(
            f"context '{CONTEXT_FRONTEND_DIR}'={shown(str(value))} holds no index.html; pass the "
            "folder of your built frontend (e.g. -c cloudmart_frontend_dir=../cloudmart/frontend/"
            "dist)"
        )
    return folder


def parse_alarm_email(value: Any) -> Optional[str]:
    """Context ``alarm_email``: an address AWS takes, or None (alarms without e-mail)."""
    if value is None or value == "":
        return None
    if not is_email(value):
        raise CourseInputError(
            f"context '{CONTEXT_ALARM_EMAIL}'={shown(str(value))} is not an e-mail address AWS "
            "takes (ASCII, one @, a domain with a dot); pass e.g. -c alarm_email=kim@example.com"
        )
    return value


def parse_backend_image(value: Any) -> Optional[str]:
    """Context ``cloudmart_backend_image``: an image reference, or None (the demo backend)."""
    if value is None or value == "":
        return None
    match = IMAGE_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise CourseInputError(
            f"context '{CONTEXT_BACKEND_IMAGE}'={shown(str(value))} is not an image reference; "
            "pass e.g. -c cloudmart_backend_image=123456789012.dkr.ecr.ap-northeast-2."
            "amazonaws.com/cloudmart-backend:1.0"
        )
    # Docker's limits; the reference also goes into a Parameter Store value (4 KB at most).
    tag = (match.group(1) or ":")[1:]
    ends = [match.start(g) for g in (1, 2) if match.group(g)]
    name = value[: ends[0]] if ends else value
    if len(name) > IMAGE_NAME_MAX or len(tag) > IMAGE_TAG_MAX:
        raise CourseInputError(
            f"context '{CONTEXT_BACKEND_IMAGE}'={shown(value)} is {len(value)} characters: an "
            f"image name takes at most {IMAGE_NAME_MAX} and a tag {IMAGE_TAG_MAX}; pass the "
            "image's reference as `docker images` shows it"
        )
    return value


def check_lab_ids(value: Any) -> None:
    """Context ``labs``: comma-separated lab ids, each of a lab id's shape (whether the lab
    exists, the catalog says at synthesis)."""
    if value is None or value == "" or isinstance(value, (list, tuple)):
        return
    ids = [part.strip() for part in str(value).split(",")]
    bad = [part for part in ids if part and not LAB_ID_RE.fullmatch(part)]  # which exist: catalog
    if bad or not any(ids):
        what = f"{shown(bad[0])} is not a lab id" if bad else "names no lab"
        raise CourseInputError(
            f"context '{CONTEXT_LABS}'={shown(str(value))}: {what}; pass lab ids such as "
            "-c labs=Day1Lab1,Day4Lab1 (Day<1-5><Lab1|Lab2|Case|Challenge>), or leave it out to "
            "build every lab"
        )


#: IAM's pattern for an external id, in ASCII (``\w`` in Python matches any script's letters).
_EXTERNAL_ID_RE = re.compile(r"[A-Za-z0-9_+=,.@:/-]{2,1224}")
#: A standard topic (Budgets cannot publish to a FIFO one), ASCII throughout.
_TOPIC_RE = re.compile(r"arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}")


def parse_instructor_account(value: Any) -> str:
    """Context ``instructor_account``: the 12-digit account the instructor signs in to."""
    refuse_padding(CONTEXT_INSTRUCTOR_ACCOUNT, value, "111122223333")
    if not is_account_id(value):
        raise CourseInputError(
            f"context '{CONTEXT_INSTRUCTOR_ACCOUNT}'={shown(value)} must be the instructor's AWS "
            f"account id, 12 ASCII digits, e.g. -c {CONTEXT_INSTRUCTOR_ACCOUNT}=111122223333"
        )
    return value


def parse_external_id(value: Any) -> Optional[str]:
    """Context ``external_id``: what the role's callers must pass, or None (MFA instead)."""
    refuse_padding(CONTEXT_EXTERNAL_ID, value, "week5-2026-fall")
    if value is not None and not (isinstance(value, str) and _EXTERNAL_ID_RE.fullmatch(value)):
        raise CourseInputError(
            f"context '{CONTEXT_EXTERNAL_ID}'={shown(value)} must be 2 to 1224 ASCII letters, "
            "digits or +=,.@:/-_ (e.g. -c external_id=week5-2026-fall)"
        )
    return value


def parse_budget_email(value: Any) -> Optional[str]:
    """Context ``budget_email``: where the budgets' alerts go by e-mail, or None."""
    refuse_padding(CONTEXT_BUDGET_EMAIL, value, "instructor@example.com")
    if value is not None and not is_email(value):
        raise CourseInputError(
            f"context '{CONTEXT_BUDGET_EMAIL}'={shown(value)} is not an e-mail address AWS takes "
            "(ASCII, one @, a domain with a dot); "
            f"pass e.g. -c {CONTEXT_BUDGET_EMAIL}=instructor@example.com"
        )
    return value


def parse_budget_topic(value: Any) -> Optional[str]:
    """Context ``budget_topic_arn``: an SNS topic for the alerts, or None."""
    refuse_padding(CONTEXT_BUDGET_TOPIC, value, "arn:aws:sns:ap-northeast-2:111122223333:alerts")
    if value is not None and not (isinstance(value, str) and _TOPIC_RE.fullmatch(value)):
        raise CourseInputError(
            f"context '{CONTEXT_BUDGET_TOPIC}'={shown(value, 80)} is not an SNS topic ARN "
            "(ASCII: arn:aws:sns:<region>:<12 digits>:<topic name>); pass "
            f"e.g. -c {CONTEXT_BUDGET_TOPIC}=arn:aws:sns:ap-northeast-2:111122223333:alerts"
        )
    return value


def parse_budget_students(value: Any) -> Tuple[str, ...]:
    """Context ``budget_students``: the students with a budget each (as ``students``)."""
    try:
        return parse_students(value if isinstance(value, str) or value is None else list(value))
    except CourseInputError as error:
        raise CourseInputError(
            str(error)
            .replace("context 'students'", f"context '{CONTEXT_BUDGET_STUDENTS}'")
            .replace("-c students=", f"-c {CONTEXT_BUDGET_STUDENTS}=")
        ) from None


#: The instructor's app's values (instructor_app.py), checked by scripts/instructor first.
INSTRUCTOR_CONTEXT_CHECKS = {
    CONTEXT_INSTRUCTOR_ACCOUNT: parse_instructor_account,
    CONTEXT_EXTERNAL_ID: parse_external_id,
    CONTEXT_BUDGET_EMAIL: parse_budget_email,
    CONTEXT_BUDGET_TOPIC: parse_budget_topic,
    CONTEXT_BUDGET_STUDENTS: parse_budget_students,
}


def check_instructor_context(context: Mapping[str, Any]) -> None:
    """Raise :class:`CourseInputError` for what instructor_app.py would refuse: a bad value, or
    nothing to build."""
    for key, parse in INSTRUCTOR_CONTEXT_CHECKS.items():
        if context.get(key) is not None:
            parse(context[key])
    if all(context.get(k) is None for k in (CONTEXT_INSTRUCTOR_ACCOUNT, CONTEXT_BUDGET_EMAIL,
                                            CONTEXT_BUDGET_TOPIC)):  # fmt: skip
        raise CourseInputError(NOTHING_TO_BUILD)


#: instructor_app.py's stacks (scripts/instructor), by construct id and stack name alike.
INSTRUCTOR_STACKS = ("InstructorAccess", "BudgetGuard")

#: instructor_app.py without the context of either of its stacks.
NOTHING_TO_BUILD = (
    f"nothing to build: pass -c {CONTEXT_INSTRUCTOR_ACCOUNT}=<12 digits> for InstructorAccess "
    f"and/or -c {CONTEXT_BUDGET_EMAIL}=<address> for BudgetGuard"
)


#: The labs' own context values, each with its parser: what the app would refuse, checked by
#: the launchers before the CDK CLI starts (one line, exit 2; the app's own refusal is exit 1).
LAB_CONTEXT_CHECKS = {
    CONTEXT_RESTORE_SNAPSHOT_ID: parse_snapshot_id,
    CONTEXT_BACKEND_PORT: parse_backend_port,
    CONTEXT_FRONTEND_DIR: parse_frontend_dir,
    CONTEXT_ALARM_EMAIL: parse_alarm_email,
    CONTEXT_BACKEND_IMAGE: parse_backend_image,
    CONTEXT_LABS: check_lab_ids,
}


def parse_backend(image: Any, port: Any) -> Tuple[Optional[str], Optional[int]]:
    """Contexts ``cloudmart_backend_image`` and ``cloudmart_backend_port`` together: a port
    is your image's, so one without an image (the demo backend has its own) was ignored."""
    image, port_number = parse_backend_image(image), parse_backend_port(port)
    if port_number is not None and image is None:
        raise CourseInputError(
            f"context '{CONTEXT_BACKEND_PORT}'={shown(str(port))} is the port of your own "
            f"backend image: pass -c {CONTEXT_BACKEND_IMAGE}=<image> with it, or leave the "
            "port out for the demo backend"
        )
    return image, port_number


#: The labs that read each lab's own value: a value only they read blocks only them (the app
#: builds Day1Lab1 whatever a stale Day 5 value in cdk.context.json says).
LABS_READING = {
    # the hosts' SSH key pair: the Day 1 labs and the hosts of Day2Lab1, Day3Lab1 and Day3Lab2
    # (its shape is checked for every lab; this limits the launchers' EC2 lookup to these)
    CONTEXT_KEY_NAME: ("Day1Lab1", "Day1Lab2", "Day1Case", "Day2Lab1", "Day3Lab1", "Day3Lab2"),
    CONTEXT_RESTORE_SNAPSHOT_ID: ("Day2Lab1",),
    CONTEXT_BACKEND_PORT: ("Day5Lab1", "Day5Challenge"),
    CONTEXT_FRONTEND_DIR: ("Day5Lab1", "Day5Challenge"),
    CONTEXT_ALARM_EMAIL: ("Day5Lab1", "Day5Challenge"),
    CONTEXT_BACKEND_IMAGE: ("Day5Lab1", "Day5Challenge"),
}


def check_lab_context(context: Mapping[str, Any], labs: Optional[Sequence[str]] = None) -> None:
    """Raise :class:`CourseInputError` for the first value in ``context`` that a lab being built
    (``labs``; None: every lab) would refuse."""

    def read(key: str) -> bool:
        return key not in LABS_READING or labs is None or any(
            lab in LABS_READING[key] for lab in labs
        )

    for key, parse in LAB_CONTEXT_CHECKS.items():
        if key in context and read(key):
            parse(context[key])
    if read(CONTEXT_BACKEND_PORT):
        parse_backend(context.get(CONTEXT_BACKEND_IMAGE), context.get(CONTEXT_BACKEND_PORT))


@dataclass(frozen=True)
class CourseSettings:
    """What every lab stack needs to know about who deploys it and where."""

    student: str = DEFAULT_STUDENT
    region: str = DEFAULT_REGION
    azs: Tuple[str, ...] = DEFAULT_AZS
    ssh_cidr: Optional[str] = None
    key_name: Optional[str] = None
    #: Class mode: these students get one copy of each lab (construct ids ``Day4Lab1-kim``).
    students: Tuple[str, ...] = ()

    def per_student(self) -> Tuple["CourseSettings", ...]:
        """These settings once per student in class mode, else themselves alone."""
        if not self.students:
            return (self,)
        return tuple(replace(self, student=name) for name in self.students)

    @property
    def class_mode(self) -> bool:
        return bool(self.students)

    @classmethod
    def from_context(
        cls, get: Any, origins: Optional[Mapping[str, str]] = None
    ) -> "CourseSettings":
        """Build from the whole context as a mapping (``app.node.get_all_context()``), whose
        keys and empty values are checked first (:func:`check_context`), or from a getter
        (``app.node.try_get_context``), which cannot list its keys: its values only.
        ``origins`` (:func:`context_origins`): where each key came from, for the launchers and
        week5 to name in a refusal; the app cannot know."""
        if isinstance(get, Mapping):
            check_context(get)
        lookup = get.get if isinstance(get, Mapping) else get
        region = parse_region(_or_default(lookup(CONTEXT_REGION), DEFAULT_REGION))
        azs = _or_default(lookup(CONTEXT_AZS), None)
        if region != DEFAULT_REGION:
            refuse_region_without_zones(region, azs, origins)
        students = parse_students(lookup(CONTEXT_STUDENTS))
        # cdk.json names the default student; only another name conflicts with class mode.
        if students and lookup(CONTEXT_STUDENT) not in (None, "", DEFAULT_STUDENT):
            raise CourseInputError(
                both_given_message(lookup(CONTEXT_STUDENT), students, origins)
            )
        return cls(
            students=students,
            student=_student_from(lookup(CONTEXT_STUDENT)),
            region=region,
            azs=parse_azs(DEFAULT_AZS if azs is None else azs, region),
            ssh_cidr=parse_ssh_cidr(lookup(CONTEXT_SSH_CIDR)),
            key_name=parse_key_name(lookup(CONTEXT_KEY_NAME)),
        )


#: Where a context key came from, as :func:`context_origins` names it.
ORIGIN_COMMAND_LINE = "-c"
ORIGIN_USER_FILE = "~/.cdk.json"


def refuse_region_without_zones(
    region: str, azs: Any, origins: Optional[Mapping[str, str]] = None
) -> None:
    """Refuse ``-c region`` outside Seoul without that region's zones: ``azs`` absent, or the
    course's Seoul zones that cdk.json sets (not typed with ``-c``). Zone letters differ by
    region (Tokyo has ap-northeast-1a, 1c and 1d, no 1b), so a guessed ``<region>a,<region>b``
    synthesized and failed in CloudFormation after the VPC was made; only the user can name them.
    A zone of another region typed with ``-c azs`` is :func:`parse_azs`' to refuse."""
    where = (origins or {}).get(CONTEXT_AZS)
    course_zones = azs in (",".join(DEFAULT_AZS), list(DEFAULT_AZS), DEFAULT_AZS)
    if azs is not None and not (course_zones and where != ORIGIN_COMMAND_LINE):
        return
    fix = (
        f"pass two zones of {region} with it (`aws ec2 describe-availability-zones --region "
        f"{region}` lists them), e.g. -c azs={region}a,{region}c"
    )
    course = f"the course's zones ({','.join(DEFAULT_AZS)}) are {DEFAULT_REGION}'s"
    if azs is None:
        raise CourseInputError(f"context 'region'={shown(region)} needs its zones: {course}; {fix}")
    set_in = f", set in {where}" if where else ""
    raise CourseInputError(
        f"context 'region'={shown(region)} needs its zones, but 'azs' is the course's "
        f"{DEFAULT_REGION} zones ({','.join(DEFAULT_AZS)}{set_in}); {fix}"
    )


def both_given_message(
    student: Any, students: Sequence[str], origins: Optional[Mapping[str, str]] = None
) -> str:
    """Class mode (``students``) with a ``student`` too, naming where the student came from
    when ``origins`` says: a name ``week5 init --student`` wrote into cdk.context.json long ago
    looked, to an instructor who typed only ``-c students``, like an input they never gave."""
    origins = origins or {}
    where, given = origins.get(CONTEXT_STUDENT), origins.get(CONTEXT_STUDENTS)
    if where == ORIGIN_COMMAND_LINE and given not in (None, ORIGIN_COMMAND_LINE):
        # -c student typed, the class in a file: the generic line told to do what was done.
        return (
            f"-c student={shown(student)} asks for one student's labs, but {given} sets "
            f"'students'={','.join(students)} (class mode); drop -c student for the class's "
            f"copies, or remove \"students\" from {given} for that student's own labs"
        )
    if where is None or where == ORIGIN_COMMAND_LINE:  # the app cannot tell; or both typed
        hint = (
            "" if where else f" (a student in {PROJECT_CONTEXT_FILE}: `week5 init "
            "--clear-student` removes it)"
        )
        return (
            f"context 'student'={shown(student)} and 'students' were both given; pass -c "
            "student=<name> for one student's labs, or -c students=kim,lee for a copy per "
            f"student{hint}"
        )
    names = ",".join(students)  # parsed names: nothing to escape
    if given == ORIGIN_COMMAND_LINE:
        class_, drop = f"-c students={names}", "-c students"
    else:
        class_, drop = f"'students'={names} in {given or 'the context'}", "'students'"
    fix = {
        PROJECT_CONTEXT_FILE: "run `week5 init --clear-student` for class mode (it keeps the "
        "rest of that file)",
        "cdk.json": "delete \"student\" from cdk.json's context for class mode",
        ORIGIN_USER_FILE: "delete \"student\" from the context in ~/.cdk.json for class mode",
    }.get(where, f"remove \"student\" from {where} for class mode")
    set_by = " (`week5 init --student`)" if where == PROJECT_CONTEXT_FILE else ""
    return (
        f"{class_} makes a copy per student, but {where} sets student {shown(student)}{set_by}, "
        f"and class mode takes no single student; {fix}, or drop {drop} for that student's "
        "own labs"
    )


def context_origins(root: Path, given: Mapping[str, Any], user: bool = True) -> Dict[str, str]:
    """Where the CDK CLI takes each context key from, as it ranks them: ``-c`` (``given``)
    over cdk.json's ``context`` over cdk.context.json over ~/.cdk.json (with ``user``)."""
    root = Path(root)
    sources = [
        (PROJECT_CONTEXT_FILE, context_file(root / PROJECT_CONTEXT_FILE)),
        ("cdk.json", context_file(root / "cdk.json", "context")),
        (ORIGIN_COMMAND_LINE, given),
    ]
    if user:
        sources.insert(0, (ORIGIN_USER_FILE, context_file(Path.home() / ".cdk.json", "context")))
    return {key: name for name, context in sources for key in context}


def _or_default(value: Any, default: Any) -> Any:
    return default if value is None or value == "" else value


def _student_from(value: Any) -> str:
    """The ``student`` context: absent is :data:`DEFAULT_STUDENT`; empty (``-c student=``)
    is refused, never taken for the default: a student whose shell lost ``$NAME`` would
    otherwise deploy, or destroy, the instructor's stack."""
    if value == "":
        raise CourseInputError(empty_value_message(CONTEXT_STUDENT))
    return parse_student(DEFAULT_STUDENT if value is None else value)


#: CDK's own per-project context file: ``week5 init --student kim`` writes the student's name
#: there, and the CDK CLI reads it. Git-ignored. The CLI looks a key up in ``-c`` first, then
#: in cdk.json's ``context``, then here: cdk.json must not name a student for this one to count.
PROJECT_CONTEXT_FILE = "cdk.context.json"


def context_file(path: Path, key: Optional[str] = None) -> Dict[str, Any]:
    """A context file's mapping (``key``: the part of it that is context); missing is empty,
    unreadable is refused with the fix."""
    # cdk.json is the project's (restore it from git); the others are the student's own.
    anew = (
        "restore it with `git checkout cdk.json`"
        if path.name == "cdk.json"
        else "delete it and run `week5 init --student <your-name>`"
    )
    fix = anew if path.name == "cdk.json" else f"fix it, or {anew}"
    if path.exists() and not path.is_file():  # a folder: the CDK CLI stops with EISDIR
        then = (
            "restore it with `git checkout cdk.json`"
            if path.name == "cdk.json"
            else "run `week5 init --student <your-name>` if you had set a name"
        )
        raise CourseInputError(
            f"{path} is not a file (CDK reads it as one); move it away, then {then}"
        )
    if not path.is_file():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:  # saved in another encoding (CP949 on a Korean Windows)
        raise CourseInputError(
            f"{path} is not UTF-8 text; save it as UTF-8 (CDK reads it so), or {anew}"
        ) from None
    except OSError as error:  # unreadable: permissions, not its JSON
        raise CourseInputError(
            f"{path} cannot be read ({error.strerror or error}); give yourself read access "
            f"(chmod u+r), or {anew}"
        ) from None
    try:
        data = json.loads(text)
    except ValueError as error:
        raise CourseInputError(f"{path} is not valid JSON ({error}); {fix}") from None
    except RecursionError:  # [[[[...]]]] thousands deep: no context file nests so
        raise CourseInputError(f"{path} nests its JSON too deeply to read; {fix}") from None
    if key is not None:
        if not isinstance(data, dict):
            raise CourseInputError(
                f"{path} must hold a JSON object (its context under '{key}', e.g. "
                f'{{"{key}": {{"student": "kim"}}}}); ' + fix
            )
        data = data.get(key, {})
    if not isinstance(data, dict):  # CDK would hand the app a list's items as keys "0", "1"
        part = f"its '{key}'" if key else "it"
        raise CourseInputError(
            f"{path}: {part} must be a JSON object of context keys and values, e.g. "
            '{"student": "kim"}; ' + fix
        )
    return data


def read_project_context(root: Path, user: bool = False) -> Dict[str, Any]:
    """The context the CDK CLI gives the app from the project's files, as it ranks them:
    cdk.json's ``context`` over cdk.context.json (``-c`` on the command line over both), and
    with ``user`` the ``context`` of the user's ~/.cdk.json under them all."""
    root = Path(root)
    return {
        **(context_file(Path.home() / ".cdk.json", "context") if user else {}),
        **context_file(root / PROJECT_CONTEXT_FILE),
        **context_file(root / "cdk.json", "context"),
    }


def configured_student(root: Path) -> Tuple[str, str]:
    """(the student name ``cdk deploy`` uses without ``-c student``, the file it comes from),
    in the CDK CLI's order: cdk.json's context, then cdk.context.json (``week5 init``), then the
    context of the user's ~/.cdk.json (named "~/.cdk.json"), else :data:`DEFAULT_STUDENT` ("the
    default")."""
    root = Path(root)
    sources = (
        ("cdk.json", root / "cdk.json", "context"),
        (PROJECT_CONTEXT_FILE, root / PROJECT_CONTEXT_FILE, None),
        (ORIGIN_USER_FILE, Path.home() / ".cdk.json", "context"),
    )
    for name, path, key in sources:
        context = context_file(path, key)
        if CONTEXT_STUDENT not in context:
            continue
        if context[CONTEXT_STUDENT] is None:  # as check_context refuses it for the app
            raise CourseInputError(
                f"context '{CONTEXT_STUDENT}' is null in {name}; give it a value or remove the "
                f"key: {KNOWN_CONTEXT[CONTEXT_STUDENT][1]}"
            )
        value = context[CONTEXT_STUDENT]
        if isinstance(value, str) and value and not is_student_name(value):
            # A name saved before the rule tightened (kim-): say where it is and how to
            # replace it, not only the -c example (review D16).
            fix = (
                "replace it: week5 init --student kim-minsu" if name == PROJECT_CONTEXT_FILE
                else f"edit {name}"
            )
            raise CourseInputError(
                f"{name} names the student {shown(value)}, which is not a valid student name: "
                f"use {STUDENT_NAME_RULE}; {fix}"
            )
        return _student_from(value), name
    return DEFAULT_STUDENT, "the default"


def is_student_name(value: Any) -> bool:
    """Whether ``value`` is a name :func:`parse_student` takes (the Student tag's rule too)."""
    try:
        parse_student(value)
    except CourseInputError:
        return False
    return True
