"""Week5-RequireImdsv2: every instance and launch template requires IMDSv2 tokens."""

from __future__ import annotations

from typing import Any

from week5.analysis.rules.base import Compliance, CourseRule, ResourceView, ref_target


def _requires_tokens(options: Any) -> bool:
    return isinstance(options, dict) and options.get("HttpTokens") == "required"


def check(view: ResourceView) -> Any:
    p = view.properties
    if view.type == "AWS::EC2::LaunchTemplate":
        data = p.get("LaunchTemplateData") or {}
        return (
            Compliance.COMPLIANT
            if _requires_tokens(data.get("MetadataOptions"))
            else (Compliance.NON_COMPLIANT)
        )
    if view.type == "AWS::AutoScaling::LaunchConfiguration":
        return (
            Compliance.COMPLIANT
            if _requires_tokens(p.get("MetadataOptions"))
            else (Compliance.NON_COMPLIANT)
        )
    # An instance has no metadata options of its own: they come from its launch template.
    target = ref_target((p.get("LaunchTemplate") or {}).get("LaunchTemplateId"))
    launch_template = view.template["Resources"].get(target) if target else None
    if launch_template and launch_template["Type"] == "AWS::EC2::LaunchTemplate":
        data = (launch_template.get("Properties") or {}).get("LaunchTemplateData") or {}
        if _requires_tokens(data.get("MetadataOptions")):
            return Compliance.COMPLIANT
    return Compliance.NON_COMPLIANT


RULE = CourseRule(
    name="RequireImdsv2",
    info=(
        "An instance or launch template allows IMDSv1, whose unauthenticated metadata calls "
        "let a server-side request forgery read the instance role's credentials."
    ),
    fix=(
        "pass require_imdsv2=True to ec2.Instance / ec2.LaunchTemplate (week5's LabHost and "
        "HaWebTier do)"
    ),
    check=check,
    resource_types=frozenset(
        {
            "AWS::EC2::Instance",
            "AWS::EC2::LaunchTemplate",
            "AWS::AutoScaling::LaunchConfiguration",
        }
    ),
)
