"""Day 2 Lab 1: EBS & 데이터 영속성 — data volume, scheduled snapshots that destroy removes, EFS."""

import json

import pytest
from aws_cli_on_moto import run_on_moto
from efs_access import fstab_options, instance_role, refused_actions
from lab_outputs import COURSE_PLAN, outputs, plan_step_numbers, step_registry
import moto_in_process
from moto_in_process import REGION
from support import (
    ingress_rules,
    instance_security_groups,
    instance_subnet,
    logical_id,
    make_app,
    mask_asset_hashes,
    props,
    resources,
    subnet_ids_by_name,
    user_data_text,
)

from stacks.catalog import CATALOG
from week5.core.errors import CourseInputError
from week5.analysis.teardown import teardown_findings
from week5.core.settings import CourseSettings

LAB = "Day2Lab1"
#: The in-process moto's fixtures (tests/moto_in_process.py), by the names the tests use.
one_ami = moto_in_process.one_ami
aws = moto_in_process.aws


@pytest.fixture(scope="module")
def lab(app):
    """The lab's stack: tests find resources through its constructs."""
    return app.stacks[LAB]


@pytest.fixture(scope="module")
def kim_template(tmp_path_factory):
    """The lab synthesized for student kim, once for the module's tests that read a student's
    name in an output."""
    kim = make_app(tmp_path_factory.mktemp("kim"), student="kim")
    kim_lab = CATALOG.get(LAB)
    kim_stack = kim_lab.build(kim, kim_lab, CourseSettings.from_context(kim.node.try_get_context))
    return kim.synth().get_stack_by_name(kim_stack.stack_name).template


def test_snapshot(t, json_snapshot):
    assert mask_asset_hashes(t) == json_snapshot


def test_two_hosts_in_two_azs(t, hosts):
    subnets = subnet_ids_by_name(t)
    assert instance_subnet(hosts["week5-day2-host-a"]) == subnets["week5-day2-public-subnet-a"]
    assert instance_subnet(hosts["week5-day2-host-b"]) == subnets["week5-day2-public-subnet-b"]


def test_encrypted_gp3_data_volume_attached_to_host_a_in_its_az(t, hosts):
    ((volume_id, volume),) = resources(t, "AWS::EC2::Volume").items()
    p = volume["Properties"]
    assert (p["VolumeType"], p["Size"], p["Encrypted"]) == ("gp3", 1, True)
    assert volume["DeletionPolicy"] == "Delete"
    host_a = [
        k
        for k, r in resources(t, "AWS::EC2::Instance").items()
        if {"Key": "Name", "Value": "week5-day2-host-a"} in r["Properties"]["Tags"]
    ][0]
    assert p["AvailabilityZone"] == {"Fn::GetAtt": [host_a, "AvailabilityZone"]}
    (attachment,) = props(t, "AWS::EC2::VolumeAttachment")
    assert attachment == {
        "Device": "/dev/sdf",
        "InstanceId": {"Ref": host_a},
        "VolumeId": {"Ref": volume_id},
    }


def test_host_a_formats_only_an_empty_volume_and_mounts_it_by_uuid(hosts):
    text = user_data_text(hosts["week5-day2-host-a"])
    assert "/usr/local/bin/lab-mount-volume /dev/sdf /data --format-if-empty" in text
    assert "if ! blkid" in text and "nofail" in text
    assert "lab-mount-volume" not in user_data_text(hosts["week5-day2-host-b"])


def test_snapshots_every_15_minutes_tagged_for_cleanup(t):
    ((schedule_id, schedule),) = resources(t, "AWS::Scheduler::Schedule").items()
    p = schedule["Properties"]
    assert p["ScheduleExpression"] == "rate(15 minutes)"
    assert p["Target"]["Arn"] == {  # in the stack's partition (aws in Seoul)
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":scheduler:::aws-sdk:ec2:createSnapshot"]]
    }
    ((cleanup_id, cleanup),) = resources(t, "Custom::Week5SnapshotCleanup").items()
    tag_value = cleanup["Properties"]["TagValue"]
    assert tag_value == "week5-instructor-Day2Lab1/Day2Lab1/DataSnapshots"
    input_text = "".join(x for x in p["Target"]["Input"]["Fn::Join"][1] if isinstance(x, str))
    assert f'{{"Key":"week5:snapshot-schedule","Value":"{tag_value}"}}' in input_text
    assert '{"Key":"Student","Value":"instructor"}' in input_text
    # CloudFormation deletes the schedule first, then the cleanup runs.
    assert cleanup_id in schedule["DependsOn"]


def test_cleanup_may_delete_only_this_schedules_snapshots_and_the_lab_volumes(t, lab):
    """By tag (the schedule's snapshots, and AMIs) or by parent volume (a snapshot taken by hand
    in the console carries no tag)."""
    policies = [p["PolicyDocument"]["Statement"] for p in props(t, "AWS::IAM::Policy")]
    deletes = [
        s
        for statements in policies
        for s in statements
        if "ec2:DeleteSnapshot" in s["Action"] or "ec2:DeregisterImage" in s["Action"]
    ]
    tag = "week5-instructor-Day2Lab1/Day2Lab1/DataSnapshots"
    volume_id = logical_id(lab.data.volume)
    assert deletes == [
        {
            "Action": ["ec2:DeleteSnapshot", "ec2:DeregisterImage"],
            "Condition": {"StringEquals": {"aws:ResourceTag/week5:snapshot-schedule": tag}},
            "Effect": "Allow",
            "Resource": [
                "arn:aws:ec2:ap-northeast-2::image/*",
                "arn:aws:ec2:ap-northeast-2::snapshot/*",
            ],
        },
        {
            "Action": "ec2:DeleteSnapshot",
            "Condition": {
                "ArnEquals": {
                    "ec2:ParentVolume": [
                        {
                            "Fn::Join": [
                                "",
                                [
                                    "arn:aws:ec2:ap-northeast-2:",
                                    {"Ref": "AWS::AccountId"},
                                    ":volume/",
                                    {"Ref": volume_id},
                                ],
                            ]
                        }
                    ]
                }
            },
            "Effect": "Allow",
            "Resource": "arn:aws:ec2:ap-northeast-2::snapshot/*",
        },
    ]
    ((_, cleanup),) = resources(t, "Custom::Week5SnapshotCleanup").items()
    assert cleanup["Properties"]["VolumeIds"] == [{"Ref": volume_id}]
    (group,) = resources(t, "AWS::Logs::LogGroup").values()
    assert group["DeletionPolicy"] == "Delete"


def test_efs_encrypted_with_mount_targets_in_both_azs_nfs_from_the_hosts_only(t, hosts):
    (fs,) = resources(t, "AWS::EFS::FileSystem").values()
    assert fs["Properties"]["Encrypted"] is True and fs["DeletionPolicy"] == "Delete"
    targets = props(t, "AWS::EFS::MountTarget")
    subnets = subnet_ids_by_name(t)
    assert sorted(m["SubnetId"]["Ref"] for m in targets) == sorted(
        [subnets["week5-day2-private-subnet-a"], subnets["week5-day2-private-subnet-b"]]
    )
    (fs_sg,) = {g["Fn::GetAtt"][0] for m in targets for g in m["SecurityGroups"]}
    host_sgs = {instance_security_groups(h)[0] for h in hosts.values()}
    rules = ingress_rules(t, fs_sg)
    assert {(r["FromPort"], r["SourceSecurityGroupId"]["Fn::GetAtt"][0]) for r in rules} == {
        (2049, sg) for sg in host_sgs
    }
    # Each host mounts it with its role (the policy refuses anonymous clients) and writes as root.
    (fs_id,) = resources(t, "AWS::EFS::FileSystem")
    for host in hosts.values():
        text = user_data_text(host)
        options = fstab_options(text, "/mnt/efs")
        assert "amazon-efs-utils" in text and options == ["_netdev", "tls", "iam", "nofail"]
        role = instance_role(t, host["IamInstanceProfile"]["Ref"])
        assert refused_actions(t, fs_id, role, options) == []


def test_restore_context_attaches_a_volume_from_the_snapshot(tmp_path):
    cdk_app = make_app(tmp_path, restore_snapshot_id="snap-0123456789abcdef0")
    lab = CATALOG.get(LAB)
    stack = lab.build(cdk_app, lab, CourseSettings.from_context(cdk_app.node.try_get_context))
    t = cdk_app.synth().get_stack_by_name(stack.stack_name).template
    volumes = props(t, "AWS::EC2::Volume")
    restored = [v for v in volumes if "SnapshotId" in v]
    assert len(volumes) == 2 and restored[0]["SnapshotId"] == "snap-0123456789abcdef0"
    assert "Size" not in restored[0]
    assert {a["Device"] for a in props(t, "AWS::EC2::VolumeAttachment")} == {"/dev/sdf", "/dev/sdg"}
    assert t["Outputs"]["RestoredMountCommand"]["Value"].endswith("/dev/sdg /restored --restored")
    # "데이터 무결성 확인": the file host A's boot wrote, hashed on both mounts.
    assert t["Outputs"]["RestoredMountCommand"]["Description"].endswith(
        "(그 뒤 sha256sum /data/hello.txt /restored/hello.txt)"
    )


@pytest.mark.parametrize("bad", ["snap-123", "vol-0123456789abcdef0", "snap-0123456789ABCDEF0"])
def test_a_bad_snapshot_id_is_refused_before_synthesis(tmp_path, bad):
    cdk_app = make_app(tmp_path, restore_snapshot_id=bad)
    lab = CATALOG.get(LAB)
    with pytest.raises(CourseInputError, match="restore_snapshot_id"):
        lab.build(cdk_app, lab, CourseSettings.from_context(cdk_app.node.try_get_context))


def test_outputs(t):
    assert {
        "SnapshotCommand", "ListSnapshotsCommand", "RestoreHint", "EfsFileSystemId",
        "DataVolumeId",
    } <= set(t["Outputs"])  # fmt: skip
    assert json.dumps(t["Outputs"]["RestoreHint"]).count("restore_snapshot_id=snap-") == 1
    # The mount command is an output of the restoring deployment only: the hint says so.
    assert "RestoredMountCommand" not in t["Outputs"]
    assert "RestoredMountCommand가 생김" in t["Outputs"]["RestoreHint"]["Description"]


def test_the_snapshot_command_takes_a_tagged_snapshot_the_list_shows(
    t, lab, aws, tmp_path, kim_template
):
    """A student trial: Step 2's "스냅샷 생성" had no command, and a snapshot made in the console
    carried no tag (`week5 status` and `cleanup` missed it) nor showed in ListSnapshotsCommand.
    Made on moto: SnapshotCommand snapshots the data volume with the stack's course tags, and
    the list shows it beside the schedule's, oldest first."""
    ec2 = aws("ec2")
    volume = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=1, VolumeType="gp3")
    other = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=1, VolumeType="gp3")
    scheduled = ec2.create_snapshot(
        VolumeId=volume["VolumeId"],
        Description=f"week5 scheduled snapshot ({lab.snapshots.tag_value})",
    )["SnapshotId"]
    ec2.create_snapshot(VolumeId=other["VolumeId"])  # another volume's: not listed
    shown = outputs(t)
    volume_ref = f"<{logical_id(lab.data.volume)}>"
    stand_ins = {volume_ref: volume["VolumeId"]}
    (snapshot_id,) = run_on_moto(aws, shown["SnapshotCommand"], stand_ins, tmp_path / "create")
    (made,) = ec2.describe_snapshots(SnapshotIds=[snapshot_id])["Snapshots"]
    assert made["VolumeId"] == volume["VolumeId"]
    assert made["Description"] == "week5 manual snapshot"
    tags = {tag["Key"]: tag["Value"] for tag in made["Tags"]}
    assert tags == lab.course_tags == {
        "Week": "Week5", "Day": "Day2", "Lab": "Lab1", "Student": "instructor",
    }  # fmt: skip
    # What `week5 status` reads: the tagging API, by the course's tags.
    tagged = aws("resourcegroupstaggingapi").get_resources(
        TagFilters=[{"Key": k, "Values": [v]} for k, v in lab.course_tags.items()],
        ResourceTypeFilters=["ec2:snapshot"],
    )["ResourceTagMappingList"]
    assert [m["ResourceARN"].rsplit("/", 1)[1] for m in tagged] == [snapshot_id]
    (rows,) = run_on_moto(aws, shown["ListSnapshotsCommand"], stand_ins, tmp_path / "list")
    assert [row[0] for row in rows] == [scheduled, snapshot_id]
    assert [row[3] for row in rows] == [
        f"week5 scheduled snapshot ({lab.snapshots.tag_value})", "week5 manual snapshot",
    ]  # fmt: skip
    # A student's name goes into the Student tag.
    assert "{Key=Student,Value=kim}" in outputs(kim_template)["SnapshotCommand"]


# ---- The course's steps (week5-course-rules.md, Day 2 Lab 1), each made doable ----

#: The plan's section for this lab; its ``Step N:`` lines are the registry's keys.
PLAN_SECTION = "Lab 1: EBS & 데이터 영속성 (14:00-14:50)"
#: The same numbers, hard-coded from the plan, for a checkout without ../shared.
LAB1_EBS_STEPS = ["1", "2", "3", "4"]

COURSE_STEPS, step = step_registry()


@step("1", "EBS 볼륨 생성 — gp3 볼륨 생성 및 연결, 파일시스템 생성 및 마운트")
def _volume(t, lab, hosts, tmp_path, kim_template):
    test_encrypted_gp3_data_volume_attached_to_host_a_in_its_az(t, hosts)
    test_host_a_formats_only_an_empty_volume_and_mounts_it_by_uuid(hosts)
    assert t["Outputs"]["DataVolumeId"]["Value"] == {"Ref": logical_id(lab.data.volume)}


@step("2", "스냅샷 & 복구 — 스냅샷 생성, 새 볼륨으로 복원, 데이터 무결성 확인")
def _snapshot_and_restore(t, lab, hosts, tmp_path, kim_template):
    test_snapshots_every_15_minutes_tagged_for_cleanup(t)
    # "EBS 스냅샷 생성": now, with the course's tags, and listed with the schedule's (run on
    # moto in test_the_snapshot_command_takes_a_tagged_snapshot_the_list_shows).
    volume = f"<{logical_id(lab.data.volume)}>"
    assert outputs(t)["SnapshotCommand"] == (
        f"aws ec2 create-snapshot --region ap-northeast-2 --volume-id {volume} "
        "--description 'week5 manual snapshot' --tag-specifications "
        "'ResourceType=snapshot,Tags=[{Key=Week,Value=Week5},{Key=Day,Value=Day2},"
        "{Key=Lab,Value=Lab1},{Key=Student,Value=instructor}]' --query SnapshotId --output text"
    )
    assert outputs(t)["ListSnapshotsCommand"] == (
        "aws ec2 describe-snapshots --region ap-northeast-2 --owner-ids self "
        f"--filters 'Name=volume-id,Values={volume}' --query "
        "'sort_by(Snapshots,&StartTime)[].[SnapshotId,State,StartTime,Description]' "
        "--output table"
    )
    # The same stack again, with the snapshot's id: the student is named (without it the command
    # deployed the default student's stack, a second lab).
    assert outputs(t)["RestoreHint"] == (
        "python3 scripts/cdk.py deploy Day2Lab1 -c student=instructor "
        "-c restore_snapshot_id=snap-..."
    )
    assert "-c student=kim -c restore_snapshot_id=snap-" in outputs(kim_template)["RestoreHint"]
    # Windows PowerShell has no python3: py, as docs/시작하기.md deploys there.
    assert outputs(t)["RestoreHintPowerShell"] == (
        "py scripts\\cdk.py deploy Day2Lab1 -c student=instructor -c restore_snapshot_id=snap-..."
    )
    # With the snapshot's id: a new volume from it, on host A, and the command that mounts it.
    test_restore_context_attaches_a_volume_from_the_snapshot(tmp_path)


@step("3", "EFS 공유 스토리지 — EFS 파일시스템 생성, 여러 EC2에서 마운트")
def _efs(t, lab, hosts, tmp_path, kim_template):
    test_efs_encrypted_with_mount_targets_in_both_azs_nfs_from_the_hosts_only(t, hosts)
    (efs,) = resources(t, "AWS::EFS::FileSystem")
    assert t["Outputs"]["EfsFileSystemId"]["Value"] == {"Ref": efs}


@step("4", "리소스 정리")
def _cleanup(t, lab, hosts, tmp_path, kim_template):
    assert teardown_findings(t) == []
    test_cleanup_may_delete_only_this_schedules_snapshots_and_the_lab_volumes(t, lab)


def test_every_step_of_the_plan_has_an_entry():
    assert list(COURSE_STEPS) == LAB1_EBS_STEPS
    if COURSE_PLAN.exists():
        assert plan_step_numbers(PLAN_SECTION) == LAB1_EBS_STEPS


@pytest.mark.parametrize("number", list(COURSE_STEPS))
def test_course_step_is_doable(number, t, lab, hosts, tmp_path, kim_template):
    _, check = COURSE_STEPS[number]
    check(t, lab, hosts, tmp_path, kim_template)
