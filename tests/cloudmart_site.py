"""CloudMart served on 127.0.0.1 the way the Day 5 lab serves it: one origin for the browser.

In the lab, CloudFront serves the frontend's files from S3 (``index.html`` as the default root
object) and sends ``/api/*`` to the backend's ALB, so the page calls its API same-origin. Here
one local HTTP server does both: files from the frontend folder, ``/api/*`` forwarded to the
Node backend. When the backend does not answer, it answers 502 with an HTML page, as CloudFront
does when its origin is unreachable (the frontend must cope with a body that is not JSON).
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import urllib.parse
from pathlib import Path
from typing import Iterator

from servers import running

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
DEFAULT_ROOT_OBJECT = "index.html"
#: What the browser sends and the backend reads (the cart travels in X-Cart-Id).
FORWARDED_HEADERS = ("Content-Type", "X-Cart-Id", "Accept")
CLOUDFRONT_502 = (
    b"<!DOCTYPE html><html><head><title>502 ERROR</title></head><body><h1>502 ERROR</h1>"
    b"<p>The request could not be satisfied. CloudFront wasn't able to connect to the origin."
    b"</p></body></html>"
)


def _handler(frontend_dir: Path, backend: urllib.parse.SplitResult):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # the test's output stays the test's
            pass

        def do_GET(self) -> None:
            self._route()

        def do_POST(self) -> None:
            self._route()

        def do_DELETE(self) -> None:
            self._route()

        def _route(self) -> None:
            path = urllib.parse.urlsplit(self.path).path
            if path.startswith("/api/"):
                self._forward()
            elif self.command == "GET":
                self._file(path)
            else:
                self._reply(405, "text/plain", b"method not allowed")

        def _file(self, path: str) -> None:
            name = path.lstrip("/") or DEFAULT_ROOT_OBJECT
            target = (frontend_dir / name).resolve()
            if frontend_dir not in target.parents or not target.is_file():
                # S3 behind an origin access control answers 403 for a key it does not hold.
                self._reply(
                    403, "application/xml", b"<Error><Code>AccessDenied</Code></Error>"
                )
                return
            content_type = CONTENT_TYPES.get(target.suffix, "application/octet-stream")
            self._reply(200, content_type, target.read_bytes())

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {
                h: self.headers[h] for h in FORWARDED_HEADERS if self.headers.get(h)
            }
            connection = http.client.HTTPConnection(
                backend.hostname, backend.port, timeout=15
            )
            try:
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
            except OSError:
                self._reply(502, "text/html", CLOUDFRONT_502)
                return
            finally:
                connection.close()
            self._reply(response.status, response.getheader("Content-Type", ""), data)

        def _reply(self, status: int, content_type: str, data: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextlib.contextmanager
def cloudmart_site(frontend_dir: Path, backend_url: str) -> Iterator[str]:
    """Yields the site's base URL (``http://127.0.0.1:<port>``): ``frontend_dir``'s files, and
    ``/api/*`` forwarded to ``backend_url``."""
    handler = _handler(frontend_dir.resolve(), urllib.parse.urlsplit(backend_url))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)  # a free port
    with running(server) as base:
        yield base
