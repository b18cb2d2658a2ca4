"""ElastiCache's ``TestFailover`` for moto's server: a replica promoted in its node group.

Written against moto 5.2.5, which has no ``TestFailover``: the call answered HTTP 500 (moto's
NotImplementedError), so a lab's Redis failover test could not be tried on the emulator. On AWS
a replication group with automatic failover promotes one of the node group's replicas (in
another AZ when there is one) and the old primary becomes a replica: the ``CurrentRole`` of the
two swap in ``DescribeReplicationGroups``' ``NodeGroupMembers``, and the group's primary
endpoint follows the new primary. :func:`install` adds the call to moto's ElastiCache
responses: it swaps the roles (a cluster-mode group's members, which carry no role, swap
places, the primary listed first), or refuses with errors from the call's model:
``ReplicationGroupNotFoundFault``, ``NodeGroupNotFoundFault``, and
``InvalidReplicationGroupState`` for a group without automatic failover or without a replica
(AWS's wording of the messages is not checked here). Delete this
module when moto has the call (tests/test_emulator_events.py says when).
"""

from __future__ import annotations

from typing import Any, Dict, List

from moto.core.responses import ActionResult
from moto.elasticache.exceptions import ElastiCacheException, ReplicationGroupNotFound
from moto.elasticache.responses import ElastiCacheResponse

#: The method moto's dispatch calls for the action (its name, in snake case).
ACTION = "test_failover"
#: moto's own method for the action, None while it lacks one (read before :func:`install`).
MOTO_OWN = vars(ElastiCacheResponse).get(ACTION)


class NodeGroupNotFound(ElastiCacheException):
    code = "NodeGroupNotFoundFault"


class InvalidReplicationGroupState(ElastiCacheException):
    code = "InvalidReplicationGroupState"


def _promote(members: List[Dict[str, Any]]) -> bool:
    """Swap the primary with a replica (one in another AZ first); False without a replica."""
    if not members:
        return False
    roles = [m.get("current_role") for m in members]
    primary = roles.index("primary") if "primary" in roles else 0
    old = members[primary]
    replicas = [i for i in range(len(members)) if i != primary]
    if not replicas:
        return False
    az = old.get("preferred_availability_zone")
    new = next(
        (i for i in replicas if members[i].get("preferred_availability_zone") != az), replicas[0]
    )
    if "current_role" in old:
        old["current_role"], members[new]["current_role"] = "replica", "primary"
    else:  # cluster mode: no roles shown, the primary is listed first
        members[primary], members[new] = members[new], members[primary]
    return True


def test_failover(self: ElastiCacheResponse) -> ActionResult:
    group_id = self._get_param("ReplicationGroupId")
    node_group_id = self._get_param("NodeGroupId")
    group = self.elasticache_backend.replication_groups.get(group_id)
    if group is None:
        raise ReplicationGroupNotFound(group_id)
    if group.automatic_failover != "enabled":
        raise InvalidReplicationGroupState(
            f"Replication group {group_id} does not have automatic failover enabled: "
            "there is no replica to promote."
        )
    node_group = next((n for n in group.node_groups if n["node_group_id"] == node_group_id), None)
    if node_group is None:
        raise NodeGroupNotFound(
            f"Node group {node_group_id} not found in replication group {group_id}."
        )
    if not _promote(node_group["node_group_members"]):
        raise InvalidReplicationGroupState(
            f"Node group {node_group_id} of replication group {group_id} has no replica to "
            "promote."
        )
    return ActionResult({"ReplicationGroup": group})


def install() -> None:
    """Add the call to moto's ElastiCache responses (idempotent)."""
    setattr(ElastiCacheResponse, ACTION, test_failover)
