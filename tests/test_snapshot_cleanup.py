"""The leftover-cleanup handler (LeftoverCleanup, ScheduledSnapshots), run against moto's EC2
and RDS with the objects a lab leaves made through boto3, and a local CloudFormation
response URL."""

import importlib.util
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ec2.models import ec2_backends
from moto.ec2.models.amis import Ami

from week5.assets import FUNCTIONS_DIR

_HANDLER = FUNCTIONS_DIR / "snapshot_cleanup"
_spec = importlib.util.spec_from_file_location("snapshot_cleanup_index", _HANDLER / "index.py")
cleanup = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cleanup)

REGION = "ap-northeast-2"
KEY, VALUE = "week5:snapshot-schedule", "week5-kim-Day2Lab1/Day2Lab1/DataSnapshots"
OTHER_STUDENT = "week5-lee-Day2Lab1/Day2Lab1/DataSnapshots"


@pytest.fixture
def aws(monkeypatch):
    # Without moto's thousand stock AMIs (and their snapshots) each test starts in 0.5 s.
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    with mock_aws():
        yield boto3.client("ec2", region_name=REGION), boto3.client("rds", region_name=REGION)


@pytest.fixture
def ec2(aws):
    return aws[0]


@pytest.fixture
def rds(aws):
    return aws[1]


def tags(value):
    return [{"Key": KEY, "Value": value}]


def snapshot(ec2, volume_id, value=None):
    spec = [{"ResourceType": "snapshot", "Tags": tags(value)}] if value else []
    return ec2.create_snapshot(VolumeId=volume_id, TagSpecifications=spec)["SnapshotId"]


def new_volume(ec2):
    return ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=1)["VolumeId"]


@pytest.fixture
def volume(ec2):
    return new_volume(ec2)


def snapshots_left(ec2):
    return {s["SnapshotId"] for s in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]}


def test_deletes_the_tagged_snapshots_and_no_one_elses(ec2, volume):
    mine = {snapshot(ec2, volume, VALUE) for _ in range(3)}
    other_volume = new_volume(ec2)
    other_student = snapshot(ec2, other_volume, OTHER_STUDENT)
    untagged = snapshot(ec2, other_volume)
    result = cleanup.delete_snapshots(ec2, KEY, VALUE, wait_s=0)
    assert set(result["deleted"]) == mine and result["left"] == []
    assert {other_student, untagged} <= snapshots_left(ec2)
    assert not mine & snapshots_left(ec2)


def test_deletes_snapshots_taken_of_the_lab_volume_by_hand(ec2, volume):
    """The console's "Create snapshot" writes no tag: the volume id finds it."""
    by_hand = snapshot(ec2, volume)
    scheduled = snapshot(ec2, volume, VALUE)
    elsewhere = snapshot(ec2, new_volume(ec2))
    result = cleanup.clean_up(
        {"TagKey": KEY, "TagValue": VALUE, "VolumeIds": [volume]}, ec2, None, wait_s=0
    )
    assert result["snapshots"]["deleted"] == sorted([by_hand, scheduled])
    assert snapshots_left(ec2) == {elsewhere}


def test_deregisters_tagged_amis_and_deletes_their_snapshots(ec2):
    image_id = ec2.register_image(Name="base", RootDeviceName="/dev/xvda")["ImageId"]
    (instance,) = ec2.run_instances(ImageId=image_id, MinCount=1, MaxCount=1)["Instances"]

    def create_image(name, value):
        """An AMI and its snapshots tagged as a schedule tags them (moto's CreateImage takes
        only the image's tags, so the snapshots are tagged after)."""
        image = ec2.create_image(
            InstanceId=instance["InstanceId"],
            Name=name,
            TagSpecifications=[{"ResourceType": "image", "Tags": tags(value)}],
        )["ImageId"]
        mappings = ec2.describe_images(ImageIds=[image])["Images"][0]["BlockDeviceMappings"]
        ids = [m["Ebs"]["SnapshotId"] for m in mappings if "Ebs" in m]
        ec2.create_tags(Resources=ids, Tags=tags(value))
        return image

    mine, theirs = create_image("lab-ami", VALUE), create_image("other-ami", OTHER_STUDENT)
    mine_snapshots = {
        m["Ebs"]["SnapshotId"]
        for m in ec2.describe_images(ImageIds=[mine])["Images"][0]["BlockDeviceMappings"]
        if "Ebs" in m
    }
    result = cleanup.clean_up({"TagKey": KEY, "TagValue": VALUE}, ec2, None, wait_s=0)
    assert result["images"] == [mine]
    assert mine_snapshots and set(result["image_snapshots"]) == mine_snapshots
    owned = {i["ImageId"] for i in ec2.describe_images(Owners=["self"])["Images"]}
    assert mine not in owned and theirs in owned
    assert not mine_snapshots & snapshots_left(ec2)


def db_instance(rds, name):
    rds.create_db_instance(
        DBInstanceIdentifier=name,
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        MasterUsername="lab",
        MasterUserPassword="not-a-real-password-1",  # moto only; never deployed
    )


def test_deletes_the_manual_snapshots_of_the_lab_database_only(rds):
    db_instance(rds, "week5-kim-db")
    db_instance(rds, "week5-lee-db")
    rds.create_db_snapshot(DBInstanceIdentifier="week5-kim-db", DBSnapshotIdentifier="kim-manual")
    rds.create_db_snapshot(DBInstanceIdentifier="week5-lee-db", DBSnapshotIdentifier="lee-manual")
    result = cleanup.clean_up({"DbInstanceIds": ["week5-kim-db"]}, None, rds, wait_s=0)
    assert result["db_snapshots"] == {"deleted": ["kim-manual"], "left": []}
    manual = rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]
    assert [s["DBSnapshotIdentifier"] for s in manual] == ["lee-manual"]


@pytest.mark.parametrize(
    "props, says",
    [
        ({"TagKey": KEY, "TagValue": ""}, "half a tag"),
        ({}, "refusing to guess"),
        ({"VolumeIds": []}, "refusing to guess"),
    ],
)
def test_refuses_to_run_without_something_that_names_the_lab(ec2, volume, props, says):
    snapshot(ec2, volume, VALUE)
    with pytest.raises(ValueError, match=says):
        cleanup.clean_up(props, ec2, None, wait_s=0)
    assert len(snapshots_left(ec2)) == 1


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


def event(kind, url, **props):
    return {
        "RequestType": kind,
        "ResponseURL": url,
        "StackId": "arn:aws:cloudformation:ap-northeast-2:123456789012:stack/x/1",
        "RequestId": "r-1",
        "LogicalResourceId": "DataSnapshotsCleanup",
        "ResourceProperties": props or {"TagKey": KEY, "TagValue": VALUE},
    }


def test_delete_event_cleans_up_and_reports_success(ec2, rds, volume, response_url):
    url, received = response_url
    mine = snapshot(ec2, volume, VALUE)
    cleanup.handler(event("Delete", url), None, ec2=ec2, rds=rds)
    assert mine not in snapshots_left(ec2)
    (reply,) = received
    assert reply["Status"] == "SUCCESS" and reply["Data"] == {"Deleted": 1}
    assert reply["PhysicalResourceId"] == "DataSnapshotsCleanup"


def test_create_event_deletes_nothing(ec2, rds, volume, response_url):
    url, received = response_url
    mine = snapshot(ec2, volume, VALUE)
    cleanup.handler(event("Create", url), None, ec2=ec2, rds=rds)
    assert mine in snapshots_left(ec2)
    assert received[0]["Status"] == "SUCCESS"


def test_a_failure_is_reported_not_left_hanging(ec2, rds, response_url):
    url, received = response_url
    cleanup.handler(event("Delete", url, TagKey=KEY, TagValue=""), None, ec2=ec2, rds=rds)
    assert received[0]["Status"] == "FAILED" and "half a tag" in received[0]["Reason"]


class _InUseOnDelete:
    """The EC2 client, recording DeleteSnapshot calls, except that DeleteSnapshot of ``refused``
    fails with ``code`` (as for an AMI that DescribeImages does not list: one in the Recycle
    Bin, or one registered meanwhile)."""

    def __init__(self, ec2, refused=None, code="InvalidSnapshot.InUse"):
        self._ec2, self.refused, self.code, self.attempted = ec2, refused, code, []

    def __getattr__(self, name):
        return getattr(self._ec2, name)

    def delete_snapshot(self, SnapshotId):  # noqa: N803
        self.attempted.append(SnapshotId)
        if SnapshotId == self.refused:
            message = f"The snapshot {SnapshotId} is currently in use by ami-0123456789abcdef0"
            raise ClientError({"Error": {"Code": self.code, "Message": message}}, "DeleteSnapshot")
        return self._ec2.delete_snapshot(SnapshotId=SnapshotId)


def ami_of_the_lab_host(ec2, volume, monkeypatch):
    """An AMI a student made of the lab host, and the snapshot of the lab's data volume in it.

    AWS's CreateImage snapshots every attached EBS volume, so the AMI maps /dev/sdf to a snapshot
    of the lab volume, and DeleteSnapshot refuses that snapshot while the AMI is registered.
    moto's CreateImage snapshots only the root: the data volume's snapshot is made through the
    API and added to the AMI in moto's backend (its mapping, and the owner moto checks)."""
    image = ec2.register_image(Name="student-lab-host", RootDeviceName="/dev/xvda")["ImageId"]
    data = snapshot(ec2, volume)
    ec2_backends[DEFAULT_ACCOUNT_ID][REGION].snapshots[data].from_ami = image
    extra = {image: [{"DeviceName": "/dev/sdf", "Ebs": {"SnapshotId": data, "VolumeSize": 1}}]}
    root_only = Ami.block_device_mappings.fget
    monkeypatch.setattr(
        Ami, "block_device_mappings", property(lambda ami: root_only(ami) + extra.get(ami.id, []))
    )
    return image, data


def test_keeps_a_snapshot_that_a_students_ami_uses_and_still_succeeds(
    ec2, rds, volume, response_url, monkeypatch, capsys
):
    url, received = response_url
    image, in_ami = ami_of_the_lab_host(ec2, volume, monkeypatch)
    mappings = ec2.describe_images(ImageIds=[image])["Images"][0]["BlockDeviceMappings"]
    assert in_ami in {m["Ebs"]["SnapshotId"] for m in mappings}
    with pytest.raises(ClientError, match="InvalidSnapshot.InUse"):  # as AWS answers
        ec2.delete_snapshot(SnapshotId=in_ami)
    scheduled, by_hand = snapshot(ec2, volume, VALUE), snapshot(ec2, volume)
    props = {"TagKey": KEY, "TagValue": VALUE, "VolumeIds": [volume]}
    client = _InUseOnDelete(ec2)
    cleanup.handler(event("Delete", url, **props), None, ec2=client, rds=rds)
    (reply,) = received
    assert reply["Status"] == "SUCCESS"
    assert reply["Data"] == {"Deleted": 2, "Kept": in_ami}
    assert in_ami not in client.attempted  # skipped by the AMI's mapping, not by trial
    left = snapshots_left(ec2)
    assert in_ami in left and not {scheduled, by_hand} & left
    assert image in {i["ImageId"] for i in ec2.describe_images(Owners=["self"])["Images"]}
    (line,) = [x for x in capsys.readouterr().out.splitlines() if x.startswith("kept ")]
    assert f"{in_ami} (used by {image})" in line and "Deregister" in line and "by hand" in line


def test_in_use_on_delete_is_kept_not_a_failure(ec2, rds, volume, response_url, capsys):
    url, received = response_url
    refused, other = snapshot(ec2, volume, VALUE), snapshot(ec2, volume, VALUE)
    client = _InUseOnDelete(ec2, refused)
    cleanup.handler(event("Delete", url), None, ec2=client, rds=rds)
    (reply,) = received
    assert reply["Status"] == "SUCCESS"
    assert reply["Data"] == {"Deleted": 1, "Kept": refused}
    assert snapshots_left(ec2) == {refused} and other not in snapshots_left(ec2)
    out = capsys.readouterr().out
    assert f"{refused} (used by ami-0123456789abcdef0)" in out and "by hand" in out
    result = cleanup.delete_snapshots(client, KEY, VALUE, wait_s=0)
    assert result == {"deleted": [], "left": [], "kept": {refused: "ami-0123456789abcdef0"}}


def test_other_delete_errors_still_fail_the_delete(ec2, rds, volume, response_url):
    url, received = response_url
    refused = snapshot(ec2, volume, VALUE)
    client = _InUseOnDelete(ec2, refused, code="UnauthorizedOperation")
    cleanup.handler(event("Delete", url), None, ec2=client, rds=rds)
    assert received[0]["Status"] == "FAILED" and "UnauthorizedOperation" in received[0]["Reason"]


def test_data_names_at_most_sixty_kept_snapshots():
    kept = {f"snap-{n:017x}": "ami-1" for n in range(65)}
    shown = cleanup.kept_in_data(kept)
    assert shown.split(",")[:60] == sorted(kept)[:60] and shown.endswith(",+5 more (see the log)")
    assert cleanup.kept_in_data({"snap-b": "ami-1", "snap-a": "ami-2"}) == "snap-a,snap-b"
