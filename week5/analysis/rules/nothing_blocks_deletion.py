"""Week5-NothingBlocksDeletion: no deletion or termination protection, no backup vaults."""

from __future__ import annotations

from typing import Any, List

from week5.analysis.rules.base import Compliance, CourseRule, ResourceView


def _on(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def check(view: ResourceView) -> Any:
    p = view.properties
    found: List[str] = []
    if view.termination_protection and view.logical_id == next(iter(view.template["Resources"])):
        found.append("StackTerminationProtection")
    if view.type in ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster") and _on(
        p.get("DeletionProtection")
    ):
        found.append("DeletionProtection")
    if view.type in ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable") and _on(
        p.get("DeletionProtectionEnabled")
    ):
        found.append("DeletionProtectionEnabled")
    if view.type == "AWS::Logs::LogGroup" and _on(p.get("DeletionProtectionEnabled")):
        found.append("DeletionProtectionEnabled")
    if view.type == "AWS::EC2::Instance" and _on(p.get("DisableApiTermination")):
        found.append("DisableApiTermination")
    if view.type == "AWS::EC2::LaunchTemplate" and _on(
        (p.get("LaunchTemplateData") or {}).get("DisableApiTermination")
    ):
        found.append("DisableApiTermination")
    if view.type == "AWS::ElasticLoadBalancingV2::LoadBalancer":
        for attribute in p.get("LoadBalancerAttributes") or []:
            if attribute.get("Key") == "deletion_protection.enabled" and _on(
                attribute.get("Value")
            ):
                found.append("deletion_protection.enabled")
    if view.type == "AWS::Backup::BackupVault":
        found.append("BackupVault")
    return found or Compliance.COMPLIANT


RULE = CourseRule(
    name="NothingBlocksDeletion",
    info=(
        "Something would stop `cdk destroy`: deletion or termination protection, or an AWS "
        "Backup vault (a vault that holds recovery points cannot be deleted)."
    ),
    fix=(
        "leave deletion_protection, termination_protection and disable_api_termination off in a "
        "lab; back up with RDS automated backups (deleted with the instance) or "
        "week5.constructs.ScheduledSnapshots (swept on delete) rather than a Backup vault. The "
        "finding in [] names the setting."
    ),
    check=check,
)
