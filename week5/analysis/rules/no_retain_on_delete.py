"""Week5-NoRetainOnDelete: nothing is retained or snapshotted when the stack is deleted."""

from __future__ import annotations

from typing import Any, List

from week5.analysis.rules.base import Compliance, CourseRule, ResourceView

_KEEPING = ("Retain", "RetainExceptOnCreate", "Snapshot")
#: CloudFormation snapshots these on delete when no DeletionPolicy is written.
_SNAPSHOT_BY_DEFAULT = ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster")


def check(view: ResourceView) -> Any:
    found: List[str] = []
    for key in ("DeletionPolicy", "UpdateReplacePolicy"):
        policy = view.resource.get(key)
        if policy is None and key == "DeletionPolicy" and view.type in _SNAPSHOT_BY_DEFAULT:
            if view.type == "AWS::RDS::DBCluster" or "DBClusterIdentifier" not in view.properties:
                policy = "Snapshot"
        if policy in _KEEPING:
            found.append(f"{key}:{policy}")
    if (
        view.type == "AWS::RDS::DBInstance"
        and view.properties.get("DeleteAutomatedBackups") is False
    ):
        found.append("DeleteAutomatedBackups:false")
    return found or Compliance.COMPLIANT


RULE = CourseRule(
    name="NoRetainOnDelete",
    info=(
        "A resource would be kept (Retain) or snapshotted (Snapshot) by `cdk destroy`, and "
        "bill after the lab (an RDS instance with no DeletionPolicy is snapshotted)."
    ),
    fix=(
        "pass removal_policy=RemovalPolicy.DESTROY (and delete_automated_backups=True for RDS); "
        "the lab's data is disposable. The finding in [] is the policy."
    ),
    check=check,
)
