"""The snapshot-cleanup handler, run against moto's EC2 and a local CloudFormation response URL."""

import importlib.util
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

_HANDLER = Path(__file__).resolve().parent.parent / "week5" / "functions" / "snapshot_cleanup"
_spec = importlib.util.spec_from_file_location("snapshot_cleanup_index", _HANDLER / "index.py")
cleanup = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cleanup)

KEY, VALUE = "week5:snapshot-schedule", "week5-kim-Day2Lab1/Day2Lab1/DataSnapshots"


@pytest.fixture
def ec2():
    with mock_aws():
        client = boto3.client("ec2", region_name="ap-northeast-2")
        yield client


def snapshot(ec2, volume_id, value):
    response = ec2.create_snapshot(
        VolumeId=volume_id,
        TagSpecifications=[{"ResourceType": "snapshot", "Tags": [{"Key": KEY, "Value": value}]}],
    )
    return response["SnapshotId"]


@pytest.fixture
def volume(ec2):
    return ec2.create_volume(AvailabilityZone="ap-northeast-2a", Size=1)["VolumeId"]


def remaining(ec2):
    return {s["SnapshotId"] for s in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]}


def test_deletes_exactly_the_tagged_snapshots(ec2, volume):
    mine = {snapshot(ec2, volume, VALUE) for _ in range(3)}
    other_student = snapshot(ec2, volume, "week5-lee-Day2Lab1/Day2Lab1/DataSnapshots")
    untagged = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
    result = cleanup.delete_tagged_snapshots(ec2, KEY, VALUE, wait_s=0)
    assert set(result["deleted"]) == mine and result["left"] == []
    assert {other_student, untagged} <= remaining(ec2)
    assert not mine & remaining(ec2)


def test_refuses_to_run_without_a_tag(ec2, volume):
    snapshot(ec2, volume, VALUE)
    with pytest.raises(ValueError, match="refusing"):
        cleanup.delete_tagged_snapshots(ec2, KEY, "")


class _ResponseUrl(BaseHTTPRequestHandler):
    received = []

    def do_PUT(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _ResponseUrl.received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def response_url():
    _ResponseUrl.received = []
    server = HTTPServer(("127.0.0.1", 0), _ResponseUrl)
    threading.Thread(target=server.handle_request, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/response", _ResponseUrl.received
    server.server_close()


def event(kind, url, value=VALUE):
    return {
        "RequestType": kind,
        "ResponseURL": url,
        "StackId": "arn:aws:cloudformation:ap-northeast-2:123456789012:stack/x/1",
        "RequestId": "r-1",
        "LogicalResourceId": "DataSnapshotsCleanup",
        "ResourceProperties": {"TagKey": KEY, "TagValue": value},
    }


def test_delete_event_cleans_up_and_reports_success(ec2, volume, response_url):
    url, received = response_url
    mine = snapshot(ec2, volume, VALUE)
    cleanup.handler(event("Delete", url), None, ec2=ec2)
    assert mine not in remaining(ec2)
    (reply,) = received
    assert reply["Status"] == "SUCCESS" and reply["Data"] == {"Deleted": 1}
    assert reply["PhysicalResourceId"] == "DataSnapshotsCleanup"


def test_create_event_deletes_nothing(ec2, volume, response_url):
    url, received = response_url
    mine = snapshot(ec2, volume, VALUE)
    cleanup.handler(event("Create", url), None, ec2=ec2)
    assert mine in remaining(ec2)
    assert received[0]["Status"] == "SUCCESS"


def test_a_failure_is_reported_not_left_hanging(ec2, response_url):
    url, received = response_url
    cleanup.handler(event("Delete", url, value=""), None, ec2=ec2)
    assert received[0]["Status"] == "FAILED" and "refusing" in received[0]["Reason"]
