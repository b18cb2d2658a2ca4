"""A container's restart starts it without the internet: the compose commands of the Day 3
case's API, the Day 4 case's news servers and the Day 5 backend download their CA bundle and
packages once, in the container's own layer, and a restart (a crash, the host's reboot: Docker
restarts the same container under `restart: unless-stopped`) finds them there. Before, every
start ran wget and `npm ci` again, so a restart while the single NAT instance was down looped
until the group replaced the instance, whose boot could not reach the internet either (a review
of the cases under the events they teach).

Each command runs in sh, as the container runs it, with stand-ins for wget, npm, pip and
python that log their calls and can fail; /tmp is the test's folder."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

from week5.assets import COMPOSE_DIR

STUBS = {
    # wget -qO FILE URL: writes FILE (or fails when told to)
    "wget": '[ -e "$STUBS/offline" ] && exit 4; echo "wget $3" >> "$STUBS/log"; echo ca > "$2"',
    # npm ci|install ...: makes node_modules (or fails); npm start: the app
    "npm": (
        'echo "npm $1" >> "$STUBS/log"\n'
        'case "$1" in start) exit 0;; esac\n'
        '[ -e "$STUBS/offline" ] || [ -e "$STUBS/npm-down" ] && exit 1\n'
        "mkdir -p node_modules"
    ),
    "pip": '[ -e "$STUBS/offline" ] && exit 1; echo "pip $1" >> "$STUBS/log"; touch "$STUBS/redis"',
    # python -c 'import redis': installed or not; python FILE: the app
    "python": (
        'if [ "$1" = -c ]; then [ -e "$STUBS/redis" ]; exit $?; fi\n'
        'echo "python $1" >> "$STUBS/log"'
    ),
}


def command(name: str, tmp: Path) -> str:
    """The service's `sh -c` script, its compose variables and /tmp filled in."""
    (service,) = yaml.safe_load((COMPOSE_DIR / name).read_text())["services"].values()
    sh, flag, script = shlex.split(service["command"])
    assert (sh, flag) == ("sh", "-c")
    return script.replace("${AWS_REGION}", "ap-northeast-2").replace("/tmp/", f"{tmp}/")


@pytest.fixture
def container(tmp_path):
    """(run the script once, its log, go offline): a container's layer in tmp_path."""
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    for name, body in STUBS.items():
        (stubs / name).write_text(f"#!/bin/sh\n{body}\n")
        (stubs / name).chmod(0o755)
    app = tmp_path / "app"
    app.mkdir()
    env = {**os.environ, "PATH": f"{stubs}:{os.environ['PATH']}", "STUBS": str(stubs)}

    def run(script: str) -> subprocess.CompletedProcess:
        return subprocess.run(["sh", "-c", script], cwd=app, env=env, capture_output=True,
                              text=True, timeout=30)  # fmt: skip

    def log() -> list:
        path = stubs / "log"
        lines = path.read_text().splitlines() if path.exists() else []
        path.unlink(missing_ok=True)
        return lines

    return run, log, lambda: (stubs / "offline").touch()


@pytest.mark.parametrize("name, install", [("fintech-api.yml", "npm ci"),
                                           ("cloudmart-backend.yml", "npm install")])
def test_a_node_api_restarts_without_the_internet(container, tmp_path, name, install):
    run, log, offline = container
    script = command(name, tmp_path)
    first = run(script)
    assert first.returncode == 0, first.stderr
    (fetched, installed, started) = log()
    assert fetched.startswith("wget https://truststore.pki.rds.amazonaws.com/")
    assert (installed, started) == (install, "npm start")
    assert (tmp_path / "rds-ca.pem").read_text() == "ca\n"
    offline()  # the NAT is down: a download now fails
    again = run(script)
    assert again.returncode == 0, again.stderr
    assert log() == ["npm start"]


@pytest.mark.parametrize("name", ["fintech-api.yml", "cloudmart-backend.yml"])
def test_an_install_that_failed_is_tried_again_at_the_next_start(container, tmp_path, name):
    """No marker for a failed install (npm's registry down, the CA already fetched): the next
    start installs again, and does not fetch the CA a second time."""
    run, log, _ = container
    script = command(name, tmp_path)
    (tmp_path / "stubs" / "npm-down").touch()
    assert run(script).returncode != 0
    assert (tmp_path / "rds-ca.pem").exists() and not (tmp_path / "rds-ca.part").exists()
    assert not (tmp_path / "app" / "node_modules" / ".installed").exists()
    log()
    (tmp_path / "stubs" / "npm-down").unlink()
    assert run(script).returncode == 0
    assert [line.split()[0:2] for line in log()][-1] == ["npm", "start"]
    assert (tmp_path / "app" / "node_modules" / ".installed").exists()


def test_a_news_server_restarts_without_the_internet(container, tmp_path):
    run, log, offline = container
    script = command("news-cache.yml", tmp_path)
    assert run(script).returncode == 0
    assert log() == ["pip install", "python /app/news_cache.py"]
    offline()
    again = run(script)
    assert again.returncode == 0, again.stderr
    assert log() == ["python /app/news_cache.py"]
