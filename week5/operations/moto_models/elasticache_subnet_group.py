"""``AWS::ElastiCache::SubnetGroup`` for moto's CloudFormation, backed by its elasticache backend.

Written against moto 5.2.5, which has ``create_cache_subnet_group`` but no CloudFormation model
(and no ``delete_cache_subnet_group``: deleting removes the group from the backend's table).
Without it, a replication group's ``CacheSubnetGroupName`` resolved to nothing. Delete this
module when moto models the type (tests/test_moto_models.py says when).

``Ref`` gives the group's name, lowercased as ElastiCache stores it.
"""

from __future__ import annotations

from typing import Any, Dict

from moto.core.common_models import CloudFormationModel
from moto.elasticache.models import elasticache_backends

from ._common import TypeModel, short_name, tag_list

CLOUDFORMATION_TYPE = "AWS::ElastiCache::SubnetGroup"
#: ElastiCache's limit on a subnet group's name.
NAME_LIMIT = 255


class ElastiCacheSubnetGroup(TypeModel, CloudFormationModel):
    TYPE = CLOUDFORMATION_TYPE
    NAME_PROPERTY = "CacheSubnetGroupName"

    def __init__(self, name: str, arn: str) -> None:
        self.name = name
        self.arn = arn

    @classmethod
    def create(
        cls, resource_name: str, properties: Dict[str, Any], account_id: str, region_name: str
    ) -> "ElastiCacheSubnetGroup":
        name = properties.get("CacheSubnetGroupName") or short_name(resource_name, NAME_LIMIT)
        group = elasticache_backends[account_id][region_name].create_cache_subnet_group(
            cache_subnet_group_name=name.lower(),
            cache_subnet_group_description=properties["Description"],
            subnet_ids=properties["SubnetIds"],
            tags=tag_list(properties),
        )
        return cls(group.cache_subnet_group_name, group.arn)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = elasticache_backends[account_id][region_name]
        backend.cache_subnet_groups.pop(self.name, None)
        backend.tagging_service.delete_all_tags_for_resource(self.arn)
