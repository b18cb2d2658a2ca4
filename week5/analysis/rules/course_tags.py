"""Week5-CourseTags: every taggable resource carries Week, Day, Lab and Student, validly."""

from __future__ import annotations

from typing import Any, Dict, List

from week5.analysis.assembly import tag_dict
from week5.analysis.rules.base import Compliance, CourseRule, ResourceView
from week5.core.catalog import COURSE_DAYS, LAB_KINDS
from week5.core.settings import is_student_name
from week5.core.tags import DAY_KEY, LAB_KEY, STUDENT_KEY, WEEK_KEY, WEEK_TAG_VALUE

_DAYS = tuple(f"Day{d}" for d in COURSE_DAYS)
#: What a valid value of each course tag is.
TAG_VALIDATORS = {
    WEEK_KEY: lambda v: v == WEEK_TAG_VALUE,
    DAY_KEY: lambda v: isinstance(v, str) and v in _DAYS,
    LAB_KEY: lambda v: isinstance(v, str) and v in LAB_KINDS,
    STUDENT_KEY: is_student_name,
}




#: Types whose tags property is not called ``Tags``.
TAG_PROPERTY = {
    "AWS::EFS::FileSystem": "FileSystemTags",
    "AWS::EFS::AccessPoint": "AccessPointTags",
}


def tags_of(rtype: str, properties: Dict[str, Any]) -> Dict[str, Any]:
    """The tags as a dict, whether written as a Key/Value list or (a few types) as a map."""
    return tag_dict(properties.get(TAG_PROPERTY.get(rtype, "Tags")))


def check(view: ResourceView) -> Any:
    tags = tags_of(view.type, view.properties)
    bad: List[str] = [key for key, valid in TAG_VALIDATORS.items() if not valid(tags.get(key))]
    if not bad:
        return Compliance.COMPLIANT
    return bad if view.taggable else Compliance.NOT_APPLICABLE


RULE = CourseRule(
    name="CourseTags",
    info="A taggable resource lacks a valid Week, Day, Lab or Student tag (리소스 태깅).",
    fix=(
        "build the stack with week5.synth.lab.LabStack, or call week5.synth.tagging.apply_course_tags(stack, "
        "day, lab, student): Week=Week5, Day=Day1..Day5, Lab=Lab1|Lab2|Case|Challenge, "
        "Student=your -c student name. The finding in [] names the missing tag."
    ),
    check=check,
)
