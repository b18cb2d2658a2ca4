"""Runs the demo Node APIs (Node 22) against the test session's PostgreSQL and Redis over TLS."""

import contextlib
import json
import os
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import redis
from servers import free_port, stop, wait_for_port

from week5.assets import APPS_DIR, SITES_DIR

ROOT = Path(__file__).resolve().parent.parent
APPS = APPS_DIR
FINTECH_API_DIR = APPS / "fintech_api"
CLOUDMART_API_DIR = APPS / "cloudmart_api"
CLOUDMART_FRONTEND_DIR = SITES_DIR / "cloudmart"
NODE = ROOT / "node_modules" / ".bin" / "node"


@contextlib.contextmanager
def node_api(app_dir, postgres_server, redis_server, database, redis_prefix=None):
    """Yields the API's base URL. The database is created empty (the API seeds it); keys under
    ``redis_prefix`` are deleted first, so a module starts from a cold cache."""
    if not (app_dir / "node_modules").is_dir():
        raise RuntimeError(f"{app_dir.name}'s packages are missing: run scripts/setup")
    with psycopg.connect(postgres_server.url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {database}")
        connection.execute(f"CREATE DATABASE {database}")
    redis_url = f"rediss://:{redis_server.password}@127.0.0.1:{redis_server.port}"
    if redis_prefix:
        with contextlib.closing(
            redis.Redis.from_url(redis_url, ssl_ca_certs=redis_server.ca_file)
        ) as client:
            for key in client.scan_iter(f"{redis_prefix}*"):
                client.delete(key)
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "DB_HOST": postgres_server.host,
        "DB_PORT": str(postgres_server.port),
        "DB_NAME": database,
        "DB_USER": postgres_server.user,
        "DB_PASSWORD": postgres_server.password,
        "DB_CA_FILE": postgres_server.ca_file,  # verified TLS, as with the RDS CA bundle
        "REDIS_URL": redis_url,
        "REDIS_CA_FILE": redis_server.ca_file,
    }
    process = subprocess.Popen(
        [str(NODE), "server.js"],
        cwd=app_dir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def call(url, method="GET", body=None, headers=None):
    """(status, JSON body) of one request."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
