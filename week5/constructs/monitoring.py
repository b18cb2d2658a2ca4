"""CloudMart's monitoring: the alarm topic, the alarms on its backend and stores, and the
dashboard that shows them.
"""

from __future__ import annotations

import re
from typing import Dict, Optional

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from week5.constructs.cache import RedisCache
from week5.constructs.database import PostgresDatabase
from week5.constructs.web_tier import HaWebTier
from week5.synth.nag import acknowledge

#: Alarm thresholds: where a lab's CloudMart needs a person's attention.
CPU_ALARM_PERCENT = 80
ALB_5XX_PER_5_MINUTES = 10
DB_FREE_STORAGE_BYTES = 2 * 1024**3
REDIS_MEMORY_PERCENT = 80
#: RDS PostgreSQL's ``max_connections`` follows the class's memory (DBInstanceClassMemory /
#: 9531392): about 110 per GiB, so db.t3.micro and db.t4g.micro (1 GiB) allow about 110. The
#: connections alarm fires at 80 per GiB, near the limit...
DB_CONNECTIONS_PER_GIB = 80
#: ... and at most here, 80/110 of RDS's cap of 5000 connections.
DB_CONNECTIONS_MAX = 3600
#: Memory (GiB) of the burstable sizes; m classes have 4 GiB per vCPU, r classes 8.
_BURSTABLE_GIB = {"micro": 1, "small": 2, "medium": 4, "large": 8, "xlarge": 16, "2xlarge": 32}
_GIB_PER_VCPU = {"m": 4, "r": 8}
_DB_CLASS_RE = re.compile(
    r"^db\.(?P<kind>[a-z])[0-9]+[a-z]*\.(?P<size>micro|small|medium|[0-9]*x?large)$"
)


def db_class_memory_gib(instance_type: str) -> Optional[int]:
    """The memory of an RDS class (``db.t3.micro``: 1), for the burstable (t), general purpose
    (m) and memory-optimised (r) families; None for another family."""
    match = _DB_CLASS_RE.match(instance_type)
    if match is None:
        return None
    kind, size = match["kind"], match["size"]
    if kind == "t":
        return _BURSTABLE_GIB.get(size)
    if kind not in _GIB_PER_VCPU or size in ("micro", "small", "medium"):
        return None
    vcpus = 2 if size == "large" else 4 * int(size[: -len("xlarge")] or 1)
    return vcpus * _GIB_PER_VCPU[kind]


def db_connections_alarm(instance_type: str) -> Optional[int]:
    """Where the connections alarm of a PostgreSQL instance of ``instance_type`` fires: 80
    per GiB of its memory, at most 3600 (db.t3.micro: 80); None for a family whose memory is
    not known here."""
    gib = db_class_memory_gib(instance_type)
    return None if gib is None else min(DB_CONNECTIONS_PER_GIB * gib, DB_CONNECTIONS_MAX)


def alarm_topic(scope: Construct, alarm_email: Optional[str]) -> sns.Topic:
    """``scope``'s ``AlarmTopic``: SSL-only, mailed to ``alarm_email`` when given."""
    topic = sns.Topic(scope, "AlarmTopic", display_name="CloudMart alarms", enforce_ssl=True)
    acknowledge(
        topic,
        "AwsSolutions-SNS2",
        "CloudWatch alarms cannot publish to a topic under the AWS-managed aws/sns key, and "
        "a customer-managed key bills $1 a month and outlives the stack in its deletion "
        "window; the topic carries alarm names and states, not data.",
    )
    if alarm_email is not None:
        topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
    return topic


def backend_alarms(
    scope: Construct,
    *,
    backend: HaWebTier,
    database: PostgresDatabase,
    cache: RedisCache,
    topic: sns.Topic,
    db_connections: int,
) -> Dict[str, cloudwatch.Alarm]:
    """``scope``'s alarms, by name (``Alb5xx``, ``UnhealthyTargets``, ``BackendCpu``, ``DbCpu``,
    ``DbFreeStorage``, ``DbConnections``, ``RedisMemory``; ids ``<name>Alarm``), each into
    ``topic``; ``DbConnections`` fires at ``db_connections`` (see
    :func:`db_connections_alarm`)."""
    five_minutes = Duration.minutes(5)
    group = backend.asg.auto_scaling_group_name
    db = database.instance
    # A 1 GiB class's limit is db.t3.micro's; deployed labs' alarms say so in these words.
    db_class = (
        "db.t3.micro" if db_class_memory_gib(database.instance_type) == 1
        else database.instance_type
    )
    metrics = {
        "Alb5xx": (
            backend.alb.metrics.http_code_target(
                elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period=five_minutes, statistic="Sum"
            ),
            ALB_5XX_PER_5_MINUTES,
            1,
            "backend answered 5xx",
        ),
        "UnhealthyTargets": (
            backend.target_group.metrics.unhealthy_host_count(
                period=Duration.minutes(1), statistic="Maximum"
            ),
            1,
            3,
            "a backend instance fails its health check",
        ),
        "BackendCpu": (
            cloudwatch.Metric(
                namespace="AWS/EC2",
                metric_name="CPUUtilization",
                dimensions_map={"AutoScalingGroupName": group},
                period=five_minutes,
                statistic="Average",
            ),
            CPU_ALARM_PERCENT,
            2,
            "backend CPU stays high (scaling is not keeping up)",
        ),
        "DbCpu": (
            db.metric_cpu_utilization(period=five_minutes),
            CPU_ALARM_PERCENT,
            2,
            "database CPU stays high",
        ),
        "DbFreeStorage": (
            db.metric_free_storage_space(period=five_minutes, statistic="Minimum"),
            DB_FREE_STORAGE_BYTES,
            1,
            "database storage under 2 GiB",
        ),
        "DbConnections": (
            db.metric_database_connections(period=five_minutes, statistic="Maximum"),
            db_connections,
            2,
            f"database connections near {db_class}'s limit",
        ),
        "RedisMemory": (
            # Every node of the group, at its highest: the primary's figure whichever node
            # holds the role after a failover (a replica holds the same keys).
            cache.metric_across_nodes(
                "DatabaseMemoryUsagePercentage", period=five_minutes
            ),
            REDIS_MEMORY_PERCENT,
            2,
            "Redis memory nearly full (evictions follow)",
        ),
    }
    alarms: Dict[str, cloudwatch.Alarm] = {}
    for name, (metric, threshold, periods, meaning) in metrics.items():
        below = name == "DbFreeStorage"
        alarm = cloudwatch.Alarm(
            scope,
            f"{name}Alarm",
            metric=metric,
            threshold=threshold,
            evaluation_periods=periods,
            comparison_operator=(
                cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD
                if below
                else cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
            ),
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=f"CloudMart: {meaning}",
        )
        alarm.add_alarm_action(cw_actions.SnsAction(topic))
        alarms[name] = alarm
    return alarms


def alarm_dashboard(
    scope: Construct, alarms: Dict[str, cloudwatch.Alarm]
) -> cloudwatch.Dashboard:
    """``scope``'s ``Dashboard``: the alarms, three to a row."""
    dashboard = cloudwatch.Dashboard(scope, "Dashboard")
    widgets = [
        cloudwatch.AlarmWidget(alarm=alarm, title=name, width=8)
        for name, alarm in alarms.items()
    ]
    for row in range(0, len(widgets), 3):
        dashboard.add_widgets(*widgets[row : row + 3])
    return dashboard
