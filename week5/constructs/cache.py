"""RedisCache: ElastiCache (Redis OSS or Valkey) as a replication group, with the care of an L2.

aws-cdk-lib has no L2 for ElastiCache; this construct validates its props before synthesis,
documents every default, is an ``ec2.IConnectable`` on 6379 and grants access by security group
and AUTH token together (``cache.grant_connect(host)``).
"""

from __future__ import annotations

import re
from typing import List, Optional, Sequence, Union

import jsii
from aws_cdk import Duration, RemovalPolicy, Tags, Token
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticache as elasticache
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from week5.constructs import access
from week5.constructs.hardening import GROUP_NAME_SUFFIX, describe, name_label
from week5.constructs.interfaces import ConnectableGrantable
from week5.constructs.secret import generated_password
from week5.constructs.vpc import private_subnets_of
from week5.constructs.props import (
    refuse_token,
    require_bool,
    require_int,
    require_str,
    require_vpc,
    shown,
)
from week5.core.errors import CourseInputError
from week5.synth.nag import acknowledge_all

#: The course's node type (free-tier class in the plan); cache.t4g.micro is cheaper where ARM is
#: fine. Burstable micro nodes hold about 0.5 GB, plenty for a lab's cache and sessions.
DEFAULT_NODE_TYPE = "cache.t3.micro"
#: Redis OSS, as the course teaches it (Day 3 Session 3). Valkey is its open-source fork, API
#: compatible, and about 20 % cheaper per node-hour (cache.t4g.micro: $0.0192 vs $0.024 in Seoul);
#: pass ``engine="valkey"`` to use it.
DEFAULT_ENGINE = "redis"
ENGINE_VERSIONS = {"redis": "7.1", "valkey": "8.0"}
#: The versions ElastiCache creates a replication group of, per engine (the ElastiCache guide's
#: "Supported engines and versions"; ``major.minor``, as it takes them from 6 on). Redis OSS 4 and
#: 5 (4.0.10, 5.0.6) are left out: their standard support ended on 2026-01-31 and they bill
#: Extended Support per node-hour.
OFFERED_VERSIONS = {
    "redis": ("6.0", "6.2", "7.0", "7.1"),
    "valkey": ("7.2", "8.0", "8.1", "8.2", "9.0"),
}
#: The most replicas a shard holds, and the most daily snapshots ElastiCache keeps.
MAX_REPLICAS = 5
MAX_SNAPSHOT_RETENTION_DAYS = 35
REDIS_PORT = 6379

# Node families and the sizes each offers (burstable families stop at medium).
_BURSTABLE_SIZES = ("micro", "small", "medium")
_NODE_TYPE_RE = re.compile(r"^cache\.(?P<family>[a-z]+[0-9][a-z]*)\.(?P<size>[a-z0-9]+)$")
_FAMILIES = {
    "t2": _BURSTABLE_SIZES,
    "t3": _BURSTABLE_SIZES,
    "t4g": _BURSTABLE_SIZES,
    "m5": None,
    "m6g": None,
    "m7g": None,
    "r5": None,
    "r6g": None,
    "r7g": None,
}
_LARGE_SIZE_RE = re.compile(r"^(large|[0-9]*xlarge)$")


def validate_node_type(node_type: Union[str, ec2.InstanceType], where: str) -> str:
    """The node type's name, ``cache.`` and the family and size: a name, or an
    ``ec2.InstanceType`` as every ``instance_type`` prop takes it (``t3.micro`` is
    ``cache.t3.micro``, as RDS's ``db.`` prefix). Refuses node types ElastiCache does not offer
    (e.g. cache.t3.nano, cache.t3.large)."""
    name = node_type
    if isinstance(node_type, ec2.InstanceType):
        name = node_type.to_string()
        name = name if name.startswith("cache.") else "cache." + name
    refuse_token(where, "node_type", name, f"a node type's name, e.g. {DEFAULT_NODE_TYPE!r}")
    match = _NODE_TYPE_RE.match(name) if isinstance(name, str) else None
    if match and match.group("family") in _FAMILIES:
        sizes = _FAMILIES[match.group("family")]
        size = match.group("size")
        if (sizes is None and _LARGE_SIZE_RE.match(size)) or (sizes and size in sizes):
            return name
    said = (
        f"ec2.InstanceType({shown(node_type.to_string())}), {shown(name)},"
        if isinstance(node_type, ec2.InstanceType)
        else shown(node_type)
    )
    raise CourseInputError(
        f"{where}: node_type={said} is not an ElastiCache node type; use e.g. "
        f"{DEFAULT_NODE_TYPE} (the course's) or cache.t4g.micro (cheaper)"
    )


@jsii.implements(ec2.IConnectable)
class RedisCache(Construct):
    """An ElastiCache replication group in private subnets (Day 3 Lab 2).

    :param vpc: the VPC.
    :param subnets: the cache subnet group. @default the VPC's private subnets
    :param node_type: the node class, a name (``cache.t4g.micro``) or an ``ec2.InstanceType``
        (``ec2.InstanceType("t4g.micro")`` is ``cache.t4g.micro``): t2, t3 or t4g micro to
        medium, or m5, m6g, m7g, r5, r6g or r7g large and up. @default ``cache.t3.micro`` (the
        course's)
    :param engine: ``"redis"`` or ``"valkey"``. @default ``"redis"`` (what the course teaches)
    :param engine_version: the engine's version, ``major.minor`` as ElastiCache names it (e.g.
        ``"7.1"``): Redis OSS 6.0 to 7.1, Valkey 7.2 to 9.0; minor updates are applied
        automatically. @default 7.1 for Redis OSS, 8.0 for Valkey
    :param replicas: read replicas beside the primary (0 to 5). @default 0: one node, the cheapest
    :param automatic_failover: promote a replica when the primary fails, across AZs (Multi-AZ).
        Needs ``replicas >= 1`` and subnets in two AZs; the nodes are then placed in the AZs in
        turn, the primary in AZ-A, so at least one replica is in another AZ than the primary.
        @default True when there is a replica
    :param snapshot_retention_days: daily backups kept. @default 0 (a cache is rebuilt from its
        source, and snapshots would outlive nothing: they go with the group)
    :param name: its security group's Name tag is ``<name>-sg`` (the console's Name column:
        students sharing an account tell theirs apart by it). @default the construct path

    Always on: encryption at rest and in transit (TLS), an AUTH token generated into Secrets
    Manager (``auth_secret``), port 6379 admitted only from granted security groups. A cache is
    an ``ec2.IConnectable`` whose default port is 6379: ``cache.grant_connect(consumer)`` admits
    it from a host's or tier's security group and lets its role read the AUTH token.
    Exposes ``replication_group``, ``subnet_group``, ``security_group``, ``connections``,
    ``auth_secret``, ``engine``, ``endpoint``, ``port``, ``port_number``, ``replicas`` and
    ``node_ids``;
    ``metric_across_nodes()`` watches a metric on every node, so an alarm follows the primary's
    role through a failover instead of one node's name.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        subnets: Optional[Sequence[ec2.ISubnet]] = None,
        node_type: Union[str, ec2.InstanceType] = DEFAULT_NODE_TYPE,
        engine: str = DEFAULT_ENGINE,
        engine_version: Optional[str] = None,
        replicas: int = 0,
        automatic_failover: Optional[bool] = None,
        snapshot_retention_days: int = 0,
        name: Optional[str] = None,
    ) -> None:
        super().__init__(scope, construct_id)
        node_path = self.node.path
        where = f"RedisCache {node_path}"
        require_vpc(where, vpc)
        require_str(where, "name", name, optional=True)
        name_tag = name_label(where, name, node_path)
        require_int(where, "replicas", replicas)
        if automatic_failover is not None:
            require_bool(where, "automatic_failover", automatic_failover)
        require_int(where, "snapshot_retention_days", snapshot_retention_days)
        require_str(where, "engine", engine)
        require_str(where, "engine_version", engine_version, optional=True)
        subnets = private_subnets_of(vpc, subnets, where)
        node_type = validate_node_type(node_type, where)
        if engine not in ENGINE_VERSIONS:
            raise CourseInputError(
                f"{where}: engine={engine!r}; use 'redis' (the course's) or 'valkey' (cheaper)"
            )
        # A deploy-time version (a CfnParameter's) is CloudFormation's to check.
        if (
            engine_version is not None
            and not Token.is_unresolved(engine_version)
            and engine_version not in OFFERED_VERSIONS[engine]
        ):
            raise CourseInputError(
                f"{where}: engine_version={engine_version!r} is not a version ElastiCache "
                f"offers for {engine}; use one of {', '.join(OFFERED_VERSIONS[engine])}, or "
                f"leave it out for {ENGINE_VERSIONS[engine]}"
            )
        if not 0 <= replicas <= MAX_REPLICAS:
            raise CourseInputError(
                f"{where}: replicas={replicas}; a shard holds 0 to {MAX_REPLICAS} replicas"
            )
        if automatic_failover is None:
            automatic_failover = replicas > 0
        if automatic_failover and replicas == 0:
            raise CourseInputError(
                f"{where}: automatic_failover needs a replica to promote; pass replicas=1"
            )
        azs = list(dict.fromkeys(s.availability_zone for s in subnets))  # AZ-A first
        if automatic_failover and len(azs) < 2:
            raise CourseInputError(
                f"{where}: automatic failover (Multi-AZ) needs subnets in two AZs, got {len(azs)}"
            )
        if not 0 <= snapshot_retention_days <= MAX_SNAPSHOT_RETENTION_DAYS:
            raise CourseInputError(
                f"{where}: snapshot_retention_days={snapshot_retention_days}; 0 to "
                f"{MAX_SNAPSHOT_RETENTION_DAYS}"
            )

        #: The cache's security group: 6379 from granted groups only.
        self.security_group: ec2.SecurityGroup = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description=describe(node_path, f"Redis {REDIS_PORT} from granted groups only"),
            allow_all_outbound=False,  # a cache starts no connections
        )
        Tags.of(self.security_group).add("Name", f"{name_tag}{GROUP_NAME_SUFFIX}")
        self._connections = ec2.Connections(
            security_groups=[self.security_group], default_port=ec2.Port.tcp(REDIS_PORT)
        )
        #: The cache subnet group: the private subnets the nodes are placed in.
        self.subnet_group: elasticache.CfnSubnetGroup = elasticache.CfnSubnetGroup(
            self,
            "SubnetGroup",
            description=describe(node_path, "private subnets"),
            subnet_ids=[s.subnet_id for s in subnets],
        )
        #: The AUTH token clients send (TLS only), generated into Secrets Manager.
        self.auth_secret: secretsmanager.Secret = generated_password(
            self, "AuthToken", description=f"{node_path}: Redis AUTH token"
        )
        #: The ElastiCache replication group (one shard: a primary and ``replicas``).
        self.replication_group: elasticache.CfnReplicationGroup = (
            elasticache.CfnReplicationGroup(
                self,
                "ReplicationGroup",
                replication_group_description=describe(node_path, "lab cache"),
                engine=engine,
                engine_version=(
                    ENGINE_VERSIONS[engine] if engine_version is None else engine_version
                ),
                cache_node_type=node_type,
                num_cache_clusters=1 + replicas,
                # The primary in the first AZ, the replicas in turn across the others: left to
                # ElastiCache, a replica may share the primary's AZ and die with it.
                preferred_cache_cluster_a_zs=_spread(azs, 1 + replicas)
                if automatic_failover
                else None,
                automatic_failover_enabled=automatic_failover,
                multi_az_enabled=automatic_failover,
                cache_subnet_group_name=self.subnet_group.ref,
                security_group_ids=[self.security_group.security_group_id],
                port=REDIS_PORT,
                at_rest_encryption_enabled=True,
                transit_encryption_enabled=True,
                auth_token=self.auth_secret.secret_value.unsafe_unwrap(),  # a dynamic reference
                snapshot_retention_limit=snapshot_retention_days,
                auto_minor_version_upgrade=True,
            )
        )
        self.replication_group.apply_removal_policy(RemovalPolicy.DESTROY)
        #: The primary endpoint's host name.
        self.endpoint: str = self.replication_group.attr_primary_end_point_address
        #: The engine, ``"redis"`` or ``"valkey"`` (an output's or a guide's wording follows it).
        self.engine: str = engine
        #: The port clients connect on: 6379, fixed at synthesis (the group is created on it),
        #: so a plain int, usable in a boot script or an output as it is.
        self.port: int = REDIS_PORT
        #: The same port, by the name a ``LabDatabase`` gives its int port, so that code that
        #: takes either store (``ec2.Port.tcp(store.port_number)``) reads one attribute.
        self.port_number: int = REDIS_PORT
        #: How many read replicas run beside the primary.
        self.replicas: int = replicas
        #: The member clusters' ids, ``<group id>-001`` and on (ElastiCache's naming). Which one
        #: is the primary changes with every failover; the ids do not.
        self.node_ids: List[str] = [
            f"{self.replication_group.ref}-{index:03d}" for index in range(1, 2 + replicas)
        ]

        reasons = {
            "AwsSolutions-AEC5": "6379 is the port every Redis client and the course's steps "
            "use; a non-default port is obscurity, and the security group admits granted groups "
            "only.",
        }
        if not automatic_failover:
            reasons["AwsSolutions-AEC4"] = (
                "One node, no Multi-AZ: a lab cache is rebuilt from its source; a replica would "
                "double the node-hours. Pass replicas=1 where the lab teaches failover."
            )
        acknowledge_all(self.replication_group, reasons)

    def metric_across_nodes(
        self,
        metric_name: str,
        *,
        period: Duration = Duration.minutes(5),
        statistic: str = "Maximum",
    ) -> cloudwatch.IMetric:
        """An ``AWS/ElastiCache`` node metric (``DatabaseMemoryUsagePercentage``, ...) at its
        highest across every node of the group, as one series for an alarm.

        ElastiCache publishes node metrics per member cluster (``CacheClusterId``); after a
        failover the primary is another member, so an alarm on ``-001`` would watch a replica.
        The highest figure over all members is the primary's whichever member holds the role
        (a replica holds the same keys).
        """
        nodes = {
            f"n{index}": cloudwatch.Metric(
                namespace="AWS/ElastiCache",
                metric_name=metric_name,
                dimensions_map={"CacheClusterId": node_id},
                period=period,
                statistic=statistic,
            )
            for index, node_id in enumerate(self.node_ids, start=1)
        }
        return cloudwatch.MathExpression(
            expression=f"MAX([{', '.join(nodes)}])",
            using_metrics=nodes,
            label=f"{metric_name}, highest node",
            period=period,
        )

    @property
    def connections(self) -> ec2.Connections:
        """The cache's security group, default port 6379 (``ec2.IConnectable``)."""
        return self._connections

    def grant_connect(self, consumer: ConnectableGrantable) -> iam.Grant:
        """Let ``consumer`` (a host or tier) use the cache: admit 6379 from its security groups
        only, and let its role read ``auth_secret``; the grant of that read is returned.

        To open the port alone (a consumer with no role), use
        ``connections.allow_default_port_from(peer, description)``.
        """
        return access.grant_connect(
            self._connections,
            consumer,
            grant=self.auth_secret.grant_read,
            description="Redis from a granted security group",
            where=f"RedisCache {self.node.path}",
        )


def _spread(azs: Sequence[str], nodes: int) -> Optional[List[str]]:
    """``nodes`` AZs, the primary's first, taking ``azs`` in turn; None when an AZ is known
    only at deploy time (an imported VPC's token), where ElastiCache must choose."""
    if any(Token.is_unresolved(az) for az in azs):
        return None
    return [azs[index % len(azs)] for index in range(nodes)]
