"""CDK's own custom-resource providers, made to leave nothing behind.

Providers such as S3's auto-delete are stack-level singletons (ids starting ``Custom::``) built
from raw ``CfnResource``s. Their Lambda function logs to ``/aws/lambda/<name>``, a group Lambda
creates on the first call, outside the stack; the auto-delete provider's last call comes while
the stack is being deleted, so that group would outlive it. Here each provider function gets a
log group of the stack instead, and CloudFormation deletes that group after the function.
"""

from __future__ import annotations

from typing import Optional, Sequence

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_logs as logs

from week5.synth.tagging import Provider, providers_of

#: Enough to read why a lab's bucket did not empty; deleted with the stack anyway.
PROVIDER_LOG_RETENTION = logs.RetentionDays.ONE_WEEK
PROVIDER_LOG_GROUP_ID = "Logs"


def give_provider_functions_log_groups(
    stack: Stack, providers: Optional[Sequence[Provider]] = None
) -> int:
    """Point each provider function of ``stack`` at a log group the stack deletes.

    ``providers``: :func:`week5.synth.tagging.providers_of` the stack, when the caller has it
    already. Idempotent; returns how many functions it changed this call.
    """
    changed = 0
    for found in providers_of(stack) if providers is None else providers:
        provider = found.construct
        # Raw CfnResources only: an L2 Function under a ``Custom::`` id (BucketDeployment's
        # singleton) takes its log group as a prop.
        functions = [r for r, rtype in found.raw_resources if rtype == "AWS::Lambda::Function"]
        if not functions or provider.node.try_find_child(PROVIDER_LOG_GROUP_ID) is not None:
            continue
        # One group for the provider's functions (one id: a second would be a duplicate).
        group = logs.LogGroup(
            provider,
            PROVIDER_LOG_GROUP_ID,
            retention=PROVIDER_LOG_RETENTION,
            removal_policy=RemovalPolicy.DESTROY,
        )
        for resource in functions:
            # The Ref makes the function depend on the group: deleted after the last call.
            resource.add_property_override("LoggingConfig.LogGroup", group.log_group_name)
            changed += 1
    return changed
