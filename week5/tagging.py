"""The course's cost-tracking tags (리소스 태깅): Week, Day, Lab and Student on everything."""

from __future__ import annotations

from typing import Dict

import jsii
from aws_cdk import Aspects, CfnResource, IAspect, TagManager, Tags
from constructs import IConstruct

from week5.catalog import LAB_KINDS
from week5.settings import CourseInputError, parse_student

WEEK_TAG_VALUE = "Week5"
#: Types whose CloudFormation ``Tags`` is a Key/Value list, for the raw ``CfnResource``s that CDK's
#: own custom-resource providers create and ``Tags.of()`` does not reach.
RAW_TAG_LIST_TYPES = ("AWS::IAM::Role", "AWS::Lambda::Function")
COURSE_TAG_KEYS = ("Week", "Day", "Lab", "Student")


def course_tags(day: int, lab_kind: str, student: str) -> Dict[str, str]:
    """The four tags, validated: ``Week=Week5``, ``Day=Day1..Day5``, ``Lab``, ``Student``."""
    if day not in range(1, 6):
        raise CourseInputError(f"tag Day must be Day1..Day5, got Day{day}")
    if lab_kind not in LAB_KINDS:
        raise CourseInputError(f"tag Lab must be one of {', '.join(LAB_KINDS)}, got {lab_kind!r}")
    return {
        "Week": WEEK_TAG_VALUE,
        "Day": f"Day{day}",
        "Lab": lab_kind,
        "Student": parse_student(student),
    }


def apply_course_tags(scope: IConstruct, day: int, lab_kind: str, student: str) -> Dict[str, str]:
    """Tag every taggable resource under ``scope``; returns the tags applied."""
    tags = course_tags(day, lab_kind, student)
    for key, value in tags.items():
        Tags.of(scope).add(key, value)
    Aspects.of(scope).add(_TagRawResources(tags))
    return tags


@jsii.implements(IAspect)
class _TagRawResources:
    """Tags for raw L1 resources (e.g. CDK's S3 auto-delete provider) that are not ITaggable."""

    def __init__(self, tags: Dict[str, str]) -> None:
        self._tags = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]

    def visit(self, node: IConstruct) -> None:
        if (
            CfnResource.is_cfn_resource(node)
            and node.cfn_resource_type in RAW_TAG_LIST_TYPES
            and not TagManager.is_taggable(node)
        ):
            node.add_property_override("Tags", self._tags)
