"""Week5-BucketsEmptyThemselves: every bucket is emptied by the stack before it is deleted."""

from __future__ import annotations

from typing import Any

from week5.analysis.rules.base import Compliance, CourseRule, ResourceView, ref_target

#: The custom resource CDK adds for ``auto_delete_objects=True``.
AUTO_DELETE_TYPE = "Custom::S3AutoDeleteObjects"


def check(view: ResourceView) -> Any:
    for cleaner in view.others(AUTO_DELETE_TYPE).values():
        if ref_target((cleaner.get("Properties") or {}).get("BucketName")) == view.logical_id:
            return Compliance.COMPLIANT
    return Compliance.NON_COMPLIANT


RULE = CourseRule(
    name="BucketsEmptyThemselves",
    info=(
        "A bucket has nothing that empties it: CloudFormation cannot delete a bucket that holds "
        "objects, so `cdk destroy` fails and the bucket keeps billing."
    ),
    fix="create it with removal_policy=RemovalPolicy.DESTROY and auto_delete_objects=True",
    check=check,
    resource_types=frozenset({"AWS::S3::Bucket"}),
)
