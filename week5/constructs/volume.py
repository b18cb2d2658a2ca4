"""DataVolume and ScheduledSnapshots: EBS persistence for Day 2 Lab 1, with no leftovers."""

from __future__ import annotations

import re
import weakref
from typing import Dict, Mapping, Optional

from aws_cdk import Aws, CustomResource, Duration, RemovalPolicy, Size, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from constructs import Construct

from week5.constructs.cleanup import CLEANUP_TAG_KEY, build_cleanup, volume_arn
from week5.constructs.hardening import name_label
from week5.constructs.host import LabHost
from week5.constructs.props import (
    require_duration,
    require_int,
    require_str,
    require_volume,
    shown,
)
from week5.core.errors import CourseInputError
from week5.core.settings import parse_snapshot_id
from week5.synth.nag import acknowledge, nag_arn

#: gp3's minimum; the lab writes a few files.
DEFAULT_VOLUME_GIB = 1
#: The first extra device name on Nitro instances (AL2023's udev rules link it to the NVMe disk).
DEFAULT_DEVICE = "/dev/sdf"
#: Short enough that a snapshot appears within a 50-minute lab (DLM's minimum is one hour).
DEFAULT_SNAPSHOT_INTERVAL = Duration.minutes(15)
#: The tag by which the cleanup finds the snapshots this stack's schedule made.
SNAPSHOT_TAG_KEY = CLEANUP_TAG_KEY

#: The device names a data volume may take, in order.
_DEVICES = tuple(f"/dev/sd{letter}" for letter in "fghijklmnop")
#: Per host, the devices its data volumes take (a second volume at one device: EC2 refuses its
#: attachment at deploy, after the first volume is made).
_DEVICES_IN_USE: "weakref.WeakKeyDictionary[LabHost, Dict[str, str]]" = weakref.WeakKeyDictionary()


class DataVolume(Construct):
    """An encrypted gp3 volume attached to a host, in the host's AZ (Day 2 Lab 1, step 1).

    :param host: the LabHost to attach to.
    :param size_gib: the volume's size in GiB, 1 to 16384 (gp3's range); with ``snapshot_id``
        the volume takes the snapshot's size instead. @default 1 (gp3's minimum)
    :param device: the device name it is attached at, ``/dev/sdf`` to ``/dev/sdp`` (on a Nitro
        instance an NVMe disk, which AL2023's udev rules link to this name). @default
        ``/dev/sdf``
    :param snapshot_id: create the volume from this snapshot (the lab's restore step).
        @default None: an empty volume
    :param name: the volume's Name tag (the console's Name column: students sharing an account
        tell theirs apart by it). @default the construct path

    ``cdk destroy`` deletes it. Exposes ``volume``, ``attachment`` and ``device``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        host: LabHost,
        size_gib: int = DEFAULT_VOLUME_GIB,
        device: str = DEFAULT_DEVICE,
        snapshot_id: Optional[str] = None,
        name: Optional[str] = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if not isinstance(getattr(host, "instance", None), ec2.Instance):
            what = "=None" if host is None else f"= {shown(host)}"
            raise CourseInputError(
                f"DataVolume {self.node.path}: host{what} is not a LabHost; pass the LabHost "
                "(or DockerHost) to attach the volume to, e.g. host=web"
            )
        require_int(f"DataVolume {self.node.path}", "size_gib", size_gib)
        require_str(f"DataVolume {self.node.path}", "device", device)
        require_str(f"DataVolume {self.node.path}", "name", name, optional=True)
        name_tag = name_label(f"DataVolume {self.node.path}", name, self.node.path, group=False)
        if not re.match(r"^/dev/sd[f-p]$", device):
            raise CourseInputError(
                f"DataVolume {self.node.path}: device must be /dev/sdf../dev/sdp"
            )
        if not 1 <= size_gib <= 16384:
            raise CourseInputError(
                f"DataVolume {self.node.path}: size_gib={size_gib} is outside gp3's 1 to 16384 GiB"
            )
        snapshot_id = parse_snapshot_id(snapshot_id, f"DataVolume {self.node.path}: snapshot_id")
        taken = _DEVICES_IN_USE.setdefault(host, {})
        if device in taken:
            free = next((d for d in _DEVICES if d not in taken), None)
            raise CourseInputError(
                f"DataVolume {self.node.path}: device {device} of {host.node.path} is taken by "
                f"{taken[device]}; pass another"
                + (f", e.g. device={free!r}" if free else " (all of /dev/sdf../dev/sdp are)")
            )
        taken[device] = self.node.path
        #: The EBS volume, in the host's AZ.
        self.volume: ec2.Volume = ec2.Volume(
            self,
            "Volume",
            volume_name=name_tag,
            availability_zone=host.instance.instance_availability_zone,
            size=None if snapshot_id else Size.gibibytes(size_gib),
            snapshot_id=snapshot_id,
            volume_type=ec2.EbsDeviceVolumeType.GP3,
            encrypted=True,
            removal_policy=RemovalPolicy.DESTROY,
        )
        #: The attachment to the host's instance (what to depend on before the host mounts it).
        self.attachment: ec2.CfnVolumeAttachment = ec2.CfnVolumeAttachment(
            self,
            "Attachment",
            instance_id=host.instance.instance_id,
            volume_id=self.volume.volume_id,
            device=device,
        )
        #: The device name it is attached at.
        self.device: str = device


class ScheduledSnapshots(Construct):
    """EBS snapshots of one volume on a schedule, all deleted again by ``cdk destroy``.

    EventBridge Scheduler calls EC2 ``CreateSnapshot`` directly (no Lambda) and tags each
    snapshot ``week5:snapshot-schedule=<stack name>/<path>`` plus the course's tags. A
    :class:`~week5.constructs.cleanup.LeftoverCleanup`-style custom resource deletes, when the
    stack is deleted, every snapshot with that tag and every snapshot of the volume (one a
    student took by hand in the console too; not one an AMI of the account uses, which is kept
    and named); the schedule depends on it, so CloudFormation
    removes the schedule first and no snapshot starts during cleanup.

    :param volume: the volume to snapshot, an ``ec2.IVolume`` (a ``DataVolume``'s ``.volume``).
    :param interval: the time between snapshots, a ``Duration`` of whole minutes, 5 or more.
        @default 15 minutes (a snapshot appears within the lab)
    :param snapshot_tags: tags for each snapshot, beside ``week5:snapshot-schedule`` (a
        snapshot is billed, so cost reports need them; ``Tags.of()`` cannot reach what the
        schedule creates later). @default the stack's course tags (``course_tags``, which a
        ``LabStack`` has); none in another stack

    Exposes ``schedule``, ``tag_value``, ``snapshot_tags``, ``cleanup_function`` and
    ``cleanup``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        volume: ec2.IVolume,
        interval: Duration = DEFAULT_SNAPSHOT_INTERVAL,
        snapshot_tags: Optional[Mapping[str, str]] = None,
    ) -> None:
        super().__init__(scope, construct_id)
        where = f"ScheduledSnapshots {self.node.path}"
        require_volume(where, "volume", volume)
        require_duration(where, "interval", interval)
        if interval.to_seconds(integral=False) % 60:
            raise CourseInputError(
                f"{where}: interval={interval.to_human_string()} is not a whole number of "
                "minutes (a schedule's rate counts minutes); pass e.g. Duration.minutes(15)"
            )
        stack = Stack.of(self)
        if snapshot_tags is None:
            snapshot_tags = getattr(stack, "course_tags", {})
        if not isinstance(snapshot_tags, Mapping) or not all(
            isinstance(key, str) and isinstance(value, str)
            for key, value in snapshot_tags.items()
        ):
            raise CourseInputError(
                f"{where}: snapshot_tags must map tag keys to values (strings), e.g. "
                "{'Student': 'kim'}"
            )
        if SNAPSHOT_TAG_KEY in snapshot_tags:
            raise CourseInputError(
                f"{where}: snapshot_tags sets {SNAPSHOT_TAG_KEY}, which the cleanup finds "
                "the schedule's snapshots by; leave it out"
            )
        minutes = interval.to_minutes()
        if minutes < 5:
            raise CourseInputError(
                f"{where}: interval of {minutes} min is too short; "
                "a snapshot of even an empty volume takes minutes (use 5 or more)"
            )
        #: The value of the ``week5:snapshot-schedule`` tag on every snapshot it takes.
        self.tag_value: str = f"{stack.stack_name}/{self.node.path}"
        #: The other tags on every snapshot it takes.
        self.snapshot_tags: Mapping[str, str] = dict(snapshot_tags)
        snapshot_arns = stack.format_arn(
            service="ec2", resource="snapshot", resource_name="*", account=""
        )
        self._snapshot_arns = snapshot_arns
        tags = [{"Key": SNAPSHOT_TAG_KEY, "Value": self.tag_value}] + [
            {"Key": key, "Value": value}
            for key, value in sorted(self.snapshot_tags.items())
        ]

        role = iam.Role(
            self,
            "SchedulerRole",
            assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"),
            description=f"{self.node.path}: create tagged snapshots of one volume",
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["ec2:CreateSnapshot"],
                resources=[volume_arn(volume), snapshot_arns],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["ec2:CreateTags"],
                resources=[snapshot_arns],
                conditions={"StringEquals": {"ec2:CreateAction": "CreateSnapshot"}},
            )
        )
        #: The EventBridge Scheduler schedule that calls ``CreateSnapshot``.
        self.schedule: scheduler.CfnSchedule = scheduler.CfnSchedule(
            self,
            "Schedule",
            description=f"{self.node.path}: EBS snapshot every {int(minutes)} minutes",
            schedule_expression=f"rate({int(minutes)} minutes)",
            flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
            target=scheduler.CfnSchedule.TargetProperty(
                # EventBridge Scheduler's universal target for EC2 CreateSnapshot, in the
                # stack's partition.
                arn=f"arn:{Aws.PARTITION}:scheduler:::aws-sdk:ec2:createSnapshot",
                role_arn=role.role_arn,
                input=stack.to_json_string(
                    {
                        "VolumeId": volume.volume_id,
                        "Description": f"week5 scheduled snapshot ({self.tag_value})",
                        "TagSpecifications": [{"ResourceType": "snapshot", "Tags": tags}],
                    }
                ),
            ),
        )

        # Snapshots by tag (the schedule's) and by volume (any made by hand in the console).
        cleanup_function, cleanup = build_cleanup(
            self,
            ("CleanupLogs", "CleanupFunction", "Cleanup"),
            tag_value=self.tag_value,
            volumes=[volume],
            databases=(),
        )
        #: The function that deletes the snapshots when the stack is deleted.
        self.cleanup_function: lambda_.Function = cleanup_function
        #: The custom resource whose deletion runs it.
        self.cleanup: CustomResource = cleanup
        # Deleted in reverse: the schedule goes first, then the cleanup runs.
        self.schedule.node.add_dependency(self.cleanup)
        self._acknowledge(role)

    def _acknowledge(self, role: iam.Role) -> None:
        snapshots = nag_arn(Stack.of(self), self._snapshot_arns)
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::{snapshots}]",
            "A snapshot's id does not exist before CreateSnapshot makes it; tagging is limited to "
            "snapshots being created (ec2:CreateAction) and creation to this one volume.",
        )
