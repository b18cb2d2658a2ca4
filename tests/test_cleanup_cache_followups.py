"""`week5 cleanup` on an ElastiCache cluster outside a replication group and a manual
ElastiCache snapshot, past finding them:

- the cluster's network interfaces (AWS describes each ``ElastiCache <cluster>``) go with the
  cluster: its subnet, security group and VPC are deleted in the same run, not left tied to it
  until a run again;
- a cluster that is snapshotting (InvalidCacheClusterState) or a snapshot still being made
  (InvalidSnapshotState) is busy: retried, not failed at once;
- one deleted meanwhile by someone else (CacheClusterNotFound, SnapshotNotFoundFault) is
  "already gone", and a snapshot deleted between its listing and its tags' read vanished.

Moto makes no interface for a cache cluster: the test makes it as AWS does (its
Description, requester-managed on moto's model), and deletes it with the cluster. The busy and
gone answers, which moto never gives, come from botocore's Stubber."""

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ec2.models import ec2_backends
from shared_botocore import Clients, course_tags, moto_account, quiet_cleaner, tag_spec

from week5.operations.cleanup import services
from week5.operations.cleanup.deleter import delete_in_order
from week5.operations.cleanup.scope import Scope, vanished
from week5.operations.cleanup.ties import _service_interface
from week5.operations.price_table import PriceTable

REGION = "ap-northeast-2"
TAGS = course_tags("Day3")
CLIENTS = Clients(REGION)
ACCOUNT = "123456789012"


@pytest.fixture
def aws(monkeypatch):
    with moto_account(monkeypatch):
        yield CLIENTS


# --- a cluster's interfaces go with it ---------------------------------------------------


class CacheDeletesItsInterfaces:
    """ElastiCache whose DeleteCacheCluster also removes the cluster's interfaces, as AWS does
    with its nodes (moto made none)."""

    def __init__(self, cache, ec2, calls):
        self._cache, self._ec2, self._calls = cache, ec2, calls

    def __getattr__(self, name):
        return getattr(self._cache, name)

    def delete_cache_cluster(self, **kwargs):
        self._calls.append(("delete_cache_cluster", kwargs["CacheClusterId"]))
        reply = self._cache.delete_cache_cluster(**kwargs)
        described = f"ElastiCache {kwargs['CacheClusterId']}"
        for eni in self._ec2.describe_network_interfaces()["NetworkInterfaces"]:
            if eni.get("Description") == described:
                self._ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
        return reply


def test_a_cluster_and_its_network_go_in_one_run(aws):
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16", TagSpecifications=tag_spec("vpc", TAGS))[
        "Vpc"
    ]["VpcId"]
    subnet = ec2.create_subnet(
        VpcId=vpc, CidrBlock="10.9.1.0/24", AvailabilityZone=f"{REGION}a",
        TagSpecifications=tag_spec("subnet", TAGS),
    )["Subnet"]["SubnetId"]  # fmt: skip
    group = ec2.create_security_group(
        GroupName="kim-cache", Description="cache", VpcId=vpc,
        TagSpecifications=tag_spec("security-group", TAGS),
    )["GroupId"]  # fmt: skip
    cache = aws.client("elasticache")
    cache.create_cache_cluster(
        CacheClusterId="kim-memcached", Engine="memcached", CacheNodeType="cache.t3.micro",
        NumCacheNodes=1, Tags=TAGS,
    )  # fmt: skip
    # The cluster's node's interface, as AWS describes it.
    eni = ec2.create_network_interface(
        SubnetId=subnet, Groups=[group], Description="ElastiCache kim-memcached"
    )["NetworkInterface"]["NetworkInterfaceId"]
    ec2_backends[DEFAULT_ACCOUNT_ID][REGION].enis[eni].requester_managed = True

    calls = []

    def clients(service, **kwargs):
        client = aws.client(service, **kwargs)
        return CacheDeletesItsInterfaces(client, ec2, calls) if service == "elasticache" else client

    cleaner = quiet_cleaner(clients, "Day3")
    found = {f.id: f for f in cleaner.find()}
    assert found["kim-memcached"].kind == "ElastiCache cluster"
    for kept in (subnet, group, vpc):
        assert found[kept].held is None, (kept, found[kept].held)
    assert "kim-memcached" in found[subnet].needs
    assert "kim-memcached" in found[group].needs
    report = cleaner.apply(list(found.values()), say=lambda line: None)
    assert not report.failed and not report.left and not report.waiting
    deleted = {f.id for f in report.deleted}
    assert {"kim-memcached", subnet, group, vpc} <= deleted
    assert calls == [("delete_cache_cluster", "kim-memcached")]
    assert vpc not in {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}


def test_an_rds_cluster_of_the_same_name_is_not_the_cache():
    """An RDS cluster's ARN has ``:cluster:`` too: found, it owns no ElastiCache interface."""
    scope = Scope(lambda service: None, REGION, "Day3", "kim", PriceTable())
    refs = scope.cached("found-refs", set)
    refs.add(f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:kim-memcached")
    eni = {"NetworkInterfaceId": "eni-1", "Description": "ElastiCache kim-memcached",
           "RequesterManaged": True}  # fmt: skip
    assert not _service_interface(scope, eni).found
    refs.add(f"arn:aws:elasticache:{REGION}:{ACCOUNT}:cluster:kim-memcached")
    told = _service_interface(scope, eni)
    assert told.found and told.owners == ("kim-memcached",)


# --- busy, and gone already ---------------------------------------------------------------


def stubbed_cache():
    """ElastiCache (stubbed) listing a cluster outside a group and a manual snapshot, tagged
    Day3/kim; the Stubber then answers the deletions the test adds, and :func:`find` finds
    them once it is active."""
    client = CLIENTS.session.client("elasticache")
    stub = Stubber(client)
    arn = f"arn:aws:elasticache:{REGION}:{ACCOUNT}"
    cluster = {
        "CacheClusterId": "kim-memcached", "ARN": f"{arn}:cluster:kim-memcached",
        "CacheClusterStatus": "available", "Engine": "memcached",
        "CacheNodeType": "cache.t3.micro", "NumCacheNodes": 1,
    }  # fmt: skip
    stub.add_response("describe_cache_clusters", {"CacheClusters": [cluster]})
    stub.add_response("list_tags_for_resource", {"TagList": TAGS})
    stub.add_response(
        "describe_snapshots",
        {"Snapshots": [{"SnapshotName": "park", "ARN": f"{arn}:snapshot:park",
                        "SnapshotSource": "manual", "SnapshotStatus": "available"}]},
    )  # fmt: skip
    stub.add_response("list_tags_for_resource", {"TagList": TAGS})
    return stub, Scope(lambda service: client, REGION, "Day3", "kim", PriceTable())


def find(scope):
    found = services.cache_clusters(scope) + services.cache_snapshots(scope)
    assert [(f.kind, f.id) for f in found] == [
        ("ElastiCache cluster", "kim-memcached"),
        ("ElastiCache snapshot", "park"),
    ]
    return found


def test_a_snapshotting_cluster_and_a_snapshot_being_made_are_retried():
    stub, scope = stubbed_cache()
    with stub:
        found = find(scope)
        stub.add_client_error(
            "delete_cache_cluster", "InvalidCacheClusterState",
            "Cache cluster kim-memcached is not in a valid state to be deleted.",
        )  # fmt: skip
        stub.add_client_error(
            "delete_snapshot", "InvalidSnapshotState",
            "Snapshot park is not in a valid state to be deleted.",
        )  # fmt: skip
        stub.add_response("delete_cache_cluster", {})
        stub.add_response("delete_snapshot", {})
        waited, lines = [], []
        report = delete_in_order(found, (10, 20), waited.append, lines.append)
        stub.assert_no_pending_responses()
    assert not report.failed
    assert [f.id for f in report.deleted] == ["kim-memcached", "park"]
    assert waited == [10]
    assert "  2 not deletable yet (busy); retrying in 10 s" in lines


def test_a_cluster_and_a_snapshot_deleted_meanwhile_are_already_gone():
    stub, scope = stubbed_cache()
    with stub:
        found = find(scope)
        stub.add_client_error(
            "delete_cache_cluster", "CacheClusterNotFound", "CacheCluster not found: kim-memcached"
        )
        stub.add_client_error("delete_snapshot", "SnapshotNotFoundFault", "Snapshot park not found")
        lines = []
        report = delete_in_order(found, (10,), lambda s: None, lines.append)
        stub.assert_no_pending_responses()
    assert not report.failed and not report.deleted
    assert [(f.id, code) for f, code in report.gone] == [
        ("kim-memcached", "CacheClusterNotFound"),
        ("park", "SnapshotNotFoundFault"),
    ]
    assert any(line.startswith("  already gone, not deleted by this run: ElastiCache snapshot park")
               for line in lines)  # fmt: skip


def test_a_snapshot_deleted_since_it_was_listed_vanished():
    error = ClientError(
        {"Error": {"Code": "SnapshotNotFoundFault", "Message": "Snapshot park not found"}},
        "ListTagsForResource",
    )
    assert vanished(error)
