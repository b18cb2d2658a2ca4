"""Reusable constructs of the course: import them into any CDK app.

``from week5.constructs import MultiAzVpc, HaWebTier, PostgresDatabase`` and so on: every public
construct, the enums their props take, and the helpers that build what they expose.

Each name is imported when first used (PEP 562): a lab that needs only a VPC and a host does not
load CloudFront, RDS and Auto Scaling's jsii modules, which cost about a second a synth.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

#: Public name → the module that defines it.
_EXPORTS = {
    "BastionPair": "bastion",
    "CloudMartStack": "cloudmart",
    "DataVolume": "volume",
    "DockerHost": "host",
    "HaWebTier": "web_tier",
    "LabDatabase": "database",
    "LabHost": "host",
    "LabKeyPair": "key_pair",
    "LeftoverCleanup": "cleanup",
    "MultiAzVpc": "vpc",
    "MysqlDatabase": "database",
    "NatMode": "vpc",
    "PostgresDatabase": "database",
    "ProxyHeaders": "waf",
    "RedisCache": "cache",
    "ScalingMetric": "web_tier",
    "ScheduledSnapshots": "volume",
    "SharedFileSystem": "filesystem",
    "StaticSite": "static_site",
    "add_jump_outputs": "bastion",
    "asg_run_command": "commands",
    "bucket_behavior": "static_site",
    "cache_failover_command": "commands",
    "db_az_command": "commands",
    "failover_command": "commands",
    "first_instance_of": "commands",
    "generated_password": "secret",
    "grant_asset_read": "access",
    "grant_put_only": "access",
    "health_watch_command": "commands",
    "interactive_command": "commands",
    "load_balancer_behavior": "static_site",
    "private_bucket": "bucket",
    "regional_web_acl": "waf",
    "request_load": "commands",
    "scaling_activities_command": "commands",
    "terminate_instance_command": "commands",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # for type checkers and IDEs: the eager imports
    from week5.constructs.access import grant_asset_read, grant_put_only  # noqa: F401
    from week5.constructs.bastion import BastionPair, add_jump_outputs  # noqa: F401
    from week5.constructs.bucket import private_bucket  # noqa: F401
    from week5.constructs.cache import RedisCache  # noqa: F401
    from week5.constructs.cleanup import LeftoverCleanup  # noqa: F401
    from week5.constructs.cloudmart import CloudMartStack  # noqa: F401
    from week5.constructs.commands import (  # noqa: F401
        asg_run_command,
        cache_failover_command,
        db_az_command,
        failover_command,
        first_instance_of,
        health_watch_command,
        interactive_command,
        request_load,
        scaling_activities_command,
        terminate_instance_command,
    )
    from week5.constructs.database import LabDatabase, MysqlDatabase, PostgresDatabase  # noqa: F401
    from week5.constructs.filesystem import SharedFileSystem  # noqa: F401
    from week5.constructs.host import DockerHost, LabHost  # noqa: F401
    from week5.constructs.key_pair import LabKeyPair  # noqa: F401
    from week5.constructs.secret import generated_password  # noqa: F401
    from week5.constructs.static_site import (  # noqa: F401
        StaticSite,
        bucket_behavior,
        load_balancer_behavior,
    )
    from week5.constructs.volume import DataVolume, ScheduledSnapshots  # noqa: F401
    from week5.constructs.vpc import MultiAzVpc, NatMode  # noqa: F401
    from week5.constructs.waf import ProxyHeaders, regional_web_acl  # noqa: F401
    from week5.constructs.web_tier import HaWebTier, ScalingMetric  # noqa: F401
