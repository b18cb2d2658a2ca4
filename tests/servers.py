"""Real PostgreSQL and Redis servers on localhost for the demo apps' tests.

Each starts on a free port in a temporary folder with a self-signed TLS certificate (RDS and
ElastiCache both serve TLS), and is stopped at the end of the session, also when tests fail.
scripts/setup installs the Debian packages (postgresql, redis-server, openssl).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator, Tuple

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "server.crt", folder / "server.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    key.chmod(0o600)
    return cert, key


def listening(address: str, port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((address, port)) == 0


def wait_for_port(port: int, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if listening("127.0.0.1", port):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


def stop(process: subprocess.Popen, *, seconds: float = 10) -> None:
    """As ``docker stop`` stops a container: SIGTERM, then SIGKILL after ``seconds``."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


#: serve_forever's poll: shutdown() waits for the loop's next turn, 0.5 s by default a server
#: (test_news_cache's tests each stopped three: about 1 s of their teardown).
SHUTDOWN_POLL_S = 0.02


def serve_in_thread(server) -> threading.Thread:
    """Serve ``server`` (a socketserver) in a daemon thread; its ``shutdown()`` returns at once."""
    thread = threading.Thread(target=server.serve_forever, args=(SHUTDOWN_POLL_S,), daemon=True)
    thread.start()
    return thread


class Canned(BaseHTTPRequestHandler):
    """Answers every request, whatever it asks, with ``status``, ``kind`` and ``body``: an
    endpoint that refuses, throttles or is no AWS at all. A subclass sets the three."""

    status = 200
    kind = "text/xml"
    body = b""

    def answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
        self.send_response(self.status)
        self.send_header("Content-Type", self.kind)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    do_GET = do_POST = do_PUT = do_DELETE = answer

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def running(server: ThreadingHTTPServer) -> Iterator[str]:
    """Serve in a thread; yields the base URL; stops the server after, without waiting for
    the browser's idle keep-alive connections."""
    server.block_on_close = False
    thread = serve_in_thread(server)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def moto_in_thread() -> Iterator[Tuple[str, int]]:
    """moto's server in a thread of this process, on a free port of 127.0.0.1: yields (host,
    port) and stops at once. moto's ThreadedMotoServer is the same server (its public parts in
    ``moto.server``) served with socketserver's 0.5 s poll, which each of 91 tests' teardowns
    waited out; bound here before the thread starts, so a port another program holds is an
    error, not a start() that waits for ever (the suite hung once on a fixed port)."""
    import werkzeug.serving
    from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

    server = werkzeug.serving.make_server(
        "127.0.0.1", 0, DomainDispatcherApplication(create_backend_app), threaded=True,
        request_handler=MotoRequestHandler,
    )  # fmt: skip
    thread = serve_in_thread(server)
    try:
        yield "127.0.0.1", server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str
    password: str
    dbname: str
    ca_file: str

    @property
    def url(self) -> str:
        return (
            f"postgresql://{self.user}:{self.password}@{self.host}:{self.port}/{self.dbname}"
            "?sslmode=require"
        )


@dataclass(frozen=True)
class Redis:
    host: str
    port: int
    password: str
    ca_file: str

    @property
    def url(self) -> str:
        return f"rediss://:{self.password}@{self.host}:{self.port}/0"


def _as_postgres_user(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="session")
def postgres_server():
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if not bins:
        pytest.fail("PostgreSQL is not installed: run scripts/setup")
    bin_dir = Path(bins[-1])
    # Not pytest's tmp_path: its parents are root-only, and postgres runs as its own user.
    folder = Path(tempfile.mkdtemp(prefix="week5-postgres-"))
    data = folder / "data"
    password = "lab-test-password"
    (folder / "pw").write_text(password)
    cert, key = self_signed_cert(folder)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        for path in (folder / "pw", cert, key):
            shutil.chown(path, "postgres")
    subprocess.run(
        _as_postgres_user(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "labadmin",
                "--pwfile",
                str(folder / "pw"),
                "--auth-host=scram-sha-256",
                "--auth-local=trust",
            ]
        ),
        check=True,
        capture_output=True,
    )
    port = free_port()
    options = (
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c ssl=on "
        f"-c ssl_cert_file={cert} -c ssl_key_file={key}"
    )
    subprocess.run(
        _as_postgres_user(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(folder / "log"),
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run(
            _as_postgres_user(
                [
                    str(bin_dir / "createdb"),
                    "-h",
                    str(folder),
                    "-p",
                    str(port),
                    "-U",
                    "labadmin",
                    "week5",
                ]
            ),
            check=True,
            capture_output=True,
        )
        yield Postgres("127.0.0.1", port, "labadmin", password, "week5", str(cert))
    finally:
        subprocess.run(
            _as_postgres_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: run scripts/setup")
    folder = tmp_path_factory.mktemp("redis")
    cert, key = self_signed_cert(folder)
    port = free_port()
    password = "lab-test-auth-token-0123456789"
    process = subprocess.Popen(
        [
            binary,
            "--port",
            "0",
            "--tls-port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--tls-cert-file",
            str(cert),
            "--tls-key-file",
            str(key),
            "--tls-ca-cert-file",
            str(cert),
            "--tls-auth-clients",
            "no",
            "--requirepass",
            password,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port)
        yield Redis("127.0.0.1", port, password, str(cert))
    finally:
        stop(process)
