"""Issue #14 item 12 and 5: every Name tag says what the resource is and whose it is, and every
output tells the student in Korean what it is for.

Names: ``week5-day4-vpc`` for the default student (the course's console steps name them so),
``week5-day4-kim-vpc`` for student kim; then ``-public-subnet-a``, ``-public-rt-a``,
``-private-rt-a``, ``-igw``, ``-nat-a`` and ``-nat-a-eip``, ``-nat-instance``, ``-nat-sg``,
``<host>`` and ``<host>-sg``; a web tier's instances, volumes and launch template ``<tier>``,
then ``<tier>-asg``, ``-alb``, ``-tg``, ``-alb-sg`` and ``-sg``.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Dict, List, Tuple

import pytest
from support import make_app

from stacks.catalog import CATALOG
from week5.constructs import HaWebTier
from week5.core.settings import DEFAULT_STUDENT
from week5.synth.app_builder import build_labs

#: What a Name ends with, per resource type: it says what the resource is.
NAME_SHAPES = {
    "AWS::EC2::VPC": r"-vpc",
    "AWS::EC2::Subnet": r"-(public|private)-subnet(-[a-z])?",
    "AWS::EC2::RouteTable": r"-(public|private)-rt(-[a-z])?",
    "AWS::EC2::InternetGateway": r"-igw",
    "AWS::EC2::NatGateway": r"-nat-[a-z]",
    "AWS::EC2::EIP": r"-nat-[a-z]-eip",
    "AWS::EC2::SecurityGroup": r"-[a-z0-9-]+-sg",
    "AWS::IAM::Role": r"-[a-z0-9-]+-role",
    # A host: its role in the lab (web, bastion, mysql, nat-instance, ...), none of the above.
    "AWS::EC2::Instance": r"-(?!.*-(vpc|subnet(-[a-z])?|rt(-[a-z])?|igw|eip|sg|role)$)[a-z0-9-]+",
    "AWS::AutoScaling::AutoScalingGroup": r"-[a-z0-9-]+-asg",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": r"-[a-z0-9-]+-alb",
    "AWS::ElasticLoadBalancingV2::TargetGroup": r"-[a-z0-9-]+-tg",
    "AWS::EC2::VPCEndpoint": r"-[a-z0-9-]+-endpoint",
    "AWS::EFS::FileSystem": r"-[a-z0-9-]+-files",
}
# A web tier's launch template names itself, its instances and their volumes alike.
NAME_SHAPES["AWS::EC2::LaunchTemplate"] = NAME_SHAPES["AWS::EC2::Volume"] = NAME_SHAPES[
    "AWS::EC2::Instance"
]
#: Where a launch template's tags land, by TagSpecifications' ResourceType.
TAGGED_BY_TEMPLATE = {"instance": "AWS::EC2::Instance", "volume": "AWS::EC2::Volume"}
#: Outputs whose description needs no Korean: none today. Add an output id here only when its
#: description is nothing but a URL or a command that reads the same in every language.
ENGLISH_OK: Tuple[str, ...] = ()

HANGUL = re.compile("[\uac00-\ud7a3]")


def name_tags(template: Dict[str, Any]) -> List[Tuple[str, str, str]]:
    """(logical id, type, Name) of every resource with a literal Name tag; a launch template's
    also for the instances and volumes it launches (its ``TagSpecifications``), with their
    types."""
    found = []
    for logical_id, resource in template["Resources"].items():
        properties = resource.get("Properties") or {}
        # An EFS file system keeps its tags in FileSystemTags.
        tags = properties.get("Tags") or properties.get("FileSystemTags") or []
        tagged = [(resource["Type"], tags)]
        if resource["Type"] == "AWS::EC2::LaunchTemplate":
            tagged = [
                (resource["Type"], spec.get("Tags") or [])
                for spec in properties.get("TagSpecifications") or []
            ] + [
                (TAGGED_BY_TEMPLATE.get(spec["ResourceType"], spec["ResourceType"]), spec["Tags"])
                for spec in (properties.get("LaunchTemplateData") or {}).get("TagSpecifications")
                or []
            ]
        for rtype, tags in tagged:
            for item in tags:
                if isinstance(item, dict) and item.get("Key") == "Name":
                    found.append((logical_id, rtype, item["Value"]))
    return found


def name_problems(template: Dict[str, Any], prefix: str) -> List[str]:
    problems = []
    tags = name_tags(template)
    for logical_id, rtype, name in tags:
        shape = NAME_SHAPES.get(rtype)
        if shape is None:
            problems.append(f"{logical_id} ({rtype}) has Name {name!r}: no naming rule for it")
        elif not re.fullmatch(re.escape(prefix) + shape, name):
            problems.append(f"{logical_id} ({rtype}): {name!r} is not {prefix}{shape}")
    # One resource per name: a launch template's instances and volumes are its own.
    owners = Counter(name for _, name in {(logical_id, name) for logical_id, _, name in tags})
    twice = [name for name, n in owners.items() if n > 1]
    if twice:
        problems.append(f"Names given to more than one resource: {twice}")
    return problems


def day_prefix(lab_id: str) -> str:
    return f"week5-{CATALOG.get(lab_id).day_tag.lower()}"


def test_every_name_in_every_lab_is_unique_and_says_what_it_is(app):
    problems = {
        lab_id: name_problems(template, day_prefix(lab_id))
        for lab_id, template in app.templates.items()
    }
    assert {k: v for k, v in problems.items() if v} == {}
    # The course's names stay exactly as the console steps write them for the default student.
    names = {name for _, _, name in name_tags(app.templates["Day4Lab1"])}
    assert {"week5-day4-vpc", "week5-day4-public-subnet-a", "week5-day4-igw"} <= names
    assert {"week5-day4-nat-a", "week5-day4-nat-a-eip", "week5-day4-public-rt-a"} <= names
    assert {"week5-day4-private-rt-a", "week5-day4-private-rt-b"} <= names
    # The NAT instance (and what hangs on it) is named for what it is, not for its subnet.
    case = {(rtype, name) for _, rtype, name in name_tags(app.templates["Day1Case"])}
    assert ("AWS::EC2::Instance", "week5-day1-nat-instance") in case
    assert ("AWS::EC2::SecurityGroup", "week5-day1-nat-sg") in case
    assert ("AWS::IAM::Role", "week5-day1-nat-instance-role") in case


def _synth(tmp_path, **context) -> Dict[str, Dict[str, Any]]:
    cdk_app = make_app(tmp_path, **context)
    stacks = build_labs(cdk_app, CATALOG)
    assembly = cdk_app.synth()
    return {cid: assembly.get_stack_by_name(s.stack_name).template for cid, s in stacks.items()}


def test_a_students_names_carry_the_student(tmp_path):
    """And what the console lists by a name or a description: the EFS file systems were
    ``Day2Lab1/SharedFiles/FileSystem`` for every student, the data volume and the database's,
    cache's and file system's security groups had no Name, Day3Case's API was ``HttpApi`` and a
    distribution's description ``Day4Case/Site: static site`` (student trials T18-A, T18-B)."""
    labs = ("Day4Lab1", "Day1Case", "Day2Lab1", "Day2Case", "Day3Case", "Day4Case")
    templates = _synth(tmp_path, student="kim", labs=",".join(labs))
    assert set(templates) == set(labs)
    for lab_id, template in templates.items():
        assert name_problems(template, f"{day_prefix(lab_id)}-kim") == [], lab_id
    names = {lab_id: {name for _, _, name in name_tags(t)} for lab_id, t in templates.items()}
    assert {"week5-day4-kim-vpc", "week5-day4-kim-nat-a", "week5-day4-kim-nat-a-eip"} <= names[
        "Day4Lab1"
    ]
    assert "week5-day4-kim-public-subnet-a" in names["Day4Lab1"]
    assert {
        "week5-day2-kim-shared-files", "week5-day2-kim-shared-files-sg", "week5-day2-kim-data",
    } <= names["Day2Lab1"]  # fmt: skip
    assert {
        "week5-day2-kim-db-sg", "week5-day2-kim-cache-sg", "week5-day2-kim-shop-files",
        "week5-day2-kim-shop-files-sg",
    } <= names["Day2Case"]  # fmt: skip
    assert {"week5-day3-kim-db-sg", "week5-day3-kim-cache-sg"} <= names["Day3Case"]
    (api,) = resources_of(templates["Day3Case"], "AWS::ApiGatewayV2::Api")
    assert api["Name"] == "week5-day3-kim-api"
    (site,) = resources_of(templates["Day4Case"], "AWS::CloudFront::Distribution")
    assert site["DistributionConfig"]["Comment"] == "week5-kim-Day4Case/Site: static site"


def resources_of(template: Dict[str, Any], rtype: str) -> List[Dict[str, Any]]:
    return [
        r.get("Properties") or {} for r in template["Resources"].values() if r["Type"] == rtype
    ]


#: The labs with a web tier (``HaWebTier``, on its own or as CloudMart's backend).
WEB_TIER_LABS = (
    "Day2Case", "Day3Case", "Day4Lab1", "Day4Challenge", "Day4Case", "Day5Lab1", "Day5Challenge",
)  # fmt: skip


def test_every_web_tier_part_carries_the_labs_name(app):
    """A web tier's instances and their volumes were named by CDK for the launch template's
    path (``Day4Lab1/Web/LaunchTemplate``, the same for every student), and its ALB, target
    group, group and security groups not at all: twelve students in one account could not tell
    theirs apart (README: students never share a Name). On the session's app (the default
    student's names); a student's own are the class-mode and student tests' (Day4Lab1)."""
    unnamed = {}
    for lab_id in WEB_TIER_LABS:
        stack, template = app.stacks[lab_id], app.templates[lab_id]
        names: Dict[Tuple[str, str], str] = {
            (logical_id, rtype): name for logical_id, rtype, name in name_tags(template)
        }
        assert name_problems(template, day_prefix(lab_id)) == [], lab_id
        tiers = [c for c in stack.node.find_all() if isinstance(c, HaWebTier)]
        assert tiers, lab_id
        for tier in tiers:
            parts = {
                "AWS::EC2::LaunchTemplate": tier.launch_template,
                "AWS::EC2::Instance": tier.launch_template,
                "AWS::EC2::Volume": tier.launch_template,
                "AWS::AutoScaling::AutoScalingGroup": tier.asg,
                "AWS::ElasticLoadBalancingV2::LoadBalancer": tier.alb,
                "AWS::ElasticLoadBalancingV2::TargetGroup": tier.target_group,
                "alb-sg": tier.alb_security_group,
                "sg": tier.instance_security_group,
            }
            for what, part in parts.items():
                rtype = what if what.startswith("AWS::") else "AWS::EC2::SecurityGroup"
                logical_id = stack.resolve(part.node.default_child.logical_id)
                name = names.get((logical_id, rtype), "")
                if not name.startswith(f"{day_prefix(lab_id)}-"):
                    unnamed[f"{lab_id} {tier.node.path} {what}"] = name
    assert unnamed == {}


def test_in_class_mode_no_two_students_share_a_name(tmp_path):
    templates = _synth(tmp_path, students="kim,lee", labs="Day4Lab1")
    assert set(templates) == {"Day4Lab1-kim", "Day4Lab1-lee"}
    seen: Dict[str, str] = {}
    for construct_id, template in templates.items():
        student = construct_id.split("-", 1)[1]
        assert name_problems(template, f"week5-day4-{student}") == [], construct_id
        # Within a template name_problems finds a name twice; a launch template's is its
        # instances' and volumes' too.
        for name in {name for _, _, name in name_tags(template)}:
            assert name not in seen, f"{name} in {construct_id} and {seen.get(name)}"
            seen[name] = construct_id
    assert "week5-day4-kim-vpc" in seen and "week5-day4-lee-vpc" in seen


def test_the_default_student_is_the_instructor():
    # The course's names (no student in them) belong to the default student only.
    assert DEFAULT_STUDENT == "instructor"


@pytest.mark.parametrize("context", [{}, {"ssh_cidr": "203.0.113.7/32"}], ids=["plain", "ssh"])
def test_every_output_is_described_in_korean(app, tmp_path, context):
    templates = app.templates if not context else _synth(tmp_path, labs=_ssh_labs(), **context)
    english = {
        f"{lab_id}.{key}": output.get("Description", "")
        for lab_id, template in templates.items()
        for key, output in (template.get("Outputs") or {}).items()
        if key not in ENGLISH_OK and not HANGUL.search(output.get("Description", ""))
    }
    assert english == {}


def _ssh_labs() -> str:
    """The labs whose outputs change with ``ssh_cidr`` (the direct-SSH commands)."""
    return "Day1Lab1,Day1Lab2,Day1Case"
