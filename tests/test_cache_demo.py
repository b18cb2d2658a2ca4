"""The Day 3 Lab 2 demo app, against a real Redis (TLS + AUTH) and a real PostgreSQL (TLS)."""

import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from servers import serve_in_thread
import redis
import yaml
from stoppable_servers import StoppablePostgres, StoppableRedis

from week5.assets import COMPOSE_DIR
from week5.assets.apps import cache_demo

ROOT = Path(__file__).resolve().parent.parent
#: Few reviews: the tests read the query's results, not its speed.
REVIEWS = 50


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
    serve_in_thread(server)
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def call(url, method="GET", headers=None):
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, json.loads(response.read()), response.headers
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), error.headers


@pytest.fixture
def postgres_app(redis_server, postgres_server, cache, monkeypatch):
    with psycopg.connect(postgres_server.url, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS reviews, products")
    monkeypatch.setenv("CACHE_DEMO_QUIET", "1")
    demo = cache_demo.build_demo(
        {
            "REDIS_URL": redis_server.url,
            "REDIS_CA_FILE": redis_server.ca_file,
            "DATABASE_URL": postgres_server.url,
            "REVIEWS_PER_PRODUCT": str(REVIEWS),
        }
    )
    server, base = serve(demo)
    yield base
    server.shutdown()
    demo.source.close()


def product_page_from_sql(postgres_server, product_id):
    with psycopg.connect(postgres_server.url) as connection:
        name, price = connection.execute(
            "SELECT name, price_krw FROM products WHERE id = %s", (product_id,)
        ).fetchone()
        count, average = connection.execute(
            "SELECT count(*), avg(rating) FROM reviews WHERE product_id = %s", (product_id,)
        ).fetchone()
        latest = connection.execute(
            "SELECT rating, body FROM reviews WHERE product_id = %s "
            "ORDER BY created_at DESC LIMIT 3",
            (product_id,),
        ).fetchall()
    return name, price, count, round(float(average), 2), [list(row) for row in latest]


def test_the_database_is_seeded_with_products_and_reviews(postgres_app, postgres_server):
    call(f"{postgres_app}/products/1")
    with psycopg.connect(postgres_server.url) as connection:
        assert connection.execute("SELECT count(*) FROM products").fetchone()[0] == 20
        assert connection.execute("SELECT count(*) FROM reviews").fetchone()[0] == 20 * REVIEWS


def test_cache_aside_reads_the_database_once_then_redis(postgres_app, postgres_server, cache):
    status, first, _ = call(f"{postgres_app}/products/3")
    assert status == 200 and first["cache"] == "miss"
    name, price, count, average, latest = product_page_from_sql(postgres_server, 3)
    product = first["product"]
    assert (product["name"], product["price_krw"]) == (name, price)
    assert (product["reviews"], product["rating"]) == (count, average) == (REVIEWS, average)
    assert [[r["rating"], r["body"]] for r in product["latest_reviews"]] == latest
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


def test_compare_endpoint_checks_its_rounds(postgres_app):
    status, body, _ = call(f"{postgres_app}/compare/2?n=4")
    assert status == 200 and body["rounds"] == 4 and body["source"] == "postgres"
    assert body["uncached_ms"] > 0 and body["cached_ms"] > 0
    assert body["speedup"] == round(body["uncached_ms"] / body["cached_ms"], 1)
def test_compare_endpoint_refuses_bad_rounds(postgres_app):
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


def test_ready_reports_both_stores(postgres_app):
    assert call(f"{postgres_app}/ready")[:2] == (
        200,
        {"status": "ready", "database": "ok", "redis": "ok"},
    )


# ---- Stores stopped under the running app: liveness answers, the app recovers ----


@pytest.fixture(scope="module")
def stoppable_postgres():
    pg = StoppablePostgres("log_statement=all").start()
    yield pg
    pg.remove()


@pytest.fixture
def own_stores(stoppable_postgres, tmp_path, monkeypatch):
    """A PostgreSQL (which logs every statement) and a Redis of this module's own, which a test
    stops and starts; each test starts with both running."""
    monkeypatch.setenv("CACHE_DEMO_QUIET", "1")
    pg = stoppable_postgres
    if not pg.running:
        pg.start()
    rd = StoppableRedis(tmp_path).start()
    yield pg, rd
    rd.stop()


def own_app(pg, rd):
    demo = cache_demo.build_demo(
        {
            "REDIS_URL": rd.server.url,
            "REDIS_CA_FILE": rd.server.ca_file,
            "DATABASE_URL": pg.server.url,
            "REVIEWS_PER_PRODUCT": str(REVIEWS),
        }
    )
    # Short timeouts: the point is the answer while Redis is gone, not redis-py's patience.
    demo.cache = redis.Redis.from_url(
        rd.server.url, decode_responses=True, ssl_ca_certs=rd.server.ca_file,
        socket_timeout=1, socket_connect_timeout=1,
    )
    return demo


def test_compare_times_the_real_query_on_the_database(own_stores):
    """No stand-in: every uncached round is the product page's query, run by PostgreSQL (its
    statement log shows each); the cached rounds never reach it."""
    pg, rd = own_stores
    demo = own_app(pg, rd)
    server, base = serve(demo)
    page_query = "FROM products p LEFT JOIN reviews r ON r.product_id = p.id"
    try:
        call(f"{base}/products/2")  # seeded and cached
        before = pg.log().count(page_query)
        status, body, _ = call(f"{base}/compare/2?n=7")
        assert status == 200 and body["source"] == "postgres"
        # 7 timed rounds, and the check that the product exists; the warm-up hit Redis.
        assert pg.log().count(page_query) - before == 7 + 1
        assert 0 < body["cached_ms"] and 0 < body["uncached_ms"]
    finally:
        server.shutdown()
        demo.source.close()


def test_liveness_answers_while_the_database_is_stopped_and_the_app_recovers(own_stores):
    pg, rd = own_stores
    demo = own_app(pg, rd)
    server, base = serve(demo)
    try:
        assert call(f"{base}/products/5")[1]["cache"] == "miss"  # seeded, and now cached
        pg.stop()
        assert call(f"{base}/health")[0] == 200
        status, ready, _ = call(f"{base}/ready")
        assert status == 503 and ready["redis"] == "ok"
        assert ready["database"].startswith("unavailable")
        # Cache-Aside pays off: the cached product still answers, an uncached one cannot.
        assert call(f"{base}/products/5")[:2][0] == 200
        status, body, _ = call(f"{base}/products/6")
        assert status == 503 and body["error"].startswith("database")
        pg.start()
        assert call(f"{base}/ready")[:2] == (
            200,
            {"status": "ready", "database": "ok", "redis": "ok"},
        )
        assert call(f"{base}/products/6")[1]["cache"] == "miss"
    finally:
        server.shutdown()
        demo.source.close()


def test_the_app_starts_while_the_database_is_down(own_stores):
    pg, rd = own_stores
    pg.stop()
    demo = own_app(pg, rd)  # no connection yet: nothing fails at start
    server, base = serve(demo)
    try:
        assert call(f"{base}/health")[0] == 200
        assert call(f"{base}/ready")[0] == 503
        pg.start()
        assert call(f"{base}/ready")[0] == 200
        assert call(f"{base}/products/1")[1]["product"]["reviews"] == REVIEWS
    finally:
        server.shutdown()
        demo.source.close()


def test_liveness_answers_while_redis_is_stopped_and_reads_bypass_the_cache(own_stores):
    pg, rd = own_stores
    demo = own_app(pg, rd)
    server, base = serve(demo)
    try:
        rd.stop()
        assert call(f"{base}/health")[0] == 200
        status, ready, _ = call(f"{base}/ready")
        assert status == 503 and ready["database"] == "ok"
        assert ready["redis"].startswith("unavailable")
        status, body, _ = call(f"{base}/products/7")
        assert status == 200 and body["cache"] == "bypass" and body["product"]["id"] == 7
        rd.start()
        assert call(f"{base}/ready")[0] == 200
        assert call(f"{base}/products/7")[1]["cache"] == "miss"
        assert call(f"{base}/products/7")[1]["cache"] == "hit"
    finally:
        server.shutdown()
        demo.source.close()


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


def test_database_settings_as_the_lab_compose_file_passes_them(
    postgres_server, redis_server, monkeypatch
):
    """The compose file gives libpq's PG* variables, not a URL: the app connects with them."""
    for name, value in {
        "PGHOST": postgres_server.host,
        "PGPORT": str(postgres_server.port),
        "PGDATABASE": postgres_server.dbname,
        "PGUSER": postgres_server.user,
        "PGPASSWORD": postgres_server.password,
        "PGSSLMODE": "require",
    }.items():
        monkeypatch.setenv(name, value)
    demo = cache_demo.build_demo(
        {"PGHOST": postgres_server.host, "REDIS_URL": redis_server.url,
         "REDIS_CA_FILE": redis_server.ca_file, "REVIEWS_PER_PRODUCT": str(REVIEWS)}
    )
    try:
        demo.source.ping()
    finally:
        demo.source.close()
    with pytest.raises(SystemExit, match="DATABASE_URL"):
        cache_demo.build_demo({"REDIS_URL": redis_server.url})


def compose():
    return yaml.safe_load((COMPOSE_DIR / "cache-demo.yml").read_text())


def test_the_compose_file_runs_postgres_beside_the_app():
    services = compose()["services"]
    db, app = services["db"], services["app"]
    assert db["image"].startswith("postgres:17")
    assert "ports" not in db  # reachable only on the compose network, from the app
    assert db["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    env = app["environment"]
    assert (env["PGHOST"], env["PGDATABASE"], env["PGUSER"]) == (
        "db",
        db["environment"]["POSTGRES_DB"],
        db["environment"]["POSTGRES_USER"],
    )
    assert env["PGPASSWORD"] == "${POSTGRES_PASSWORD}"
    assert app["depends_on"] == ["db"]  # started first, not waited for: the app connects lazily
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])


def test_the_lab_container_pins_the_clients_the_tests_use():
    text = (COMPOSE_DIR / "cache-demo.yml").read_text()
    requirements = (ROOT / "requirements-dev.txt").read_text().splitlines()
    (redis_pin,) = re.findall(r"redis==[\d.]+", text)
    (psycopg_pin,) = re.findall(r"psycopg\[binary\]==[\d.]+", text)
    assert redis_pin in requirements and psycopg_pin in requirements
