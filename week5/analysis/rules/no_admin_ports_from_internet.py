"""Week5-NoAdminPortsFromInternet: no SSH (22) or RDP (3389) from the internet: 0.0.0.0/0, ::/0
or any range wider than an IPv4 /16 (IPv6: /48), such as ``0.0.0.0/1``."""

from __future__ import annotations

from typing import Any

from week5.analysis.rules.base import (
    Compliance,
    CourseRule,
    ResourceView,
    covers_port,
    from_wide_range,
    ingress_rules,
)

ADMIN_PORTS = (22, 3389)


def check(view: ResourceView) -> Any:
    for rule in ingress_rules(view):
        if from_wide_range(rule) and any(covers_port(rule, port) for port in ADMIN_PORTS):
            return Compliance.NON_COMPLIANT
    return Compliance.COMPLIANT


RULE = CourseRule(
    name="NoAdminPortsFromInternet",
    info=(
        "A security group admits SSH (22) or RDP (3389) from the internet: 0.0.0.0/0, ::/0 or any "
        "range wider than a /16 (IPv6: /48) (FAQ Q9)."
    ),
    fix=(
        "pass your own IP with -c ssh_cidr=203.0.113.7/32, reach private hosts through the "
        "bastion, or leave ssh_cidr unset and use Session Manager (no port 22 at all)"
    ),
    check=check,
    resource_types=frozenset({"AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress"}),
)
