"""Who an ALB's security group admits: 80 (and 443 with HTTPS) from anywhere, the listener's port from CloudFront
only, or (internal) only the callers granted, with the checks that run once all is built.
"""

from __future__ import annotations

import ipaddress
from typing import List, Optional, Sequence, Tuple

import jsii
from aws_cdk import Stack
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
        ports = (80, 443) if https else (80,)
        for port in ports:
            group.add_ingress_rule(
                ec2.Peer.any_ipv4(), ec2.Port.tcp(port), f"{port} from anywhere"
            )
        acknowledge(
            group,
            "AwsSolutions-EC23",
            "An internet-facing web tier serves HTTP/HTTPS to everyone by design (course FAQ "
            "Q9); instances admit the app port only from this group.",
        )
        # The acknowledgement covers the whole group: what else is opened to anyone fails here.
        owner.node.add_validation(
            InternetPortsOnly(
                group,
                name,
                ports,
                "admit one CIDR (ec2.Peer.ipv4('203.0.113.5/32')) or a security group instead; "
                "the ALB serves the internet on its listener ports only",
            )
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


#: One ingress rule: (source CIDR, IP protocol, from port, to port).
IngressRule = Tuple[Optional[str], Optional[str], Optional[int], Optional[int]]


def admits_everyone(cidr: Optional[str]) -> bool:
    """Whether ``cidr`` spans every address: prefix length 0, however written (``0.0.0.0/0``,
    ``::0/0``, ``1.2.3.4/0``; cdk-nag's EC23 flags any CIDR with ``/0``). A token or no CIDR
    (a group or prefix list as source) does not."""
    if not isinstance(cidr, str):
        return False
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen == 0
    except ValueError:
        return False


def open_to_anyone(group: ec2.SecurityGroup) -> List[IngressRule]:
    """Each ingress rule of ``group`` from anyone (a CIDR of prefix length 0): inline, or a rule
    resource on the group in its stack (``CfnSecurityGroupIngress``), however it was added
    (``connections.allow_from``, ``add_ingress_rule``, an L1). CDK writes a CIDR's rule inline
    or in the group's stack; the stack, not the whole app, keeps the walk to one lab's
    constructs (about 110, not 1,500)."""
    stack = Stack.of(group)
    inline = stack.resolve(group.node.default_child.security_group_ingress) or []
    rules: List[IngressRule] = [
        (
            r.get("cidrIp") or r.get("cidrIpv6"),
            r.get("ipProtocol"),
            r.get("fromPort"),
            r.get("toPort"),
        )
        for r in inline
    ]
    group_id = group.security_group_id  # the token: equal for this group's rules only
    for construct in stack.node.find_all():
        if isinstance(construct, ec2.CfnSecurityGroupIngress) and construct.group_id == group_id:
            rules.append(
                (
                    construct.cidr_ip or construct.cidr_ipv6,
                    construct.ip_protocol,
                    construct.from_port,
                    construct.to_port,
                )
            )
    return [rule for rule in rules if admits_everyone(rule[0])]


def _ports_text(protocol: Optional[str], from_port, to_port) -> str:
    """``tcp 22``, ``tcp 1000-2000``, ``all traffic``, ``icmp``: how a rule's ports read."""
    if protocol in ("-1", -1):
        return "all traffic"
    if protocol not in ("tcp", "udp", "6", "17") or from_port is None:
        return str(protocol)
    if from_port == to_port:
        return f"{protocol} {from_port}"
    return f"{protocol} {from_port}-{to_port}"


@jsii.implements(IValidation)
class InternetPortsOnly:
    """Fails synthesis when ``group`` admits anyone (``0.0.0.0/0`` or ``::/0``) on more than
    the TCP ports its construct opened to the internet (checked once all is built).

    The construct acknowledges cdk-nag's AwsSolutions-EC23 on the group for those ports; the
    acknowledgement covers the whole group, so without this check a rule a user adds later
    (``host.connections.allow_from(ec2.Peer.any_ipv4(), ec2.Port.tcp(22))``) would pass
    AwsSolutions unseen.

    :param group: the security group the construct opened to the internet.
    :param owner: how errors name the group's owner, e.g. ``LabHost <path>``.
    :param ports: the TCP ports the construct opened to anyone, e.g. ``(80,)``.
    :param fix: what to do instead, for the error.
    """

    def __init__(
        self, group: ec2.SecurityGroup, owner: str, ports: Sequence[int], fix: str
    ) -> None:
        self._group = group
        self._owner = owner
        self._ports = tuple(ports)
        self._fix = fix

    def validate(self) -> List[str]:
        extra = [
            f"{_ports_text(protocol, low, high)} from {source}"
            for source, protocol, low, high in open_to_anyone(self._group)
            if not (protocol == "tcp" and low == high and low in self._ports)
        ]
        if not extra:
            return []
        return [
            f"{self._owner}: its security group admits {', '.join(extra)}, beyond "
            f"the ports it opens to the internet ({', '.join(map(str, self._ports))}; its "
            f"AwsSolutions-EC23 acknowledgement covers those only); {self._fix}"
        ]
