"""A CloudFront-only origin: CloudFront's origin-facing managed prefix list, looked up at deploy
time, and the inbound-rule quota a security group that references it must stay within (checked
by :class:`week5.constructs.alb_ingress.RulesWithinQuota`).
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_logs as logs
from aws_cdk import custom_resources as cr
from constructs import Construct

from week5.synth.nag import acknowledge

#: The AWS-managed prefix list of CloudFront's origin-facing servers (one per region, its id
#: differs per region).
CLOUDFRONT_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing"
#: A rule that references it counts as this many rules against the security group's quota
#: (``INBOUND_RULES_QUOTA``), so a CloudFront-only ALB admits one port with it.
CLOUDFRONT_PREFIX_LIST_WEIGHT = 55
#: EC2's default quota of inbound rules per security group.
INBOUND_RULES_QUOTA = 60
_PREFIX_LIST_LOOKUP_ID = "CloudFrontOriginFacingPrefixList"


def cloudfront_origin_facing_prefix_list(scope: Construct) -> str:
    """The id of CloudFront's origin-facing managed prefix list in ``scope``'s region.

    Its id differs per region (and no CloudFormation resource looks one up), so one custom
    resource per stack calls ``ec2:DescribeManagedPrefixLists`` at deploy time; no context
    lookup at synthesis. Its Lambda logs into a log group of the stack, deleted with it.
    """
    stack = Stack.of(scope)
    lookup = stack.node.try_find_child(_PREFIX_LIST_LOOKUP_ID)
    if lookup is None:
        lookup = Construct(stack, _PREFIX_LIST_LOOKUP_ID)
        log_group = logs.LogGroup(
            lookup,
            "Logs",
            retention=logs.RetentionDays.ONE_WEEK,
            removal_policy=RemovalPolicy.DESTROY,
        )
        call = cr.AwsSdkCall(
            service="EC2",
            action="describeManagedPrefixLists",
            parameters={
                "Filters": [{"Name": "prefix-list-name", "Values": [CLOUDFRONT_PREFIX_LIST]}]
            },
            physical_resource_id=cr.PhysicalResourceId.of(CLOUDFRONT_PREFIX_LIST),
            output_paths=["PrefixLists.0.PrefixListId"],
        )
        cr.AwsCustomResource(
            lookup,
            "Lookup",
            on_create=call,
            on_update=call,
            policy=cr.AwsCustomResourcePolicy.from_sdk_calls(
                resources=cr.AwsCustomResourcePolicy.ANY_RESOURCE
            ),
            install_latest_aws_sdk=False,
            log_group=log_group,
        )
        acknowledge(
            lookup,
            "AwsSolutions-IAM5[Resource::*]",
            "ec2:DescribeManagedPrefixLists takes no resource ARN; the lookup's policy allows "
            "that one read-only call and nothing else.",
        )
        acknowledge(
            # CDK's singleton function of every AwsCustomResource in the stack.
            stack.node.find_child(
                "AWS" + cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace("-", "")
            ),
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]",
            "CDK's AwsCustomResource function logs through AWS's basic Lambda execution policy; "
            "its log group is the stack's and is deleted with it.",
        )
    resource = lookup.node.find_child("Lookup")
    return resource.get_response_field("PrefixLists.0.PrefixListId")
