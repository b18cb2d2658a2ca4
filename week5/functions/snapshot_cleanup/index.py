"""Custom resource: on stack deletion, delete the EBS snapshots a lab's schedule made.

CloudFormation only deletes what it created; snapshots taken by a schedule during the lab are
not its resources and would bill at $0.05 per GB-month forever. The stack tags each scheduled
snapshot with ``TagKey=TagValue``; on Delete this function removes every snapshot of this
account that carries that tag, waiting for pending ones to complete first.

Standard library plus boto3 (in the Lambda runtime); the response goes to CloudFormation's
pre-signed URL directly, so no helper layer is needed.
"""

from __future__ import annotations

import json
import time
import urllib.request

import boto3

#: How long a Delete may wait for snapshots still being taken (Lambda's timeout is longer).
WAIT_FOR_PENDING_S = 480
POLL_S = 15


def tagged_snapshots(ec2, tag_key: str, tag_value: str) -> list:
    paginator = ec2.get_paginator("describe_snapshots")
    pages = paginator.paginate(
        OwnerIds=["self"], Filters=[{"Name": f"tag:{tag_key}", "Values": [tag_value]}]
    )
    return [snapshot for page in pages for snapshot in page["Snapshots"]]


def delete_tagged_snapshots(
    ec2, tag_key: str, tag_value: str, wait_s: float = WAIT_FOR_PENDING_S, poll_s: float = POLL_S
) -> dict:
    """Delete every snapshot tagged ``tag_key=tag_value``; returns what was deleted and left."""
    if not tag_key or not tag_value:
        raise ValueError("TagKey and TagValue are required: refusing to delete untagged snapshots")
    deleted, deadline = [], time.monotonic() + wait_s
    while True:
        remaining = []
        for snapshot in tagged_snapshots(ec2, tag_key, tag_value):
            if snapshot["State"] == "pending":
                remaining.append(snapshot["SnapshotId"])
                continue
            ec2.delete_snapshot(SnapshotId=snapshot["SnapshotId"])
            deleted.append(snapshot["SnapshotId"])
        if not remaining or time.monotonic() >= deadline:
            return {"deleted": sorted(deleted), "left": sorted(remaining)}
        time.sleep(poll_s)


def respond(event: dict, status: str, reason: str, data: dict | None = None) -> None:
    body = json.dumps(
        {
            "Status": status,
            "Reason": reason[:3000],
            "PhysicalResourceId": event.get("PhysicalResourceId") or event["LogicalResourceId"],
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "Data": data or {},
        }
    ).encode("utf-8")
    request = urllib.request.Request(
        event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": ""}
    )
    urllib.request.urlopen(request, timeout=30).close()


def handler(event: dict, context, ec2=None) -> None:
    try:
        data: dict = {}
        if event["RequestType"] == "Delete":
            props = event["ResourceProperties"]
            result = delete_tagged_snapshots(
                ec2 or boto3.client("ec2"), props.get("TagKey", ""), props.get("TagValue", "")
            )
            print(json.dumps(result))
            if result["left"]:
                raise RuntimeError(f"snapshots still pending, not deleted: {result['left']}")
            data = {"Deleted": len(result["deleted"])}
        respond(event, "SUCCESS", "ok", data)
    except Exception as error:  # CloudFormation must hear back, or it waits for an hour
        print(f"failed: {error!r}")
        respond(event, "FAILED", str(error))
