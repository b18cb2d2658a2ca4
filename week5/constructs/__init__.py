"""Reusable constructs of the course: import them into any CDK app."""

from week5.constructs.bastion import BastionPair
from week5.constructs.host import DockerHost, LabHost
from week5.constructs.secret import generated_password
from week5.constructs.vpc import MultiAzVpc, NatMode

__all__ = ["BastionPair", "DockerHost", "LabHost", "MultiAzVpc", "NatMode", "generated_password"]
