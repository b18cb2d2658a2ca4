"""The CloudMart demo backend (Day 5), against a real PostgreSQL and Redis over TLS."""

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from node_apis import CLOUDMART_API_DIR, node_api
from node_apis import call as http_call


@pytest.fixture(scope="module")
def api(postgres_server, redis_server):
    with node_api(
        CLOUDMART_API_DIR, postgres_server, redis_server, "cloudmart", redis_prefix="cloudmart:"
    ) as base:
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
    assert call(f"{base}/api/health/deep") == (200, {"status": "ok", "db": "ok", "redis": "ok"})


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
