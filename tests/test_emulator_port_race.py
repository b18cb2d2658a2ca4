"""`week5 local` talks only to the emulator it started (week5/operations/local/emulator.py).

Two runs on one port (a --port given twice, or free_port() picking the same port twice) both
passed the port check before either server bound it: the second's server exited with "Address
already in use", its probe got the first's answer, and the run deployed into the other's
emulator, printing "keeps running (pid N)" with a pid that had exited. ``port_in_use`` patched to
say "free" stands in for that window, as a student trial reproduced it.
"""

from __future__ import annotations

import importlib
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import List

import pytest

from week5.operations import local
from week5.operations.moto_models.server import IDENTITY_PATH, identified

#: The module itself (``local.emulator`` may name something else in the package).
emulator_module = importlib.import_module("week5.operations.local.emulator")

BIN = Path(sys.executable).parent


def taken(port: int) -> str:
    return (
        f"port {port} was taken by another program while the emulator started; run again, or "
        "pass a free port with --port"
    )


@pytest.fixture
def started(monkeypatch) -> List[subprocess.Popen]:
    """Every server process start_emulator starts in the test."""
    processes: List[subprocess.Popen] = []
    popen = subprocess.Popen

    def spy(*args, **kwargs):
        processes.append(popen(*args, **kwargs))
        return processes[-1]

    monkeypatch.setattr(emulator_module.subprocess, "Popen", spy)
    yield processes
    for process in processes:  # none outlives its test, whatever it asserted
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def free_then_real(monkeypatch) -> None:
    """The port check says "free" once (the race's window), then what the port is."""
    real = emulator_module.port_in_use
    checks = []

    def port_in_use(port: int) -> bool:
        checks.append(port)
        return len(checks) > 1 and real(port)

    monkeypatch.setattr(emulator_module, "port_in_use", port_in_use)


def test_another_emulator_answering_on_our_port_is_not_taken_as_ours(monkeypatch, started):
    """The trial's repro: a second start on the first's port returned at once, its process
    "alive"; 2 s later it had exited 1 ("Port P is in use by another program")."""
    first = local.start_emulator(BIN)
    try:
        free_then_real(monkeypatch)
        with pytest.raises(local.LocalError) as raised:
            local.start_emulator(BIN, first.port)
        assert str(raised.value) == taken(first.port)
        second = started[1]
        assert second.poll() is not None  # ours stopped, not left to fail on its own
        # The other is untouched, and a start that nothing raced answers its own token (the
        # second's was another) and moto's routes as before.
        assert first.process.poll() is None
        with urllib.request.urlopen(f"{first.endpoint}{IDENTITY_PATH}", timeout=5) as response:
            assert len(response.read()) == 32
        with urllib.request.urlopen(f"{first.endpoint}/moto-api/", timeout=5) as response:
            assert response.status == 200
    finally:
        first.stop()
        first.remove_log()


def test_our_server_exiting_on_a_taken_port_says_so(monkeypatch, started, tmp_path):
    """Another program bound the port and does not answer (yet): ours exits on it."""
    monkeypatch.setattr(emulator_module.tempfile, "mkdtemp", lambda prefix: str(tmp_path / "log"))
    (tmp_path / "log").mkdir()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        free_then_real(monkeypatch)
        with pytest.raises(local.LocalError) as raised:
            local.start_emulator(BIN, port)
    assert str(raised.value) == taken(port)
    assert "\n" not in str(raised.value)
    assert started[0].returncode == 1  # it exited on the port: nothing killed it
    assert not (tmp_path / "log").exists()  # its log said no more than the error


def test_a_plain_http_server_on_our_port_is_not_ours(monkeypatch, started):
    """Any server that answers (here: Python's own) without our token."""
    import http.server
    import threading

    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        free_then_real(monkeypatch)
        with pytest.raises(local.LocalError) as raised:
            local.start_emulator(BIN, port)
        assert str(raised.value) == taken(port)
    finally:
        server.shutdown()
        server.server_close()


def test_the_identity_route_answers_the_token_and_passes_the_rest_to_moto():
    def moto(environ, start_response):
        start_response("200 OK", [])
        return [b"moto: " + environ["PATH_INFO"].encode()]

    app = identified(moto, "abc")
    statuses = []

    def call(path):
        return b"".join(app({"PATH_INFO": path}, lambda status, headers: statuses.append(status)))

    assert call(IDENTITY_PATH) == b"abc"
    assert call("/moto-api/") == b"moto: /moto-api/"
    assert statuses == ["200 OK", "200 OK"]


def test_a_users_proxy_is_not_taken_for_another_program(monkeypatch, started, tmp_path):
    """A code review: with ``http_proxy`` set, the token probe went through the proxy, whose
    answer (an error page) was taken for another program on the port. The probe, boto3 and the
    CDK CLI reach the emulator directly."""
    import http.server
    import threading

    proxy = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    address = f"http://127.0.0.1:{proxy.server_address[1]}"
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy"):
        monkeypatch.setenv(name, address)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    try:
        emulator = local.start_emulator(BIN)
        try:
            # The read-back's clients too (they went to the proxy: a re-trial's R3).
            identity = emulator_module.clients(emulator.endpoint)("sts").get_caller_identity()
            assert identity["Account"] == local.LOCAL_ACCOUNT
            env = local.emulator_env({"NO_PROXY": "corp.example", "no_proxy": ""}, emulator)
            assert env["NO_PROXY"] == "corp.example,localhost,127.0.0.1"
            assert env["no_proxy"] == "localhost,127.0.0.1"
        finally:
            emulator.stop()
            emulator.remove_log()
    finally:
        proxy.shutdown()
        proxy.server_close()
