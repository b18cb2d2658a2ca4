"""A host used as an engineer's own app might (T18-C): a password in ``compose_env`` went into
the user data in plain text with no word (the course's rule pack, which finds it, is not in an
importer's app), and a private host's ``public_ip`` gave a ``GetAtt`` that fails the deploy."""

from __future__ import annotations

import re

import aws_cdk as cdk
import pytest

from week5.assets import COMPOSE_DIR
from week5.constructs.host import DockerHost, LabHost
from week5.constructs.vpc import MultiAzVpc
from week5.core.errors import CourseInputError

COMPOSE = COMPOSE_DIR / "wordpress.yml"


@pytest.fixture
def own():
    """A plain stack, as in an importer's app: no course rule pack."""
    stack = cdk.Stack(cdk.App(), "Own", env=cdk.Environment(region="ap-northeast-2"))
    return stack, MultiAzVpc(stack, "Net")


@pytest.mark.parametrize("name", ["DB_PASSWORD", "api_key", "JWT_SECRET", "GITHUB_TOKEN"])
def test_a_secret_in_compose_env_is_refused_pointing_at_compose_secrets(own, name):
    stack, net = own
    with pytest.raises(CourseInputError, match=re.escape(
        f"DockerHost Own/Web: compose_env[{name!r}] looks like a secret, and would be written in "
        "plain text into the instance's user data; pass it as a secret, e.g. "
        f"compose_secrets={{{name!r}: secret}}"
    )):
        DockerHost(stack, "Web", vpc=net.vpc, subnet=net.public_subnets[0],
                   compose_file=COMPOSE, compose_env={"DB_HOST": "db", name: "hunter2"})  # fmt: skip


@pytest.mark.parametrize(
    "env",
    [{"DB_HOST": "db"}, {"DB_PASSWORD_FILE": "/run/secrets/db"}, {"DB_SECRET_ARN": "arn:x"}],
    ids=["plain", "a-secrets-path", "a-secrets-arn"],
)
def test_names_addresses_and_pointers_to_secrets_are_taken(own, env):
    stack, net = own
    DockerHost(stack, "Web", vpc=net.vpc, subnet=net.public_subnets[0], compose_file=COMPOSE,
               compose_env=env)  # fmt: skip


def test_a_deploy_time_value_is_no_plain_text_secret(own):
    stack, net = own
    password = cdk.CfnParameter(stack, "Password", no_echo=True).value_as_string
    DockerHost(stack, "Web", vpc=net.vpc, subnet=net.public_subnets[0], compose_file=COMPOSE,
               compose_env={"DB_PASSWORD": password})  # fmt: skip


def test_a_private_hosts_public_ip_is_refused(own):
    stack, net = own
    private = LabHost(stack, "Db", vpc=net.vpc, subnet=net.private_subnets[0])
    with pytest.raises(CourseInputError, match=re.escape(
        "LabHost Own/Db: public_ip: the host is in a private subnet and has no public IP; use "
        "private_ip, or build it in a public subnet"
    )):
        private.public_ip
    public = LabHost(stack, "Web", vpc=net.vpc, subnet=net.public_subnets[0])
    assert cdk.Token.is_unresolved(public.public_ip)


@pytest.mark.parametrize("region", ["us-east-1", None], ids=["us-east-1", "env-agnostic"])
def test_outside_seoul_the_az_acknowledgement_does_not_speak_of_the_course(region):
    """A us-east-1 template said "The course's diagrams fix the AZs (ap-northeast-2a, ...)"."""
    from week5.constructs.hardening import COURSE_AZS_ACKNOWLEDGEMENT, azs_acknowledgement

    env = cdk.Environment(region=region) if region else None
    stack = cdk.Stack(cdk.App(), "Own", env=env)
    (reason,) = azs_acknowledgement(stack).values()
    assert "ap-northeast-2" not in reason and "course" not in reason
    seoul = cdk.Stack(cdk.App(), "Seoul", env=cdk.Environment(region="ap-northeast-2"))
    assert azs_acknowledgement(seoul) is COURSE_AZS_ACKNOWLEDGEMENT  # the labs' unchanged
