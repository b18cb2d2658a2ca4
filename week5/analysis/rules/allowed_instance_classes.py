"""Week5-AllowedInstanceClasses: micro and small burstable classes, unless declared."""

from __future__ import annotations

import re
from typing import Any, List

from week5.analysis.rules.base import Compliance, CourseRule, ResourceView

#: Burstable families at nano, micro or small size: the cheapest that run every lab.
ALLOWED_CLASS = re.compile(r"^(db\.|cache\.)?t(2|3|3a|4g)\.(nano|micro|small)$")


def classes(view: ResourceView) -> List[Any]:
    p = view.properties
    if view.type == "AWS::EC2::Instance":
        return [p.get("InstanceType", "m1.small")]  # CloudFormation's default, not allowed
    if view.type == "AWS::EC2::LaunchTemplate":
        data = p.get("LaunchTemplateData") or {}
        return [data["InstanceType"]] if "InstanceType" in data else []
    if view.type == "AWS::AutoScaling::LaunchConfiguration":
        return [p.get("InstanceType")]
    if view.type == "AWS::RDS::DBInstance":
        return [p.get("DBInstanceClass")]
    if view.type in ("AWS::ElastiCache::CacheCluster", "AWS::ElastiCache::ReplicationGroup"):
        return [p.get("CacheNodeType")]
    return []


def check(view: ResourceView) -> Any:
    bad = sorted(
        {str(c) for c in classes(view) if not (isinstance(c, str) and ALLOWED_CLASS.match(c))}
    )
    return bad or Compliance.COMPLIANT


RULE = CourseRule(
    name="AllowedInstanceClasses",
    info=(
        "An instance, database or cache class is outside the course's list (t2/t3/t3a/t4g at "
        "nano, micro or small; db. and cache. likewise)."
    ),
    fix=(
        "use t3.micro, db.t3.micro or cache.t3.micro (or t4g), or declare the exception on the "
        "stack: week5.synth.nag.acknowledge(stack, 'Week5-AllowedInstanceClasses[<class>]', '<why the "
        "lab needs it>'). The finding in [] is the class."
    ),
    check=check,
    resource_types=frozenset(
        {
            "AWS::EC2::Instance",
            "AWS::EC2::LaunchTemplate",
            "AWS::AutoScaling::LaunchConfiguration",
            "AWS::RDS::DBInstance",
            "AWS::ElastiCache::CacheCluster",
            "AWS::ElastiCache::ReplicationGroup",
        }
    ),
)
