"""The tags of an EC2 resource that moto's CloudFormation deletes, dropped with it, as AWS does.

Written against moto 5.2.5, whose EC2 backend keeps its tags in a table of their own that no
deletion clears: after ``cdk destroy``, EC2's ``DescribeTags`` still listed the lab's VPC,
subnets, security groups, route tables, gateways, addresses, volumes and launch templates with
their Week/Day/Lab/Student tags, as if they were left behind. :func:`install` makes the stack's
deletion of each EC2 resource drop its tags (an instance's stay: a terminated instance keeps its
tags while EC2 still lists it, as on AWS). Deletions through EC2's own API are not changed.
Delete this module when moto's deletions drop the tags (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from typing import Any, Dict

from moto.cloudformation.parsing import ResourceMap
from moto.ec2.models import ec2_backends
from moto.ec2.models.core import TaggedEC2Resource
from moto.ec2.models.instances import Instance

#: moto's own, read before :func:`install` (tests/test_moto_models.py runs it to tell when moto
#: no longer needs this module).
MOTO_DELETE_RESOURCE = ResourceMap._delete_resource


def _delete_resource(
    self: ResourceMap, parsed_resource: Any, resource_json: Dict[str, Any]
) -> None:
    """moto's, then the deleted resource's EC2 tags dropped."""
    MOTO_DELETE_RESOURCE(self, parsed_resource, resource_json)
    if isinstance(parsed_resource, TaggedEC2Resource) and not isinstance(parsed_resource, Instance):
        ec2 = ec2_backends[self._account_id][self._region_name]
        tags = ec2.describe_tags(filters={"resource-id": [parsed_resource.id]})
        ec2.delete_tag_keys([parsed_resource.id], [tag["key"] for tag in tags])


def install() -> None:
    """Patch moto's stack deletion as the module's docstring says (idempotent)."""
    ResourceMap._delete_resource = _delete_resource  # type: ignore[method-assign]
