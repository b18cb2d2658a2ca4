"""What a course rule is, and the read-only view of one synthesized resource it checks.

A rule reads the resource as CloudFormation will see it (the synthesized template, intrinsics
and all), so it checks what deploys rather than what a construct meant to write.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Union

from week5.analysis.assembly import ref_target  # noqa: F401 (the rules' import)

#: Every course rule's id starts with this, as cdk-nag's start with ``AwsSolutions``.
PACK_NAME = "Week5"


class Compliance:
    """What a check returns, besides a list of findings (each becomes ``Rule[finding]``)."""

    COMPLIANT = "COMPLIANT"
    NON_COMPLIANT = "NON_COMPLIANT"
    NOT_APPLICABLE = "NOT_APPLICABLE"


Result = Union[str, List[str]]


@dataclass(frozen=True)
class ResourceView:
    """One resource of a synthesized template, with what a rule may need around it."""

    logical_id: str
    resource: Dict[str, Any]
    template: Dict[str, Any]
    #: The stack's region as the app set it; ``None`` when the stack is environment-agnostic.
    region: Optional[str] = None
    #: CloudFormation stack termination protection (not in the template itself).
    termination_protection: bool = False
    #: Whether tags apply to this type: asked of CDK's TagManager only when a rule needs it.
    is_taggable: Callable[[], bool] = lambda: False

    @property
    def taggable(self) -> bool:
        return self.is_taggable()

    @property
    def type(self) -> str:
        return self.resource["Type"]

    @property
    def properties(self) -> Dict[str, Any]:
        return self.resource.get("Properties") or {}

    def others(self, rtype: str) -> Dict[str, Dict[str, Any]]:
        """The template's other resources of ``rtype``, by logical id."""
        return {k: r for k, r in self.template["Resources"].items() if r["Type"] == rtype}


Check = Callable[[ResourceView], Result]


@dataclass(frozen=True)
class CourseRule:
    """One course rule: its id suffix, what it says, how to fix it, and its check.

    ``resource_types`` limits the resources it sees (``None``: all). A ``stack_level`` rule
    is checked once per stack, on the first resource, as a stack has no resource of its own.
    """

    name: str
    info: str
    fix: str
    check: Check
    resource_types: Optional[FrozenSet[str]] = None
    stack_level: bool = False

    @property
    def rule_id(self) -> str:
        return f"{PACK_NAME}-{self.name}"

    def applies_to(self, rtype: str) -> bool:
        return self.resource_types is None or rtype in self.resource_types


def pascal_case(module_name: str) -> str:
    """``no_retain_on_delete`` → ``NoRetainOnDelete``: a rule is named after its file."""
    return "".join(part.capitalize() for part in module_name.split("_"))


# ---- helpers shared by the rules that read security-group ingress ----


def ingress_rules(view: ResourceView) -> List[Dict[str, Any]]:
    """A security group's inline ingress, or a standalone ingress resource as one rule."""
    if view.type == "AWS::EC2::SecurityGroup":
        rules = view.properties.get("SecurityGroupIngress") or []
        return [r for r in rules if isinstance(r, dict)]
    if view.type == "AWS::EC2::SecurityGroupIngress":
        return [view.properties]
    return []


def covers_port(rule: Dict[str, Any], port: int) -> bool:
    """Whether an ingress rule admits TCP ``port`` (all-traffic rules admit every port)."""
    protocol = str(rule.get("IpProtocol", "")).lower()
    if protocol in ("-1", "all"):
        return True
    if protocol not in ("tcp", "6"):
        return False
    low, high = rule.get("FromPort"), rule.get("ToPort")
    if not isinstance(low, int) or not isinstance(high, int):
        return True  # a port from an intrinsic cannot be proved safe
    if low == -1:
        return True
    return low <= port <= high


_ANYWHERE_V6 = re.compile(r"^::(0)?/0$")


def from_anywhere(rule: Dict[str, Any]) -> bool:
    return rule.get("CidrIp") == "0.0.0.0/0" or bool(
        isinstance(rule.get("CidrIpv6"), str) and _ANYWHERE_V6.match(rule["CidrIpv6"])
    )


#: The widest source range that is still one organisation's: an IPv4 /16 (65,536 addresses)
#: and, for IPv6, a site's /48. Anything wider is the internet for an admin port's purposes.
WIDEST_PREFIX = {4: 16, 6: 48}


def from_wide_range(rule: Dict[str, Any]) -> bool:
    """Whether an ingress rule admits the internet or any range wider than :data:`WIDEST_PREFIX`
    (``0.0.0.0/1`` is half the internet). A CIDR from an intrinsic, or one CloudFormation would
    refuse, is not judged here."""
    for key in ("CidrIp", "CidrIpv6"):
        cidr = rule.get(key)
        if not isinstance(cidr, str):
            continue
        try:
            network = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            continue
        if network.prefixlen < WIDEST_PREFIX[network.version]:
            return True
    return False
