"""The course's cost-tracking tags (리소스 태깅), named once: ``Week=Week5``, ``Day``, ``Lab``,
``Student``.

Synthesis writes them (:mod:`week5.synth.tagging`), the ``Week5-CourseTags`` rule checks them in
a template (:mod:`week5.analysis.rules.course_tags`), and ``week5 cleanup`` and ``week5 audit``
find a student's resources in an account by them (:mod:`week5.operations`).
"""

from __future__ import annotations

from typing import Dict, Optional

WEEK_KEY = "Week"
DAY_KEY = "Day"
LAB_KEY = "Lab"
STUDENT_KEY = "Student"
#: The one value of ``Week`` this course uses.
WEEK_TAG_VALUE = "Week5"
#: Every taggable resource of a lab carries these four.
COURSE_TAG_KEYS = (WEEK_KEY, DAY_KEY, LAB_KEY, STUDENT_KEY)


def tag_filter(
    day: str, lab: Optional[str] = None, student: Optional[str] = None
) -> Dict[str, str]:
    """The tags that mark a course day's resources (``Week=Week5``, ``Day=<day>``), narrowed to
    one lab kind and one student when given. Values are taken as they are: validate them first.
    """
    tags = {WEEK_KEY: WEEK_TAG_VALUE, DAY_KEY: day}
    if lab is not None:
        tags[LAB_KEY] = lab
    if student is not None:
        tags[STUDENT_KEY] = student
    return tags
