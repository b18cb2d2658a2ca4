"""RedisCache: an ElastiCache construct with L2 care — defaults, engines, replicas, errors."""

import pytest
from aws_cdk import aws_cloudwatch as cloudwatch
from support import props, resources, synth

from week5.constructs.cache import RedisCache
from week5.constructs.host import LabHost
from week5.core.errors import CourseInputError


def test_defaults_one_encrypted_redis_node_with_auth(stack, net):
    cache = RedisCache(stack, "Cache", vpc=net.vpc)
    t = synth(stack)
    (group,) = resources(t, "AWS::ElastiCache::ReplicationGroup").values()
    p = group["Properties"]
    assert (p["Engine"], p["EngineVersion"], p["CacheNodeType"]) == (
        "redis",
        "7.1",
        "cache.t3.micro",
    )
    assert (p["NumCacheClusters"], p["AutomaticFailoverEnabled"], p["MultiAZEnabled"]) == (
        1,
        False,
        False,
    )
    assert p["AtRestEncryptionEnabled"] is True and p["TransitEncryptionEnabled"] is True
    assert "{{resolve:secretsmanager:" in str(p["AuthToken"])
    assert p["Port"] == 6379 and p["SnapshotRetentionLimit"] == 0
    assert group["DeletionPolicy"] == "Delete"
    (subnet_group,) = props(t, "AWS::ElastiCache::SubnetGroup")
    assert len(subnet_group["SubnetIds"]) == 2
    assert cache.auth_secret is not None and cache.endpoint is not None


def test_replica_turns_on_failover_and_multi_az(stack, net):
    RedisCache(
        stack, "Cache", vpc=net.vpc, replicas=1, engine="valkey", node_type="cache.t4g.micro"
    )
    (p,) = props(synth(stack), "AWS::ElastiCache::ReplicationGroup")
    assert (p["Engine"], p["EngineVersion"], p["NumCacheClusters"]) == ("valkey", "8.0", 2)
    assert p["AutomaticFailoverEnabled"] is True and p["MultiAZEnabled"] is True
    # The replica in the other AZ than the primary's: an AZ's loss leaves one to promote.
    assert p["PreferredCacheClusterAZs"] == ["ap-northeast-2a", "ap-northeast-2b"]


def test_replicas_take_the_azs_in_turn_and_one_node_is_left_to_elasticache(stack, net):
    RedisCache(stack, "Three", vpc=net.vpc, replicas=2)
    RedisCache(stack, "One", vpc=net.vpc)
    three, one = props(synth(stack), "AWS::ElastiCache::ReplicationGroup")
    assert three["PreferredCacheClusterAZs"] == [
        "ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2a"
    ]
    assert "PreferredCacheClusterAZs" not in one


def test_grant_connect_is_the_only_way_in(stack, net):
    cache = RedisCache(stack, "Cache", vpc=net.vpc)
    host = LabHost(stack, "Host", vpc=net.vpc, subnet=net.private_subnets[0])
    cache.grant_connect(host)
    t = synth(stack)
    (rule,) = props(t, "AWS::EC2::SecurityGroupIngress")
    assert rule["FromPort"] == 6379 and "SourceSecurityGroupId" in rule and "CidrIp" not in rule


@pytest.mark.parametrize(
    "kwargs, says",
    [
        ({"automatic_failover": True}, "needs a replica to promote"),
        ({"node_type": "cache.t3.nano"}, "is not an ElastiCache node type"),
        ({"node_type": "cache.t3.large"}, "is not an ElastiCache node type"),
        ({"node_type": "cache.m5.micro"}, "is not an ElastiCache node type"),
        ({"node_type": "t3.micro"}, "is not an ElastiCache node type"),
        ({"engine": "memcached"}, "use 'redis'"),
        ({"replicas": 6}, "0 to 5 replicas"),
        ({"snapshot_retention_days": 36}, "0 to 35"),
    ],
)
def test_invalid_props(stack, net, kwargs, says):
    with pytest.raises(CourseInputError, match=says):
        RedisCache(stack, "Cache", vpc=net.vpc, **kwargs)


def test_failover_needs_two_azs(stack, net):
    with pytest.raises(CourseInputError, match="two AZs"):
        RedisCache(stack, "Cache", vpc=net.vpc, subnets=net.private_subnets[:1], replicas=1)


def test_node_ids_and_a_metric_across_every_node_survive_a_failover(stack, net):
    """After a failover the primary is another member cluster: an alarm on every member,
    at its highest, keeps watching the primary whichever member it is."""
    cache = RedisCache(stack, "Cache", vpc=net.vpc, replicas=2)
    group = stack.resolve(cache.replication_group.ref)
    assert [stack.resolve(n) for n in cache.node_ids] == [
        {"Fn::Join": ["", [group, f"-00{i}"]]} for i in (1, 2, 3)
    ]
    alarm = cloudwatch.Alarm(
        stack,
        "Memory",
        metric=cache.metric_across_nodes("DatabaseMemoryUsagePercentage"),
        threshold=80,
        evaluation_periods=1,
    )
    t = synth(stack)
    metrics = t["Resources"][stack.resolve(alarm.node.default_child.logical_id)]["Properties"][
        "Metrics"
    ]
    assert metrics[0]["Expression"] == "MAX([n1, n2, n3])"
    stats = [m["MetricStat"] for m in metrics[1:]]
    assert [(s["Stat"], s["Period"]) for s in stats] == [("Maximum", 300)] * 3
    assert [s["Metric"]["Dimensions"][0]["Value"] for s in stats] == [
        {"Fn::Join": ["", [group, f"-00{i}"]]} for i in (1, 2, 3)
    ]


def test_the_primary_goes_in_az_a_as_the_subnets_order_it(stack):
    """A re-trial: with -c azs=ap-northeast-2c,ap-northeast-2a (AZ-A is 2c) the primary was
    placed in 2a, the alphabetically first, where the docstring says the first AZ."""
    from week5.constructs.vpc import MultiAzVpc

    net = MultiAzVpc(stack, "Net", availability_zones=["ap-northeast-2c", "ap-northeast-2a"])
    RedisCache(stack, "Cache", vpc=net.vpc, replicas=1)
    (p,) = props(synth(stack), "AWS::ElastiCache::ReplicationGroup")
    assert p["PreferredCacheClusterAZs"] == ["ap-northeast-2c", "ap-northeast-2a"]
