"""week5/assets/apps/news_cache.py, the Day 4 case's news servers: a cache shared in the session's
real Redis (TLS, AUTH) in front of one Ghost, here a stand-in origin served on localhost."""

from __future__ import annotations

import gzip
import json
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import redis
from outage_proxy import OutageProxy
from support import ManualClock
from servers import serve_in_thread

from week5.assets.apps import news_cache


class FakeGhost:
    """A Ghost stand-in: counts what it serves, can fail or go away."""

    def __init__(self) -> None:
        self.seen = []
        self.version = 1
        self.fail = False
        ghost = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802
                ghost.seen.append(("GET", self.path, dict(self.headers)))
                if ghost.fail:
                    return self._send(500, "text/html", b"down", "no-cache")
                if self.path == "/news/ghost/api/admin/site/":
                    return self._send(200, "application/json", b'{"site":1}', "no-cache")
                if self.path == "/news/photo.jpg":
                    return self._send(200, "image/jpeg", b"\xff\xd8jpeg", "public, max-age=60")
                if self.path == "/news/signed-in/":
                    return self._send(
                        200, "text/html", b"hi", "public, max-age=60", cookie="ghost-members-ssr=x"
                    )
                if self.path in ("/news/", "/news/breaking/", "/news/quiet/"):
                    body = f"{self.path} v{ghost.version}".encode()
                    kind, control = "text/html; charset=utf-8", "public, max-age=60"
                    if "gzip" in self.headers.get("Accept-Encoding", ""):
                        zipped = gzip.compress(body)
                        return self._send(200, kind, zipped, control, encoding="gzip")
                    return self._send(200, kind, body, control)
                return self._send(404, "text/html", b"not found", "no-cache")

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ghost.seen.append(("POST", self.path, dict(self.headers)))
                session = "ghost-admin-api-session=s"
                self._send(201, "application/json", body, "no-cache", cookie=session)

            def _send(self, status, kind, body, control, cookie=None, encoding=None):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Cache-Control", control)
                if cookie:
                    self.send_header("Set-Cookie", cookie)
                if encoding:
                    self.send_header("Content-Encoding", encoding)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        serve_in_thread(self.server)

    def gets(self, path):
        return sum(1 for method, p, _ in self.seen if method == "GET" and p == path)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def ghost():
    origin = FakeGhost()
    yield origin
    origin.stop()


def redis_env(server, port=None):
    return {
        "REDIS_URL": f"rediss://:{server.password}@127.0.0.1:{port or server.port}/0",
        "REDIS_CA_FILE": server.ca_file,
    }


@pytest.fixture
def clean_redis(redis_server):
    client = news_cache.redis_from_env(redis_env(redis_server))
    for key in client.scan_iter("news:*"):
        client.delete(key)
    yield client
    client.close()


def reader(redis_server, ghost, clock, port=None):
    """One news server: the proxy, served on localhost."""
    news = news_cache.NewsCache(
        news_cache.redis_from_env(redis_env(redis_server, port)),
        news_cache.Origin(ghost.url, timeout_s=2),
        clock=clock,
    )
    server = news_cache.make_server(news, 0, address="127.0.0.1")
    serve_in_thread(server)
    return server


def fetch(server, path, method="GET", body=None, headers=None):
    url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def readers(redis_server, ghost, clean_redis):
    clock = ManualClock()
    servers = [reader(redis_server, ghost, clock) for _ in range(2)]
    yield servers, clock
    for server in servers:
        server.shutdown()
        server.server_close()


def test_every_news_server_serves_the_same_page_from_the_shared_cache(readers, ghost):
    (a, b), _ = readers
    status, headers, body = fetch(a, "/news/")
    assert (status, headers["X-Cache"], body) == (200, "MISS", b"/news/ v1")
    ghost.version = 2  # a new post: Ghost would render v2, the cache still holds v1
    for server in (a, b):  # the other news server too: one cache for the whole group
        status, headers, body = fetch(server, "/news/")
        assert (status, headers["X-Cache"], body) == (200, "HIT", b"/news/ v1")
        assert headers["Cache-Control"] == "public, max-age=60"
    assert ghost.gets("/news/") == 1


def test_a_hit_tells_cloudfront_the_seconds_the_copy_has_left(readers, ghost):
    """CloudFront keeps an answer for the max-age it carries from when it got it: a copy 45 s
    into its 60 says 15, so the edge and the news servers fetch the new page alike."""
    (a, b), clock = readers
    assert fetch(a, "/news/quiet/")[1]["Cache-Control"] == "public, max-age=60"  # the MISS
    clock.now += 45
    status, headers, _ = fetch(b, "/news/quiet/")
    assert (status, headers["X-Cache"]) == (200, "HIT")
    assert headers["Cache-Control"] == "public, max-age=15"
    clock.now += 14.5
    # Half a second left: 1, never 0 (a copy still fresh here is not stale at the edge).
    assert fetch(a, "/news/quiet/")[1]["Cache-Control"] == "public, max-age=1"
    clock.now += 1
    assert fetch(b, "/news/quiet/")[1]["X-Cache"] == "MISS"


def test_a_page_is_fetched_again_once_ghosts_max_age_has_passed(readers, ghost):
    (a, b), clock = readers
    fetch(a, "/news/breaking/")
    ghost.version = 2
    clock.now += 59
    assert fetch(b, "/news/breaking/")[2] == b"/news/breaking/ v1"
    clock.now += 2
    status, headers, body = fetch(b, "/news/breaking/")
    assert (headers["X-Cache"], body) == ("MISS", b"/news/breaking/ v2")
    assert ghost.gets("/news/breaking/") == 2


def test_when_ghost_is_gone_the_last_copy_is_served_stale(readers, ghost):
    (a, _), clock = readers
    fetch(a, "/news/breaking/")
    clock.now += 3600
    ghost.fail = True  # Ghost answers 500 (its database is down)
    status, headers, body = fetch(a, "/news/breaking/")
    assert (status, headers["X-Cache"], body) == (200, "STALE", b"/news/breaking/ v1")
    ghost.stop()  # the writer's host is gone
    status, headers, body = fetch(a, "/news/breaking/")
    assert (status, headers["X-Cache"], body) == (200, "STALE", b"/news/breaking/ v1")
    status, _, body = fetch(a, "/news/quiet/")  # never cached: nothing to fall back on
    assert (status, body) == (502, b"Ghost did not answer\n")


def test_popular_articles_are_counted_in_redis(readers, ghost, clean_redis):
    (a, b), _ = readers
    for _ in range(3):
        fetch(a, "/news/breaking/")
    fetch(b, "/news/breaking/")
    fetch(b, "/news/quiet/")
    fetch(a, "/news/photo.jpg")  # not an article
    status, headers, body = fetch(b, "/news/popular.json")
    popular = json.loads(body)["popular"]
    assert status == 200 and headers["Cache-Control"] == "no-store"
    assert popular == [{"path": "/news/breaking/", "hits": 4}, {"path": "/news/quiet/", "hits": 1}]
    assert clean_redis.zscore("news:popular", "/news/breaking/") == 4


def test_private_answers_and_requests_are_never_cached(readers, ghost, clean_redis):
    (a, _), _ = readers
    for path in ("/news/signed-in/", "/news/photo.jpg", "/news/missing/"):
        fetch(a, path)
        status, headers, _ = fetch(a, path)
        assert headers["X-Cache"] == "MISS", path
        assert ghost.gets(path) == 2, path
    # Ghost's admin and a signed-in member go to Ghost as they came.
    _, headers, _ = fetch(a, "/news/ghost/api/admin/site/")
    assert headers["X-Cache"] == "PASS"
    fetch(a, "/news/breaking/")
    _, headers, _ = fetch(a, "/news/breaking/", headers={"Cookie": "ghost-members-ssr=abc"})
    assert headers["X-Cache"] == "PASS"
    assert list(clean_redis.scan_iter("news:page:*")) == [b"news:page:/news/breaking/"]


def test_writes_pass_through_with_their_body_and_cookies(readers, ghost):
    (a, _), _ = readers
    status, headers, body = fetch(
        a,
        "/news/ghost/api/admin/posts/",
        method="POST",
        body=b'{"posts":[{"title":"Breaking"}]}',
        headers={"Content-Type": "application/json", "Cookie": "ghost-admin-api-session=s"},
    )
    assert (status, body, headers["X-Cache"]) == (201, b'{"posts":[{"title":"Breaking"}]}', "PASS")
    assert headers["Set-Cookie"] == "ghost-admin-api-session=s"
    method, path, sent = ghost.seen[-1]
    assert (method, path) == ("POST", "/news/ghost/api/admin/posts/")
    assert sent["Cookie"] == "ghost-admin-api-session=s"


def test_a_cached_page_is_fetched_whole_and_plain(readers, ghost):
    (a, _), _ = readers
    status, headers, body = fetch(a, "/news/", headers={"Accept-Encoding": "gzip"})
    assert (status, body) == (200, b"/news/ v1") and "Content-Encoding" not in headers
    assert "Accept-Encoding" not in ghost.seen[-1][2]


def test_liveness_stays_up_while_redis_is_away_and_pages_come_from_ghost(
    redis_server, ghost, clean_redis
):
    """The ALB's check answers from the process alone; /readyz reports Redis; pages go to
    Ghost until Redis is back (a Redis failover or replacement)."""
    with OutageProxy(redis_server.host, redis_server.port) as cache:
        server = reader(redis_server, ghost, ManualClock(), port=cache.port)
        try:
            assert fetch(server, "/news/")[1]["X-Cache"] == "MISS"
            assert fetch(server, "/readyz")[0] == 200
            cache.down()
            assert fetch(server, "/healthz")[:3:2] == (200, b'{"status": "ok"}')
            status, _, body = fetch(server, "/readyz")
            report = json.loads(body)
            assert status == 503 and report["ghost"] == "ok"
            assert report["redis"].startswith("error: ")
            ghost.version = 2
            status, headers, body = fetch(server, "/news/")
            assert (status, headers["X-Cache"], body) == (200, "BYPASS", b"/news/ v2")
            assert fetch(server, "/news/popular.json")[0] == 503
            cache.up()
            assert fetch(server, "/news/")[1]["X-Cache"] == "HIT"
        finally:
            server.shutdown()
            server.server_close()


def test_readiness_names_ghost_when_it_is_gone(redis_server, ghost, clean_redis):
    server = reader(redis_server, ghost, ManualClock())
    try:
        ghost.stop()
        status, _, body = fetch(server, "/readyz")
        report = json.loads(body)
        assert status == 503 and report["redis"] == "ok"
        assert report["ghost"].startswith("error: ")
        assert fetch(server, "/healthz")[0] == 200
    finally:
        server.shutdown()
        server.server_close()


def test_configuration_comes_from_the_environment_the_compose_file_sets():
    client = news_cache.redis_from_env(
        {"REDIS_HOST": "cache.example", "REDIS_AUTH_TOKEN": "t/k", "REDIS_PORT": "6380"}
    )
    kwargs = client.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["password"]) == ("cache.example", 6380, "t/k")
    assert client.connection_pool.connection_class is redis.SSLConnection
    with pytest.raises(SystemExit, match="ORIGIN_URL must be http://host:port"):
        news_cache.Origin("")
