"""A replication group's member clusters listed by ElastiCache's ``DescribeCacheClusters``, as
on AWS.

Written against moto 5.2.5, whose replication group names its members (``MemberClusters``:
``<group>-001``, ``<group>-002``, ...) but makes no cluster for them: ``aws elasticache
describe-cache-clusters`` answered ``[]`` while Day3Lab2's Redis group was ``available``, so
docs/시작하기.md's leftover check (which lists clusters) found nothing where AWS lists the
group's nodes, each with its ``ReplicationGroupId``. :func:`install` makes the call list, after
moto's own clusters, each member of each group (by id too, ``--cache-cluster-id
<group>-001``): its status the group's, its node type, engine and version, subnet group,
security groups, port and AZ the group's (the member's), and ``ListTagsForResource`` on its
ARN gives the group's tags (AWS tags a group's nodes with the group's). A cluster of moto's
own of the same id wins. ``ShowCacheClustersNotInReplicationGroups`` (which moto ignored, and
``week5 cleanup`` passes) leaves out every cluster of a group, as on AWS. Delete this module
when moto lists them (tests/test_emulator_refusals.py says when).
"""

from __future__ import annotations

import inspect
from typing import Any, Dict, List, Optional

from moto.core.responses import ActionResult, PaginatedResult
from moto.elasticache.models import CacheCluster, ElastiCacheBackend
from moto.elasticache.responses import ElastiCacheResponse

#: moto's own, read before :func:`install` (tests/test_emulator_refusals.py runs them to tell
#: when moto no longer needs this module).
MOTO_DESCRIBE_CACHE_CLUSTERS = ElastiCacheBackend.describe_cache_clusters
MOTO_LIST_TAGS_FOR_RESOURCE = ElastiCacheBackend.list_tags_for_resource
MOTO_RESPONSE = ElastiCacheResponse.describe_cache_clusters

#: ``CacheCluster``'s constructor's parameters (all required by moto, None unless given).
_PARAMETERS = [p for p in inspect.signature(CacheCluster.__init__).parameters if p != "self"]


def _member(backend: ElastiCacheBackend, group: Any, member: Dict[str, Any]) -> CacheCluster:
    """The cluster AWS lists for ``member`` of ``group``."""
    given: Dict[str, Any] = {name: None for name in _PARAMETERS}
    given.update(
        account_id=backend.account_id,
        region_name=backend.region_name,
        cache_cluster_id=member["cache_cluster_id"],
        cache_node_type=group.cache_node_type,
        replication_group_id=group.replication_group_id,
        preferred_availability_zone=member.get("preferred_availability_zone"),
        num_cache_nodes=1,
        engine=group.engine,
        engine_version=group.engine_version,
        cache_parameter_group_name=group.cache_parameter_group_name,
        cache_subnet_group_name=group.cache_subnet_group_name,
        transit_encryption_enabled=group.transit_encryption_enabled,
        network_type=group.network_type,
        ip_discovery=group.ip_discovery,
        preferred_maintenance_window=group.preferred_maintenance_window,
        port=group.port,
        auto_minor_version_upgrade=group.auto_minor_version_upgrade,
        snapshot_retention_limit=group.snapshot_retention_limit,
        snapshot_window=group.snapshot_window,
        security_group_ids=group.security_group_ids,
        log_delivery_configurations=[],
    )
    cluster = CacheCluster(**given)
    # moto sets these for a "redis" engine only (not "valkey"); a member always has them.
    cluster.replication_group_id = group.replication_group_id
    cluster.num_cache_nodes = 1
    cluster.cache_cluster_status = cluster.status = group.status
    cluster.cache_cluster_create_time = group.replication_group_create_time
    return cluster


def members(backend: ElastiCacheBackend) -> Dict[str, CacheCluster]:
    """Every replication group's member clusters that moto has no cluster for: id -> cluster."""
    found: Dict[str, CacheCluster] = {}
    for group in backend.replication_groups.values():
        for node_group in group.node_groups:
            for member in node_group.get("node_group_members", []):
                cluster_id = member["cache_cluster_id"]
                if cluster_id not in backend.cache_clusters:
                    found[cluster_id] = _member(backend, group, member)
    return found


def describe_cache_clusters(
    self: ElastiCacheBackend, cache_cluster_id: Optional[str] = None
) -> List[CacheCluster]:
    """moto's clusters, then the replication groups' members."""
    if cache_cluster_id and cache_cluster_id not in self.cache_clusters:
        member = members(self).get(cache_cluster_id)
        if member is not None:
            return [member]
    found = MOTO_DESCRIBE_CACHE_CLUSTERS(self, cache_cluster_id)
    if cache_cluster_id:
        return found
    return found + list(members(self).values())


def describe_cache_clusters_response(self: ElastiCacheResponse) -> ActionResult:
    """moto's answer, without a group's clusters when the request asks so."""
    if not self._get_bool_param("ShowCacheClustersNotInReplicationGroups"):
        return MOTO_RESPONSE(self)
    found = MOTO_DESCRIBE_CACHE_CLUSTERS(self.elasticache_backend, self._get_param("CacheClusterId"))
    alone = [c for c in found if not getattr(c, "replication_group_id", None)]
    return PaginatedResult({"CacheClusters": alone})


def list_tags_for_resource(self: ElastiCacheBackend, arn: str) -> Dict[str, List[Dict[str, str]]]:
    """moto's, and a member cluster's ARN the tags of its group."""
    for member in members(self).values():
        if member.arn == arn:
            group = self.replication_groups[member.replication_group_id]
            return MOTO_LIST_TAGS_FOR_RESOURCE(self, group.arn)
    return MOTO_LIST_TAGS_FOR_RESOURCE(self, arn)


def install() -> None:
    """Patch moto's ElastiCache backend as the module's docstring says (idempotent)."""
    ElastiCacheBackend.describe_cache_clusters = describe_cache_clusters  # type: ignore[method-assign]
    ElastiCacheBackend.list_tags_for_resource = list_tags_for_resource  # type: ignore[method-assign]
    ElastiCacheResponse.describe_cache_clusters = (  # type: ignore[method-assign]
        describe_cache_clusters_response
    )
