"""Day 4 case (News & Media): the news servers' read path, one shared cache in front of one Ghost.

Ghost runs one process per site: its routes and settings live in that process's memory, so a
second Ghost on the same database would not know a post the first one just published. The case
therefore runs exactly one Ghost (the writer, on its own host) and puts the 2 to 4 news servers
of the Auto Scaling group in front of it, each running this proxy. They share one cache,
ElastiCache Redis (the diagram's "ElastiCache (인기 기사 캐싱)"): whichever server answers, the
page comes from the same Ghost, and a breaking-news spike costs Ghost a render per page per
max-age, not one per reader (the servers take no lock: two that miss the same page at once
both ask Ghost; CloudFront in front sends one request a page at a time from each edge cache).

  GET /healthz            liveness, the ALB's check: the process answers. It touches neither
                          Redis nor Ghost, so their outage or failover replaces no news server.
  GET /readyz             readiness, reported: 200 when Redis and Ghost answer, else 503 with
                          the one that does not.
  GET /news/popular.json  인기 기사: the most requested pages and their counts (a sorted set in
                          Redis; CloudFront answers most reads itself, so these are the reads
                          that reached the news servers).
  GET, HEAD /news/...     from Redis while the copy is fresh (X-Cache: HIT, its max-age the
                          seconds it has left, so CloudFront's copy expires with it); else from
                          Ghost, kept for the max-age Ghost sends (MISS); when Ghost does not
                          answer or fails, the last copy, kept for a day (STALE).
  anything else           passed to Ghost as it came (the admin, sign-ins, uploads): PASS.

Not cached: answers other than 200, with Set-Cookie, marked private/no-store/no-cache, not text
(images go through; CloudFront keeps them), over 1 MB; requests with a Ghost session cookie or to
Ghost's admin and members API. While Redis is away, requests go to Ghost (BYPASS).

Environment: ORIGIN_URL (the writer, e.g. http://10.0.11.23:2368); REDIS_URL, or REDIS_HOST,
REDIS_PORT, REDIS_AUTH_TOKEN and REDIS_TLS=1; REDIS_CA_FILE; PORT (8080);
STALE_TTL_SECONDS (86400); POPULAR_COUNT (10).
"""

from __future__ import annotations

import http.client
import json
import math
import os
import re
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import quote, urlsplit

import redis

NEWS_PREFIX = "/news/"
POPULAR_PATH = "/news/popular.json"
POPULAR_KEY = "news:popular"
PAGE_KEY = "news:page:"
MAX_CACHED_BYTES = 1024 * 1024
MAX_REQUEST_BYTES = 64 * 1024 * 1024
#: Requests that are someone's own, or Ghost's admin at work: never from or into the cache.
PRIVATE_PATHS = re.compile(r"^/news/(ghost|members)(/|$)")
SESSION_COOKIES = re.compile(r"(^|;\s*)(ghost-admin-api-session|ghost-members-ssr)[.=]")
CACHEABLE_TYPES = re.compile(r"^(text/|application/(json|xml|rss\+xml|javascript))")
NO_STORE = re.compile(r"\b(private|no-store|no-cache)\b")
MAX_AGE = re.compile(r"\b(?:s-maxage|max-age)=(\d+)")
HOP_BY_HOP = {
    "connection",
    "expect",  # this proxy answered any 100-continue itself and sends the whole body
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}
#: Kept with a cached page and sent with it again.
KEPT_HEADERS = ("content-type", "cache-control", "etag", "last-modified", "content-language")
#: Not sent to Ghost when the answer may be cached: a cached page is the whole, plain body.
UNCACHEABLE_ASKS = ("accept-encoding", "if-none-match", "if-modified-since", "range")


def redis_from_env(env: Dict[str, str]) -> redis.Redis:
    url = env.get("REDIS_URL")
    if not url:
        host = env.get("REDIS_HOST")
        if not host:
            raise SystemExit("news_cache: set REDIS_URL, or REDIS_HOST (and REDIS_AUTH_TOKEN)")
        scheme = "rediss" if env.get("REDIS_TLS", "1") == "1" else "redis"
        token = quote(env.get("REDIS_AUTH_TOKEN", ""), safe="")
        url = f"{scheme}://:{token}@{host}:{env.get('REDIS_PORT', '6379')}/0"
    # Short timeouts: during a Redis failover a request goes to Ghost instead of waiting.
    options: Dict[str, Any] = {"socket_timeout": 1, "socket_connect_timeout": 1}
    if url.startswith("rediss://") and env.get("REDIS_CA_FILE"):
        options["ssl_ca_certs"] = env["REDIS_CA_FILE"]
    return redis.Redis.from_url(url, **options)


class Origin:
    """The one Ghost, over HTTP."""

    def __init__(self, url: str, timeout_s: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise SystemExit(f"news_cache: ORIGIN_URL must be http://host:port, got {url!r}")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.timeout_s = timeout_s

    def request(
        self, method: str, path: str, headers: List[Tuple[str, str]], body: Optional[bytes]
    ) -> Tuple[int, List[Tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout_s)
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                connection.putheader(name, value)
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()


class Page:
    """An answer: status, headers, body, and until when a cached copy is fresh."""

    def __init__(
        self, status: int, headers: List[Tuple[str, str]], body: bytes, fresh_until: float = 0
    ) -> None:
        self.status, self.headers, self.body, self.fresh_until = status, headers, body, fresh_until

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers if k.lower() == name), "")

    def dump(self) -> bytes:
        kept = [[k, v] for k, v in self.headers if k.lower() in KEPT_HEADERS]
        meta = {"status": self.status, "headers": kept, "fresh_until": self.fresh_until}
        return json.dumps(meta).encode() + b"\n" + self.body

    def expiring_in(self, seconds: int) -> "Page":
        """This copy with its max-age the ``seconds`` it has left: CloudFront keeps what a news
        server sends for its max-age from then on (the original 60 would let a page Ghost has
        changed stay at the edge up to twice that)."""
        control = MAX_AGE.sub(
            lambda m: m.group(0).split("=")[0] + f"={seconds}", self.header("cache-control")
        )
        headers = [(k, control if k.lower() == "cache-control" else v) for k, v in self.headers]
        return Page(self.status, headers, self.body, self.fresh_until)

    @classmethod
    def load(cls, data: bytes) -> "Page":
        meta, _, body = data.partition(b"\n")
        fields = json.loads(meta)
        headers = [(k, v) for k, v in fields["headers"]]
        return cls(fields["status"], headers, body, fields["fresh_until"])


def freshness(page: Page) -> Optional[int]:
    """Seconds Ghost lets a shared cache keep this answer, or None when it may not."""
    control = page.header("cache-control")
    if page.status != 200 or page.header("set-cookie") or NO_STORE.search(control):
        return None
    if len(page.body) > MAX_CACHED_BYTES or not CACHEABLE_TYPES.match(page.header("content-type")):
        return None
    match = MAX_AGE.search(control)
    seconds = int(match.group(1)) if match else 0
    return seconds if seconds > 0 else None


class NewsCache:
    """The logic, apart from HTTP."""

    def __init__(
        self,
        cache: redis.Redis,
        origin: Origin,
        stale_ttl_s: int = 86400,
        popular_count: int = 10,
        clock=time.time,
    ) -> None:
        self.cache = cache
        self.origin = origin
        self.stale_ttl_s = stale_ttl_s
        self.popular_count = popular_count
        self.clock = clock

    def get(self, path: str, headers: List[Tuple[str, str]]) -> Tuple[Page, str]:
        """A GET of a news page: (the answer, X-Cache)."""
        key = PAGE_KEY + path
        cached: Optional[Page] = None
        cache_up = True
        try:
            data = self.cache.get(key)
            cached = Page.load(data) if data is not None else None
        except redis.RedisError:
            cache_up = False
        now = self.clock()
        if cached is not None and cached.fresh_until > now:
            self._count(cached, path)
            return cached.expiring_in(math.ceil(cached.fresh_until - now)), "HIT"
        asks = [(k, v) for k, v in headers if k.lower() not in UNCACHEABLE_ASKS]
        try:
            page = Page(*self.origin.request("GET", path, asks, None))
        except OSError:
            if cached is not None:
                return cached, "STALE"
            return Page(502, [("Content-Type", "text/plain")], b"Ghost did not answer\n"), "MISS"
        if page.status >= 500 and cached is not None:
            return cached, "STALE"
        seconds = freshness(page)
        if seconds is None or not cache_up:
            return page, ("MISS" if cache_up else "BYPASS")
        page.fresh_until = self.clock() + seconds
        try:
            self.cache.set(key, page.dump(), ex=max(self.stale_ttl_s, seconds))
        except redis.RedisError:
            return page, "BYPASS"
        self._count(page, path)
        return page, "MISS"

    def _count(self, page: Page, path: str) -> None:
        if page.header("content-type").startswith("text/html"):
            try:
                self.cache.zincrby(POPULAR_KEY, 1, path)
            except redis.RedisError:
                pass

    def popular(self) -> Dict[str, Any]:
        entries = self.cache.zrevrange(POPULAR_KEY, 0, self.popular_count - 1, withscores=True)
        return {
            "popular": [{"path": path.decode(), "hits": int(hits)} for path, hits in entries],
            "counted": "requests that reached the news servers (CloudFront answers the rest)",
        }

    def ready(self) -> Tuple[bool, Dict[str, Any]]:
        report: Dict[str, Any] = {}
        try:
            self.cache.ping()
            report["redis"] = "ok"
        except redis.RedisError as error:
            report["redis"] = f"error: {error}"
        try:
            status, _, _ = self.origin.request("GET", NEWS_PREFIX, [("Host", "localhost")], None)
            report["ghost"] = "ok" if status < 500 else f"error: HTTP {status}"
        except OSError as error:
            report["ghost"] = f"error: {error}"
        ready = report["redis"] == "ok" and report["ghost"] == "ok"
        return ready, {"status": "ready" if ready else "degraded", **report}


def make_handler(news: NewsCache) -> type:
    class Handler(BaseHTTPRequestHandler):
        server_version = "week5-news-cache"
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self._serve(head=False)

        def do_HEAD(self) -> None:  # noqa: N802
            self._serve(head=True)

        def do_POST(self) -> None:  # noqa: N802
            self._pass()

        do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_POST  # noqa: N815

        def _serve(self, head: bool) -> None:
            path = self.path.split("#", 1)[0]
            if path == "/healthz":
                return self._json(200, {"status": "ok"}, head)
            if path == "/readyz":
                ready, report = news.ready()
                return self._json(200 if ready else 503, report, head)
            if path == POPULAR_PATH:
                try:
                    return self._json(200, news.popular(), head, cache="no-store")
                except redis.RedisError as error:
                    return self._json(503, {"error": f"redis: {error}"}, head)
            cookie = self.headers.get("Cookie", "")
            if (
                not path.startswith(NEWS_PREFIX)
                or PRIVATE_PATHS.match(path)
                or SESSION_COOKIES.search(cookie)
            ):
                return self._pass()
            page, outcome = news.get(path, self._forwarded_headers())
            self._reply(page.status, page.headers, page.body, outcome, head)

        def _pass(self) -> None:
            length = self.headers.get("Content-Length")
            if self.headers.get("Transfer-Encoding"):
                return self._json(411, {"error": "send a Content-Length"}, False)
            if length is not None and int(length) > MAX_REQUEST_BYTES:
                return self._json(413, {"error": "request body too large"}, False)
            body = self.rfile.read(int(length)) if length else None
            try:
                status, headers, data = news.origin.request(
                    self.command, self.path, self._forwarded_headers(), body
                )
            except OSError as error:
                return self._json(502, {"error": f"Ghost did not answer: {error}"}, False)
            self._reply(status, headers, data, "PASS", self.command == "HEAD")

        def _forwarded_headers(self) -> List[Tuple[str, str]]:
            return [
                (name, value)
                for name, value in self.headers.items()
                if name.lower() not in HOP_BY_HOP and name.lower() != "content-length"
            ]

        def _reply(self, status, headers, body: bytes, outcome: str, head: bool) -> None:
            self.send_response(status)
            for name, value in headers:
                if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Cache", outcome)
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _json(self, status: int, body: Dict, head: bool, cache: str = "no-store") -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            headers = [
                ("Content-Type", "application/json; charset=utf-8"),
                ("Cache-Control", cache),
            ]
            self._reply(status, headers, data, "NONE", head)

        def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base's name)
            pass  # health checks every 15 s would fill the log

    return Handler


def make_server(news: NewsCache, port: int, address: str = "0.0.0.0") -> ThreadingHTTPServer:
    return ThreadingHTTPServer((address, port), make_handler(news))


def main() -> None:
    env = dict(os.environ)
    news = NewsCache(
        redis_from_env(env),
        Origin(env.get("ORIGIN_URL", "")),
        stale_ttl_s=int(env.get("STALE_TTL_SECONDS", "86400")),
        popular_count=int(env.get("POPULAR_COUNT", "10")),
    )
    make_server(news, int(env.get("PORT", "8080"))).serve_forever()


if __name__ == "__main__":
    main()
