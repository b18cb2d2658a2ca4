"""CDK's own custom-resource providers, made to leave nothing behind.

Providers such as S3's auto-delete are stack-level singletons (ids starting ``Custom::``) built
from raw ``CfnResource``s. Their Lambda function logs to ``/aws/lambda/<name>``, a group Lambda
creates on the first call, outside the stack; the auto-delete provider's last call comes while
the stack is being deleted, so that group would outlive it. Here each provider function gets a
log group of the stack instead, and CloudFormation deletes that group after the function.
"""

from __future__ import annotations

from aws_cdk import CfnResource, RemovalPolicy, Stack, TagManager
from aws_cdk import aws_logs as logs

from week5.synth.tagging import PROVIDER_ID_PREFIX

#: Enough to read why a lab's bucket did not empty; deleted with the stack anyway.
PROVIDER_LOG_RETENTION = logs.RetentionDays.ONE_WEEK
PROVIDER_LOG_GROUP_ID = "Logs"


def give_provider_functions_log_groups(stack: Stack) -> int:
    """Point each provider function of ``stack`` at a log group the stack deletes.

    Idempotent; returns how many functions it changed this call.
    """
    changed = 0
    for provider in stack.node.children:
        if not provider.node.id.startswith(PROVIDER_ID_PREFIX):
            continue
        if provider.node.try_find_child(PROVIDER_LOG_GROUP_ID) is not None:
            continue
        for resource in provider.node.children:
            # Raw CfnResources only: an L2 Function under a ``Custom::`` id (BucketDeployment's
            # singleton) takes its log group as a prop.
            if (
                CfnResource.is_cfn_resource(resource)
                and resource.cfn_resource_type == "AWS::Lambda::Function"
                and not TagManager.is_taggable(resource)
            ):
                group = logs.LogGroup(
                    provider,
                    PROVIDER_LOG_GROUP_ID,
                    retention=PROVIDER_LOG_RETENTION,
                    removal_policy=RemovalPolicy.DESTROY,
                )
                # The Ref makes the function depend on the group: deleted after the last call.
                resource.add_property_override("LoggingConfig.LogGroup", group.log_group_name)
                changed += 1
    return changed
