"""SharedFileSystem: EFS that several hosts in several AZs mount (Day 2 Lab 1, step 3)."""

from __future__ import annotations

from typing import List, Optional, Sequence

import jsii
from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_efs as efs
from constructs import Construct

from week5.constructs.host import LabHost
from week5.constructs.userdata import mount_efs
from week5.constructs.vpc import private_subnets_of

#: Where hosts mount it.
DEFAULT_MOUNT_POINT = "/mnt/efs"


@jsii.implements(ec2.IConnectable)
class SharedFileSystem(Construct):
    """An encrypted EFS file system with a mount target in every AZ of ``subnets``.

    :param vpc: the VPC.
    :param subnets: one mount target per AZ among them. @default the VPC's private subnets

    Hosts mount it with ``mount_lines()`` in their user data (amazon-efs-utils, TLS, fstab with
    nofail); ``allow_from(host)`` admits NFS (2049) from that host's security group only and
    launches the host after the mount targets exist. ``cdk destroy`` deletes the file system
    (no automatic backups, so no recovery points hold it).
    Exposes ``file_system``, ``security_group``, ``connections``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        subnets: Optional[Sequence[ec2.ISubnet]] = None,
    ) -> None:
        super().__init__(scope, construct_id)
        subnets = private_subnets_of(vpc, subnets, f"SharedFileSystem {self.node.path}")
        one_per_az = {}
        for subnet in subnets:
            one_per_az.setdefault(subnet.availability_zone, subnet)
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description=f"{self.node.path}: NFS 2049 from granted hosts only",
            allow_all_outbound=False,
        )
        self.file_system = efs.FileSystem(
            self,
            "FileSystem",
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnets=list(one_per_az.values())),
            security_group=self.security_group,
            encrypted=True,
            performance_mode=efs.PerformanceMode.GENERAL_PURPOSE,
            throughput_mode=efs.ThroughputMode.BURSTING,
            enable_automatic_backups=False,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.availability_zones = sorted(one_per_az)

    @property
    def connections(self) -> ec2.Connections:
        return self.file_system.connections

    def allow_from(self, host: LabHost) -> None:
        """Admit NFS from the host's security group, and launch the host after the mount targets."""
        self.file_system.connections.allow_default_port_from(host, "NFS from a granted host")
        host.instance.node.add_dependency(self.file_system.mount_targets_available)

    def mount_lines(self, mount_point: str = DEFAULT_MOUNT_POINT) -> List[str]:
        return mount_efs(self.file_system.file_system_id, mount_point)
