"""Generated passwords in Secrets Manager, for the values the course's compose files hard-code."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from week5.synth.nag import acknowledge

#: Long enough to resist guessing; alphanumeric so it needs no quoting in .env or a shell.
PASSWORD_LENGTH = 32


def generated_password(
    scope: Construct, construct_id: str, *, description: str
) -> secretsmanager.Secret:
    """A random alphanumeric password that ``cdk destroy`` deletes with the stack."""
    secret = secretsmanager.Secret(
        scope,
        construct_id,
        description=description,
        generate_secret_string=secretsmanager.SecretStringGenerator(
            password_length=PASSWORD_LENGTH, exclude_punctuation=True
        ),
        removal_policy=RemovalPolicy.DESTROY,
    )
    acknowledge(
        secret,
        "AwsSolutions-SMG4",
        "Rotation needs a Lambda and a client that re-reads the secret; a lab password lives for "
        "one 50-minute lab and is deleted with the stack.",
    )
    return secret
