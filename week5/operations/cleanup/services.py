"""The course day's resources outside EC2, each with how to delete it: Auto Scaling groups, RDS
instances and snapshots, ElastiCache groups, load balancers and target groups, S3 buckets
(emptied first) and CloudFront distributions (disabled first)."""

from __future__ import annotations

from typing import List, Set

from week5.operations.cleanup.scope import Found, Scope, error_code


def auto_scaling_groups(scope: Scope) -> List[Found]:
    client = scope.clients("autoscaling")
    groups = client.describe_auto_scaling_groups()["AutoScalingGroups"]
    return [
        Found(
            "Auto Scaling group",
            g["AutoScalingGroupName"],
            delete=lambda g=g: client.delete_auto_scaling_group(
                AutoScalingGroupName=g["AutoScalingGroupName"], ForceDelete=True
            ),
        )
        for g in groups
        if scope.ours_by_tags(g.get("Tags"))
    ]


def db_instances(scope: Scope) -> List[Found]:
    rds = scope.clients("rds")
    found = []
    for db in rds.describe_db_instances()["DBInstances"]:
        if db.get("DBInstanceStatus") == "deleting" or not scope.ours_by_tags(db.get("TagList")):
            continue
        az = "multi-az" if db.get("MultiAZ") else "single-az"
        key = f"rds:{db.get('Engine')}:{db.get('DBInstanceClass')}:{az}"
        found.append(
            Found(
                "RDS instance",
                db["DBInstanceIdentifier"],
                hourly=scope.price(key),
                delete=lambda db=db: rds.delete_db_instance(
                    DBInstanceIdentifier=db["DBInstanceIdentifier"],
                    SkipFinalSnapshot=True,
                    DeleteAutomatedBackups=True,
                ),
            )
        )
    return found


def db_snapshots(scope: Scope) -> List[Found]:
    rds = scope.clients("rds")
    return [
        Found(
            "RDS snapshot",
            s["DBSnapshotIdentifier"],
            delete=lambda s=s: rds.delete_db_snapshot(
                DBSnapshotIdentifier=s["DBSnapshotIdentifier"]
            ),
        )
        for s in rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]
        if scope.ours_by_tags(s.get("TagList"))
    ]


def caches(scope: Scope) -> List[Found]:
    cache = scope.clients("elasticache")
    found = []
    for group in cache.describe_replication_groups()["ReplicationGroups"]:
        tags = cache.list_tags_for_resource(ResourceName=group["ARN"])["TagList"]
        if not scope.ours_by_tags(tags):
            continue
        nodes = len(group.get("MemberClusters") or [None])
        key = f"elasticache:{group.get('Engine', 'redis')}:{group.get('CacheNodeType')}"
        found.append(
            Found(
                "ElastiCache group",
                group["ReplicationGroupId"],
                hourly=scope.price(key, nodes),
                delete=lambda g=group: cache.delete_replication_group(
                    ReplicationGroupId=g["ReplicationGroupId"]
                ),
            )
        )
    return found


def _elbv2_tagged(scope: Scope, arns: List[str]) -> Set[str]:
    if not arns:
        return set()
    client = scope.clients("elbv2")
    tagged = set()
    for start in range(0, len(arns), 20):  # DescribeTags takes 20 at a time
        for d in client.describe_tags(ResourceArns=arns[start : start + 20])["TagDescriptions"]:
            if scope.ours_by_tags(d.get("Tags")):
                tagged.add(d["ResourceArn"])
    return tagged


def load_balancers(scope: Scope) -> List[Found]:
    client = scope.clients("elbv2")
    balancers = client.describe_load_balancers()["LoadBalancers"]
    ours = _elbv2_tagged(scope, [b["LoadBalancerArn"] for b in balancers])
    return [
        Found(
            "load balancer",
            b["LoadBalancerName"],
            hourly=scope.price("alb") if b.get("Type", "application") == "application" else None,
            delete=lambda b=b: client.delete_load_balancer(LoadBalancerArn=b["LoadBalancerArn"]),
        )
        for b in balancers
        if b["LoadBalancerArn"] in ours
    ]


def target_groups(scope: Scope) -> List[Found]:
    client = scope.clients("elbv2")
    groups = client.describe_target_groups()["TargetGroups"]
    ours = _elbv2_tagged(scope, [g["TargetGroupArn"] for g in groups])
    return [
        Found(
            "target group",
            g["TargetGroupName"],
            hourly=0.0,
            delete=lambda g=g: client.delete_target_group(TargetGroupArn=g["TargetGroupArn"]),
        )
        for g in groups
        if g["TargetGroupArn"] in ours
    ]


def buckets(scope: Scope) -> List[Found]:
    s3 = scope.clients("s3")
    found = []
    for bucket in s3.list_buckets()["Buckets"]:
        name = bucket["Name"]
        try:
            location = s3.get_bucket_location(Bucket=name).get("LocationConstraint")
            if (location or "us-east-1") != scope.region:
                continue
            tags = s3.get_bucket_tagging(Bucket=name)["TagSet"]
        except Exception as error:  # NoSuchTagSet: untagged, so not ours
            if error_code(error) in ("NoSuchTagSet", "NoSuchBucket", "AccessDenied"):
                continue
            raise
        if scope.ours_by_tags(tags):
            found.append(
                Found("S3 bucket", name, delete=lambda n=name: _empty_and_delete(scope, n))
            )
    return found


def _empty_and_delete(scope: Scope, name: str) -> None:
    """Every version and delete marker first: a versioned bucket is not empty until then."""
    s3 = scope.clients("s3")
    paginator = s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=name):
        keys = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        if keys:
            s3.delete_objects(Bucket=name, Delete={"Objects": keys, "Quiet": True})
    s3.delete_bucket(Bucket=name)


def distributions(scope: Scope) -> List[Found]:
    cloudfront = scope.clients("cloudfront")
    listing = cloudfront.list_distributions().get("DistributionList", {})
    found = []
    for item in listing.get("Items", []) or []:
        tags = cloudfront.list_tags_for_resource(Resource=item["ARN"])["Tags"].get("Items", [])
        if scope.ours_by_tags(tags):
            found.append(
                Found(
                    "CloudFront distribution",
                    item["Id"],
                    item.get("DomainName", ""),
                    delete=lambda i=item: _disable_then_delete(scope, i["Id"]),
                )
            )
    return found


def _disable_then_delete(scope: Scope, distribution_id: str) -> None:
    """Disable first; CloudFront deletes only a disabled, deployed distribution, so the
    delete is retried in later rounds (DistributionNotDisabled)."""
    cloudfront = scope.clients("cloudfront")
    reply = cloudfront.get_distribution_config(Id=distribution_id)
    config, etag = reply["DistributionConfig"], reply["ETag"]
    if config.get("Enabled"):
        config["Enabled"] = False
        etag = cloudfront.update_distribution(
            Id=distribution_id, IfMatch=etag, DistributionConfig=config
        )["ETag"]
    cloudfront.delete_distribution(Id=distribution_id, IfMatch=etag)
