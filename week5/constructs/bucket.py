"""private_bucket: the course's lab bucket, shared by Day 3's archive and Day 4's media bucket (a
StaticSite path's, with ``bucket_behavior``). StaticSite builds its own bucket, public in
``website_mode``, and wires the provider log groups at once: its labs' templates were written so
(``LoggingConfig`` before the course tags, and ``publicReadAccess`` in CDK's analytics)."""

from __future__ import annotations

from typing import Optional, Sequence

import jsii
from aws_cdk import Aspects, IAspect, RemovalPolicy, Stack
from aws_cdk import aws_s3 as s3
from constructs import Construct, IConstruct

from week5.synth.nag import acknowledge
from week5.synth.providers import give_provider_functions_log_groups

#: Why a lab bucket has no server access logs, unless the caller names its own reason.
NO_ACCESS_LOGS_REASON = (
    "Server access logs need a log bucket that outlives the stack (and bills after the "
    "lab); CloudFront's request metrics cover the lab's questions."
)
#: CDK's stack-level provider behind ``auto_delete_objects`` (one per stack).
AUTO_DELETE_PROVIDER_ID = "Custom::S3AutoDeleteObjectsCustomResourceProvider"


def private_bucket(
    scope: Construct,
    construct_id: str,
    *,
    lifecycle_rules: Optional[Sequence[s3.LifecycleRule]] = None,
    transition_default_minimum_object_size: Optional[
        s3.TransitionDefaultMinimumObjectSize
    ] = None,
    access_logs_reason: str = NO_ACCESS_LOGS_REASON,
) -> s3.Bucket:
    """A lab bucket: private, SSE-S3, SSL only, emptied and deleted by ``cdk destroy``.

    :param lifecycle_rules: e.g. a move to Glacier after 30 days (Day 3's archive).
        @default none
    :param transition_default_minimum_object_size: which objects ``lifecycle_rules`` may move
        to another storage class: ``VARIES_BY_STORAGE_CLASS`` lets objects under 128 KB go too
        (Day 3's archive, whose records are about 150 bytes). @default S3's own
        (``ALL_STORAGE_CLASSES_128K`` since September 2024: no object under 128 KB moves)
    :param access_logs_reason: why the bucket keeps no server access logs (cdk-nag's
        AwsSolutions-S1), in the words of what the bucket holds. @default a site bucket's

    The function that empties the bucket logs to a log group of the stack, deleted with it
    (:func:`week5.synth.providers.give_provider_functions_log_groups`), wired at synthesis.
    """
    bucket = s3.Bucket(
        scope,
        construct_id,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        lifecycle_rules=list(lifecycle_rules) if lifecycle_rules else None,
        transition_default_minimum_object_size=transition_default_minimum_object_size,
        removal_policy=RemovalPolicy.DESTROY,
        auto_delete_objects=True,
    )
    _give_provider_log_group_at_synthesis(Stack.of(bucket))
    acknowledge_no_access_logs(bucket, access_logs_reason)
    return bucket


def acknowledge_no_access_logs(bucket: s3.IBucket, reason: str = NO_ACCESS_LOGS_REASON) -> None:
    """Acknowledge cdk-nag's AwsSolutions-S1 (no server access logs) on ``bucket``."""
    acknowledge(bucket, "AwsSolutions-S1", reason)


@jsii.implements(IAspect)
class _ProviderLogGroups:
    """Gives the stack's provider functions their log groups when synthesis visits the
    auto-delete provider: after the stack is built, so an app that wires them itself (the
    course's app builder, after tagging) finds it done and the template is its own."""

    def visit(self, node: IConstruct) -> None:
        # Visited: the provider, then its children; only the provider acts.
        if node.node.id == AUTO_DELETE_PROVIDER_ID:
            give_provider_functions_log_groups(Stack.of(node))


def _give_provider_log_group_at_synthesis(stack: Stack) -> None:
    provider = stack.node.try_find_child(AUTO_DELETE_PROVIDER_ID)
    if provider is None:
        return
    aspects = Aspects.of(provider)
    if not any(isinstance(aspect, _ProviderLogGroups) for aspect in aspects.all):
        aspects.add(_ProviderLogGroups())
