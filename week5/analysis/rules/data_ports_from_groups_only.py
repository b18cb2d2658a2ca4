"""Week5-DataPortsFromGroupsOnly: database and cache ports admit security groups, never CIDRs."""

from __future__ import annotations

from typing import Any

from week5.analysis.rules.base import (
    Compliance,
    CourseRule,
    ResourceView,
    covers_port,
    ingress_rules,
)

#: MySQL, PostgreSQL, Redis, Memcached.
DATA_PORTS = (3306, 5432, 6379, 11211)
_CIDR_KEYS = ("CidrIp", "CidrIpv6", "SourcePrefixListId")


def check(view: ResourceView) -> Any:
    found = sorted(
        {
            str(port)
            for rule in ingress_rules(view)
            if any(rule.get(key) for key in _CIDR_KEYS)
            for port in DATA_PORTS
            if covers_port(rule, port)
        }
    )
    return found or Compliance.COMPLIANT


RULE = CourseRule(
    name="DataPortsFromGroupsOnly",
    info=(
        "A security group admits a database or cache port (3306, 5432, 6379, 11211) from an "
        "address range; only the app's security group may reach the data tier."
    ),
    fix=(
        "admit the app tier, not an address range: db.grant_connect(app) (week5.constructs' "
        "databases, RedisCache and SharedFileSystem: the port from the app's security groups, "
        "and its role reads the secret), or db.connections.allow_default_port_from(app, "
        "description) for the port alone. The finding in [] is the port."
    ),
    check=check,
    resource_types=frozenset({"AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress"}),
)
