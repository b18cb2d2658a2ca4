"""``AWS::ElastiCache::ReplicationGroup`` for moto's CloudFormation, backed by its elasticache
backend.

Written against moto 5.2.5, which has ``create_replication_group`` but no CloudFormation model:
the group was skipped, and a ``Fn::GetAtt`` on its endpoint (a launch template's user data, an
output) stopped the deploy. Delete this module when moto models the type
(tests/test_moto_models.py says when).

As on AWS: ``Ref`` gives the group's id; ``PrimaryEndPoint``, ``ReaderEndPoint``,
``ConfigurationEndPoint`` (cluster mode) and ``ReadEndPoint`` attributes give the backend's
endpoints. Where moto 5.2.5 differs from AWS, this model fills in:
- a generated id is cut to ElastiCache's 40 characters (moto passes its long name uncut);
- ``NumCacheClusters`` > 1 makes replicas (moto's backend reads only ``ReplicasPerNodeGroup``);
- without ``PreferredCacheClusterAZs``, nodes go to the subnet group's AZs in order, not to
  moto's fixed us-east-1a;
- endpoints name the stack's region (moto names us-east-1, ``….use1.cache.amazonaws.com``,
  wherever the group is);
- deleting removes the group (moto leaves it "deleting" for ever).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel
from moto.elasticache.models import elasticache_backends

from ._common import TypeModel, flag, short_name, tag_list

CLOUDFORMATION_TYPE = "AWS::ElastiCache::ReplicationGroup"
#: ElastiCache's limit on a replication group's id.
ID_LIMIT = 40
#: The region moto 5.2.5 names in every endpoint, as AWS shortens it there.
MOTO_ENDPOINT_REGION = ".use1.cache.amazonaws.com"
ATTRIBUTES = (
    "PrimaryEndPoint.Address",
    "PrimaryEndPoint.Port",
    "ReaderEndPoint.Address",
    "ReaderEndPoint.Port",
    "ConfigurationEndPoint.Address",
    "ConfigurationEndPoint.Port",
    "ReadEndPoint.Addresses",
    "ReadEndPoint.Addresses.List",
    "ReadEndPoint.Ports",
    "ReadEndPoint.Ports.List",
)


def _subnet_group_azs(backend: Any, subnet_group_name: str | None, count: int) -> List[str]:
    group = backend.cache_subnet_groups.get(subnet_group_name or "")
    azs = [s["subnet_availability_zone"] for s in getattr(group, "subnets", [])]
    azs = [az["Name"] if isinstance(az, dict) else az for az in azs]
    return [azs[i % len(azs)] for i in range(count)] if azs else []


def region_short(region_name: str) -> str:
    """A region as ElastiCache's endpoints name it: ap-northeast-2 -> apne2, us-east-1 -> use1."""
    return re.sub(r"north|south|east|west|central", lambda m: m.group()[0], region_name).replace(
        "-", ""
    )


def _in_region(group: Any, region_name: str) -> None:
    """The group's endpoints renamed from moto's us-east-1 to ``region_name``."""
    suffix = f".{region_short(region_name)}.cache.amazonaws.com"

    def renamed(endpoint: Dict[str, Any], key: str) -> None:
        if isinstance(endpoint.get(key), str):
            endpoint[key] = endpoint[key].replace(MOTO_ENDPOINT_REGION, suffix)

    for node_group in group.node_groups:
        renamed(node_group, "primary_endpoint_address")
        renamed(node_group, "reader_endpoint_address")
        renamed(node_group.get("primary_endpoint", {}), "address")
        for member in node_group.get("node_group_members", []):
            renamed(member.get("read_endpoint", {}), "address")
    renamed(getattr(group, "configuration_endpoint", {}), "address")


class ElastiCacheReplicationGroup(TypeModel, CloudFormationModel):
    TYPE = CLOUDFORMATION_TYPE
    NAME_PROPERTY = "ReplicationGroupId"
    PHYSICAL_ID = "replication_group_id"

    def __init__(self, account_id: str, region_name: str, replication_group_id: str) -> None:
        self.account_id = account_id
        self.region_name = region_name
        self.replication_group_id = replication_group_id

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ATTRIBUTES

    @property
    def group(self) -> Any:
        backend = elasticache_backends[self.account_id][self.region_name]
        return backend.replication_groups[self.replication_group_id]

    @property
    def arn(self) -> Any:
        """The group's ARN (None once deleted): what moto's tagging API tags it by."""
        backend = elasticache_backends[self.account_id][self.region_name]
        group = backend.replication_groups.get(self.replication_group_id)
        return group.arn if group else None

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        group = self.group
        node_group = group.node_groups[0]
        members = node_group.get("node_group_members", [])
        if attribute_name == "PrimaryEndPoint.Address" and "primary_endpoint" in node_group:
            return node_group["primary_endpoint"]["address"]
        if attribute_name == "ReaderEndPoint.Address" and "reader_endpoint_address" in node_group:
            return node_group["reader_endpoint_address"]
        if attribute_name in ("PrimaryEndPoint.Port", "ReaderEndPoint.Port"):
            return str(group.port)
        if attribute_name.startswith("ConfigurationEndPoint.") and group.cluster_enabled:
            endpoint = group.configuration_endpoint
            return endpoint["address"] if attribute_name.endswith("Address") else str(group.port)
        if attribute_name.startswith("ReadEndPoint."):
            addresses = [m["read_endpoint"]["address"] for m in members if "read_endpoint" in m]
            values = (
                addresses if ".Addresses" in attribute_name else [str(group.port)] * len(addresses)
            )
            return values if attribute_name.endswith(".List") else ",".join(values)
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create(
        cls, resource_name: str, p: Dict[str, Any], account_id: str, region_name: str
    ) -> "ElastiCacheReplicationGroup":
        if "ReplicationGroupId" not in p:
            resource_name = short_name(resource_name, ID_LIMIT)
        backend = elasticache_backends[account_id][region_name]
        num_cache_clusters = int(p.get("NumCacheClusters", 1))
        replicas = p.get("ReplicasPerNodeGroup")
        if replicas is None and "NumNodeGroups" not in p:
            replicas = num_cache_clusters - 1
        azs = p.get("PreferredCacheClusterAZs") or _subnet_group_azs(
            backend, p.get("CacheSubnetGroupName"), num_cache_clusters
        )
        group = backend.create_replication_group(
            replication_group_id=resource_name.lower(),
            replication_group_description=p["ReplicationGroupDescription"],
            global_replication_group_id=p.get("GlobalReplicationGroupId"),
            primary_cluster_id=p.get("PrimaryClusterId"),
            automatic_failover_enabled=flag(p.get("AutomaticFailoverEnabled")),
            multi_az_enabled=flag(p.get("MultiAZEnabled")),
            num_cache_clusters=num_cache_clusters,
            preferred_cache_cluster_azs=azs,
            num_node_groups=int(p["NumNodeGroups"]) if "NumNodeGroups" in p else None,
            replicas_per_node_group=int(replicas) if replicas is not None else None,
            node_group_configuration=p.get("NodeGroupConfiguration", []),
            cache_node_type=p.get("CacheNodeType"),
            engine=p.get("Engine"),
            engine_version=p.get("EngineVersion"),
            cache_parameter_group_name=p.get("CacheParameterGroupName"),
            cache_subnet_group_name=p.get("CacheSubnetGroupName"),
            cache_security_group_names=p.get("CacheSecurityGroupNames", []),
            security_group_ids=p.get("SecurityGroupIds", []),
            tags=tag_list(p),
            snapshot_arns=p.get("SnapshotArns", []),
            snapshot_name=p.get("SnapshotName"),
            preferred_maintenance_window=p.get("PreferredMaintenanceWindow"),
            port=int(p["Port"]) if "Port" in p else None,
            notification_topic_arn=p.get("NotificationTopicArn"),
            auto_minor_version_upgrade=flag(p.get("AutoMinorVersionUpgrade"), default=True),
            snapshot_retention_limit=int(p.get("SnapshotRetentionLimit", 0)),
            snapshot_window=p.get("SnapshotWindow"),
            auth_token=p.get("AuthToken"),
            transit_encryption_enabled=flag(p.get("TransitEncryptionEnabled")),
            at_rest_encryption_enabled=flag(p.get("AtRestEncryptionEnabled")),
            kms_key_id=p.get("KmsKeyId"),
            user_group_ids=p.get("UserGroupIds", []),
            log_delivery_configurations=p.get("LogDeliveryConfigurations", []),
            data_tiering_enabled=flag(p.get("DataTieringEnabled")),
            network_type=p.get("NetworkType"),
            ip_discovery=p.get("IpDiscovery"),
            transit_encryption_mode=p.get("TransitEncryptionMode"),
            cluster_mode=p.get("ClusterMode"),
            serverless_cache_snapshot_name=None,
        )
        _in_region(group, region_name)
        return cls(account_id, region_name, group.replication_group_id)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = elasticache_backends[account_id][region_name]
        group = backend.delete_replication_group(self.replication_group_id, False)
        # AWS removes the group once it is deleted; moto would list it as "deleting" for ever.
        backend.replication_groups.pop(self.replication_group_id, None)
        backend.tagging_service.delete_all_tags_for_resource(group.arn)
