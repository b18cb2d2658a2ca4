"""Runs the Day 3 case's Node API (server.js) as its compose file does, against the test
session's PostgreSQL and Redis over TLS and an S3 emulator (moto) for the archive."""

import contextlib
import os
import subprocess
import tempfile
import urllib.request

import boto3
from node_apis import FINTECH_API_DIR, NODE
from servers import free_port, stop, wait_for_port

from stacks.day3 import ARCHIVE_PREFIX

BUCKET = "week5-fintech-archive"
REGION = "ap-northeast-2"


@contextlib.contextmanager
def s3_emulator():
    """A moto server holding the archive bucket; yields its URL."""
    from servers import moto_in_thread

    with moto_in_thread() as (_, port):
        endpoint = f"http://127.0.0.1:{port}"
        # moto's backends live in the process: start from none, whatever an earlier server held.
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"))
        s3_client(endpoint).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        yield endpoint


def s3_client(endpoint):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@contextlib.contextmanager
def fintech_api(postgres, redis_server, database="fintech", s3_endpoint=None, bucket=BUCKET,
                extra_env=None):
    """Starts server.js as the compose file does (its environment), yields its base URL. The
    database is created empty (the API creates its tables); nothing waits for the stores.
    ``extra_env``: variables the compose file leaves at their defaults (``DB_TIMEOUT_MS``)."""
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "DB_HOST": postgres.host,
        "DB_PORT": str(postgres.port),
        "DB_NAME": database,
        "DB_USER": postgres.user,
        "DB_PASSWORD": postgres.password,
        "DB_CA_FILE": postgres.ca_file,  # verified TLS, as with the RDS CA bundle
        "REDIS_URL": f"rediss://:{redis_server.password}@127.0.0.1:{redis_server.port}",
        "REDIS_CA_FILE": redis_server.ca_file,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    env.update(extra_env or {})
    if s3_endpoint:
        env.update(
            {
                "ARCHIVE_BUCKET": bucket,
                "ARCHIVE_PREFIX": ARCHIVE_PREFIX,
                "AWS_ENDPOINT_URL_S3": s3_endpoint,
            }
        )
    # Its log goes to a file: a pipe nobody reads would block Node's writes once full.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [str(NODE), "server.js"], cwd=FINTECH_API_DIR, env=env, stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port)
            yield f"http://127.0.0.1:{port}", process
        finally:
            stop(process)
