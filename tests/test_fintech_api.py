"""The Day 3 case's Node API (Node 22), against a real PostgreSQL and Redis over TLS."""

import json
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from node_apis import FINTECH_API_DIR, call, node_api

APP = FINTECH_API_DIR


@pytest.fixture(scope="module")
def api(postgres_server, redis_server):
    with node_api(FINTECH_API_DIR, postgres_server, redis_server, "fintech") as base:
        yield base, postgres_server


def balance_in_db(postgres_server, account):
    url = postgres_server.url.replace(f"/{postgres_server.dbname}?", "/fintech?")
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT balance_krw FROM accounts WHERE id = %s", (account,)
        ).fetchone()[0]


def test_health(api):
    base, _ = api
    assert call(f"{base}/health") == (200, {"status": "ok", "db": "ok", "redis": "ok"})


def test_balance_is_cached_and_invalidated_by_a_transfer(api):
    base, pg = api
    status, first = call(f"{base}/accounts/bob/balance")
    assert status == 200 and first["cache"] == "miss"
    _, second = call(f"{base}/accounts/bob/balance")
    assert second["cache"] == "hit" and second["balance_krw"] == first["balance_krw"]
    status, moved = call(
        f"{base}/transfers", "POST", {"from": "bob", "to": "carol", "amount": 1500}
    )
    assert status == 201 and moved["amount_krw"] == 1500
    _, after = call(f"{base}/accounts/bob/balance")
    assert after["cache"] == "miss"
    assert after["balance_krw"] == first["balance_krw"] - 1500 == balance_in_db(pg, "bob")


def test_insufficient_funds_changes_nothing(api):
    base, pg = api
    before = balance_in_db(pg, "carol"), balance_in_db(pg, "alice")
    status, body = call(
        f"{base}/transfers", "POST", {"from": "carol", "to": "alice", "amount": 10**9}
    )
    assert (status, body) == (409, {"error": "insufficient funds"})
    assert (balance_in_db(pg, "carol"), balance_in_db(pg, "alice")) == before


@pytest.mark.parametrize(
    "body, status",
    [
        ({"from": "alice", "to": "alice", "amount": 1}, 400),
        ({"from": "alice", "to": "bob", "amount": -5}, 400),
        ({"from": "alice", "to": "bob", "amount": 1.5}, 400),
        ({"from": "alice", "to": "nobody", "amount": 1}, 404),
    ],
)
def test_bad_transfers_are_refused(api, body, status):
    base, _ = api
    assert call(f"{base}/transfers", "POST", body)[0] == status


def test_concurrent_transfers_never_overdraw(api):
    """15 parallel transfers of 10,000 from an account holding 100,000: exactly 10 succeed."""
    base, pg = api
    start = balance_in_db(pg, "alice")
    tries = start // 10000 + 5
    with ThreadPoolExecutor(max_workers=tries) as pool:
        results = list(
            pool.map(
                lambda _: call(
                    f"{base}/transfers", "POST", {"from": "alice", "to": "bob", "amount": 10000}
                ),
                range(tries),
            )
        )
    statuses = sorted(status for status, _ in results)
    assert statuses.count(201) == start // 10000 and statuses.count(409) == 5
    assert balance_in_db(pg, "alice") == start % 10000


def test_the_lab_ships_the_same_pins_the_tests_use():
    package = json.loads((APP / "package.json").read_text())
    lock = json.loads((APP / "package-lock.json").read_text())
    for name, version in package["dependencies"].items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
