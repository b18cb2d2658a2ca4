"""Reusable constructs of the course: import them into any CDK app.

``from week5.constructs import MultiAzVpc, HaWebTier, PostgresDatabase`` and so on: every public
construct, the enums their props take, and the helpers that build what they expose.
"""

from week5.constructs.bastion import BastionPair
from week5.constructs.cache import RedisCache
from week5.constructs.cleanup import LeftoverCleanup
from week5.constructs.cloudmart import CloudMartStack
from week5.constructs.database import LabDatabase, MysqlDatabase, PostgresDatabase
from week5.constructs.filesystem import SharedFileSystem
from week5.constructs.host import DockerHost, LabHost
from week5.constructs.key_pair import LabKeyPair
from week5.constructs.secret import generated_password
from week5.constructs.static_site import (
    StaticSite,
    bucket_behavior,
    load_balancer_behavior,
    private_bucket,
)
from week5.constructs.volume import DataVolume, ScheduledSnapshots
from week5.constructs.vpc import MultiAzVpc, NatMode
from week5.constructs.web_tier import HaWebTier, ScalingMetric

__all__ = [
    "BastionPair",
    "CloudMartStack",
    "DataVolume",
    "DockerHost",
    "HaWebTier",
    "LabDatabase",
    "LabHost",
    "LabKeyPair",
    "LeftoverCleanup",
    "MultiAzVpc",
    "MysqlDatabase",
    "NatMode",
    "PostgresDatabase",
    "RedisCache",
    "ScalingMetric",
    "ScheduledSnapshots",
    "SharedFileSystem",
    "StaticSite",
    "bucket_behavior",
    "generated_password",
    "load_balancer_behavior",
    "private_bucket",
]
