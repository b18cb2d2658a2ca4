"""Week5-NoPlaintextSecrets: no password, token or key in plain text in what a stack deploys."""

from __future__ import annotations

from typing import Any, List

from week5.analysis.rules.base import Compliance, CourseRule, ResourceView
from week5.core.secret_scan import flatten, is_literal, scan_text, scan_variables

#: Properties that CloudFormation stores and shows as written: a literal here is readable by
#: anyone who can describe the stack.
_SECRET_PROPERTIES = {
    "AWS::RDS::DBInstance": "MasterUserPassword",
    "AWS::RDS::DBCluster": "MasterUserPassword",
    "AWS::ElastiCache::ReplicationGroup": "AuthToken",
}


def check(view: ResourceView) -> Any:
    p = view.properties
    found: List[str] = []
    if view.type in ("AWS::EC2::Instance", "AWS::AutoScaling::LaunchConfiguration"):
        found += [s.name for s in scan_text(flatten(p.get("UserData", "")), "UserData")]
    elif view.type == "AWS::EC2::LaunchTemplate":
        data = p.get("LaunchTemplateData") or {}
        found += [s.name for s in scan_text(flatten(data.get("UserData", "")), "UserData")]
    elif view.type == "AWS::Lambda::Function":
        variables = (p.get("Environment") or {}).get("Variables")
        found += [s.name for s in scan_variables(variables, "Environment")]
    elif view.type == "AWS::ECS::TaskDefinition":
        for container in p.get("ContainerDefinitions") or []:
            variables = {e.get("Name"): e.get("Value") for e in container.get("Environment") or []}
            found += [s.name for s in scan_variables(variables, "Environment")]
    elif view.type in _SECRET_PROPERTIES:
        value = p.get(_SECRET_PROPERTIES[view.type])
        if isinstance(value, str) and is_literal(value):
            found.append(_SECRET_PROPERTIES[view.type])
    return sorted(set(found)) or Compliance.COMPLIANT


RULE = CourseRule(
    name="NoPlaintextSecrets",
    info=(
        "A password, token or key is written in plain text in user data, a launch template, "
        "an environment variable or a database property, where anyone who can read the "
        "instance or the stack can read it."
    ),
    fix=(
        "keep it in Secrets Manager (week5.constructs.generated_password, or the database's "
        "generated secret) and read it at boot: week5.constructs.DockerHost(compose_secrets="
        "{'DB_PASSWORD': secret}), or week5.constructs.userdata.compose_up(secret_env="
        "{'DB_PASSWORD': secret.secret_arn}); a Lambda reads it at run time from the ARN. The "
        "finding in [] names the variable."
    ),
    check=check,
    resource_types=frozenset(
        {
            "AWS::EC2::Instance",
            "AWS::EC2::LaunchTemplate",
            "AWS::AutoScaling::LaunchConfiguration",
            "AWS::Lambda::Function",
            "AWS::ECS::TaskDefinition",
            *_SECRET_PROPERTIES,
        }
    ),
)
