"""Cache-Aside demo for Day 3 Lab 2 (Redis caching): products, sessions, and a timing comparison.

One file, the standard library plus the ``redis`` client (and ``psycopg`` when the source is
PostgreSQL), so the lab's host runs it in a plain ``python:3.12-slim`` container.

Endpoints (JSON unless noted):
  GET    /                     a page linking the steps (HTML)
  GET    /health               200 when Redis answers, 503 when it does not
  GET    /products/<id>        Cache-Aside: Redis first; on a miss the source, then SET with a TTL
  DELETE /cache/products/<id>  drop one product from the cache
  GET    /compare/<id>?n=5     the lab's "성능 비교": average ms from the source vs from Redis
  GET    /session              a visit counter kept in Redis under a ``sid`` cookie

Configuration (environment):
  REDIS_URL            e.g. rediss://:<token>@host:6379/0; or REDIS_HOST, REDIS_PORT,
                       REDIS_AUTH_TOKEN and REDIS_TLS=1, as the lab's host passes them
  REDIS_CA_FILE        a CA bundle for TLS (default: the system's, which trusts ElastiCache)
  DATABASE_URL         postgresql://...; without it the source is a stand-in: an in-memory
                       catalogue that answers after SOURCE_DELAY_MS (default 80), as a remote
                       database under load would
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

import redis

PRODUCT_COUNT = 20
MAX_COMPARE_ROUNDS = 50


def catalogue() -> Dict[int, Dict[str, Any]]:
    """The demo's products, the same in every source."""
    return {
        i: {"id": i, "name": f"CloudMart 상품 {i:02d}", "price_krw": 1000 * (i * 7 % 50 + 1)}
        for i in range(1, PRODUCT_COUNT + 1)
    }


class StandInSource:
    """An in-memory catalogue with a fixed delay per query, standing in for a remote database."""

    name = "stand-in"

    def __init__(self, delay_ms: float = 80.0) -> None:
        self.delay_s = delay_ms / 1000.0
        self._products = catalogue()

    def get_product(self, product_id: int) -> Optional[Dict[str, Any]]:
        time.sleep(self.delay_s)
        product = self._products.get(product_id)
        return dict(product) if product else None


class PostgresSource:
    """Products in a PostgreSQL table, created and seeded at start if missing."""

    name = "postgres"

    def __init__(self, url: str) -> None:
        import psycopg

        self._connection = psycopg.connect(url, autocommit=True)
        self._lock = threading.Lock()
        with self._lock:
            self._connection.execute(
                "CREATE TABLE IF NOT EXISTS products "
                "(id integer PRIMARY KEY, name text NOT NULL, price_krw integer NOT NULL)"
            )
            for product in catalogue().values():
                self._connection.execute(
                    "INSERT INTO products (id, name, price_krw) VALUES (%s, %s, %s) "
                    "ON CONFLICT (id) DO NOTHING",
                    (product["id"], product["name"], product["price_krw"]),
                )

    def get_product(self, product_id: int) -> Optional[Dict[str, Any]]:
        with self._lock:
            row = self._connection.execute(
                "SELECT id, name, price_krw FROM products WHERE id = %s", (product_id,)
            ).fetchone()
        return {"id": row[0], "name": row[1], "price_krw": row[2]} if row else None

    def close(self) -> None:
        self._connection.close()


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

    @staticmethod
    def product_key(product_id: int) -> str:
        return f"product:{product_id}"

    def get_product(self, product_id: int) -> Dict[str, Any]:
        started = time.perf_counter()
        cached = self.cache.get(self.product_key(product_id))
        if cached is not None:
            product, outcome = json.loads(cached), "hit"
        else:
            product, outcome = self.source.get_product(product_id), "miss"
            if product is not None:
                self.cache.set(self.product_key(product_id), json.dumps(product), ex=self.ttl_s)
        return {
            "product": product,
            "cache": outcome,
            "elapsed_ms": round((time.perf_counter() - started) * 1000, 2),
        }

    def invalidate(self, product_id: int) -> bool:
        return bool(self.cache.delete(self.product_key(product_id)))

    def compare(self, product_id: int, rounds: int) -> Dict[str, Any]:
        """Average read time straight from the source against the same read from Redis."""
        if self.source.get_product(product_id) is None:
            return {"product_id": product_id, "error": "no such product"}
        self.get_product(product_id)  # warm the cache
        # Rounded first, so the speedup is the ratio of the figures a student reads.
        uncached = round(_average_ms(lambda: self.source.get_product(product_id), rounds), 3)
        cached = round(_average_ms(lambda: self.cache.get(self.product_key(product_id)), rounds), 3)
        return {
            "product_id": product_id,
            "rounds": rounds,
            "source": self.source.name,
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

    def health(self) -> Dict[str, Any]:
        try:
            ok = bool(self.cache.ping())
        except redis.RedisError as error:
            return {"status": "unavailable", "redis": str(error), "source": self.source.name}
        return {"status": "ok" if ok else "unavailable", "redis": "ok", "source": self.source.name}


def _average_ms(call, rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        call()
    return (time.perf_counter() - started) * 1000 / rounds


INDEX_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>Week 5 Redis</title></head>
<body><h1>Day 3 Lab 2 - Redis Cache-Aside</h1><ul>
<li><a href="/products/1">/products/1</a>: twice, and see "miss" then "hit"</li>
<li><a href="/compare/1">/compare/1</a>: 성능 비교, source vs Redis</li>
<li><a href="/session">/session</a>: a session stored in Redis (reload it)</li>
<li><a href="/health">/health</a></li></ul></body></html>"""


def make_handler(demo: CacheDemo):
    class Handler(BaseHTTPRequestHandler):
        server_version = "week5-cache-demo"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            url = urlsplit(self.path)
            if url.path == "/":
                return self._send(HTTPStatus.OK, INDEX_HTML, "text/html; charset=utf-8")
            if url.path == "/health":
                body = demo.health()
                code = HTTPStatus.OK if body["status"] == "ok" else HTTPStatus.SERVICE_UNAVAILABLE
                return self._json(code, body)
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
                return self._json(HTTPStatus.OK, {"deleted": demo.invalidate(int(match.group(1)))})
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
    url = env.get("DATABASE_URL")
    source = PostgresSource(url) if url else StandInSource(float(env.get("SOURCE_DELAY_MS", "80")))
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
