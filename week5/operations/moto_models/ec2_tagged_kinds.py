"""VPC endpoints, network ACLs, Elastic IPs and key pairs in moto's Resource Groups Tagging
API, as AWS lists them.

Written against moto 5.2.5, whose EC2 backend answers ``GetResources`` for subnets, route
tables, gateways and more, but not ``ec2:vpc-endpoint``, ``ec2:network-acl``,
``ec2:elastic-ip`` or ``ec2:key-pair``: on the emulator ``week5 status`` never listed a tagged
one left outside a stack (instructor trials: 75 endpoints, 78 ACLs, 21 Elastic IPs billing
0.105 USD an hour and 20 key pairs, none shown), while ``week5 cleanup`` found them.
:func:`install` adds the kinds to the backend's tagged resources, with AWS's ARNs
(``…:vpc-endpoint/vpce-…``, ``…:network-acl/acl-…``, ``…:elastic-ip/eipalloc-…``,
``…:key-pair/key-…``). Delete this module when moto lists them (tests/test_moto_models.py says
when).
"""

from __future__ import annotations

from typing import Any, Iterator

from moto.ec2.models import EC2Backend
from moto.core.resource_tagging import TaggedResource

#: The ARN's resource type -> the backend's table of them (a dict by id or name, or a list).
KINDS = {
    "vpc-endpoint": "vpc_end_points",
    "network-acl": "network_acls",
    "elastic-ip": "addresses",
    "key-pair": "key_pairs",
}

#: moto's own, read before :func:`install` (tests/test_moto_models.py runs it to tell when moto
#: no longer needs this module).
MOTO_OWN = EC2Backend.iter_tagged_resources


def iter_tagged_resources(self: EC2Backend) -> Iterator[Any]:
    yield from MOTO_OWN(self)
    for kind, table in KINDS.items():
        resources = getattr(self, table)
        for resource in resources.values() if isinstance(resources, dict) else resources:
            if resource.id is None:  # an EC2-Classic address has no allocation id
                continue
            # moto's create_stack tags an Elastic IP by its address: those tags are its too
            address = getattr(resource, "public_ip", None) if kind == "elastic-ip" else None
            yield TaggedResource(
                arn=f"arn:{self.partition}:ec2:{self.region_name}:{self.account_id}:"
                f"{kind}/{resource.id}",
                tags={**self.tags.get(address, {}), **self.tags.get(resource.id, {})},
                resource_type=f"ec2:{kind}",
            )


def install() -> None:
    """Add the kinds to moto's EC2 tagged resources (idempotent)."""
    EC2Backend.iter_tagged_resources = iter_tagged_resources  # type: ignore[method-assign]
