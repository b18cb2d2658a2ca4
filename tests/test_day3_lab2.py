"""Day 3 Lab 2: Redis 캐싱 구현 — ElastiCache Redis, 6379 only from the demo app host, the demo
comparing Redis with a real PostgreSQL on the same host. The outputs' URLs and commands are run
against the demo app itself (on the test session's PostgreSQL and Redis)."""

import json
import tempfile
from dataclasses import dataclass

import psycopg
import pytest
import redis
from lab_outputs import outputs, run, step_registry
from servers import serve_in_thread
from support import (
    ingress_rules,
    instance_security_groups,
    logical_id,
    mask_asset_hashes,
    props,
    user_data_text,
)

from week5.analysis.teardown import teardown_findings
from week5.assets import APPS_DIR
from week5.assets.apps import cache_demo
from week5.constructs.userdata import APP_DIR

LAB = "Day3Lab2"
APP = APPS_DIR / "cache_demo.py"


@pytest.fixture(scope="module")
def lab(app):
    """The lab's stack: tests find resources through its constructs."""
    return app.stacks[LAB]


def test_snapshot(t, json_snapshot):
    assert mask_asset_hashes(t) == json_snapshot


@dataclass
class Demo:
    """The demo app as the host runs it, and the Redis it keeps its data in."""

    url: str
    app: cache_demo.CacheDemo
    #: The same Redis the app uses, read directly (strings, not bytes).
    cache: redis.Redis


@pytest.fixture(scope="module")
def demo(postgres_server, redis_server):
    """The demo app as the host runs it, on a fresh catalogue and an empty cache."""
    with psycopg.connect(postgres_server.url, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS reviews, products")
    cache = redis.Redis.from_url(
        redis_server.url, decode_responses=True, ssl_ca_certs=redis_server.ca_file
    )
    cache.flushdb()
    app = cache_demo.build_demo(
        {
            "REDIS_URL": redis_server.url,
            "REDIS_CA_FILE": redis_server.ca_file,
            "DATABASE_URL": postgres_server.url,
            "REVIEWS_PER_PRODUCT": "200",
        }
    )
    server = cache_demo.make_server(app, 0, host="127.0.0.1")
    serve_in_thread(server)
    yield Demo(f"http://127.0.0.1:{server.server_address[1]}", app, cache)
    server.shutdown()
    app.source.close()
    cache.close()


def host_url(lab):
    """What the outputs say for the host's address: http://<AppHostInstance....PublicIp>."""
    instance = lab.resolve(lab.app_host.instance.instance_id)["Ref"]
    return f"http://<{instance}.PublicIp>"


def curl_json(t, lab, demo, output, extra=""):
    result = run(f"curl -s {extra} {outputs(t)[output]}", {host_url(lab): demo.url})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# ---- The course's steps (week5-course-rules.md, Day 3 Lab 2), each made doable ----

COURSE_STEPS, step = step_registry()


@step("1.1", "ElastiCache 클러스터 — Redis 클러스터 생성")
def _redis(t, lab, hosts, demo):
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
    assert outputs(t)["RedisEndpoint"] == (
        f"<{logical_id(lab.cache.replication_group)}.PrimaryEndPoint.Address>"
    )


@step("1.2", "Security Group 설정")
def _security_group(t, lab, hosts, demo):
    (group,) = props(t, "AWS::ElastiCache::ReplicationGroup")
    (cache_sg,) = [g["Fn::GetAtt"][0] for g in group["SecurityGroupIds"]]
    (app_sg,) = instance_security_groups(hosts["week5-day3-cache-demo"])
    rules = ingress_rules(t, cache_sg)
    assert [(r["FromPort"], r["SourceSecurityGroupId"]["Fn::GetAtt"][0]) for r in rules] == [
        (6379, app_sg)
    ]
    assert [(r["FromPort"], r["CidrIp"]) for r in ingress_rules(t, app_sg)] == [(80, "0.0.0.0/0")]


@step("2.1", "애플리케이션에 Redis 연동")
def _app_uses_redis(t, lab, hosts, demo):
    host = hosts["week5-day3-cache-demo"]
    text = user_data_text(host)
    parts = host["UserData"]["Fn::Base64"]["Fn::Join"][1]
    # The app's source: the stack's S3 asset, copied beside the compose file before it starts.
    assert lab.resolve(lab.app_source.s3_object_url) in parts
    assert f"{APP_DIR}/cache_demo.py" in text
    assert text.index("aws s3 cp") < text.index("docker compose up -d")
    assert "python:3.12-slim" in text
    # The endpoint and the AUTH token reach .env (the compose file passes them to the app).
    assert {"Ref": logical_id(lab.cache.auth_secret)} in parts
    assert any(
        isinstance(p, dict) and p.get("Fn::GetAtt", [None, ""])[1] == "PrimaryEndPoint.Address"
        for p in parts
    )
    assert curl_json(t, lab, demo, "ReadyUrl") == {
        "status": "ready",
        "database": "ok",
        "redis": "ok",
    }


@step("2.2", "Cache-Aside 패턴 구현")
def _cache_aside(t, lab, hosts, demo):
    first = curl_json(t, lab, demo, "CacheAsideUrl")
    second = curl_json(t, lab, demo, "CacheAsideUrl")
    assert (first["cache"], second["cache"]) == ("miss", "hit")
    assert second["product"] == first["product"] and first["product"]["reviews"] == 200


@step("2.3", "성능 비교 (실제 PostgreSQL 쿼리 vs Redis, 호스트에서 측정)")
def _compare(t, lab, hosts, demo):
    # The database: PostgreSQL in a container on the host, its password generated into Secrets
    # Manager and read into .env at boot; the app reaches it on the compose network.
    host = hosts["week5-day3-cache-demo"]
    parts = host["UserData"]["Fn::Base64"]["Fn::Join"][1]
    assert {"Ref": logical_id(lab.catalog_password)} in parts
    assert "image: postgres:17-alpine" in user_data_text(host)
    role = logical_id(lab.app_host.role)
    (policy,) = [p for p in props(t, "AWS::IAM::Policy") if p["Roles"] == [{"Ref": role}]]
    readable = [
        s["Resource"] for s in policy["PolicyDocument"]["Statement"]
        if "secretsmanager:GetSecretValue" in s["Action"]
    ]
    assert {"Ref": logical_id(lab.catalog_password)} in readable[0]
    page = curl_json(t, lab, demo, "CompareUrl")
    assert page["source"] == "postgres" and page["rounds"] == 20
    assert page["uncached_ms"] > 0 and page["cached_ms"] > 0
    result = run(outputs(t)["CompareCommand"], {host_url(lab): demo.url})
    lines = [json.loads(line) for line in result.stdout.splitlines() if line]
    assert [(r["product_id"], r["rounds"], r["source"]) for r in lines] == [
        (1, 20, "postgres"),
        (2, 20, "postgres"),
        (3, 20, "postgres"),
    ]


@step("3.1", "세션 스토어 — 세션 데이터 Redis 저장")
def _session(t, lab, hosts, demo):
    with tempfile.TemporaryDirectory(prefix="week5-cookies-") as folder:
        _session_in(t, lab, hosts, demo, f"{folder}/jar")  # curl keeps the sid cookie there


def _session_in(t, lab, hosts, demo, jar):
    first = curl_json(t, lab, demo, "SessionUrl", f"-c {jar} -b {jar}")
    second = curl_json(t, lab, demo, "SessionUrl", f"-c {jar} -b {jar}")
    assert (first["visits"], second["visits"]) == (1, 2)
    assert second["session"] == first["session"]
    # The session is in Redis, not in the app: its hash counts the visits and expires after
    # the app's session TTL (the host's .env sets none: the app's default).
    assert "SESSION_TTL_SECONDS" not in user_data_text(hosts["week5-day3-cache-demo"])
    ttl_s = demo.app.session_ttl_s
    assert second["ttl_s"] == ttl_s
    key = f"session:{second['session']}"
    assert demo.cache.hget(key, "visits") == "2"
    assert 0 < demo.cache.ttl(key) <= ttl_s


@step("4", "리소스 정리")
def _cleanup(t, lab, hosts, demo):
    assert teardown_findings(t) == []


def test_course_steps_are_listed_in_the_courses_order():
    assert list(COURSE_STEPS) == ["1.1", "1.2", "2.1", "2.2", "2.3", "3.1", "4"]


@pytest.mark.parametrize("number", list(COURSE_STEPS))
def test_course_step_is_doable(number, t, lab, hosts, demo):
    _, check = COURSE_STEPS[number]
    check(t, lab, hosts, demo)


def test_the_app_source_asset_is_the_demo(app, lab):
    staged = app.outdir / lab.app_source.asset_path
    assert staged.read_text() == APP.read_text()
    # The role reads that one object, nothing else of CDK's asset bucket.
    role = logical_id(lab.app_host.role)
    t = app.templates[LAB]
    (policy,) = [p for p in props(t, "AWS::IAM::Policy") if p["Roles"] == [{"Ref": role}]]
    (read,) = [s for s in policy["PolicyDocument"]["Statement"] if s["Action"] == "s3:GetObject"]
    assert read["Resource"]["Fn::Join"][1][-1] == f"/{lab.app_source.s3_object_key}"
