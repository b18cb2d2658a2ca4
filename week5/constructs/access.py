"""Access between the course's constructs, the CDK way.

Every networked construct is an ``ec2.IConnectable`` (``connections``, with its default port
where it has one); hosts and tiers are also ``iam.IGrantable`` (``grant_principal`` is their
role). A data store's ``grant_connect(consumer)`` gives a consumer everything it needs to use
the store, through this module: the store's port from the consumer's security groups only
(never a CIDR), and read access to the secret it logs in with.
"""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager

from week5.core.errors import CourseInputError


def grant_connect(
    connections: ec2.Connections,
    consumer: ec2.IConnectable,
    *,
    secret: secretsmanager.ISecret,
    description: str,
    where: str,
) -> iam.Grant:
    """Admit ``connections``' default port from ``consumer`` and let it read ``secret``."""
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
    return secret.grant_read(consumer.grant_principal)
