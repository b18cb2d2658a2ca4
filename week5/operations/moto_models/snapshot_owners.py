"""EC2's ``DescribeSnapshots`` with ``OwnerIds``, as AWS answers it: only the snapshots of those
owners (``self`` is the caller's account, ``amazon`` the AMIs' owner alias).

Written against moto 5.2.5, which ignores ``OwnerIds``: ``OwnerIds=["self"]`` gave the 1,286
snapshots of the region's public AMIs too (their owners are Amazon's and the distributions'
accounts), so every ``week5 cleanup`` against the emulator read and parsed all of them, a
second of CPU each time, to find none of them ours. :func:`install` keeps moto's answer to the
owners asked for. Delete this module when moto reads ``OwnerIds`` (tests/test_moto_models.py
says when).
"""

from __future__ import annotations

from typing import Any, Optional

from moto.core.responses import ActionResult
from moto.ec2.responses.elastic_block_store import ElasticBlockStore

#: moto's own, read before :func:`install` (tests/test_moto_models.py runs it to tell when moto
#: no longer needs this module).
MOTO_OWN = ElasticBlockStore.describe_snapshots


def _alias(self: ElasticBlockStore, snapshot: Any) -> Optional[str]:
    """The owner alias of the AMI a snapshot was made for (moto's snapshots have none)."""
    ami = self.ec2_backend.amis.get(snapshot.from_ami) if snapshot.from_ami else None
    return getattr(ami, "owner_alias", None)


def describe_snapshots(self: ElasticBlockStore) -> ActionResult:
    snapshots = self.ec2_backend.describe_snapshots(
        snapshot_ids=self._get_param("SnapshotIds", []), filters=self._filters_from_querystring()
    )
    owners = [
        self.current_account if owner == "self" else owner
        for owner in self._get_param("OwnerIds", [])
    ]
    if owners:
        snapshots = [s for s in snapshots if s.owner_id in owners or _alias(self, s) in owners]
    return ActionResult({"Snapshots": snapshots})


def install() -> None:
    """Patch moto's EC2 answer as the module's docstring says (idempotent)."""
    ElasticBlockStore.describe_snapshots = describe_snapshots  # type: ignore[method-assign]
