"""Who an ALB's security group admits: 80 (and 443 with HTTPS) from anywhere, the listener's port from CloudFront
only, or (internal) only the callers granted, with the checks that run once all is built and the
one walk of a group's ingress rules they share (:func:`ingress_rules`).
"""

from __future__ import annotations

import ipaddress
from typing import List, NamedTuple, Optional, Sequence

import jsii
from aws_cdk import CfnElement, Stack, Stage
from aws_cdk import aws_ec2 as ec2
from constructs import Construct, IValidation

from week5.constructs.cloudfront_origin import (
    CLOUDFRONT_PREFIX_LIST_WEIGHT,
    INBOUND_RULES_QUOTA,
    cloudfront_origin_facing_prefix_list,
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


class IngressRule(NamedTuple):
    """One ingress rule of a security group, as :func:`ingress_rules` finds it."""

    #: Its source CIDR (``cidrIp`` or ``cidrIpv6``), or None (a group or prefix list).
    cidr: Optional[str]
    #: Its IP protocol (``tcp``, ``-1``...).
    protocol: Optional[str]
    from_port: Optional[int]
    to_port: Optional[int]
    #: Its source prefix list's id (a token), or None.
    prefix_list: Optional[str] = None


def ingress_rules(group: ec2.SecurityGroup) -> List[IngressRule]:
    """Every ingress rule of ``group``, for the checks that run once all is built: inline, or a
    rule resource (``CfnSecurityGroupIngress``) on the group in any stack of the app, however
    it was added (``grant_connect``, ``connections.allow_from``, ``add_ingress_rule``, an L1).

    Any stack, not only the group's: CDK declares a rule whose source is a security group of
    another stack in that stack (an internal ALB granted to a caller there admits someone, and
    the rule counts against the group's quota). Yet not the whole app either: a rule in another
    stack names the group's id, so that stack depends on the group's, which CDK records before
    the validations run. The group's stack and those that depend on it hold every rule, about
    110 constructs a lab instead of the app's 1,500 (each construct a round trip to Node).
    """
    stack = Stack.of(group)
    inline = stack.resolve(group.node.default_child.security_group_ingress) or []
    rules = [
        IngressRule(
            r.get("cidrIp") or r.get("cidrIpv6"),
            r.get("ipProtocol"),
            r.get("fromPort"),
            r.get("toPort"),
            r.get("sourcePrefixListId") or r.get("SourcePrefixListId"),
        )
        for r in inline
    ]
    group_id = group.security_group_id  # the token: equal for this group's rules only
    for holder in _stacks_naming(stack):
        for construct in holder.node.find_all():
            if (
                isinstance(construct, ec2.CfnSecurityGroupIngress)
                and construct.group_id == group_id
            ):
                rules.append(
                    IngressRule(
                        construct.cidr_ip or construct.cidr_ipv6,
                        construct.ip_protocol,
                        construct.from_port,
                        construct.to_port,
                        construct.source_prefix_list_id,
                    )
                )
    return rules


def _stacks_naming(stack: Stack) -> List[Stack]:
    """``stack`` (its top-level stack: nested stacks are walked with it) and the stacks of its
    stage (the app, or a ``Stage``) that depend on it: those whose resources can name one of
    its resources."""
    while stack.nested_stack_parent is not None:
        stack = stack.nested_stack_parent
    found = [stack]
    pending = list(Stage.of(stack).node.children)
    while pending:
        child = pending.pop()
        if isinstance(child, Stack):
            if child is not stack and stack in child.dependencies:
                found.append(child)
        elif not isinstance(child, (CfnElement, Stage)):  # another stage's cannot name it
            pending.extend(child.node.children)
    return found


def admits_anyone(group: ec2.SecurityGroup) -> bool:
    """Whether ``group`` admits anyone: an inline rule (a CIDR), or a rule resource on the
    group, however it was added (``grant_connect``, ``listener`` or ``alb.connections``,
    ``add_ingress_rule``), in any stack."""
    return bool(ingress_rules(group))


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
    """Each ingress rule of ``group`` (:func:`ingress_rules`) from anyone: a CIDR of prefix
    length 0."""
    return [rule for rule in ingress_rules(group) if admits_everyone(rule.cidr)]


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
            f"{_ports_text(rule.protocol, rule.from_port, rule.to_port)} from {rule.cidr}"
            for rule in open_to_anyone(self._group)
            if not (
                rule.protocol == "tcp"
                and rule.from_port == rule.to_port
                and rule.from_port in self._ports
            )
        ]
        if not extra:
            return []
        return [
            f"{self._owner}: its security group admits {', '.join(extra)}, beyond "
            f"the ports it opens to the internet ({', '.join(map(str, self._ports))}; its "
            f"AwsSolutions-EC23 acknowledgement covers those only); {self._fix}"
        ]


@jsii.implements(IValidation)
class RulesWithinQuota:
    """Fails synthesis when a CloudFront-only group would pass EC2's inbound-rule quota: a
    managed prefix list counts as its maximum entries (55 for CloudFront's), not one.

    :param group: the security group (an ALB's) that admits CloudFront's prefix list.
    :param owner: how errors name the group's owner, e.g. ``HaWebTier <path>``.
    """

    def __init__(self, group: ec2.SecurityGroup, owner: str) -> None:
        self._group = group
        self._owner = owner

    def validate(self) -> List[str]:
        weight = sum(
            CLOUDFRONT_PREFIX_LIST_WEIGHT if rule.prefix_list else 1
            for rule in ingress_rules(self._group)
        )
        if weight <= INBOUND_RULES_QUOTA:
            return []
        return [
            f"{self._owner}: the ALB's security group would count {weight} "
            f"inbound rules (CloudFront's prefix list counts as {CLOUDFRONT_PREFIX_LIST_WEIGHT}); "
            f"EC2 allows {INBOUND_RULES_QUOTA}. Admit one port from CloudFront, and nothing else"
        ]
