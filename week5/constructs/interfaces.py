"""The interfaces the course's constructs take, beyond CDK's own.

CDK has ``ec2.IConnectable`` (security groups) and ``iam.IGrantable`` (a role), but no type for
a consumer that is both, which is what every ``grant_connect(consumer)`` needs: the port from
its security groups, the permission on its role. Hosts, tiers and ``CloudMartStack`` are both.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam


@runtime_checkable
class ConnectableGrantable(Protocol):
    """An ``ec2.IConnectable`` that is also an ``iam.IGrantable`` (a ``LabHost``, a
    ``DockerHost``, a ``HaWebTier``, a ``CloudMartStack``): what ``grant_connect`` takes.

    A Protocol, not a jsii interface: jsii checks neither at run time, and a type checker
    then sees that a bare security group (no role) is no consumer.
    """

    @property
    def connections(self) -> ec2.Connections:
        """The consumer's security groups, which the store admits."""
        ...

    @property
    def grant_principal(self) -> iam.IPrincipal:
        """The consumer's role, which the store's permission lands on."""
        ...
