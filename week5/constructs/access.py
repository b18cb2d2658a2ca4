"""Access between the course's constructs, the CDK way.

Every networked construct is an ``ec2.IConnectable`` (``connections``, with its default port
where it has one); hosts and tiers are also ``iam.IGrantable`` (``grant_principal`` is their
role). A data store's ``grant_connect(consumer)`` gives a consumer everything it needs to use
the store, through this module: the store's port from the consumer's security groups only
(never a CIDR), and the IAM permission it logs in with (read access to a database's or cache's
secret, an EFS file system's client actions).

S3 access is granted as narrowly as the diagram's arrow: :func:`grant_put_only` (write under one
prefix, never read or delete) and :func:`grant_asset_read` (one uploaded asset's object).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from aws_cdk import Stack, Token, Tokenization
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct

from week5.constructs.interfaces import ConnectableGrantable
from week5.core.errors import CourseInputError
from week5.synth.nag import acknowledge, nag_arn

if TYPE_CHECKING:  # annotations only: a lab without S3 need not load its jsii modules
    from aws_cdk import aws_s3 as s3
    from aws_cdk import aws_s3_assets as s3_assets


def grant_connect(
    connections: ec2.Connections,
    consumer: ConnectableGrantable,
    *,
    grant: Callable[[iam.IGrantable], iam.Grant],
    description: str,
    where: str,
) -> iam.Grant:
    """Admit ``connections``' default port from ``consumer`` and give its role ``grant``
    (e.g. ``secret.grant_read``); see :func:`admit_default_port` for the rules."""
    require_consumer(
        where, "consumer", consumer, "the port alone, use connections.allow_default_port_from(peer)"
    )
    # The consumer's own Connections and role, not the consumer: Node asks a construct written
    # in Python for them with a call back into Python each time it needs them (four times a
    # grant), and answers these itself.
    consumer_connections = consumer.connections
    require_same_vpc(where, connections, consumer_connections, "consumer")
    admit_default_port(connections, consumer_connections, description)
    return grant(consumer.grant_principal)


def admit_default_port(
    connections: ec2.Connections, consumer: ec2.Connections, description: str
) -> None:
    """Admit ``connections``' default port from ``consumer``'s security groups.

    In one stack: ``connections.allow_default_port_from(consumer)``, as ever (the labs'
    templates). Across stacks, both rules go into the consumer's stack, beside its role's
    grant, which names the store (its secret, its ALB): ``allow_default_port_from`` would put
    the ingress rule, which names the consumer's group, into the store's stack, and CDK would
    refuse the app with a DependencyCycle. The consumer's stack then depends on the store's,
    never the other way round. (``consumer.allow_to_default_port`` places them so too, but
    warns on every consumer that allows all outbound, as hosts and tiers do.) Across stacks the
    rules are made for the security groups both sides have when it is called: a group added
    later (``alb.add_security_group``) gets none, where in one stack CDK adds it.
    """
    groups, peers = connections.security_groups, consumer.security_groups
    port = connections.default_port
    if port is None or len({Stack.of(g).node.path for g in [*groups, *peers]}) == 1:
        connections.allow_default_port_from(consumer, description)
        return
    for group in groups:
        for peer in peers:
            # A remote rule: CDK puts it into the peer's stack when the stacks differ.
            group.add_ingress_rule(peer, port, description, True)
    for peer in peers:
        if not peer.allow_all_outbound:  # an egress rule would be ignored, with a warning
            for group in groups:
                peer.add_egress_rule(group, port, description)


def require_same_vpc(
    where: str, connections: ec2.Connections, peer: ec2.Connections, kind: str
) -> None:
    """Refuse a ``kind`` (consumer, caller) whose security groups are in another VPC than
    ``connections``': a rule names groups of its own VPC only (or of a peered VPC), so EC2 would
    fail the deploy. Compared only where both VPCs are known at synthesis: both made in the app
    (by construct path) or both imported by id."""
    ours, theirs = _vpcs_of(connections), _vpcs_of(peer)
    for kind_of_key in ("path", "id"):
        mine = {label for key, label in ours if key == kind_of_key}
        other = {label for key, label in theirs if key == kind_of_key}
        if mine and other and not mine & other:
            raise CourseInputError(
                f"{where}: grant_connect's {kind} is in VPC {', '.join(sorted(other))}, this "
                f"in VPC {', '.join(sorted(mine))}; a rule names security groups of its own VPC "
                "(or of a peered one: then open the port from the consumer's side, "
                "consumer.connections.allow_to_default_port(store), which keeps the rules in "
                "its stack): build both with the same vpc=, e.g. vpc=network.vpc"
            )


def _vpcs_of(connections: ec2.Connections) -> set:
    """``("path", <VPC construct path>)`` or ``("id", <vpc id>)`` for each security group of
    ``connections`` whose VPC is known at synthesis (an imported group's is not)."""
    found = set()
    for group in connections.security_groups:
        resource = group.node.default_child
        vpc_id = getattr(resource, "vpc_id", None)
        if not isinstance(vpc_id, str):
            continue
        if not Token.is_unresolved(vpc_id):
            found.add(("id", vpc_id))
            continue
        # A VPC of the app: its id is a reference to its CfnVPC (``<vpc path>/Resource``). Any
        # other target (an SSM parameter each stack reads the VPC id from) says nothing.
        target = getattr(Tokenization.reverse_string(vpc_id).first_token, "target", None)
        if isinstance(target, ec2.CfnVPC):
            path = target.node.path
            found.add(("path", path[: -len("/Resource")] if path.endswith("/Resource") else path))
    return found


def require_consumer(where: str, kind: str, consumer: object, alone: str) -> None:
    """A consumer with both a security group (``connections``) and a role (``grant_principal``):
    any ``ec2.IConnectable`` that is an ``iam.IGrantable`` (an ``ec2.Instance``, a Lambda
    function in a VPC, the course's hosts and tiers). A role alone, or a security group alone,
    is named here, not met later as an AttributeError."""
    if not (_has(consumer, "connections") and _has(consumer, "grant_principal")):
        raise CourseInputError(
            f"{where}: grant_connect needs a {kind} with a role and a security group, a "
            "connectable and grantable construct (e.g. a LabHost, HaWebTier, ec2.Instance or "
            f"lambda.Function in the VPC), got {type(consumer).__name__}; to open {alone}"
        )


def _has(consumer: object, attribute: str) -> bool:
    """Whether ``consumer`` answers ``attribute``: a Lambda function outside a VPC raises
    (not an AttributeError) when asked for its ``connections``."""
    try:
        getattr(consumer, attribute)
    except Exception:  # noqa: BLE001 - jsii's errors are not AttributeErrors
        return False
    return True


def grant_put_only(
    bucket: s3.IBucket,
    grantee: iam.IGrantable,
    prefix: str,
    *,
    reason: str,
    list_bucket: bool = False,
) -> iam.Grant:
    """Let ``grantee`` put objects under ``prefix`` of ``bucket``, and nothing else: no read,
    no delete (an archive the writer must not rewrite, images a host copies out).

    Statements, not ``bucket.grant_put``: that adds tagging, retention, legal-hold and abort
    actions a writer of new objects never uses. The object keys under ``prefix`` are not known
    in advance, so the ``<prefix>*`` wildcard is acknowledged (cdk-nag's AwsSolutions-IAM5) on
    the grantee's role with ``reason``.

    :param prefix: the key prefix, e.g. ``transfers/``; no leading ``/``.
    :param reason: why the writer's keys cannot be listed in advance (the trade-off).
    :param list_bucket: also ``s3:ListBucket`` on the bucket, for ``aws s3 sync``, which lists
        the target before it puts. @default ``False``
    :returns: the grant of ``s3:PutObject``.
    """
    if not prefix or prefix.startswith("/") or "*" in prefix:
        raise CourseInputError(
            f"grant_put_only on {bucket.node.path}: prefix={prefix!r} must be a plain key prefix "
            "such as 'transfers/' (not empty, which would grant every key; no leading / or *)"
        )
    # The role itself, not the grantee: Node would call back into Python for it each use.
    principal = grantee.grant_principal
    if list_bucket:
        iam.Grant.add_to_principal(
            grantee=principal, actions=["s3:ListBucket"], resource_arns=[bucket.bucket_arn]
        )
    objects = bucket.arn_for_objects(f"{prefix}*")
    grant = iam.Grant.add_to_principal(
        grantee=principal, actions=["s3:PutObject"], resource_arns=[objects]
    )
    if isinstance(principal, Construct):
        # The ARN the policy holds, as cdk-nag names it: a bucket of the stack or imported.
        acknowledge(principal, f"AwsSolutions-IAM5[Resource::{nag_arn(bucket, objects)}]", reason)
    return grant


def grant_asset_read(asset: s3_assets.Asset, reader: iam.IGrantable) -> iam.Grant:
    """``s3:GetObject`` on the asset's one object (what ``cdk deploy`` uploaded), nothing else of
    CDK's asset bucket: a host that downloads its app at boot reads no other stack's files."""
    return iam.Grant.add_to_principal(
        grantee=reader,
        actions=["s3:GetObject"],
        resource_arns=[
            Stack.of(asset).format_arn(
                service="s3",
                region="",
                account="",
                resource=asset.s3_bucket_name,
                resource_name=asset.s3_object_key,
            )
        ],
    )
