"""The app tier of Day 4's challenge: a tiny JSON API that names its host and probes the database.

Runs on the app tier's instances behind the internal ALB (standard library only: Amazon Linux
2023 ships Python 3). The web tier proxies ``/api/`` to it, so one request from a browser
crosses all three tiers and shows which web instance, app instance and AZ answered, and whether
the database's port answers — before, during and after the challenge's failover test.

    GET /api/health  -> 200 {"status": "ok"}   (liveness: the target group's health check. It
                        answers from the process alone, never from the database, so a Multi-AZ
                        failover (60-120 s) does not mark every app instance unhealthy and
                        have the group replace healthy instances)
    GET /api/ready   -> 200 {"status": "ready", "database": {...}} when the database's port
                        answers, 503 {"status": "degraded", ...} when it does not (readiness:
                        reported, never fatal; an instance polls it at boot before it signals
                        CloudFormation, and a student watches it during the failover test)
    GET /api/        -> 200 {"tier": "app", "instance": ..., "az": ..., "database": {...}}

Configuration: ``DB_HOST``, ``DB_PORT`` (default 5432), ``PORT`` (default 8080).
"""

from __future__ import annotations

import json
import os
import socket
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Dict, Optional

IMDS = "http://169.254.169.254/latest"
#: A probe waits this long for the database's port before calling it unreachable.
DB_TIMEOUT_S = 2.0


def instance_metadata(path: str, base: str = IMDS, timeout: float = 1.0) -> str:
    """One IMDSv2 value (token first, as the launch template requires), or ``unknown``."""
    try:
        token_request = urllib.request.Request(
            f"{base}/api/token",
            method="PUT",
            headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"},
        )
        with urllib.request.urlopen(token_request, timeout=timeout) as response:
            token = response.read().decode()
        request = urllib.request.Request(
            f"{base}/meta-data/{path}", headers={"X-aws-ec2-metadata-token": token}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read().decode()
    except OSError:
        return "unknown"


def probe_database(host: Optional[str], port: int, timeout: float = DB_TIMEOUT_S) -> Dict:
    """Whether a TCP connection to the database's port opens, and how long it took."""
    if not host:
        return {"host": None, "port": port, "reachable": False, "error": "DB_HOST is not set"}
    started = time.monotonic()
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as error:
        return {"host": host, "port": port, "reachable": False, "error": str(error)}
    millis = round((time.monotonic() - started) * 1000, 1)
    return {"host": host, "port": port, "reachable": True, "ms": millis}


def make_handler(db_host: Optional[str], db_port: int, metadata: Callable[[str], str]) -> type:
    identity = {"instance": metadata("instance-id"), "az": metadata("placement/availability-zone")}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            path = self.path.split("?", 1)[0]
            if path == "/api/health":
                self._json(200, {"status": "ok"})
            elif path == "/api/ready":
                database = probe_database(db_host, db_port)
                ready = database["reachable"]
                body = {"status": "ready" if ready else "degraded", "database": database}
                self._json(200 if ready else 503, body)
            elif path in ("/api", "/api/"):
                body = {"tier": "app", **identity, "database": probe_database(db_host, db_port)}
                self._json(200, body)
            else:
                routes = ["/api/", "/api/health", "/api/ready"]
                self._json(404, {"error": f"no route {path}", "routes": routes})

        def _json(self, status: int, body: Dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base's name)
            pass  # health checks every 15 s would fill the journal

    return Handler


def make_server(
    port: int,
    db_host: Optional[str],
    db_port: int = 5432,
    metadata: Callable[[str], str] = instance_metadata,
    address: str = "0.0.0.0",
) -> ThreadingHTTPServer:
    return ThreadingHTTPServer((address, port), make_handler(db_host, db_port, metadata))


def main() -> None:
    server = make_server(
        int(os.environ.get("PORT", "8080")),
        os.environ.get("DB_HOST"),
        int(os.environ.get("DB_PORT", "5432")),
    )
    server.serve_forever()


if __name__ == "__main__":
    main()
