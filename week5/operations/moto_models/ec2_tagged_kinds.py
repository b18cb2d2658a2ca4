"""VPC endpoints and network ACLs in moto's Resource Groups Tagging API, as AWS lists them.

Written against moto 5.2.5, whose EC2 backend answers ``GetResources`` for subnets, route
tables, gateways and more, but not ``ec2:vpc-endpoint`` or ``ec2:network-acl``: on the emulator
``week5 status`` never listed a tagged endpoint or ACL left outside a stack (an instructor
trial: 75 endpoints and 78 ACLs, none shown), while ``week5 cleanup`` found them.
:func:`install` adds both kinds to the backend's tagged resources, with AWS's ARNs
(``…:vpc-endpoint/vpce-…``, ``…:network-acl/acl-…``). Delete this module when moto lists them
(tests/test_moto_models.py says when).
"""

from __future__ import annotations

from typing import Any, Iterator

from moto.ec2.models import EC2Backend
from moto.core.resource_tagging import TaggedResource

#: The ARN's resource type -> the backend's table of them.
KINDS = {"vpc-endpoint": "vpc_end_points", "network-acl": "network_acls"}

#: moto's own, read before :func:`install` (tests/test_moto_models.py runs it to tell when moto
#: no longer needs this module).
MOTO_OWN = EC2Backend.iter_tagged_resources


def iter_tagged_resources(self: EC2Backend) -> Iterator[Any]:
    yield from MOTO_OWN(self)
    for kind, table in KINDS.items():
        for resource in getattr(self, table).values():
            yield TaggedResource(
                arn=f"arn:{self.partition}:ec2:{self.region_name}:{self.account_id}:"
                f"{kind}/{resource.id}",
                tags=dict(self.tags.get(resource.id, {})),
                resource_type=f"ec2:{kind}",
            )


def install() -> None:
    """Add the two kinds to moto's EC2 tagged resources (idempotent)."""
    EC2Backend.iter_tagged_resources = iter_tagged_resources  # type: ignore[method-assign]
