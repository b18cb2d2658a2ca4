"""The course day's resources outside EC2, each with how to delete it: Auto Scaling groups, RDS
instances, clusters (Aurora) and snapshots, ElastiCache groups, serverless caches, clusters
outside a group and manual snapshots (backups taken by hand), load balancers and target
groups, S3 buckets (emptied first) and CloudFront distributions (disabled first, their web ACL
taken off). One whose deletion protection is on (an RDS instance or
cluster, a load balancer) is left, with what waits on it, and the command that turns it off:
this never does.

A resource deleted between the list call and a read about it (its tags) is simply not there
any more: it is skipped, and the rest is read on (:func:`~.scope.vanished`)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, Dict, List, Optional, Sequence, Tuple

from week5.operations.aws_errors import aws_endpoint, endpoint_host, unsupported
from week5.operations.cleanup.ties import (
    Relations,
    auto_scaling_groups_all,
    network,
    protected,
)
from week5.operations.cleanup.scope import (
    Found,
    NotDeleted,
    Scope,
    error_code,
    join_ids,
    tagged,
    unless_vanished,
    vanished,
)

#: An RDS instance or ElastiCache group in these states is already going: not ours to count.
_GOING = ("deleting", "deleted")


def auto_scaling_groups(scope: Scope) -> List[Found]:
    client = scope.client("autoscaling")
    net = network(scope)
    found = []
    for group in auto_scaling_groups_all(scope):
        if group.get("Status") == "Delete in progress" or not scope.ours(group.get("Tags")):
            continue
        name = group["AutoScalingGroupName"]
        rel = Relations(scope)
        for i in group.get("Instances", []):
            instance_id = i["InstanceId"]
            if instance_id in net.instances and not scope.ours(
                net.instances[instance_id].get("Tags")
            ):
                rel.tie(
                    f"instance {instance_id}",
                    "is in it (deleting the group would terminate it)",
                    instance_id,
                )
        target_tags = _elbv2_tags(scope, group.get("TargetGroupARNs", []))
        for arn in group.get("TargetGroupARNs", []):
            if arn in _elbv2_gone(scope):
                continue  # deleted since: nothing to deregister
            if not scope.ours(target_tags.get(arn)):
                rel.tie(
                    f"target group {_short_arn(arn)}",
                    "has its instances registered (deleting the group would deregister them)",
                    arn,
                )
        found.append(
            Found(
                "Auto Scaling group",
                name,
                hourly=0.0,  # its instances are listed, and priced, as instances
                delete=lambda n=name: client.delete_auto_scaling_group(
                    AutoScalingGroupName=n, ForceDelete=True
                ),
                **rel.fields(),
                **tagged(group.get("Tags")),
                refs=(group.get("AutoScalingGroupARN", ""),),
            )
        )
    return found


def _db_instances_all(scope: Scope) -> List[Dict[str, Any]]:
    return scope.cached(
        "db-instances", lambda: list(scope.each("rds", "describe_db_instances", "DBInstances"))
    )


def _db_clusters_all(scope: Scope) -> Dict[str, Dict[str, Any]]:
    """Every RDS DB cluster (Aurora's) of the region, by its identifier."""
    return scope.cached(
        "db-clusters",
        lambda: {
            c["DBClusterIdentifier"]: c
            for c in scope.each("rds", "describe_db_clusters", "DBClusters")
        },
    )


#: Why an RDS cluster with deletion protection on is left: this never turns it off.
_PROTECTED = (
    "deletion protection is on, so AWS would refuse to delete it; this leaves it (and its "
    "instances) as it is: turn the protection off (`aws rds modify-db-cluster "
    "--db-cluster-identifier {0} --no-deletion-protection --apply-immediately`) if it is to go, "
    "then run this again"
)


#: The price-table key of an RDS instance's storage, by its StorageType, per GB-month; the key
#: then takes ``:single-az`` or ``:multi-az`` (a Multi-AZ instance's standby has its own copy),
#: as `week5 cost` prices a template's AWS::RDS::DBInstance. gp2 takes gp3's key: AWS's RDS
#: price list gives General Purpose storage, gp2 or gp3, one rate per GB-month (the table
#: holds gp3's, the course's type). Another type (io1, io2, magnetic) has no price in the
#: table: the instance is "not priced", never its class alone.
_DB_STORAGE_KEYS = {"gp3": "rds-gp3", "gp2": "rds-gp3"}


#: RDS majors past their end of RDS standard support (AWS's release calendars), by engine and
#: major: the last day of standard support, and RDS Extended Support's charge in Seoul per
#: vCPU-hour now, where verified (the course's pitfalls.md: MySQL 8.0, $0.12 since
#: 2026-08-01); None where it is not (MySQL 5.7 and PostgreSQL 11 in their third year since
#: 2026-03-01, at a higher rate; PostgreSQL 12 and 13): such an instance is "not priced",
#: never its class and storage alone. CreateDBInstance enrols an instance in Extended Support
#: unless told otherwise (EngineLifecycleSupport, :data:`_EXTENDED_SUPPORT_OFF`).
_EXTENDED_SUPPORT: Dict[Tuple[str, str], Tuple[date, Optional[float]]] = {
    ("mysql", "5.7"): (date(2024, 2, 29), None),
    ("mysql", "8.0"): (date(2026, 7, 31), 0.12),
    ("postgres", "11"): (date(2024, 2, 29), None),
    ("postgres", "12"): (date(2025, 2, 28), None),
    ("postgres", "13"): (date(2026, 2, 28), None),
}
#: EngineLifecycleSupport of an instance RDS upgrades at the end of standard support instead of
#: enrolling it in Extended Support (no charge). DescribeDBInstances without it (an emulator):
#: AWS's default, enrolled.
_EXTENDED_SUPPORT_OFF = "open-source-rds-extended-support-disabled"
#: vCPUs of the classes the price table prices, which Extended Support bills by: db.t3 and
#: db.t4g have 2 from micro to large. Another class: "not priced" when in Extended Support.
_DB_VCPUS = {f"db.{family}.{size}": 2 for family in ("t3", "t4g") for size in
             ("micro", "small", "medium", "large")}  # fmt: skip


def _db_major(engine: str, version: str) -> str:
    """``8.0.40`` → ``8.0`` (MySQL), ``12.19`` → ``12`` (PostgreSQL 10 and later); "" for
    none."""
    parts = version.split(".")
    if engine == "postgres" and parts[0].isdigit() and int(parts[0]) >= 10:
        return parts[0]
    return ".".join(parts[:2]) if len(parts) >= 2 else ""


def _extended_support(
    db: Dict[str, Any], az_copies: int, today: Optional[date] = None
) -> Tuple[Optional[float], str]:
    """An RDS instance's RDS Extended Support charge an hour, and what its line says of it:
    ``(0.0, "")`` for a major in standard support (or one that RDS upgrades instead:
    :data:`_EXTENDED_SUPPORT_OFF`); ``(None, why)`` when the charge is not known; it bills
    each vCPU of the instance and of a Multi-AZ standby (``az_copies``)."""
    engine = str(db.get("Engine") or "")
    version = str(db.get("EngineVersion") or "")
    known = _EXTENDED_SUPPORT.get((engine, _db_major(engine, version)))
    if known is None or db.get("EngineLifecycleSupport") == _EXTENDED_SUPPORT_OFF:
        return 0.0, ""
    last_day, rate = known
    if (today or date.today()) <= last_day:
        return 0.0, ""
    since = (last_day + timedelta(days=1)).isoformat()
    what = f"{engine} {version}: RDS Extended Support since {since}"
    vcpus = _DB_VCPUS.get(str(db.get("DBInstanceClass")))
    if rate is None:
        return None, f"{what}, its charge not in the price table: not priced"
    if vcpus is None:
        return None, f"{what}, its class's vCPUs not known: not priced"
    if db.get("DBInstanceStatus") == "stopped":
        return None, f"{what}, whether it bills a stopped instance not known: not priced"
    standby = " and its standby's" if az_copies > 1 else ""
    return rate * vcpus * az_copies, (
        f"{what}: ${rate:.2f} per vCPU-hour for its {vcpus} vCPUs{standby}, counted"
    )


def _db_instance_hourly(scope: Scope, db: Dict[str, Any]) -> Tuple[Optional[float], str]:
    """An RDS instance's hour: its class (not while stopped), its allocated storage
    (GB-month spread over the month's hours), as `week5 cost` prices the same instance in a
    template, and RDS Extended Support's charge for a major past standard support
    (:func:`_extended_support`); with what its line says of that charge ("" when none). An
    Aurora instance's (any cluster member's) storage is its cluster's, billed by use: its
    class only. None ("not priced") when the table has no price for any of them."""
    az = "multi-az" if db.get("MultiAZ") else "single-az"
    hourly = scope.price(f"rds:{db.get('Engine')}:{db.get('DBInstanceClass')}:{az}")
    if db.get("DBClusterIdentifier"):
        return hourly, ""
    extended, note = _extended_support(db, 2 if db.get("MultiAZ") else 1)
    if hourly is None:
        return None, note
    if db.get("DBInstanceStatus") == "stopped":  # AWS bills a stopped instance's storage only
        hourly = 0.0
    family = _DB_STORAGE_KEYS.get(str(db.get("StorageType") or "").lower())
    gb = db.get("AllocatedStorage")
    if family is None or isinstance(gb, bool) or not isinstance(gb, (int, float)):
        return None, note  # a storage type (or size) the table cannot price: never a guess
    storage = scope.price(f"{family}:{az}", gb)
    if storage is None or extended is None:
        return None, note
    return hourly + storage + extended, note


def db_instances(scope: Scope) -> List[Found]:
    rds = scope.client("rds")
    databases = _db_instances_all(scope)
    by_id = {db["DBInstanceIdentifier"]: db for db in databases}
    clusters: Optional[Dict[str, Dict[str, Any]]] = None
    found = []
    # Read replicas first: deleting a source would promote its replicas.
    for db in sorted(databases, key=lambda d: not d.get("ReadReplicaSourceDBInstanceIdentifier")):
        if db.get("DBInstanceStatus") in _GOING or not scope.ours(db.get("TagList")):
            continue
        rel = Relations(scope)
        for replica in db.get("ReadReplicaDBInstanceIdentifiers", []):
            if not scope.ours((by_id.get(replica) or {}).get("TagList")):
                rel.tie(
                    f"read replica {replica}",
                    "copies it (deleting the source would promote the replica)",
                    replica,
                )
        cluster_id = db.get("DBClusterIdentifier")
        if cluster_id:  # an Aurora cluster's instance: it goes before (or with) its cluster
            clusters = _db_clusters_all(scope) if clusters is None else clusters
            cluster = clusters.get(cluster_id)
            if cluster is not None and cluster.get("Status") not in _GOING:
                rel.user(
                    scope.ours(cluster.get("TagList")),
                    cluster_id,
                    f"RDS cluster {cluster_id}",
                    "has it as its instance (deleting it would take one of that cluster's "
                    "database instances)",
                )
        fields = rel.fields()
        # an Aurora instance's protection is its cluster's, which leaves it (db_clusters)
        if db.get("DeletionProtection") and not cluster_id:
            fields["ties"].append(
                protected(
                    "deletion protection",
                    "delete",
                    "aws rds modify-db-instance --db-instance-identifier "
                    f"{db['DBInstanceIdentifier']} --no-deletion-protection --apply-immediately",
                )
            )
        hourly, note = _db_instance_hourly(scope, db)
        found.append(
            Found(
                "RDS instance",
                db["DBInstanceIdentifier"],
                note,
                hourly=hourly,
                delete=lambda i=db["DBInstanceIdentifier"], c=cluster_id: rds.delete_db_instance(
                    DBInstanceIdentifier=i,
                    SkipFinalSnapshot=True,  # an Aurora instance takes no final snapshot of its own
                    # an Aurora instance's backups are its cluster's, deleted with the cluster
                    **({} if c else {"DeleteAutomatedBackups": True}),
                ),
                **fields,
                **tagged(db.get("TagList")),
                refs=(db.get("DBInstanceArn", ""),),
            )
        )
    return found


def db_clusters(scope: Scope) -> List[Found]:
    """RDS DB clusters (Aurora), after their instances: AWS deletes no cluster while it has
    an instance not being deleted (InvalidDBClusterStateFault, retried). One with deletion
    protection on is left, with its instances, and reported: this never turns it off."""
    rds = scope.client("rds")
    instances = {db["DBInstanceIdentifier"]: db for db in _db_instances_all(scope)}
    found = []
    for cluster in _db_clusters_all(scope).values():
        if cluster.get("Status") in _GOING or not scope.ours(cluster.get("TagList")):
            continue
        cluster_id = cluster["DBClusterIdentifier"]
        rel = Relations(scope)
        for member in cluster.get("DBClusterMembers") or []:
            instance_id = member["DBInstanceIdentifier"]
            instance = instances.get(instance_id) or {}
            if instance.get("DBInstanceStatus") in _GOING:
                continue
            rel.other(
                scope.ours(instance.get("TagList")),
                instance_id,
                f"RDS instance {instance_id}",
                "is its instance (AWS deletes no cluster while it has one)",
            )
        fields = rel.fields()
        if cluster.get("DeletionProtection"):
            fields["ties"].append(_PROTECTED.format(cluster_id))
        found.append(
            Found(
                "RDS cluster",
                cluster_id,
                str(cluster.get("Engine", "")),
                hourly=None,  # its instances are priced as instances; storage is by use
                delete=lambda c=cluster_id: rds.delete_db_cluster(
                    DBClusterIdentifier=c, SkipFinalSnapshot=True, DeleteAutomatedBackups=True
                ),
                **fields,
                **tagged(cluster.get("TagList")),
                refs=(cluster.get("DBClusterArn", ""),),
            )
        )
    return found


def db_snapshots(scope: Scope) -> List[Found]:
    rds = scope.client("rds")
    return [
        Found(
            "RDS snapshot",
            s["DBSnapshotIdentifier"],
            delete=lambda s=s: rds.delete_db_snapshot(
                DBSnapshotIdentifier=s["DBSnapshotIdentifier"]
            ),
            **tagged(s.get("TagList")),
        )
        for s in scope.each("rds", "describe_db_snapshots", "DBSnapshots", SnapshotType="manual")
        if scope.ours(s.get("TagList")) and s.get("Status") not in _GOING
    ]


def caches(scope: Scope) -> List[Found]:
    cache = scope.client("elasticache")
    found = []
    for group in scope.each("elasticache", "describe_replication_groups", "ReplicationGroups"):
        if group.get("Status") in _GOING:
            continue  # already going: neither counted nor deleted again
        tags = _cache_tags(scope, group["ARN"])
        if tags is None or not scope.ours(tags):
            continue  # gone since it was listed, or not ours
        nodes = len(group.get("MemberClusters") or [None])
        key = f"elasticache:{group.get('Engine', 'redis')}:{group.get('CacheNodeType')}"
        found.append(
            Found(
                "ElastiCache group",
                group["ReplicationGroupId"],
                hourly=scope.price(key, nodes),
                delete=lambda g=group["ReplicationGroupId"]: cache.delete_replication_group(
                    ReplicationGroupId=g
                ),
                **tagged(tags),
                refs=(group["ARN"],),
            )
        )
    return found


def cache_clusters(scope: Scope) -> List[Found]:
    """ElastiCache clusters outside a replication group (Memcached's, or a Redis one made with
    ``aws elasticache create-cache-cluster``): billed by the node-hour, as a group's nodes are.
    A group's member clusters go with their group (:func:`caches`)."""
    cache = scope.client("elasticache")
    found = []
    for cluster in scope.each(
        "elasticache",
        "describe_cache_clusters",
        "CacheClusters",
        ShowCacheClustersNotInReplicationGroups=True,
    ):
        if cluster.get("ReplicationGroupId") or cluster.get("CacheClusterStatus") in _GOING:
            continue  # its group's (an endpoint may list members all the same), or going
        tags = _cache_tags(scope, cluster["ARN"])
        if tags is None or not scope.ours(tags):
            continue  # gone since it was listed, or not ours
        name = cluster["CacheClusterId"]
        key = f"elasticache:{cluster.get('Engine', 'redis')}:{cluster.get('CacheNodeType')}"
        found.append(
            Found(
                "ElastiCache cluster",
                name,
                hourly=scope.price(key, cluster.get("NumCacheNodes") or 1),
                delete=lambda n=name: cache.delete_cache_cluster(CacheClusterId=n),
                **tagged(tags),
                refs=(cluster["ARN"],),
            )
        )
    return found


#: The price-table key of ElastiCache backup storage, per GB-month. The table has none yet
#: (AWS bills what exceeds a cluster's own storage, and all of a backup whose cluster is
#: gone): such a backup is "not priced", never $0.
CACHE_BACKUP_KEY = "elasticache:backup"
#: A node snapshot's CacheSize (``"6 MB"``), in GB by its unit.
_CACHE_SIZE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?B)\s*", re.IGNORECASE)
_SIZE_UNITS = {"B": 1024**-3, "KB": 1024**-2, "MB": 1024**-1, "GB": 1.0, "TB": 1024.0}


def _cache_snapshot_hourly(scope: Scope, snapshot: Dict[str, Any]) -> Optional[float]:
    """A backup's hour: the data of its node snapshots (their CacheSize) at the table's
    ElastiCache backup price; None ("not priced") without that price or a size to price."""
    if scope.price(CACHE_BACKUP_KEY) is None:
        return None
    gb = 0.0
    nodes = snapshot.get("NodeSnapshots") or []
    for node in nodes:
        size = _CACHE_SIZE.fullmatch(str(node.get("CacheSize") or ""))
        if size is None:
            return None
        gb += float(size.group(1)) * _SIZE_UNITS[size.group(2).upper()]
    return scope.price(CACHE_BACKUP_KEY, gb) if nodes else None


def cache_snapshots(scope: Scope) -> List[Found]:
    """Manual ElastiCache snapshots (a backup taken by hand: ``aws elasticache create-snapshot``
    or the console's Backup), which AWS tags with their cache's tags; they outlive the cache
    and bill on. Automatic ones go with their cache. Priced by :func:`_cache_snapshot_hourly`."""
    cache = scope.client("elasticache")
    found = []
    listed = scope.each("elasticache", "describe_snapshots", "Snapshots", SnapshotSource="user")
    for snapshot in listed:
        if snapshot.get("SnapshotSource", "manual") != "manual":
            continue  # an automatic one: it goes with its cache
        if str(snapshot.get("SnapshotStatus", "")).lower() in _GOING:
            continue
        tags = _cache_tags(scope, snapshot["ARN"])
        if tags is None or not scope.ours(tags):
            continue
        name = snapshot["SnapshotName"]
        found.append(
            Found(
                "ElastiCache snapshot",
                name,
                hourly=_cache_snapshot_hourly(scope, snapshot),
                delete=lambda n=name: cache.delete_snapshot(SnapshotName=n),
                **tagged(tags),
                refs=(snapshot["ARN"],),
            )
        )
    return found


def _cache_tags(scope: Scope, arn: str) -> Optional[List[Dict[str, str]]]:
    """An ElastiCache resource's tags; None when it is gone since it was listed."""
    try:
        return scope.client("elasticache").list_tags_for_resource(ResourceName=arn).get("TagList")
    except Exception as error:
        if vanished(error):
            return None
        raise


def _emulator_lacks(client: Any, error: Exception, region: str) -> bool:
    """Whether ``error`` says an emulator does not implement the call ``client`` made: moto in
    process raises NotImplementedError; an endpoint that is not AWS's (AWS_ENDPOINT_URL, or a
    client's endpoint_url) answers as :func:`~week5.operations.aws_errors.unsupported` tells,
    or with a bare HTTP 500 (moto's server: an HTML page where XML was due). Never AWS's own
    endpoint: AWS lacking a call is said."""
    if isinstance(error, NotImplementedError):
        return True
    endpoint = str(getattr(getattr(client, "meta", None), "endpoint_url", "") or "")
    if not endpoint_host(endpoint) or aws_endpoint(endpoint):
        return False
    if unsupported(error, region) is not None:
        return True
    from botocore.parsers import ResponseParserError

    if isinstance(error, ResponseParserError):
        return True
    status = getattr(error, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status in (500, 501)


def serverless_caches(scope: Scope) -> List[Found]:
    """ElastiCache Serverless caches (a student may make one in the console, Day 3 Lab 2).
    Billed by the data stored and the requests served, not by the hour: not priced. An
    emulator that lacks the call (moto has no serverless caches, nor a way to make one) holds
    none: nothing is found, and nothing is said. AWS lacking it would be said ("not
    checked")."""
    cache = scope.client("elasticache")
    try:
        listed = list(scope.each("elasticache", "describe_serverless_caches", "ServerlessCaches"))
    except Exception as error:
        if _emulator_lacks(cache, error, scope.region):
            return []
        raise
    found = []
    for item in listed:
        if str(item.get("Status", "")).lower() in _GOING:
            continue
        tags = _cache_tags(scope, item["ARN"])
        if tags is None or not scope.ours(tags):
            continue
        name = item["ServerlessCacheName"]
        found.append(
            Found(
                "ElastiCache serverless cache",
                name,
                str(item.get("Engine", "")),
                hourly=None,  # by data stored and requests: no hourly price
                delete=lambda n=name: cache.delete_serverless_cache(ServerlessCacheName=n),
                **tagged(tags),
                refs=(item["ARN"],),
            )
        )
    return found


def _short_arn(arn: str) -> str:
    """``targetgroup/web/0123`` → ``web``: the name inside an ELB ARN."""
    parts = arn.split(":")[-1].split("/")
    return parts[-2] if len(parts) >= 3 else arn


def _elbv2_tags(scope: Scope, arns: Sequence[str]) -> Dict[str, Any]:
    """ARN → its tags, for load balancers and target groups (read once, 20 at a time); None
    for one deleted since it was listed (:func:`_elbv2_gone`)."""
    known: Dict[str, Any] = scope.cached("elbv2-tags", dict)
    missing = [a for a in dict.fromkeys(arns) if a and a not in known]
    client = scope.client("elbv2")

    def read(batch: List[str]) -> None:
        try:
            reply = client.describe_tags(ResourceArns=batch)["TagDescriptions"]
        except Exception as error:
            if not vanished(error):
                raise
            if len(batch) == 1:  # this one is gone
                known[batch[0]] = None
                _elbv2_gone(scope).add(batch[0])
                return
            for arn in batch:  # one of them is gone: AWS does not say which
                read([arn])
            return
        for d in reply:
            known[d["ResourceArn"]] = d.get("Tags") or []

    for start in range(0, len(missing), 20):  # DescribeTags takes 20 at a time, has no pages
        read(missing[start : start + 20])
    return {a: known.get(a) for a in arns}


def _elbv2_gone(scope: Scope) -> set:
    """The load balancers and target groups (ARNs) deleted since they were listed."""
    return scope.cached("elbv2-gone", set)


def _load_balancers_all(scope: Scope) -> List[Dict[str, Any]]:
    return scope.cached(
        "load-balancers",
        lambda: list(scope.each("elbv2", "describe_load_balancers", "LoadBalancers")),
    )


def _balancer_hourly(scope: Scope, balancer: Dict[str, Any]) -> Optional[float]:
    """An application load balancer's hour, and an internet-facing one's public IPv4
    addresses, which AWS bills too: one per zone it has a node in (as the estimates count
    them). Use (LCUs) is not counted: what is left idle uses next to none."""
    if balancer.get("Type", "application") != "application":
        return None  # no price in the table: "not priced", never $0
    hourly = scope.price("alb")
    # internet-facing is AWS's default scheme: one made without a Scheme may come back without it
    if hourly is None or (balancer.get("Scheme") or "internet-facing") != "internet-facing":
        return hourly
    addresses = scope.price("public-ipv4", len(balancer.get("AvailabilityZones") or []))
    return None if addresses is None else hourly + addresses


def load_balancers(scope: Scope) -> List[Found]:
    """Load balancers; one with deletion protection on (its ``deletion_protection.enabled``
    attribute) is left, with what waits on it, and reported: this never turns it off."""
    client = scope.client("elbv2")
    balancers = _load_balancers_all(scope)
    tags = _elbv2_tags(scope, [b["LoadBalancerArn"] for b in balancers])
    found = []
    for b in balancers:
        arn = b["LoadBalancerArn"]
        if not scope.ours(tags[arn]):
            continue
        reply = unless_vanished(
            lambda a=arn: client.describe_load_balancer_attributes(LoadBalancerArn=a)
        )
        if reply is None:
            continue  # deleted since it was listed
        attributes = {a.get("Key"): a.get("Value") for a in reply.get("Attributes") or []}
        ties = []
        if str(attributes.get("deletion_protection.enabled", "")).lower() == "true":
            ties.append(
                protected(
                    "deletion protection",
                    "delete",
                    f"aws elbv2 modify-load-balancer-attributes --load-balancer-arn {arn} "
                    "--attributes Key=deletion_protection.enabled,Value=false",
                )
            )
        found.append(
            Found(
                "load balancer",
                b["LoadBalancerName"],
                hourly=_balancer_hourly(scope, b),
                delete=lambda a=arn: client.delete_load_balancer(LoadBalancerArn=a),
                ties=ties,
                **tagged(tags[arn]),
                refs=(arn,),
            )
        )
    return found


def target_groups(scope: Scope) -> List[Found]:
    client = scope.client("elbv2")
    groups = list(scope.each("elbv2", "describe_target_groups", "TargetGroups"))
    tags = _elbv2_tags(scope, [g["TargetGroupArn"] for g in groups])
    balancer_tags = _elbv2_tags(scope, [b["LoadBalancerArn"] for b in _load_balancers_all(scope)])
    found = []
    for group in groups:
        arn = group["TargetGroupArn"]
        if not scope.ours(tags[arn]):
            continue
        rel = Relations(scope)
        for lb in group.get("LoadBalancerArns", []):
            if lb in _elbv2_gone(scope):
                continue
            if scope.ours(balancer_tags.get(lb)):
                # it goes first (AWS deletes no target group a listener forwards to), and one
                # left (its deletion protection on) leaves this one
                rel.needs.append(_short_arn(lb))
            else:
                rel.tie(f"load balancer {_short_arn(lb)}", "forwards to it", lb)
        for asg in auto_scaling_groups_all(scope):
            if arn in asg.get("TargetGroupARNs", []) and not scope.ours(asg.get("Tags")):
                name = asg["AutoScalingGroupName"]
                rel.tie(f"Auto Scaling group {name}", "registers its instances in it", name)
        found.append(
            Found(
                "target group",
                group["TargetGroupName"],
                hourly=0.0,
                delete=lambda a=arn: client.delete_target_group(TargetGroupArn=a),
                **rel.fields(),
                **tagged(tags[arn]),
                refs=(arn,),
            )
        )
    return found


def buckets(scope: Scope) -> List[Found]:
    s3 = scope.client("s3")
    found = []
    for bucket in scope.each("s3", "list_buckets", "Buckets"):
        name = bucket["Name"]
        try:
            region = bucket.get("BucketRegion") or (
                s3.get_bucket_location(Bucket=name).get("LocationConstraint") or "us-east-1"
            )
            if region != scope.region:
                continue
            tags = s3.get_bucket_tagging(Bucket=name)["TagSet"]
        except Exception as error:
            code = error_code(error)
            if code in ("NoSuchTagSet", "NoSuchBucket"):
                continue  # untagged, so not ours; or deleted meanwhile
            if code in ("AccessDenied", "AllAccessDisabled"):
                scope.warn(f"S3 bucket {name}: S3 refused to show its tags ({code}); not checked")
                continue
            raise
        if scope.ours(tags):
            found.append(
                Found(
                    "S3 bucket",
                    name,
                    hourly=None,
                    delete=lambda n=name: _empty_and_delete(scope, n),
                    **tagged(tags),
                )
            )
    return found


#: The most keys one DeleteObjects call takes.
S3_DELETE_BATCH = 1000


def _empty_and_delete(scope: Scope, name: str) -> None:
    """Every version and delete marker first: a versioned bucket is not empty until then.
    An object S3 will not delete (object lock, legal hold, a policy) is reported with S3's
    reason at once: waiting does not free it."""
    s3 = scope.client("s3")
    refused: List[str] = []
    # Listed to the end before anything is deleted: deleting a page while paging lost moto's
    # place (its next page came back empty, and the bucket waited for a retry per 1,000).
    keys = [
        {"Key": v["Key"], "VersionId": v["VersionId"]}
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=name)
        for v in (page.get("Versions") or []) + (page.get("DeleteMarkers") or [])
    ]
    for start in range(0, len(keys), S3_DELETE_BATCH):
        batch = keys[start : start + S3_DELETE_BATCH]
        reply = s3.delete_objects(Bucket=name, Delete={"Objects": batch, "Quiet": True})
        refused += [
            f"{e.get('Key')} ({e.get('Code')}: {e.get('Message', '')})".replace(": )", ")")
            for e in reply.get("Errors") or []
        ]
    if refused:
        raise NotDeleted(
            "ObjectsNotDeleted",
            f"S3 kept {len(refused)} object version(s): {join_ids(refused)}; release the lock "
            "or hold (or wait out its retention), then run again",
        )
    s3.delete_bucket(Bucket=name)


def distributions(scope: Scope) -> List[Found]:
    cloudfront = scope.client("cloudfront")
    found = []
    for page in cloudfront.get_paginator("list_distributions").paginate():
        for item in (page.get("DistributionList") or {}).get("Items") or []:
            try:
                reply = cloudfront.list_tags_for_resource(Resource=item["ARN"])
            except Exception as error:
                if vanished(error):
                    continue  # deleted since it was listed
                raise
            tags = (reply.get("Tags") or {}).get("Items")
            if scope.ours(tags):
                found.append(
                    Found(
                        "CloudFront distribution",
                        item["Id"],
                        item.get("DomainName", ""),
                        delete=lambda i=item: _disable_then_delete(scope, i["Id"]),
                        **tagged(tags),
                        refs=(item["ARN"],),
                    )
                )
    return found


def _disable_then_delete(scope: Scope, distribution_id: str) -> None:
    """Disable first, and take its web ACL off it (WebACLId ""): CloudFront deletes only a
    disabled, deployed distribution, so the delete is retried in later rounds
    (DistributionNotDisabled); WAF deletes no web ACL a distribution still names
    (WAFAssociatedItemException), so an ACL of the day's waits on that update, also when
    the distribution was disabled already."""
    cloudfront = scope.client("cloudfront")
    reply = cloudfront.get_distribution_config(Id=distribution_id)
    config, etag = reply["DistributionConfig"], reply["ETag"]
    if config.get("Enabled") or config.get("WebACLId"):
        config["Enabled"] = False
        config["WebACLId"] = ""
        etag = cloudfront.update_distribution(
            Id=distribution_id, IfMatch=etag, DistributionConfig=config
        )["ETag"]
    cloudfront.delete_distribution(Id=distribution_id, IfMatch=etag)
