"""The course's cost-tracking tags (리소스 태깅): Week, Day, Lab and Student on everything."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from aws_cdk import CfnElement, CfnResource, Stack, TagManager, Tags
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
    scope_tags = Tags.of(scope)
    for key, value in tags.items():
        scope_tags.add(key, value)
    return tags


@dataclass(frozen=True)
class Provider:
    """One of CDK's stack-level custom-resource providers, and its raw resources."""

    construct: IConstruct
    #: Its plain ``CfnResource`` children (which ``Tags.of()`` skips), with their types.
    raw_resources: Tuple[Tuple[CfnResource, str], ...]


def providers_of(stack: Stack) -> List[Provider]:
    """The custom-resource providers of ``stack``: its children with ids starting ``Custom::``.

    A lab's stack has dozens of children and each one's id costs two round trips to Node
    (about 0.2 ms each): children whose Python class rules them out are passed over (530 round
    trips for the 14 labs became 138), and :func:`tag_provider_resources` and
    :func:`week5.synth.providers.give_provider_functions_log_groups` share this one walk.
    """
    providers = []
    for child in stack.node.children:
        if _cannot_be_a_provider(child):
            continue
        if not child.node.id.startswith(PROVIDER_ID_PREFIX):
            continue
        # A plain CfnResource (not a generated L1 class such as CfnRole) that takes no tags.
        # The Python class first: asking Node (is_cfn_resource, is_taggable) about every
        # child cost two round trips a child; now only the plain ones are asked.
        raw = tuple(
            (resource, resource.cfn_resource_type)
            for resource in child.node.children
            if type(resource) is CfnResource and not TagManager.is_taggable(resource)
        )
        providers.append(Provider(child, raw))
    return providers


def _cannot_be_a_provider(child: IConstruct) -> bool:
    """Told by the child's Python class alone, with no round trip to Node: a ``CfnElement``
    (outputs, parameters, resources: about half of a lab's stack-level children) has no
    children, and a construct this project defines is not one of CDK's singletons."""
    return isinstance(child, CfnElement) or type(child).__module__.split(".", 1)[0] in _OUR_PACKAGES


#: The top-level packages of this project's own constructs.
_OUR_PACKAGES = frozenset({"week5", "stacks"})


def tag_provider_resources(
    stack: Stack, tags: Dict[str, str], providers: Optional[Sequence[Provider]] = None
) -> int:
    """Tag the raw IAM roles and Lambda functions of CDK's custom-resource providers.

    Providers such as S3's auto-delete are stack-level singletons with ids starting
    ``Custom::``, built from plain ``CfnResource``s that ``Tags.of()`` skips. Only those
    singletons are walked: an aspect over every construct costs a Python callback per
    construct, about a second of ``cdk synth`` for ten labs (bench/synth_time.py).
    ``providers``: :func:`providers_of` the stack, when the caller has it already.
    Returns how many resources were tagged.
    """
    tag_list = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
    tagged = 0
    for provider in providers_of(stack) if providers is None else providers:
        for resource, resource_type in provider.raw_resources:
            if resource_type in RAW_TAG_LIST_TYPES:
                resource.add_property_override("Tags", tag_list)
                tagged += 1
    return tagged
