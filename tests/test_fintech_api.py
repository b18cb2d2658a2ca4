"""The Day 3 case's Node API (Node 22), against a real PostgreSQL and Redis over TLS, and S3 on a
local emulator (moto) for the transaction archive."""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import redis
import yaml
from fintech_app import BUCKET, fintech_api, s3_client, s3_emulator
from node_apis import FINTECH_API_DIR, call
from stoppable_servers import StoppablePostgres, StoppableRedis

from stacks.day3 import ARCHIVE_PREFIX
from week5.assets import COMPOSE_DIR

APP = FINTECH_API_DIR


@pytest.fixture(scope="module")
def s3_endpoint():
    with s3_emulator() as endpoint:
        yield endpoint



def fresh_database(postgres, name):
    with psycopg.connect(postgres.url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name}")
        connection.execute(f"CREATE DATABASE {name}")


def wait_until(check, what, seconds=30.0):
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"after {seconds} s, still not: {what}")
        time.sleep(0.2)


def ready(base):
    return wait_until(lambda: call(f"{base}/ready")[0] == 200, f"{base}/ready answers 200")


@pytest.fixture(scope="module")
def api(postgres_server, redis_server, s3_endpoint):
    fresh_database(postgres_server, "fintech")
    with redis.Redis.from_url(
        f"rediss://:{redis_server.password}@127.0.0.1:{redis_server.port}",
        ssl_ca_certs=redis_server.ca_file,
    ) as client:
        for key in client.scan_iter("balance:*"):
            client.delete(key)
    with fintech_api(postgres_server, redis_server, s3_endpoint=s3_endpoint) as (base, _):
        ready(base)
        yield base, postgres_server


def balance_in_db(postgres_server, account, database="fintech"):
    url = postgres_server.url.replace(f"/{postgres_server.dbname}?", f"/{database}?")
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT balance_krw FROM accounts WHERE id = %s", (account,)
        ).fetchone()[0]


def test_health_is_liveness_and_ready_reports_each_store(api):
    base, _ = api
    status, body = call(f"{base}/health")
    assert status == 200 and set(body) == {"status", "uptime_s"} and body["status"] == "ok"
    status, body = call(f"{base}/ready")
    assert status == 200
    assert {k: body[k] for k in ("status", "db", "redis", "schema")} == {
        "status": "ready",
        "db": "ok",
        "redis": "ok",
        "schema": "ok",
    }
    assert body["archive"]["bucket"] == BUCKET


def test_balance_is_cached_and_invalidated_by_a_transfer(api):
    base, pg = api
    status, first = call(f"{base}/accounts/bob/balance")
    assert status == 200 and first["cache"] == "miss"
    _, second = call(f"{base}/accounts/bob/balance")
    assert second["cache"] == "hit" and second["balance_krw"] == first["balance_krw"]
    status, moved = call(
        f"{base}/transfers", "POST", {"from": "bob", "to": "carol", "amount": 1500}
    )
    assert status == 201 and moved["amount_krw"] == 1500 and moved["cache"] == "invalidated"
    _, after = call(f"{base}/accounts/bob/balance")
    assert after["cache"] == "miss"
    assert after["balance_krw"] == first["balance_krw"] - 1500 == balance_in_db(pg, "bob")


def test_each_committed_transfer_is_archived_to_s3(api, s3_endpoint):
    base, pg = api
    status, moved = call(f"{base}/transfers", "POST", {"from": "alice", "to": "carol", "amount": 7})
    assert status == 201
    day = moved["created_at"][:10].replace("-", "/")
    key = f"{ARCHIVE_PREFIX}{day}/{moved['id']}.json"
    assert moved["archive"] == {"bucket": BUCKET, "key": key, "stored": True}
    stored = s3_client(s3_endpoint).get_object(Bucket=BUCKET, Key=key)
    assert stored["ContentType"] == "application/json"
    assert json.loads(stored["Body"].read()) == {
        k: moved[k] for k in ("id", "from", "to", "amount_krw", "created_at")
    }
    with psycopg.connect(pg.url.replace("/week5?", "/fintech?")) as connection:
        (row,) = connection.execute(
            "SELECT from_account, to_account, amount_krw FROM transfers WHERE id = %s",
            (moved["id"],),
        ).fetchall()
    assert row == ("alice", "carol", 7)


def test_refused_transfers_are_not_archived(api, s3_endpoint):
    base, _ = api
    before = s3_client(s3_endpoint).list_objects_v2(Bucket=BUCKET).get("KeyCount", 0)
    status, body = call(
        f"{base}/transfers", "POST", {"from": "carol", "to": "alice", "amount": 10**12}
    )
    assert (status, body) == (409, {"error": "insufficient funds"})
    assert s3_client(s3_endpoint).list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == before


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
    """Parallel transfers of 10,000 from one account: exactly as many succeed as it can pay."""
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


def test_a_failed_archive_never_fails_the_committed_transfer(postgres_server, redis_server,
                                                             s3_endpoint):
    fresh_database(postgres_server, "fintech_noarchive")
    with fintech_api(postgres_server, redis_server, "fintech_noarchive", s3_endpoint,
                     bucket="no-such-bucket") as (base, _):
        ready(base)
        status, moved = call(f"{base}/transfers", "POST", {"from": "alice", "to": "bob",
                                                            "amount": 3})
        assert status == 201 and moved["archive"]["stored"] is False
        assert balance_in_db(postgres_server, "bob", "fintech_noarchive") == 50003
        _, body = call(f"{base}/ready")
        assert body["archive"]["failed"] == 1 and "NoSuchBucket" in body["archive"]["last_error"]


# ---- A store stopped under the running API (an RDS failover, a Redis outage) ----


@pytest.fixture(scope="module")
def stoppable_postgres():
    pg = StoppablePostgres().start()
    yield pg
    pg.remove()


@pytest.fixture
def own_stores(stoppable_postgres, tmp_path):
    pg = stoppable_postgres
    if not pg.running:
        pg.start()
    fresh_database(pg.server, "fintech")
    rd = StoppableRedis(tmp_path).start()
    yield pg, rd
    rd.stop()


def test_liveness_answers_while_the_database_is_stopped_and_the_api_recovers(own_stores):
    pg, rd = own_stores
    with fintech_api(pg.server, rd.server) as (base, process):
        ready(base)
        assert call(f"{base}/accounts/alice/balance")[1]["cache"] == "miss"
        pg.stop()  # open connections are cut, as in a failover
        assert call(f"{base}/health")[0] == 200
        status, body = call(f"{base}/ready")
        assert status == 503 and body["redis"] == "ok"
        assert body["db"].startswith("unavailable")
        # The cached balance still answers; a transfer cannot, and says so.
        assert call(f"{base}/accounts/alice/balance")[1]["cache"] == "hit"
        assert call(f"{base}/transfers", "POST", {"from": "alice", "to": "bob",
                                                   "amount": 1})[0] == 503
        time.sleep(1)
        assert process.poll() is None, "the API exited when its database went away"
        assert call(f"{base}/health")[0] == 200
        pg.start()
        ready(base)
        status, moved = call(f"{base}/transfers", "POST", {"from": "alice", "to": "bob",
                                                            "amount": 1})
        assert status == 201 and moved["id"] >= 1


def test_the_api_starts_and_answers_liveness_while_the_database_is_down(own_stores):
    pg, rd = own_stores
    pg.stop()
    with fintech_api(pg.server, rd.server) as (base, process):
        assert call(f"{base}/health")[0] == 200
        status, body = call(f"{base}/ready")
        assert status == 503 and body["schema"] == "pending"
        assert call(f"{base}/accounts/alice/balance")[0] == 503
        pg.start()
        ready(base)  # the schema is created once the database answers
        assert call(f"{base}/accounts/alice/balance")[1]["balance_krw"] == 100000
        assert process.poll() is None


def test_liveness_answers_while_redis_is_stopped_and_reads_bypass_the_cache(own_stores):
    pg, rd = own_stores
    with fintech_api(pg.server, rd.server) as (base, process):
        ready(base)
        rd.stop()
        assert call(f"{base}/health")[0] == 200
        status, body = call(f"{base}/ready")
        assert status == 503 and body["db"] == "ok" and body["redis"].startswith("unavailable")
        status, read = call(f"{base}/accounts/bob/balance")
        assert status == 200 and read["cache"] == "bypass" and read["balance_krw"] == 50000
        status, moved = call(f"{base}/transfers", "POST", {"from": "alice", "to": "bob",
                                                            "amount": 5})
        assert status == 201 and moved["cache"] == "stale up to 30 s"
        assert process.poll() is None
        rd.start()
        ready(base)
        assert call(f"{base}/accounts/bob/balance")[1] == {
            "account": "bob", "balance_krw": 50005, "cache": "miss"
        }


# ---- What the lab ships ----


def test_the_lab_ships_the_same_pins_the_tests_use():
    package = json.loads((APP / "package.json").read_text())
    lock = json.loads((APP / "package-lock.json").read_text())
    for name, version in package["dependencies"].items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version


def test_the_compose_file_passes_what_the_api_reads():
    (api,) = yaml.safe_load((COMPOSE_DIR / "fintech-api.yml").read_text())["services"].values()
    env = api["environment"]
    for name in ("DB_HOST", "DB_USER", "DB_PASSWORD", "REDIS_HOST", "REDIS_AUTH_TOKEN",
                 "ARCHIVE_BUCKET", "AWS_REGION"):
        assert env[name].startswith(f"${{{name}"), name
    assert env["ARCHIVE_PREFIX"] == ARCHIVE_PREFIX
    # Host networking: the SDK reaches the instance's metadata service for the role's
    # credentials (IMDSv2's one hop), and the API listens on the host's port 80.
    assert api["network_mode"] == "host" and env["PORT"] == "80" and "ports" not in api
    assert "./package-lock.json:/app/package-lock.json:ro" in api["volumes"]
    assert "npm ci" in api["command"]


def test_the_api_starts_while_redis_is_down_and_connects_when_it_answers(own_stores):
    pg, rd = own_stores
    rd.stop()
    with fintech_api(pg.server, rd.server) as (base, process):
        assert call(f"{base}/health")[0] == 200
        wait_until(lambda: call(f"{base}/ready")[1]["schema"] == "ok", "the schema is created")
        status, body = call(f"{base}/ready")
        assert status == 503 and body["redis"].startswith("unavailable")
        assert call(f"{base}/accounts/carol/balance")[1]["cache"] == "bypass"
        rd.start()
        ready(base)  # the client keeps trying and connects
        assert call(f"{base}/accounts/carol/balance")[1]["cache"] == "miss"
        assert process.poll() is None
