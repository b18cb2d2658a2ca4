"""Who an ALB's security group admits: 80 (and 443 with HTTPS) from anywhere, the listener's port from CloudFront
only, or (internal) only the callers granted, with the checks that run once all is built.
"""

from __future__ import annotations

from typing import List

import jsii
from aws_cdk import aws_ec2 as ec2
from constructs import Construct, IValidation

from week5.constructs.cloudfront_origin import (
    RulesWithinQuota,
    cloudfront_origin_facing_prefix_list,
    ingress_rule_sources,
)
from week5.synth.nag import acknowledge


def audience(
    listener_port: int, *, cloudfront_origin: bool, internet_facing: bool, https: bool
) -> str:
    """Who the ALB admits, for its security group's description (the ports it opens: the
    console shows it beside the rules)."""
    if cloudfront_origin:
        return f"{listener_port} from CloudFront only"
    if internet_facing:
        return "80/443 from anywhere" if https else "80 from anywhere"
    return "from granted groups only"


def admit_audience(
    owner: Construct,
    group: ec2.SecurityGroup,
    *,
    listener_port: int,
    https: bool,
    cloudfront_origin: bool,
    internet_facing: bool,
) -> None:
    """Open ``group`` (``owner``'s ALB's) to its audience, and add ``owner`` the check that
    goes with it: a CloudFront-only group stays within EC2's rule quota, an internal one admits
    someone (``grant_connect``) by the end of synthesis."""
    name = f"HaWebTier {owner.node.path}"
    if cloudfront_origin:
        # A separate rule resource: the ALB need not wait for the prefix list's lookup.
        group.add_ingress_rule(
            ec2.Peer.prefix_list(cloudfront_origin_facing_prefix_list(owner)),
            ec2.Port.tcp(listener_port),
            f"{listener_port} from CloudFront's origin-facing servers only",
            remote_rule=True,
        )
        owner.node.add_validation(RulesWithinQuota(group, name))
    elif internet_facing:
        for port in (80, 443) if https else (80,):
            group.add_ingress_rule(
                ec2.Peer.any_ipv4(), ec2.Port.tcp(port), f"{port} from anywhere"
            )
        acknowledge(
            group,
            "AwsSolutions-EC23",
            "An internet-facing web tier serves HTTP/HTTPS to everyone by design (course FAQ "
            "Q9); instances admit the app port only from this group.",
        )
    else:
        owner.node.add_validation(InternalAlbAdmitsSomeone(group, name))


def admits_anyone(group: ec2.SecurityGroup) -> bool:
    """Whether ``group`` admits anyone: an inline rule (a CIDR), or a rule resource on the
    group, however it was added (``grant_connect``, ``listener`` or ``alb.connections``,
    ``add_ingress_rule``), in any stack."""
    return bool(ingress_rule_sources(group))


@jsii.implements(IValidation)
class InternalAlbAdmitsSomeone:
    """Fails synthesis when an internal ALB's group admits no one (checked once all is built).

    :param group: the ALB's security group.
    :param owner: how errors name the group's owner, e.g. ``HaWebTier <path>``.
    """

    def __init__(self, group: ec2.SecurityGroup, owner: str) -> None:
        self._group = group
        self._owner = owner

    def validate(self) -> List[str]:
        if admits_anyone(self._group):
            return []
        return [
            f"{self._owner}: an internal ALB admits no one; grant the web "
            "tier (or host) that calls it with tier.grant_connect(caller)"
        ]
