"""Custom resource: on stack deletion, delete what the lab made that CloudFormation did not.

CloudFormation only deletes what it created. During a lab, a schedule or a student makes more:
EBS snapshots (a snapshot schedule, or the console's "Create snapshot" on the lab's volume),
AMIs, manual RDS snapshots. They are not the stack's resources and would bill at $0.05 (EBS)
or $0.095 (RDS) per GB-month forever. On Delete this function removes, in this account:

- AMIs tagged ``TagKey=TagValue``, with the EBS snapshots behind them;
- EBS snapshots tagged ``TagKey=TagValue``, or taken of one of ``VolumeIds``;
- manual RDS snapshots of one of ``DbInstanceIds``.

It waits for snapshots still being taken, up to a limit. It keeps (does not delete) a snapshot
that an AMI of the account still uses: a student's AMI of the lab host holds a snapshot of every
attached EBS volume, data volumes included, and AWS refuses DeleteSnapshot for it
(``InvalidSnapshot.InUse``). The kept ones are named in the log and the response's Data, and the
Delete still succeeds, so the rest of the stack is deleted. Standard library plus boto3 (in the
Lambda runtime); the response goes to CloudFormation's pre-signed URL directly.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request

import boto3
from botocore.exceptions import ClientError

#: How long a Delete may wait for snapshots still being taken (Lambda's timeout is longer).
WAIT_FOR_PENDING_S = 480
POLL_S = 15
#: At most this many kept snapshot ids go into the response's Data (the response body is
#: limited to 4096 bytes); the log names them all.
KEPT_IN_DATA = 60


def snapshots_in_images(ec2) -> dict:
    """``{snapshot id: AMI id}`` for every EBS snapshot an AMI of this account uses (disabled
    AMIs too: they hold their snapshots)."""
    in_use = {}
    paginator = ec2.get_paginator("describe_images")
    for page in paginator.paginate(Owners=["self"], IncludeDisabled=True):
        for image in page["Images"]:
            for mapping in image.get("BlockDeviceMappings", []):
                snapshot_id = mapping.get("Ebs", {}).get("SnapshotId")
                if snapshot_id:
                    in_use[snapshot_id] = image["ImageId"]
    return in_use


def delete_snapshot(ec2, snapshot_id: str) -> str | None:
    """Delete one snapshot. None when deleted; when AWS refuses because an AMI uses it
    (``InvalidSnapshot.InUse``), the AMI's id from the message ("an AMI" without one)."""
    try:
        ec2.delete_snapshot(SnapshotId=snapshot_id)
    except ClientError as error:
        details = error.response.get("Error", {})
        if details.get("Code") != "InvalidSnapshot.InUse":
            raise
        image = re.search(r"\bami-[0-9a-f]+", details.get("Message", ""))
        return image.group(0) if image else "an AMI"
    return None


def tagged_images(ec2, tag_key: str, tag_value: str) -> list:
    if not tag_key or not tag_value:
        return []
    response = ec2.describe_images(
        Owners=["self"], Filters=[{"Name": f"tag:{tag_key}", "Values": [tag_value]}]
    )
    return response["Images"]


def delete_tagged_images(ec2, tag_key: str, tag_value: str) -> dict:
    """Deregister every AMI tagged ``tag_key=tag_value`` and delete its EBS snapshots (keeping
    one that another AMI still uses)."""
    deregistered, snapshots, kept = [], [], {}
    for image in tagged_images(ec2, tag_key, tag_value):
        ec2.deregister_image(ImageId=image["ImageId"])
        deregistered.append(image["ImageId"])
        for mapping in image.get("BlockDeviceMappings", []):
            snapshot_id = mapping.get("Ebs", {}).get("SnapshotId")
            if snapshot_id:
                holder = delete_snapshot(ec2, snapshot_id)
                if holder:
                    kept[snapshot_id] = holder
                else:
                    snapshots.append(snapshot_id)
    return {
        "images": sorted(deregistered),
        "image_snapshots": sorted(snapshots),
        "image_snapshots_kept": kept,
    }


def lab_snapshots(ec2, tag_key: str, tag_value: str, volume_ids: list) -> list:
    """Snapshots carrying the tag or taken of one of the volumes, each once."""
    filters = []
    if tag_key and tag_value:
        filters.append([{"Name": f"tag:{tag_key}", "Values": [tag_value]}])
    if volume_ids:
        filters.append([{"Name": "volume-id", "Values": list(volume_ids)}])
    found = {}
    paginator = ec2.get_paginator("describe_snapshots")
    for snapshot_filter in filters:
        for page in paginator.paginate(OwnerIds=["self"], Filters=snapshot_filter):
            for snapshot in page["Snapshots"]:
                found[snapshot["SnapshotId"]] = snapshot
    return list(found.values())


def delete_snapshots(
    ec2,
    tag_key: str,
    tag_value: str,
    volume_ids: list = (),
    wait_s: float = WAIT_FOR_PENDING_S,
    poll_s: float = POLL_S,
) -> dict:
    """Delete the lab's EBS snapshots; returns what was deleted, what is still pending, and
    what an AMI of the account uses and so was kept (``{snapshot id: AMI id}``)."""
    deleted, kept, deadline = [], {}, time.monotonic() + wait_s
    while True:
        remaining = []
        snapshots = lab_snapshots(ec2, tag_key, tag_value, volume_ids)
        in_use = snapshots_in_images(ec2) if snapshots else {}
        for snapshot in snapshots:
            snapshot_id = snapshot["SnapshotId"]
            if snapshot_id in kept:
                continue
            if snapshot_id in in_use:
                kept[snapshot_id] = in_use[snapshot_id]
                continue
            if snapshot["State"] == "pending":
                remaining.append(snapshot_id)
                continue
            holder = delete_snapshot(ec2, snapshot_id)
            if holder:
                kept[snapshot_id] = holder
            else:
                deleted.append(snapshot_id)
        if not remaining or time.monotonic() >= deadline:
            return {"deleted": sorted(deleted), "left": sorted(remaining), "kept": kept}
        time.sleep(poll_s)


def delete_db_snapshots(
    rds, db_instance_ids: list, wait_s: float = WAIT_FOR_PENDING_S, poll_s: float = POLL_S
) -> dict:
    """Delete the manual snapshots of the lab's DB instances (automated ones go with the DB)."""
    deleted, deadline = [], time.monotonic() + wait_s
    while True:
        remaining = []
        for db_instance_id in db_instance_ids:
            paginator = rds.get_paginator("describe_db_snapshots")
            pages = paginator.paginate(DBInstanceIdentifier=db_instance_id, SnapshotType="manual")
            for snapshot in (s for page in pages for s in page["DBSnapshots"]):
                name = snapshot["DBSnapshotIdentifier"]
                if snapshot["Status"] != "available":
                    remaining.append(name)
                    continue
                rds.delete_db_snapshot(DBSnapshotIdentifier=name)
                deleted.append(name)
        if not remaining or time.monotonic() >= deadline:
            return {"deleted": sorted(deleted), "left": sorted(remaining)}
        time.sleep(poll_s)


def clean_up(props: dict, ec2, rds, wait_s: float = WAIT_FOR_PENDING_S) -> dict:
    """Everything one Delete removes, from the custom resource's properties."""
    tag_key, tag_value = props.get("TagKey", ""), props.get("TagValue", "")
    volume_ids = props.get("VolumeIds") or []
    db_instance_ids = props.get("DbInstanceIds") or []
    if bool(tag_key) != bool(tag_value):
        raise ValueError("TagKey and TagValue go together: refusing to delete by half a tag")
    if not (tag_value or volume_ids or db_instance_ids):
        raise ValueError(
            "no TagKey/TagValue, VolumeIds or DbInstanceIds: refusing to guess what to delete"
        )
    result = {
        "images": [],
        "image_snapshots": [],
        "image_snapshots_kept": {},
        "snapshots": {},
        "db_snapshots": {},
    }
    if tag_value:
        result.update(delete_tagged_images(ec2, tag_key, tag_value))
    if tag_value or volume_ids:
        result["snapshots"] = delete_snapshots(ec2, tag_key, tag_value, volume_ids, wait_s)
    if db_instance_ids:
        result["db_snapshots"] = delete_db_snapshots(rds, db_instance_ids, wait_s)
    return result


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


def kept_in_data(kept: dict) -> str:
    """The kept snapshot ids for the response's Data, comma-separated, at most
    ``KEPT_IN_DATA`` of them."""
    ids = sorted(kept)
    shown = ",".join(ids[:KEPT_IN_DATA])
    more = len(ids) - KEPT_IN_DATA
    return f"{shown},+{more} more (see the log)" if more > 0 else shown


def handler(event: dict, context, ec2=None, rds=None) -> None:
    try:
        data: dict = {}
        reason = "ok"
        if event["RequestType"] == "Delete":
            result = clean_up(
                event["ResourceProperties"], ec2 or boto3.client("ec2"), rds or boto3.client("rds")
            )
            print(json.dumps(result))
            kept = {**result["image_snapshots_kept"], **result["snapshots"].get("kept", {})}
            if kept:
                named = ", ".join(f"{s} (used by {kept[s]})" for s in sorted(kept))
                print(
                    f"kept {len(kept)} snapshot(s) that AMIs of this account use, not deleted: "
                    f"{named}. Deregister those AMIs, then delete these snapshots by hand "
                    "(they bill at $0.05 per GB-month until you do)."
                )
            left = result["snapshots"].get("left", []) + result["db_snapshots"].get("left", [])
            if left:
                raise RuntimeError(f"snapshots still being taken, not deleted: {left}")
            data = {
                "Deleted": len(result["snapshots"].get("deleted", []))
                + len(result["db_snapshots"].get("deleted", []))
                + len(result["images"])
            }
            if kept:
                data["Kept"] = kept_in_data(kept)
                reason = (
                    f"kept {len(kept)} snapshot(s) that AMIs use (Data.Kept): deregister the "
                    "AMIs, then delete the snapshots by hand"
                )
        respond(event, "SUCCESS", reason, data)
    except Exception as error:  # CloudFormation must hear back, or it waits for an hour
        print(f"failed: {error!r}")
        respond(event, "FAILED", str(error))
