"""Day 3 Lab 2: Redis 캐싱 구현 — ElastiCache Redis, 6379 only from the demo app host."""


import pytest
from support import (
    ingress_rules,
    instance_security_groups,
    logical_id,
    mask_asset_hashes,
    props,
    user_data_text,
)

from week5.assets import APPS_DIR

LAB = "Day3Lab2"
APP = APPS_DIR / "cache_demo.py"


@pytest.fixture(scope="module")
def lab(app):
    """The lab's stack: tests find resources through its constructs."""
    return app.stacks[LAB]


def test_snapshot(t, json_snapshot):
    assert mask_asset_hashes(t) == json_snapshot


def test_one_redis_node_encrypted_with_auth_in_private_subnets(t, lab):
    (group,) = props(t, "AWS::ElastiCache::ReplicationGroup")
    assert (group["Engine"], group["CacheNodeType"], group["NumCacheClusters"]) == (
        "redis",
        "cache.t3.micro",
        1,
    )
    assert group["TransitEncryptionEnabled"] is True and group["AtRestEncryptionEnabled"] is True
    assert "{{resolve:secretsmanager:" in str(group["AuthToken"])
    (subnet_group,) = props(t, "AWS::ElastiCache::SubnetGroup")
    private = [lab.resolve(s.subnet_id) for s in lab.network.private_subnets]
    assert all(s in private for s in subnet_group["SubnetIds"])


def test_6379_only_from_the_app_host(t, hosts):
    (group,) = props(t, "AWS::ElastiCache::ReplicationGroup")
    (cache_sg,) = [g["Fn::GetAtt"][0] for g in group["SecurityGroupIds"]]
    (app_sg,) = instance_security_groups(hosts["week5-day3-cache-demo"])
    rules = ingress_rules(t, cache_sg)
    assert [(r["FromPort"], r["SourceSecurityGroupId"]["Fn::GetAtt"][0]) for r in rules] == [
        (6379, app_sg)
    ]
    assert [(r["FromPort"], r["CidrIp"]) for r in ingress_rules(t, app_sg)] == [(80, "0.0.0.0/0")]


def test_app_host_runs_the_demo_with_the_token_from_secrets_manager(t, hosts, lab):
    host = hosts["week5-day3-cache-demo"]
    text = user_data_text(host)
    assert APP.read_text().strip() in text
    assert "python:3.12-slim" in text and "docker compose up -d" in text
    parts = host["UserData"]["Fn::Base64"]["Fn::Join"][1]
    token_secret = logical_id(lab.cache.auth_secret)
    assert {"Ref": token_secret} in parts
    assert any(
        isinstance(p, dict) and p.get("Fn::GetAtt", [None, ""])[1] == "PrimaryEndPoint.Address"
        for p in parts
    )


def test_outputs_the_lab_steps(t):
    assert {"AppUrl", "CacheAsideUrl", "CompareUrl", "SessionUrl", "RedisEndpoint"} <= set(
        t["Outputs"]
    )
