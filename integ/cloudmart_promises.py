"""What both Day 5 labs promise (CloudMart), for integ_day5_lab1.py and integ_day5_challenge.py."""

from promises import SLOW_APP_WAIT, LabPromise, exactly, title_of
from week5.constructs.cloudmart import DEMO_FRONTEND_DIR


def cloudmart_promises(lab: LabPromise) -> None:
    """The frontend through CloudFront, /api/health/deep through CloudFront (both stores), the
    backend group at size, and the Multi-AZ database and Redis failover when the lab has them."""
    cloudmart = lab.stack.cloudmart
    frontend_title = title_of(DEMO_FRONTEND_DIR / "index.html")
    lab.page("FrontendServed", lab.output("CloudMartUrl"), shows=frontend_title)
    lab.json(
        "ApiHealthThroughCloudFront",
        lab.output("ApiHealthUrl"),
        {"status": "ok", "db": "ok", "redis": "ok"},
        wait=SLOW_APP_WAIT,
    )
    lab.group_at_size("BackendAtSize", cloudmart.backend)
    if cloudmart.database.multi_az:
        database = lab.physical_id(cloudmart.database.instance, "Database")
        lab.at_path(
            "DatabaseHasStandby", "RDS", "describeDBInstances", {"DBInstanceIdentifier": database},
            "DBInstances.0.SecondaryAvailabilityZone", f"^{lab.stack.region}[a-z]$",
        )
    if cloudmart.cache.replicas:
        group = lab.physical_id(cloudmart.cache.replication_group, "Redis")
        lab.at_path(
            "RedisFailsOver", "ElastiCache", "describeReplicationGroups",
            {"ReplicationGroupId": group}, "ReplicationGroups.0.AutomaticFailover",
            exactly("enabled"),
        )
