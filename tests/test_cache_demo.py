"""The Day 3 Lab 2 demo app, against a real Redis (TLS + AUTH) and a real PostgreSQL (TLS)."""

import json
import re
import threading
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from week5.assets import COMPOSE_DIR
from week5.assets.apps import cache_demo

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cache(redis_server):
    client = redis.Redis.from_url(
        redis_server.url, decode_responses=True, ssl_ca_certs=redis_server.ca_file
    )
    client.flushdb()
    yield client
    client.close()


def serve(demo):
    server = cache_demo.make_server(demo, 0, host="127.0.0.1")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def call(url, method="GET", headers=None):
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read()), response.headers
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), error.headers


@pytest.fixture
def postgres_app(redis_server, postgres_server, cache, monkeypatch):
    monkeypatch.setenv("CACHE_DEMO_QUIET", "1")
    demo = cache_demo.build_demo(
        {
            "REDIS_URL": redis_server.url,
            "REDIS_CA_FILE": redis_server.ca_file,
            "DATABASE_URL": postgres_server.url,
        }
    )
    server, base = serve(demo)
    yield base
    server.shutdown()
    demo.source.close()


def test_cache_aside_reads_the_database_once_then_redis(postgres_app, postgres_server, cache):
    status, first, _ = call(f"{postgres_app}/products/3")
    assert status == 200 and first["cache"] == "miss"
    with psycopg.connect(postgres_server.url) as connection:
        row = connection.execute("SELECT id, name, price_krw FROM products WHERE id = 3").fetchone()
    assert first["product"] == {"id": row[0], "name": row[1], "price_krw": row[2]}
    status, second, _ = call(f"{postgres_app}/products/3")
    assert second["cache"] == "hit" and second["product"] == first["product"]
    assert 0 < cache.ttl("product:3") <= 60


def test_a_changed_row_is_stale_until_invalidated(postgres_app, postgres_server):
    call(f"{postgres_app}/products/4")
    with psycopg.connect(postgres_server.url, autocommit=True) as connection:
        connection.execute("UPDATE products SET price_krw = price_krw + 1 WHERE id = 4")
        new_price = connection.execute("SELECT price_krw FROM products WHERE id = 4").fetchone()[0]
    _, stale, _ = call(f"{postgres_app}/products/4")
    assert stale["cache"] == "hit" and stale["product"]["price_krw"] == new_price - 1
    _, deleted, _ = call(f"{postgres_app}/cache/products/4", method="DELETE")
    assert deleted == {"deleted": True}
    _, fresh, _ = call(f"{postgres_app}/products/4")
    assert fresh["cache"] == "miss" and fresh["product"]["price_krw"] == new_price


def test_unknown_product_is_404_and_not_cached(postgres_app, cache):
    status, body, _ = call(f"{postgres_app}/products/999")
    assert status == 404 and body["product"] is None
    assert cache.exists("product:999") == 0


def test_compare_shows_redis_faster_than_the_stand_in_source(cache):
    demo = cache_demo.CacheDemo(cache, cache_demo.StandInSource(delay_ms=30))
    result = demo.compare(1, rounds=3)
    assert result["source"] == "stand-in"
    assert result["uncached_ms"] >= 30
    assert result["cached_ms"] < result["uncached_ms"]
    assert result["speedup"] == round(result["uncached_ms"] / result["cached_ms"], 1)


def test_compare_endpoint_checks_its_rounds(postgres_app):
    status, body, _ = call(f"{postgres_app}/compare/2?n=4")
    assert status == 200 and body["rounds"] == 4 and body["source"] == "postgres"
    assert body["uncached_ms"] > 0 and body["cached_ms"] > 0
    for bad in ("0", "51", "x"):
        assert call(f"{postgres_app}/compare/2?n={bad}")[0] == 400
    assert call(f"{postgres_app}/compare/999")[0] == 404


def test_session_lives_in_redis_and_counts_visits(postgres_app, cache):
    status, first, headers = call(f"{postgres_app}/session")
    assert status == 200 and first["visits"] == 1
    sid = re.match(r"sid=([0-9a-f]{32});", headers["Set-Cookie"]).group(1)
    _, second, _ = call(f"{postgres_app}/session", headers={"Cookie": f"sid={sid}"})
    assert second == {"session": sid, "visits": 2, "ttl_s": 1800}
    assert cache.hget(f"session:{sid}", "visits") == "2"
    assert 0 < cache.ttl(f"session:{sid}") <= 1800
    _, forged, _ = call(f"{postgres_app}/session", headers={"Cookie": "sid=../../etc"})
    assert forged["session"] != "../../etc" and forged["visits"] == 1


def test_health_is_503_when_redis_is_down():
    demo = cache_demo.CacheDemo(
        # No retries: the point is the answer when Redis is gone, not redis-py's patience.
        redis.Redis(
            host="127.0.0.1", port=1, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0)
        ),
        cache_demo.StandInSource(delay_ms=0),
    )
    server, base = serve(demo)
    try:
        status, body, _ = call(f"{base}/health")
    finally:
        server.shutdown()
    assert status == 503 and body["status"] == "unavailable"


def test_redis_settings_as_the_lab_host_passes_them(redis_server):
    client = cache_demo.redis_from_env(
        {
            "REDIS_HOST": redis_server.host,
            "REDIS_PORT": str(redis_server.port),
            "REDIS_AUTH_TOKEN": redis_server.password,
            "REDIS_TLS": "1",
            "REDIS_CA_FILE": redis_server.ca_file,
        }
    )
    assert client.ping() is True
    wrong = cache_demo.redis_from_env(
        {
            **{"REDIS_HOST": redis_server.host, "REDIS_PORT": str(redis_server.port)},
            "REDIS_AUTH_TOKEN": "wrong",
            "REDIS_CA_FILE": redis_server.ca_file,
        }
    )
    with pytest.raises(redis.AuthenticationError):
        wrong.ping()


def test_the_lab_container_pins_the_same_redis_client_as_the_tests():
    compose = (COMPOSE_DIR / "cache-demo.yml").read_text()
    requirements = (ROOT / "requirements-dev.txt").read_text()
    (pin,) = re.findall(r"redis==[\d.]+", compose)
    assert pin in requirements.splitlines()
