"""The CloudMart demo backend (Day 5), against a real PostgreSQL and Redis over TLS."""

import contextlib
import dataclasses
import json
import os
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from node_apis import CLOUDMART_API_DIR, NODE, node_api
from node_apis import call as http_call
from outage_proxy import OutageProxy
from servers import free_port, wait_for_port

HEALTHY = {"status": "ok", "db": "ok", "redis": "ok"}


def wait_until(check, seconds=20.0):
    """Polls ``check()`` until it returns something truthy; returns that, or fails."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"still not true after {seconds} s: {check.__doc__ or check}")
        time.sleep(0.2)


def ready(base):
    """The API listens before it reaches its stores: wait until /api/health/deep says ok."""
    return wait_until(lambda: call(f"{base}/api/health/deep") == (200, HEALTHY))


@pytest.fixture(scope="module")
def api(postgres_server, redis_server):
    with node_api(
        CLOUDMART_API_DIR, postgres_server, redis_server, "cloudmart", redis_prefix="cloudmart:"
    ) as base:
        ready(base)
        yield base, postgres_server.url.replace(f"/{postgres_server.dbname}?", "/cloudmart?")


def call(url, method="GET", body=None, cart=None):
    return http_call(url, method, body, {"X-Cart-Id": cart} if cart else None)


def new_cart():
    return f"cart-{uuid.uuid4()}"


def stock(db_url, product_id):
    with psycopg.connect(db_url) as connection:
        return connection.execute(
            "SELECT stock FROM products WHERE id = %s", (product_id,)
        ).fetchone()[0]


def test_health_answers_without_the_stores_and_deep_health_checks_them(api):
    base, _ = api
    assert call(f"{base}/api/health") == (200, {"status": "ok"})
    assert call(f"{base}/api/health/deep") == (200, HEALTHY)


def test_products_are_seeded_and_cached(api):
    base, _ = api
    status, first = call(f"{base}/api/products")
    _, second = call(f"{base}/api/products")
    assert status == 200
    assert [p["name"] for p in first["products"]] == [
        "Mechanical keyboard",
        "Wireless mouse",
        "27-inch monitor",
        "USB-C hub",
    ]
    assert (first["cache"], second["cache"]) == ("miss", "hit")
    assert call(f"{base}/api/products/2")[1]["price_krw"] == 35000
    assert call(f"{base}/api/products/999")[0] == 404


def test_a_cart_needs_its_id_header(api):
    base, _ = api
    status, body = call(f"{base}/api/cart")
    assert status == 400 and "X-Cart-Id" in body["error"]
    assert call(f"{base}/api/cart", cart="short")[0] == 400


def test_cart_adds_up_and_refuses_bad_items(api):
    base, _ = api
    cart = new_cart()
    call(f"{base}/api/cart", "POST", {"product_id": 1, "quantity": 1}, cart)
    status, body = call(f"{base}/api/cart", "POST", {"product_id": 1, "quantity": 2}, cart)
    assert status == 200 and body["items"] == [{"product_id": 1, "quantity": 3}]
    assert call(f"{base}/api/cart", "POST", {"product_id": 999, "quantity": 1}, cart)[0] == 404
    assert call(f"{base}/api/cart", "POST", {"product_id": 1, "quantity": 0}, cart)[0] == 400
    assert call(f"{base}/api/cart", "DELETE", cart=cart) == (
        200,
        {"cart_id": cart, "items": []},
    )


def test_an_order_takes_stock_clears_the_cart_and_refreshes_the_cache(api):
    base, db_url = api
    cart = new_cart()
    before = stock(db_url, 4)
    call(f"{base}/api/products")  # warm the cache
    call(f"{base}/api/cart", "POST", {"product_id": 4, "quantity": 2}, cart)
    status, order = call(f"{base}/api/orders", "POST", cart=cart)
    assert status == 201 and order["total_krw"] == 2 * 45000
    assert stock(db_url, 4) == before - 2
    assert call(f"{base}/api/cart", cart=cart)[1]["items"] == []
    _, listing = call(f"{base}/api/products")
    assert listing["cache"] == "miss"
    assert next(p for p in listing["products"] if p["id"] == 4)["stock"] == before - 2
    _, history = call(f"{base}/api/orders", cart=cart)
    assert [o["id"] for o in history["orders"]] == [order["id"]]


def test_an_empty_cart_or_too_little_stock_orders_nothing(api):
    base, db_url = api
    assert call(f"{base}/api/orders", "POST", cart=new_cart())[0] == 409
    cart = new_cart()
    before = stock(db_url, 3)
    call(f"{base}/api/cart", "POST", {"product_id": 3, "quantity": before + 1}, cart)
    status, body = call(f"{base}/api/orders", "POST", cart=cart)
    assert status == 409 and body["error"] == f"only {before} of 27-inch monitor left"
    assert stock(db_url, 3) == before
    assert call(f"{base}/api/cart", cart=cart)[1]["items"] != []  # kept for the student to fix


def test_concurrent_orders_never_oversell(api):
    """More carts than monitors in stock order one each at once: exactly the stock is sold."""
    base, db_url = api
    left = stock(db_url, 3)
    carts = [new_cart() for _ in range(left + 4)]
    for cart in carts:
        call(f"{base}/api/cart", "POST", {"product_id": 3, "quantity": 1}, cart)
    with ThreadPoolExecutor(max_workers=len(carts)) as pool:
        statuses = sorted(
            pool.map(lambda cart: call(f"{base}/api/orders", "POST", cart=cart)[0], carts)
        )
    assert statuses.count(201) == left and statuses.count(409) == 4
    assert stock(db_url, 3) == 0


def test_unknown_routes_are_404(api):
    base, _ = api
    assert call(f"{base}/api/nothing")[0] == 404


def test_the_lab_ships_the_same_pins_the_tests_use():
    package = json.loads((CLOUDMART_API_DIR / "package.json").read_text())
    lock = json.loads((CLOUDMART_API_DIR / "package-lock.json").read_text())
    assert lock["packages"][""]["dependencies"] == package["dependencies"]
    for name, version in package["dependencies"].items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version


@pytest.fixture
def stores_behind_proxies(postgres_server, redis_server, monkeypatch):
    """The API against the session's PostgreSQL and Redis through proxies the test can cut,
    as an RDS Multi-AZ failover or a Redis primary's replacement cuts clients off."""
    monkeypatch.setenv("RETRY_MS", "300")  # the table-creation retry, short for the test
    with OutageProxy(postgres_server.host, postgres_server.port) as database, OutageProxy(
        redis_server.host, redis_server.port
    ) as cache:
        yield (
            dataclasses.replace(postgres_server, host=database.host, port=database.port),
            dataclasses.replace(redis_server, host=cache.host, port=cache.port),
            database,
            cache,
        )


def test_a_stopped_database_keeps_liveness_up_and_deep_health_names_it(stores_behind_proxies):
    postgres, redis, database, _ = stores_behind_proxies
    with node_api(
        CLOUDMART_API_DIR, postgres, redis, "cloudmart_outage", redis_prefix="cloudmart:"
    ) as base:
        ready(base)
        assert call(f"{base}/api/products")[1]["cache"] == "miss"  # now in Redis
        database.down()
        # The ALB's check: the process answers; the group replaces no instance.
        for _ in range(3):
            assert call(f"{base}/api/health") == (200, {"status": "ok"})
        status, body = call(f"{base}/api/health/deep")
        assert status == 503 and body["status"] == "degraded"
        assert body["db"].startswith("error: ") and body["redis"] == "ok"
        status, listing = call(f"{base}/api/products")  # cached before the outage
        assert (status, listing["cache"]) == (200, "hit")
        cart = new_cart()
        assert call(f"{base}/api/cart", "POST", {"product_id": 1, "quantity": 1}, cart) == (
            503,
            {"error": "unavailable"},
        )
        database.up()
        ready(base)  # the pool reconnects by itself
        assert call(f"{base}/api/cart", "POST", {"product_id": 1, "quantity": 1}, cart)[0] == 200


def test_a_stopped_redis_keeps_liveness_up_and_products_come_from_postgres(stores_behind_proxies):
    postgres, redis, _, cache = stores_behind_proxies
    with node_api(
        CLOUDMART_API_DIR, postgres, redis, "cloudmart_outage", redis_prefix="cloudmart:"
    ) as base:
        ready(base)
        cache.down()
        assert call(f"{base}/api/health") == (200, {"status": "ok"})
        status, body = wait_until(lambda: _deep_when_degraded(base))
        assert status == 503 and body["db"] == "ok" and body["redis"].startswith("error: ")
        status, listing = call(f"{base}/api/products")
        assert (status, listing["cache"], len(listing["products"])) == (200, "unavailable", 4)
        assert call(f"{base}/api/cart", cart=new_cart()) == (503, {"error": "unavailable"})
        cache.up()
        ready(base)  # the client reconnects by itself
        assert call(f"{base}/api/cart", cart=new_cart())[0] == 200


def test_the_api_starts_while_the_database_is_stopped_and_creates_its_tables_later(
    stores_behind_proxies,
):
    postgres, redis, database, _ = stores_behind_proxies
    with psycopg.connect(postgres.url, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS cloudmart_cold")
        admin.execute("CREATE DATABASE cloudmart_cold")
    database.down()  # before the process starts: its first boot finds no database
    with node_api_process(postgres, redis, "cloudmart_cold") as base:
        assert call(f"{base}/api/health") == (200, {"status": "ok"})
        status, body = call(f"{base}/api/health/deep")
        assert status == 503 and body["db"].startswith("error: ")
        database.up()
        ready(base)  # it made its tables once the database answered
        _, listing = call(f"{base}/api/products")
        assert len(listing["products"]) == 4


@contextlib.contextmanager
def node_api_process(postgres, redis, database):
    """The API as node_api starts it, but on a database made beforehand: node_api makes its
    database through the same address, which this test has cut already."""
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "DB_HOST": postgres.host,
        "DB_PORT": str(postgres.port),
        "DB_NAME": database,
        "DB_USER": postgres.user,
        "DB_PASSWORD": postgres.password,
        "DB_CA_FILE": postgres.ca_file,
        "REDIS_URL": f"rediss://:{redis.password}@127.0.0.1:{redis.port}",
        "REDIS_CA_FILE": redis.ca_file,
    }
    process = subprocess.Popen(
        [str(NODE), "server.js"], cwd=CLOUDMART_API_DIR, env=env, stdout=subprocess.DEVNULL
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _deep_when_degraded(base):
    """/api/health/deep once it reports the outage (the client notices a cut within a second)."""
    status, body = call(f"{base}/api/health/deep")
    return (status, body) if status == 503 else None
