"""Week5-LogGroupsRemoved: the logs a stack's functions and databases write go with the stack."""

from __future__ import annotations

from typing import Any

from week5.analysis.rules.base import Compliance, CourseRule, ResourceView, ref_target


def check(view: ResourceView) -> Any:
    p = view.properties
    if view.type == "AWS::Lambda::Function":
        # Without a LoggingConfig, Lambda creates /aws/lambda/<name> itself, outside the stack.
        target = ref_target((p.get("LoggingConfig") or {}).get("LogGroup"))
        group = view.template["Resources"].get(target) if target else None
        if not group or group["Type"] != "AWS::Logs::LogGroup":
            return ["ImplicitLambdaLogGroup"]
        return Compliance.COMPLIANT
    if view.type in ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster"):
        # RDS creates /aws/rds/... groups for exported logs; deleting the DB leaves them.
        return ["RdsLogExports"] if p.get("EnableCloudwatchLogsExports") else Compliance.COMPLIANT
    return Compliance.NOT_APPLICABLE


RULE = CourseRule(
    name="LogGroupsRemoved",
    info=(
        "A log group would be created outside the stack and survive `cdk destroy`: a Lambda "
        "function (including CDK's own providers) without a log group of the stack, or RDS log "
        "exports."
    ),
    fix=(
        "give the function log_group=logs.LogGroup(..., removal_policy=RemovalPolicy.DESTROY); "
        "CDK's provider functions get one from week5.synth.providers.give_provider_functions_log_groups; leave "
        "RDS cloudwatch_logs_exports unset in a lab"
    ),
    check=check,
    resource_types=frozenset(
        {"AWS::Lambda::Function", "AWS::RDS::DBInstance", "AWS::RDS::DBCluster"}
    ),
)
