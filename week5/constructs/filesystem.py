"""SharedFileSystem: EFS that several hosts in several AZs mount (Day 2 Lab 1, step 3)."""

from __future__ import annotations

from typing import List, Optional, Sequence

import jsii
from aws_cdk import RemovalPolicy, Tags
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_efs as efs
from aws_cdk import aws_iam as iam
from constructs import Construct

from week5.constructs import access
from week5.constructs.hardening import GROUP_NAME_SUFFIX, describe, name_label
from week5.constructs.host import LabHost
from week5.constructs.interfaces import ConnectableGrantable
from week5.constructs.props import require_str, require_vpc
from week5.constructs.userdata import mount_efs
from week5.constructs.vpc import private_subnets_of
from week5.constructs.web_tier import HaWebTier

#: Where hosts mount it.
DEFAULT_MOUNT_POINT = "/mnt/efs"


@jsii.implements(ec2.IConnectable)
class SharedFileSystem(Construct):
    """An encrypted EFS file system with a mount target in every AZ of ``subnets``.

    :param vpc: the VPC.
    :param subnets: one mount target per AZ among them. @default the VPC's private subnets
    :param name: the Name tag of the file system (the console's Name column: students sharing an
        account tell theirs apart by it) and, with ``-sg``, of its security group.
        @default the construct path

    Hosts mount it with ``mount_lines()`` in their user data (amazon-efs-utils, TLS and IAM,
    fstab with nofail). It is an ``ec2.IConnectable`` whose default port is NFS (2049):
    ``grant_connect(host)`` admits 2049 from that host's security group only, lets the host's
    role mount it, and launches the host after the mount targets exist. ``cdk destroy``
    deletes the file system (no automatic backups, so no recovery points hold it).

    The file system policy refuses anonymous clients (cdk.json's
    ``@aws-cdk/aws-efs:denyAnonymousAccess``, the console's "Prevent anonymous access"): a
    mount without amazon-efs-utils' ``iam`` option, or by a role without
    ``elasticfilesystem:ClientMount`` (which that policy does not give; it gives write and root
    access through a mount target), is refused with "access denied by server".
    Exposes ``file_system``, ``security_group``, ``connections``, ``availability_zones``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        subnets: Optional[Sequence[ec2.ISubnet]] = None,
        name: Optional[str] = None,
    ) -> None:
        super().__init__(scope, construct_id)
        node_path = self.node.path
        where = f"SharedFileSystem {node_path}"
        require_vpc(where, vpc)
        require_str(where, "name", name, optional=True)
        name_tag = name_label(where, name, node_path, strict=True)  # EFS checks its tags
        subnets = private_subnets_of(vpc, subnets, where)
        one_per_az = {}
        for subnet in subnets:
            one_per_az.setdefault(subnet.availability_zone, subnet)
        #: The mount targets' security group: NFS from granted hosts only.
        self.security_group: ec2.SecurityGroup = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description=describe(node_path, "NFS 2049 from granted hosts only"),
            allow_all_outbound=False,
        )
        Tags.of(self.security_group).add("Name", f"{name_tag}{GROUP_NAME_SUFFIX}")
        #: The EFS file system (encrypted, bursting, no automatic backups).
        self.file_system: efs.FileSystem = efs.FileSystem(
            self,
            "FileSystem",
            file_system_name=name_tag,
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnets=list(one_per_az.values())),
            security_group=self.security_group,
            encrypted=True,
            performance_mode=efs.PerformanceMode.GENERAL_PURPOSE,
            throughput_mode=efs.ThroughputMode.BURSTING,
            enable_automatic_backups=False,
            removal_policy=RemovalPolicy.DESTROY,
        )
        #: The AZs that hold a mount target, sorted.
        self.availability_zones: List[str] = sorted(one_per_az)

    @property
    def connections(self) -> ec2.Connections:
        """The mount targets' security group, default port NFS 2049 (``ec2.IConnectable``)."""
        return self.file_system.connections

    def grant_connect(self, consumer: ConnectableGrantable) -> iam.Grant:
        """Let ``consumer`` (a host or tier) mount the file system: admit NFS from its security
        groups only, and give its role ``ClientMount`` (the one client action the file system
        policy does not give; its write and root access come from that policy, so the boot
        script, which writes as root, needs no more).

        The consumer also launches after the mount targets exist, so its boot script's mount
        does not fail: a ``LabHost``'s instance, a ``HaWebTier``'s group, a
        ``CloudMartStack``'s backend group, and any other construct (an ``ec2.Instance``, an
        ``autoscaling.AutoScalingGroup``, a user's own) as a whole. ``consumer`` must also be
        ``iam.IGrantable``; to open the port alone, use
        ``connections.allow_default_port_from(peer, description)``.
        """
        grant = access.grant_connect(
            self.connections,
            consumer,
            grant=self.file_system.grant_read,  # ClientMount, through a mount target
            description="NFS from a granted host",
            where=f"SharedFileSystem {self.node.path}",
        )
        # CloudMartStack's connections and role are its backend tier's: that tier launches
        tier = getattr(consumer, "backend", None)
        launched = tier if isinstance(tier, HaWebTier) else consumer
        if isinstance(launched, LabHost):
            launched.instance.node.add_dependency(self.file_system.mount_targets_available)
        elif isinstance(launched, HaWebTier):
            launched.asg.node.add_dependency(self.file_system.mount_targets_available)
        elif isinstance(launched, Construct) and not self._holds(launched):
            # Any other construct: all it makes (an instance, a group) waits for them.
            launched.node.add_dependency(self.file_system.mount_targets_available)
        return grant

    def _holds(self, construct: Construct) -> bool:
        """Whether ``construct`` holds this file system (it cannot wait for its own parts)."""
        return self.node.path.startswith(construct.node.path + "/")

    def mount_lines(self, mount_point: str = DEFAULT_MOUNT_POINT) -> List[str]:
        """Boot-script lines that mount the file system at ``mount_point`` (TLS and IAM, fstab)."""
        return mount_efs(self.file_system.file_system_id, mount_point)
