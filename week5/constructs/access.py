"""Access between the course's constructs, the CDK way.

Every networked construct is an ``ec2.IConnectable`` (``connections``, with its default port
where it has one); hosts and tiers are also ``iam.IGrantable`` (``grant_principal`` is their
role). A data store's ``grant_connect(consumer)`` gives a consumer everything it needs to use
the store, through this module: the store's port from the consumer's security groups only
(never a CIDR), and the IAM permission it logs in with (read access to a database's or cache's
secret, an EFS file system's client actions).
"""

from __future__ import annotations

from typing import Callable

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam

from week5.core.errors import CourseInputError


def grant_connect(
    connections: ec2.Connections,
    consumer: ec2.IConnectable,
    *,
    grant: Callable[[iam.IGrantable], iam.Grant],
    description: str,
    where: str,
) -> iam.Grant:
    """Admit ``connections``' default port from ``consumer`` and give its role ``grant``
    (e.g. ``secret.grant_read``)."""
    if not hasattr(consumer, "grant_principal"):
        raise CourseInputError(
            f"{where}: grant_connect needs a consumer with a role (a LabHost, DockerHost or "
            f"HaWebTier), got {type(consumer).__name__}; to open the port alone, use "
            "connections.allow_default_port_from(peer)"
        )
    # The consumer's own Connections and role, not the consumer: Node asks a construct written
    # in Python for them with a call back into Python each time it needs them (four times a
    # grant), and answers these itself.
    connections.allow_default_port_from(consumer.connections, description)
    return grant(consumer.grant_principal)
