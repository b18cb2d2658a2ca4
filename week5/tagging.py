"""The course's cost-tracking tags (리소스 태깅): Week, Day, Lab and Student on everything."""

from __future__ import annotations

from typing import Dict

from aws_cdk import Tags
from constructs import IConstruct

from week5.catalog import LAB_KINDS
from week5.settings import CourseInputError, parse_student

WEEK_TAG_VALUE = "Week5"
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
    return tags
