"""tests/servers.py's moto_in_thread: moto's server in a thread, as the tests that stand for an
instructor's account use it (conftest's local_aws_env, the cleanup of populated accounts)."""

from __future__ import annotations

import socket

import boto3
from servers import moto_in_thread


def test_it_answers_as_moto_and_gives_its_port_back():
    with moto_in_thread() as (host, port):
        s3 = boto3.client(
            "s3", endpoint_url=f"http://{host}:{port}", region_name="ap-northeast-2",
            aws_access_key_id="testing", aws_secret_access_key="testing",
        )  # fmt: skip
        s3.create_bucket(
            Bucket="week5-kim-moto", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"}
        )
        assert "week5-kim-moto" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    with socket.socket() as again:  # closed: the port is free for the next server
        again.bind((host, port))
