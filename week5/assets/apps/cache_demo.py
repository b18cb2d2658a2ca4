"""Cache-Aside demo for Day 3 Lab 2 (Redis caching): products, sessions, and a timing comparison.

One file, the standard library plus the ``redis`` and ``psycopg`` clients, so the lab's host runs
it in a plain ``python:3.12-slim`` container beside a PostgreSQL container.

The source of truth is a real PostgreSQL database: a catalogue of products and their reviews,
created and seeded on the first connection. A product page reads the product with its review
summary and latest reviews (an aggregate over the reviews table), which is what the cache saves.

Endpoints (JSON unless noted):
  GET    /                     a page linking the steps (HTML)
  GET    /health               liveness: 200 while the process answers; it calls no store, so a
                               database or cache outage never makes it fail
  GET    /ready                readiness: PostgreSQL (SELECT 1) and Redis (PING), each reported;
                               200 when both answer, else 503
  GET    /products/<id>        Cache-Aside: Redis first; on a miss the database, then SET with a TTL
  DELETE /cache/products/<id>  drop one product from the cache
  GET    /compare/<id>?n=5     the lab's "성능 비교": the product page's query, timed against the
                               database and against Redis, n rounds each, on this host
  GET    /session              a visit counter kept in Redis under a ``sid`` cookie

Configuration (environment):
  REDIS_URL            e.g. rediss://:<token>@host:6379/0; or REDIS_HOST, REDIS_PORT,
                       REDIS_AUTH_TOKEN and REDIS_TLS=1, as the lab's host passes them
  REDIS_CA_FILE        a CA bundle for TLS (default: the system's, which trusts ElastiCache)
  DATABASE_URL         postgresql://...; or libpq's PGHOST, PGPORT, PGDATABASE, PGUSER,
                       PGPASSWORD (and PGSSLMODE), as the lab's compose file passes them
  REVIEWS_PER_PRODUCT  default 5000 (20 products: 100,000 review rows)
  CACHE_TTL_SECONDS    default 60;  SESSION_TTL_SECONDS  default 1800;  PORT  default 8080
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import uuid
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Optional
from urllib.parse import parse_qs, quote, urlsplit

import psycopg
import redis

PRODUCT_COUNT = 20
DEFAULT_REVIEWS_PER_PRODUCT = 5000
LATEST_REVIEWS = 3
MAX_COMPARE_ROUNDS = 50
#: How long a request waits for the database before it reports it unavailable.
CONNECT_TIMEOUT_S = 3

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS products ("
    " id integer PRIMARY KEY, name text NOT NULL, price_krw integer NOT NULL)",
    "CREATE TABLE IF NOT EXISTS reviews ("
    " id bigserial PRIMARY KEY,"
    " product_id integer NOT NULL REFERENCES products(id),"
    " rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),"
    " body text NOT NULL,"
    " created_at timestamptz NOT NULL)",
    "CREATE INDEX IF NOT EXISTS reviews_by_product ON reviews (product_id, created_at DESC)",
)

#: The product page: the product, its review count and average, and its latest reviews.
PRODUCT_PAGE_QUERY = """
SELECT p.id, p.name, p.price_krw,
       count(r.id) AS reviews,
       round(avg(r.rating), 2) AS rating,
       (SELECT coalesce(json_agg(latest ORDER BY latest.created_at DESC), '[]'::json)
          FROM (SELECT rating, body, created_at FROM reviews
                 WHERE product_id = p.id ORDER BY created_at DESC LIMIT %(latest)s) AS latest)
         AS latest_reviews
  FROM products p LEFT JOIN reviews r ON r.product_id = p.id
 WHERE p.id = %(id)s
 GROUP BY p.id
"""


def catalogue() -> Dict[int, Dict[str, Any]]:
    """The demo's products."""
    return {
        i: {"id": i, "name": f"CloudMart 상품 {i:02d}", "price_krw": 1000 * (i * 7 % 50 + 1)}
        for i in range(1, PRODUCT_COUNT + 1)
    }


class SourceUnavailable(Exception):
    """The database did not answer (stopped, failing over, or not reachable yet)."""


class PostgresSource:
    """Products and reviews in PostgreSQL, created and seeded on the first connection.

    Connects lazily and again after a failure, so the app starts, and keeps answering its
    liveness check, while the database is down, and recovers by itself when it is back.
    """

    name = "postgres"

    def __init__(self, url: str = "", reviews_per_product: int = DEFAULT_REVIEWS_PER_PRODUCT):
        self._url = url  # "" lets libpq read PGHOST, PGUSER, ... from the environment
        self._reviews_per_product = reviews_per_product
        self._connection: Optional[psycopg.Connection] = None
        self._lock = threading.Lock()

    def _connect(self) -> psycopg.Connection:
        if self._connection is None or self._connection.closed:
            connection = psycopg.connect(
                self._url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
            )
            self._seed(connection)
            self._connection = connection
        return self._connection

    def _seed(self, connection: psycopg.Connection) -> None:
        with connection.transaction():
            for statement in SCHEMA:
                connection.execute(statement)
            for product in catalogue().values():
                connection.execute(
                    "INSERT INTO products (id, name, price_krw) VALUES (%s, %s, %s) "
                    "ON CONFLICT (id) DO NOTHING",
                    (product["id"], product["name"], product["price_krw"]),
                )
            # Reviews once, for the products that have none (ratings and dates are spread
            # deterministically, so every run seeds the same data).
            connection.execute(
                "INSERT INTO reviews (product_id, rating, body, created_at) "
                "SELECT p.id, 1 + (p.id * 7 + n) %% 5, '리뷰 ' || n, "
                "       timestamptz '2026-01-01' + n * interval '1 minute' "
                "  FROM products p CROSS JOIN generate_series(1, %s) AS n "
                " WHERE NOT EXISTS (SELECT 1 FROM reviews r WHERE r.product_id = p.id)",
                (self._reviews_per_product,),
            )
            connection.execute("ANALYZE reviews")

    def _run(self, query: str, params: Any = None):
        with self._lock:
            try:
                return self._connect().execute(query, params).fetchone()
            except psycopg.OperationalError as error:
                if self._connection is not None:
                    self._connection.close()
                self._connection = None
                raise SourceUnavailable(str(error).strip()) from error

    def get_product(self, product_id: int) -> Optional[Dict[str, Any]]:
        row = self._run(PRODUCT_PAGE_QUERY, {"id": product_id, "latest": LATEST_REVIEWS})
        if row is None:
            return None
        return {
            "id": row[0],
            "name": row[1],
            "price_krw": row[2],
            "reviews": row[3],
            "rating": float(row[4]) if row[4] is not None else None,
            "latest_reviews": [
                {"rating": r["rating"], "body": r["body"], "created_at": r["created_at"]}
                for r in row[5]
            ],
        }

    def ping(self) -> None:
        self._run("SELECT 1")

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
            self._connection = None


def redis_from_env(env: Dict[str, str]) -> redis.Redis:
    url = env.get("REDIS_URL")
    if not url:
        host = env.get("REDIS_HOST")
        if not host:
            raise SystemExit("cache_demo: set REDIS_URL, or REDIS_HOST (and REDIS_AUTH_TOKEN)")
        scheme = "rediss" if env.get("REDIS_TLS", "1") == "1" else "redis"
        token = quote(env.get("REDIS_AUTH_TOKEN", ""), safe="")
        url = f"{scheme}://:{token}@{host}:{env.get('REDIS_PORT', '6379')}/0"
    options: Dict[str, Any] = {"socket_timeout": 5, "socket_connect_timeout": 5}
    if url.startswith("rediss://") and env.get("REDIS_CA_FILE"):
        options["ssl_ca_certs"] = env["REDIS_CA_FILE"]
    return redis.Redis.from_url(url, decode_responses=True, **options)


class CacheDemo:
    """The logic, apart from HTTP: Cache-Aside reads, invalidation, timing, sessions."""

    def __init__(self, cache: redis.Redis, source, ttl_s: int = 60, session_ttl_s: int = 1800):
        self.cache = cache
        self.source = source
        self.ttl_s = ttl_s
        self.session_ttl_s = session_ttl_s
        self.started = time.time()

    @staticmethod
    def product_key(product_id: int) -> str:
        return f"product:{product_id}"

    def get_product(self, product_id: int) -> Dict[str, Any]:
        """Redis first; on a miss the database, then SET with the TTL.

        A cached product is served while the database is down (SourceUnavailable only on a
        miss); while Redis is down every read goes to the database ("bypass").
        """
        started = time.perf_counter()
        key = self.product_key(product_id)
        try:
            cached = self.cache.get(key)
            outcome = "hit" if cached is not None else "miss"
        except redis.RedisError:
            cached, outcome = None, "bypass"
        if cached is not None:
            product = json.loads(cached)
        else:
            product = self.source.get_product(product_id)
            if product is not None and outcome == "miss":
                try:
                    self.cache.set(key, json.dumps(product, ensure_ascii=False), ex=self.ttl_s)
                except redis.RedisError:
                    outcome = "bypass"
        return {
            "product": product,
            "cache": outcome,
            "elapsed_ms": round((time.perf_counter() - started) * 1000, 2),
        }

    def invalidate(self, product_id: int) -> bool:
        return bool(self.cache.delete(self.product_key(product_id)))

    def compare(self, product_id: int, rounds: int) -> Dict[str, Any]:
        """The product page's query against the database, and the same page from Redis."""
        if self.source.get_product(product_id) is None:
            return {"product_id": product_id, "error": "no such product"}
        self.get_product(product_id)  # warm the cache
        # Rounded first, so the speedup is the ratio of the figures a student reads.
        uncached = round(_average_ms(lambda: self.source.get_product(product_id), rounds), 3)
        cached = round(
            _average_ms(lambda: json.loads(self.cache.get(self.product_key(product_id))), rounds),
            3,
        )
        return {
            "product_id": product_id,
            "rounds": rounds,
            "source": self.source.name,
            "query": "product page: product, review count and average, latest reviews",
            "uncached_ms": uncached,
            "cached_ms": cached,
            "speedup": round(uncached / cached, 1) if cached > 0 else None,
        }

    def visit(self, session_id: Optional[str]) -> Dict[str, Any]:
        """Count a visit in the session's Redis hash; a new or expired session starts at 1."""
        if not session_id or not re.fullmatch(r"[0-9a-f]{32}", session_id):
            session_id = uuid.uuid4().hex
        key = f"session:{session_id}"
        pipe = self.cache.pipeline()
        pipe.hincrby(key, "visits", 1)
        pipe.hsetnx(key, "started", str(int(time.time())))
        pipe.expire(key, self.session_ttl_s)
        visits, _, _ = pipe.execute()
        return {"session": session_id, "visits": visits, "ttl_s": self.session_ttl_s}

    def liveness(self) -> Dict[str, Any]:
        """The process answers; no store is called."""
        return {"status": "ok", "uptime_s": round(time.time() - self.started, 1)}

    def readiness(self) -> Dict[str, Any]:
        """Each store's state; ``ready`` only when both answer."""
        checks: Dict[str, str] = {}
        try:
            self.source.ping()
            checks["database"] = "ok"
        except SourceUnavailable as error:
            checks["database"] = f"unavailable: {error}"
        try:
            checks["redis"] = "ok" if self.cache.ping() else "unavailable"
        except redis.RedisError as error:
            checks["redis"] = f"unavailable: {error}"
        ready = all(value == "ok" for value in checks.values())
        return {"status": "ready" if ready else "degraded", **checks}


def _average_ms(call, rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        call()
    return (time.perf_counter() - started) * 1000 / rounds


# The empty icon keeps the browser from asking for /favicon.ico (this app's JSON 404).
INDEX_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>Week 5 Redis</title>
<link rel="icon" href="data:,"></head>
<body><h1>Day 3 Lab 2 - Redis Cache-Aside</h1><ul>
<li><a href="/products/1">/products/1</a>: twice, and see "miss" then "hit"</li>
<li><a href="/compare/1?n=20">/compare/1?n=20</a>: 성능 비교, PostgreSQL query vs Redis</li>
<li><a href="/session">/session</a>: a session stored in Redis (reload it)</li>
<li><a href="/ready">/ready</a>: PostgreSQL and Redis; <a href="/health">/health</a>: the
process</li></ul></body></html>"""


def make_handler(demo: CacheDemo):
    class Handler(BaseHTTPRequestHandler):
        server_version = "week5-cache-demo"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            try:
                self._get()
            except SourceUnavailable as error:
                self._json(HTTPStatus.SERVICE_UNAVAILABLE, {"error": f"database: {error}"})
            except redis.RedisError as error:
                self._json(HTTPStatus.SERVICE_UNAVAILABLE, {"error": f"redis: {error}"})

        def _get(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/":
                return self._send(HTTPStatus.OK, INDEX_HTML, "text/html; charset=utf-8")
            if url.path == "/health":
                return self._json(HTTPStatus.OK, demo.liveness())
            if url.path == "/ready":
                body = demo.readiness()
                ok = body["status"] == "ready"
                return self._json(HTTPStatus.OK if ok else HTTPStatus.SERVICE_UNAVAILABLE, body)
            if match := re.fullmatch(r"/products/(\d+)", url.path):
                result = demo.get_product(int(match.group(1)))
                code = HTTPStatus.OK if result["product"] else HTTPStatus.NOT_FOUND
                return self._json(code, result)
            if match := re.fullmatch(r"/compare/(\d+)", url.path):
                rounds = _rounds(parse_qs(url.query).get("n", ["5"])[0])
                if rounds is None:
                    return self._json(
                        HTTPStatus.BAD_REQUEST, {"error": f"n must be 1 to {MAX_COMPARE_ROUNDS}"}
                    )
                result = demo.compare(int(match.group(1)), rounds)
                code = HTTPStatus.NOT_FOUND if "error" in result else HTTPStatus.OK
                return self._json(code, result)
            if url.path == "/session":
                cookie = SimpleCookie(self.headers.get("Cookie", ""))
                result = demo.visit(cookie["sid"].value if "sid" in cookie else None)
                return self._json(
                    HTTPStatus.OK,
                    result,
                    {"Set-Cookie": f"sid={result['session']}; Path=/; HttpOnly; SameSite=Lax"},
                )
            return self._json(HTTPStatus.NOT_FOUND, {"error": f"no route for {url.path}"})

        def do_DELETE(self) -> None:  # noqa: N802
            if match := re.fullmatch(r"/cache/products/(\d+)", urlsplit(self.path).path):
                try:
                    deleted = demo.invalidate(int(match.group(1)))
                except redis.RedisError as error:
                    return self._json(
                        HTTPStatus.SERVICE_UNAVAILABLE, {"error": f"redis: {error}"}
                    )
                return self._json(HTTPStatus.OK, {"deleted": deleted})
            return self._json(HTTPStatus.NOT_FOUND, {"error": f"no route for {self.path}"})

        def _json(self, code, body, headers=None) -> None:
            text = json.dumps(body, ensure_ascii=False)
            self._send(code, text, "application/json; charset=utf-8", headers)

        def _send(self, code, text, content_type, headers=None) -> None:
            data = text.encode("utf-8")
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args) -> None:  # noqa: A002
            if os.environ.get("CACHE_DEMO_QUIET") != "1":
                super().log_message(format, *args)

    return Handler


def _rounds(text: str) -> Optional[int]:
    return int(text) if text.isdigit() and 1 <= int(text) <= MAX_COMPARE_ROUNDS else None


def build_demo(env: Dict[str, str]) -> CacheDemo:
    if not (env.get("DATABASE_URL") or env.get("PGHOST")):
        raise SystemExit("cache_demo: set DATABASE_URL, or PGHOST (and PGUSER, PGPASSWORD, ...)")
    source = PostgresSource(
        env.get("DATABASE_URL", ""),
        reviews_per_product=int(env.get("REVIEWS_PER_PRODUCT", DEFAULT_REVIEWS_PER_PRODUCT)),
    )
    return CacheDemo(
        redis_from_env(env),
        source,
        ttl_s=int(env.get("CACHE_TTL_SECONDS", "60")),
        session_ttl_s=int(env.get("SESSION_TTL_SECONDS", "1800")),
    )


def make_server(demo: CacheDemo, port: int, host: str = "0.0.0.0") -> ThreadingHTTPServer:
    return ThreadingHTTPServer((host, port), make_handler(demo))


def main() -> None:
    env = dict(os.environ)
    server = make_server(build_demo(env), int(env.get("PORT", "8080")))
    print(f"cache demo listening on :{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
