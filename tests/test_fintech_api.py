"""The Day 3 case's Node API (Node 22), against a real PostgreSQL and Redis over TLS."""

import json
import os
import subprocess
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from servers import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "week5" / "apps" / "fintech_api"
NODE = ROOT / "node_modules" / ".bin" / "node"


@pytest.fixture(scope="module")
def api(postgres_server, redis_server):
    if not (APP / "node_modules").is_dir():
        pytest.fail("the API's packages are missing: run scripts/setup")
    with psycopg.connect(postgres_server.url, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS fintech")
        connection.execute("CREATE DATABASE fintech")
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "DB_HOST": postgres_server.host,
        "DB_PORT": str(postgres_server.port),
        "DB_NAME": "fintech",
        "DB_USER": postgres_server.user,
        "DB_PASSWORD": postgres_server.password,
        "DB_CA_FILE": postgres_server.ca_file,  # verified TLS, as with the RDS CA bundle
        "REDIS_URL": f"rediss://:{redis_server.password}@127.0.0.1:{redis_server.port}",
        "REDIS_CA_FILE": redis_server.ca_file,
    }
    process = subprocess.Popen(
        [str(NODE), "server.js"], cwd=APP, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}", postgres_server
    finally:
        process.terminate()
        process.wait(timeout=10)


def call(url, method="GET", body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


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
