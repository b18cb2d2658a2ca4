"""Week5-SeoulRegion: a stack deploys to ap-northeast-2 unless overridden on purpose."""

from __future__ import annotations

from typing import Any

from week5.analysis.rules.base import Compliance, CourseRule, ResourceView
from week5.core.settings import DEFAULT_REGION


def check(view: ResourceView) -> Any:
    return Compliance.COMPLIANT if view.region == DEFAULT_REGION else [view.region or "unset"]


RULE = CourseRule(
    name="SeoulRegion",
    info=(
        "The stack is not pinned to ap-northeast-2 (the course's prices, AZs and limits are "
        "Seoul's); an environment-agnostic stack goes wherever the CLI's profile points."
    ),
    fix=(
        "pass env=Environment(region='ap-northeast-2') (week5.synth.lab.LabStack does); to use another "
        "region on purpose, pass -c region=<region>, which LabStack acknowledges"
    ),
    check=check,
    stack_level=True,
)
