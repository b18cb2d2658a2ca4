"""The day's CloudFormation stacks: each is deleted as a whole, and what it created (tagged
``aws:cloudformation:stack-name`` or listed among its resources) goes with it, never one by one
under CloudFormation's feet.

A stack is the day's when the stack itself carries the day's tags, or when it carries no course
tags at all and holds resources tagged for the day (the course's own stacks tag their resources,
not the stack) and none known to be tagged for another day or student.
"""

from __future__ import annotations

from typing import Any, Dict, List, Set, Tuple

from week5.analysis import pricing
from week5.analysis.assembly import tag_dict
from week5.core.tags import WEEK_KEY
from week5.operations.cleanup.scope import Found, NotDeleted, NotYet, Scope, error_code

#: Stacks in these states are gone or going already.
_GOING = ("DELETE_COMPLETE", "DELETE_IN_PROGRESS")
KIND = "CloudFormation stack"
#: The code of a found stack that is gone when the run comes to delete it (CloudFormation's
#: own answer, ValidationError, says many things).
GONE_CODE = "StackNotFound"


def all_stacks(scope: Scope) -> Dict[str, Dict[str, Any]]:
    """Name → description of every stack of the region that still exists (a retained
    resource keeps the tag of a stack that is gone: it is then on its own)."""
    return scope.cached(
        "stacks",
        lambda: {
            s["StackName"]: s
            for s in scope.each("cloudformation", "describe_stacks", "Stacks")
            if s.get("StackStatus") != "DELETE_COMPLETE"
        },
    )


def course_tagged(stack: Dict[str, Any]) -> bool:
    """Whether the stack itself carries course tags (anyone's)."""
    return WEEK_KEY in tag_dict(stack.get("Tags"))


def stacks(scope: Scope) -> List[Found]:
    """The root stacks tagged for the day (a nested stack goes with its root)."""
    return [
        stack_found(scope, stack)
        for stack in all_stacks(scope).values()
        if stack.get("StackStatus") not in _GOING
        and not stack.get("ParentId")
        and scope.ours(stack.get("Tags"))
    ]


def stack_found(scope: Scope, stack: Dict[str, Any]) -> Found:
    return Found(
        KIND,
        stack["StackName"],
        hourly=0.0,  # what it holds is added by the finder
        delete=lambda s=stack["StackId"]: _delete_stack(scope, s),
        refs=(stack["StackId"],),
    )


def resources(scope: Scope) -> Dict[str, Tuple[str, str]]:
    """Physical id → (root stack name, resource type), for every resource of every stack in
    the region (not only the day's: a tagged resource of someone else's stack is left to that
    stack)."""

    def read() -> Dict[str, Tuple[str, str]]:
        stacks_by_name = all_stacks(scope)
        by_id = {s["StackId"]: name for name, s in stacks_by_name.items()}
        owned: Dict[str, Tuple[str, str]] = {}
        for name, stack in stacks_by_name.items():
            root = by_id.get(stack.get("RootId") or "", name)
            for resource in scope.each(
                "cloudformation",
                "list_stack_resources",
                "StackResourceSummaries",
                StackName=stack["StackId"],
            ):
                if resource.get("PhysicalResourceId"):
                    owned[resource["PhysicalResourceId"]] = (root, resource["ResourceType"])
        return owned

    return scope.cached("stack-resources", read)


def members(scope: Scope) -> Dict[str, str]:
    """Physical id → root stack name (:func:`resources`)."""
    return {physical: root for physical, (root, _) in resources(scope).items()}


#: The billed types some finder looks for by the day's tags (FINDERS in finder.py); a stack's
#: other billed types (CloudWatch alarms and dashboards) are not looked for: they go with it.
LOOKED_FOR = frozenset(
    {
        "AWS::AutoScaling::AutoScalingGroup",
        "AWS::CloudFront::Distribution",
        "AWS::EC2::EIP",
        "AWS::EC2::Instance",
        "AWS::EC2::NatGateway",
        "AWS::EC2::Volume",
        "AWS::EFS::FileSystem",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "AWS::RDS::DBInstance",
        "AWS::S3::Bucket",
        "AWS::SecretsManager::Secret",
        "AWS::WAFv2::WebACL",
    }
)


def unfound(scope: Scope, stack: str, found_refs: Set[str]) -> Tuple[List[str], List[str]]:
    """The types of ``stack``'s resources that may bill by the hour (not free or billed by use,
    as the estimates count them) and that no finder found, one entry per resource, sorted: (those
    a finder looks for but did not find with the day's tags, as when an emulator drops a
    resource's tags; those no finder looks for). Both go with the stack, unpriced here."""
    missing = sorted(
        kind
        for physical, (root, kind) in resources(scope).items()
        if root == stack
        and physical not in found_refs
        and kind not in pricing.FREE_TYPES
        and kind not in pricing.USAGE_TYPES
        and not kind.startswith(("Custom::", "AWS::CloudFormation::"))
    )
    return (
        [kind for kind in missing if kind in LOOKED_FOR],
        [kind for kind in missing if kind not in LOOKED_FOR],
    )


def _delete_stack(scope: Scope, stack_id: str) -> None:
    """Ask CloudFormation to delete the stack, then report it done only when it is: the
    deleter asks again after each wait while it is still deleting, and a failed deletion is
    requested again (what held it, an instance of the day say, may have gone meanwhile)."""
    cloudformation = scope.client("cloudformation")

    def status() -> Dict[str, Any]:
        try:
            (stack,) = scope.each("cloudformation", "describe_stacks", "Stacks", StackName=stack_id)
        except Exception as error:
            if error_code(error) == "ValidationError":  # no such stack: gone
                return {"StackStatus": "DELETE_COMPLETE"}
            raise
        return stack

    # The stacks this run asked to delete: one deleted without asking is not its deletion.
    asked = scope.cached("stacks-asked", set)

    def done() -> None:
        if stack_id not in asked:
            raise NotDeleted(GONE_CODE, "deleted, but not by this run")

    before = status()
    if before["StackStatus"] == "DELETE_COMPLETE":
        return done()
    if before["StackStatus"] != "DELETE_IN_PROGRESS":  # else someone's deletion: this run's?
        cloudformation.delete_stack(StackName=stack_id)
        asked.add(stack_id)
    after = status()
    if after["StackStatus"] == "DELETE_COMPLETE":
        return done()
    reason = after.get("StackStatusReason") or ""
    raise NotYet(
        f"{after['StackStatus']}" + (f": {reason}" if reason else "") + " (CloudFormation is "
        "deleting it, or failed to; asked again after the next wait)"
    )
