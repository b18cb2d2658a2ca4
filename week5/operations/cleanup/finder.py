"""Everything a course day left in a region, found by its tags, in the order to delete it."""

from __future__ import annotations

from typing import Callable, List, Tuple

from week5.operations.cleanup import ec2, services
from week5.operations.cleanup.scope import Found, Scope

#: Dependents first: what holds a resource is deleted before it (an instance before its
#: security group, subnets before their VPC, an AMI before its snapshots).
DELETION_ORDER: Tuple[Callable[[Scope], List[Found]], ...] = (
    services.auto_scaling_groups,  # first: a group replaces the instances it loses
    ec2.instances,
    services.db_instances,
    services.db_snapshots,
    services.caches,
    services.load_balancers,
    services.target_groups,
    ec2.launch_templates,
    services.buckets,
    ec2.nat_gateways,
    ec2.addresses,
    ec2.network_interfaces,
    ec2.security_groups,
    ec2.subnets,
    ec2.route_tables,
    ec2.internet_gateways,
    ec2.vpcs,
    ec2.volumes,
    ec2.images,
    ec2.snapshots,
    services.distributions,
)


def find(scope: Scope) -> List[Found]:
    """Every resource of ``scope``, in :data:`DELETION_ORDER`."""
    found: List[Found] = []
    for step in DELETION_ORDER:
        found += step(scope)
    return found
