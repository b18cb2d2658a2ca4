"""The course's cost-tracking tags (리소스 태깅): Week, Day, Lab and Student on everything."""

from __future__ import annotations

from typing import Dict

from aws_cdk import CfnResource, Stack, TagManager, Tags
from constructs import IConstruct

from week5.core.catalog import LAB_KINDS
from week5.core.errors import CourseInputError
from week5.core.settings import parse_student
from week5.core.tags import DAY_KEY, LAB_KEY, STUDENT_KEY, WEEK_KEY, WEEK_TAG_VALUE

#: Types whose CloudFormation ``Tags`` is a Key/Value list, for the raw ``CfnResource``s that CDK's
#: own custom-resource providers create and ``Tags.of()`` does not reach.
RAW_TAG_LIST_TYPES = ("AWS::IAM::Role", "AWS::Lambda::Function")
#: CDK names its stack-level custom-resource providers ``Custom::<Name>CustomResourceProvider``.
PROVIDER_ID_PREFIX = "Custom::"


def course_tags(day: int, lab_kind: str, student: str) -> Dict[str, str]:
    """The four tags, validated: ``Week=Week5``, ``Day=Day1..Day5``, ``Lab``, ``Student``."""
    if day not in range(1, 6):
        raise CourseInputError(f"tag Day must be Day1..Day5, got Day{day}")
    if lab_kind not in LAB_KINDS:
        raise CourseInputError(f"tag Lab must be one of {', '.join(LAB_KINDS)}, got {lab_kind!r}")
    return {
        WEEK_KEY: WEEK_TAG_VALUE,
        DAY_KEY: f"Day{day}",
        LAB_KEY: lab_kind,
        STUDENT_KEY: parse_student(student),
    }


def apply_course_tags(scope: IConstruct, day: int, lab_kind: str, student: str) -> Dict[str, str]:
    """Tag every taggable resource under ``scope``; returns the tags applied.

    ``Tags.of()`` does not reach the raw resources of CDK's custom-resource providers; call
    :func:`tag_provider_resources` on the stack once its constructs exist.
    """
    tags = course_tags(day, lab_kind, student)
    for key, value in tags.items():
        Tags.of(scope).add(key, value)
    return tags


def tag_provider_resources(stack: Stack, tags: Dict[str, str]) -> int:
    """Tag the raw IAM roles and Lambda functions of CDK's custom-resource providers.

    Providers such as S3's auto-delete are stack-level singletons with ids starting
    ``Custom::``, built from plain ``CfnResource``s that ``Tags.of()`` skips. Only those
    singletons are walked: an aspect over every construct costs a Python callback per
    construct, about a second of ``cdk synth`` for ten labs (bench/synth_time.py).
    Returns how many resources were tagged.
    """
    tag_list = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
    tagged = 0
    for provider in stack.node.children:
        if not provider.node.id.startswith(PROVIDER_ID_PREFIX):
            continue
        for resource in provider.node.children:
            if (
                CfnResource.is_cfn_resource(resource)
                and resource.cfn_resource_type in RAW_TAG_LIST_TYPES
                and not TagManager.is_taggable(resource)
            ):
                resource.add_property_override("Tags", tag_list)
                tagged += 1
    return tagged
