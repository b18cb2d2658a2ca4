"""BastionPair: a bastion in a public subnet and a host in a private subnet behind it."""

from __future__ import annotations

from typing import Optional

from aws_cdk import CfnOutput, Fn
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from week5.constructs.hardening import DEFAULT_INSTANCE_TYPE
from week5.constructs.host import SSH_PORT, LabHost
from week5.core.errors import CourseInputError


class BastionPair(Construct):
    """Day 1 Lab 2, step 2: a bastion (Public-A) and a private host (Private-A) behind it.

    The private host admits SSH only from the bastion's security group. The bastion admits SSH
    only from ``ssh_cidr``; without it, the bastion opens no port and both hosts are reached
    with Session Manager (the private one through the NAT, which the SSM agent needs).

    :param vpc: the VPC.
    :param bastion_subnet: a public subnet. @default the VPC's first public subnet (Public-A)
    :param private_subnet: a private subnet. @default the VPC's first private subnet (Private-A)
    :param ssh_cidr: the one IPv4 CIDR the bastion admits SSH from. @default ``None`` (no SSH)
    :param key_name: the EC2 key pair both hosts accept. @default ``None``
    :param instance_type: for both hosts. @default ``t3.micro``
    :param name_prefix: Name tags ``<prefix>-bastion`` and ``<prefix>-private``. @default ``week5``

    Exposes ``bastion`` and ``private_host`` (``LabHost``), ``ssh_command`` and the outputs
    ``SshCommand``, ``BastionSsmCommand`` and ``PrivateHostSsmCommand``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        bastion_subnet: Optional[ec2.ISubnet] = None,
        private_subnet: Optional[ec2.ISubnet] = None,
        ssh_cidr: Optional[str] = None,
        key_name: Optional[str] = None,
        instance_type: str = DEFAULT_INSTANCE_TYPE,
        name_prefix: str = "week5",
    ) -> None:
        super().__init__(scope, construct_id)
        if not vpc.public_subnets:
            raise CourseInputError(f"BastionPair {self.node.path}: the VPC has no public subnet")
        private_candidates = list(vpc.private_subnets) + list(vpc.isolated_subnets)
        if private_subnet is None and not private_candidates:
            raise CourseInputError(f"BastionPair {self.node.path}: the VPC has no private subnet")
        bastion_subnet = bastion_subnet or vpc.public_subnets[0]
        private_subnet = private_subnet or private_candidates[0]
        public_paths = {s.node.path for s in vpc.public_subnets}
        if bastion_subnet.node.path not in public_paths:
            raise CourseInputError(
                f"BastionPair {self.node.path}: bastion_subnet must be public (it faces you)"
            )
        if private_subnet.node.path in public_paths:
            raise CourseInputError(
                f"BastionPair {self.node.path}: private_subnet must not be a public subnet"
            )

        #: The bastion in the public subnet: SSH from ``ssh_cidr`` only.
        self.bastion: LabHost = LabHost(
            self,
            "Bastion",
            vpc=vpc,
            subnet=bastion_subnet,
            instance_type=instance_type,
            ssh_cidr=ssh_cidr,
            key_name=key_name,
            name=f"{name_prefix}-bastion",
        )
        #: The host in the private subnet: SSH from the bastion only.
        self.private_host: LabHost = LabHost(
            self,
            "PrivateHost",
            vpc=vpc,
            subnet=private_subnet,
            instance_type=instance_type,
            key_name=key_name,
            name=f"{name_prefix}-private",
        )
        self.private_host.connections.allow_from(
            self.bastion, ec2.Port.tcp(SSH_PORT), "SSH from the bastion only"
        )

        #: ``ssh -J`` through the bastion to the private host, or why SSH is closed.
        self.ssh_command: str = (
            Fn.join(
                "",
                [
                    "ssh -i key.pem -J ec2-user@",
                    self.bastion.public_ip,
                    " ec2-user@",
                    self.private_host.private_ip,
                ],
            )
            if ssh_cidr
            else (
                "SSH is closed (no ssh_cidr): redeploy with -c ssh_cidr=<your-ip>/32, "
                "or use the Session Manager commands"
            )
        )
        CfnOutput(self, "SshCommand", value=self.ssh_command, description="SSH via the bastion")
        CfnOutput(self, "BastionSsmCommand", value=self.bastion.ssm_command)
        CfnOutput(self, "PrivateHostSsmCommand", value=self.private_host.ssm_command)
