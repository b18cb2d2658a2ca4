"""week5/assets/apps/tier_app.py, the Day 4 challenge's app tier, served for real on localhost."""

import json
import socket
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from servers import serve_in_thread
from outage_proxy import OutageProxy

from week5.assets.apps import tier_app

FAKE_METADATA = {"instance-id": "i-0abc", "placement/availability-zone": "ap-northeast-2b"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def database_port():
    """A listening TCP port standing in for PostgreSQL's."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def serve(db_host, db_port):
    server = tier_app.make_server(
        0, db_host, db_port, metadata=FAKE_METADATA.__getitem__, address="127.0.0.1"
    )
    serve_in_thread(server)
    return server


def get(server, path):
    url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_api_names_the_instance_and_reaches_the_database(database_port):
    server = serve("127.0.0.1", database_port)
    try:
        status, body = get(server, "/api/")
    finally:
        server.shutdown()
    assert status == 200
    assert (body["tier"], body["instance"], body["az"]) == ("app", "i-0abc", "ap-northeast-2b")
    assert body["database"]["reachable"] is True
    assert body["database"]["port"] == database_port and body["database"]["ms"] >= 0


def test_a_closed_database_port_is_reported_not_fatal():
    server = serve("127.0.0.1", free_port())
    try:
        status, body = get(server, "/api")
        health_status, health = get(server, "/api/health")
    finally:
        server.shutdown()
    assert status == 200 and body["database"]["reachable"] is False
    assert "refused" in body["database"]["error"].lower()
    # The health check does not follow the database: a failover keeps the tier in service.
    assert (health_status, health) == (200, {"status": "ok"})


def test_unknown_path_is_404_with_the_routes():
    server = serve(None, 5432)
    try:
        status, body = get(server, "/admin")
        _, api = get(server, "/api/")
    finally:
        server.shutdown()
    assert status == 404 and body["routes"] == ["/api/", "/api/health", "/api/ready"]
    assert api["database"] == {
        "host": None,
        "port": 5432,
        "reachable": False,
        "error": "DB_HOST is not set",
    }


def test_metadata_uses_an_imdsv2_token():
    seen = []

    class FakeImds(BaseHTTPRequestHandler):
        def do_PUT(self):  # noqa: N802
            seen.append(("PUT", self.path, self.headers["X-aws-ec2-metadata-token-ttl-seconds"]))
            self._reply(b"tok")

        def do_GET(self):  # noqa: N802
            seen.append(("GET", self.path, self.headers["X-aws-ec2-metadata-token"]))
            self._reply(b"i-0def")

        def _reply(self, body):
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    imds = HTTPServer(("127.0.0.1", 0), FakeImds)
    serve_in_thread(imds)
    base = f"http://127.0.0.1:{imds.server_address[1]}/latest"
    try:
        assert tier_app.instance_metadata("instance-id", base=base) == "i-0def"
    finally:
        imds.shutdown()
    assert seen == [
        ("PUT", "/latest/api/token", "60"),
        ("GET", "/latest/meta-data/instance-id", "tok"),
    ]
    assert tier_app.instance_metadata("instance-id", base=f"http://127.0.0.1:{free_port()}") == (
        "unknown"
    )


def test_ready_reports_the_real_database_and_health_stays_up_while_it_is_stopped(
    postgres_server,
):
    """Liveness and readiness against the session's PostgreSQL, through a proxy the test cuts
    as a Multi-AZ failover cuts clients off: /api/health (the ALB's check) keeps answering 200,
    /api/ready reports the outage as 503 and recovers with the database."""
    with OutageProxy(postgres_server.host, postgres_server.port) as database:
        server = serve(database.host, database.port)
        try:
            ready_status, ready = get(server, "/api/ready")
            assert (ready_status, ready["status"]) == (200, "ready")
            assert ready["database"]["reachable"] is True
            database.down()
            assert get(server, "/api/health") == (200, {"status": "ok"})
            down_status, down = get(server, "/api/ready")
            assert (down_status, down["status"]) == (503, "degraded")
            assert down["database"]["reachable"] is False
            _, api = get(server, "/api/")
            assert api["tier"] == "app" and api["database"]["reachable"] is False
            database.up()
            assert get(server, "/api/ready")[0] == 200
        finally:
            server.shutdown()
