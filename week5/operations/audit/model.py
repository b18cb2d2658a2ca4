"""The audit's shared shapes: a check's result, what the account holds, and the paging and
error-code helpers every reader uses."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Tuple

Clients = Callable[[str], Any]


@dataclass
class Check:
    name: str
    passed: bool
    evidence: str

    def __str__(self) -> str:
        return f"{'PASS' if self.passed else 'FAIL'}  {self.name}: {self.evidence}"


@dataclass
class Account:
    """What the student's account holds for the lab, read with Describe* calls."""

    vpc_id: str = ""
    vpc_cidr: str = ""
    #: The CloudFormation stack that made the VPC (its ``aws:cloudformation:stack-name`` tag),
    #: "" for a VPC built by hand: what carries that stack's tag is the lab's.
    stack: str = ""
    subnets: List[tuple] = field(default_factory=list)  # (tier, cidr, az)
    #: Stand-alone instances (not a NAT instance, not launched by an Auto Scaling group): id,
    #: type, name; ``described`` (DescribeInstances' item) and ``volumes`` (DescribeVolumes'
    #: items attached to it), for its price as `week5 cleanup` prices it.
    instances: List[Dict[str, Any]] = field(default_factory=list)
    #: Auto Scaling groups in the VPC: name, type, min, max, desired, azs, balanced
    groups: List[Dict[str, Any]] = field(default_factory=list)
    nat_gateways: List[str] = field(default_factory=list)
    #: NAT gateway id → its public IPv4 addresses (its Elastic IPs), each billed by the hour.
    nat_addresses: Dict[str, List[str]] = field(default_factory=dict)
    #: The Elastic IPs tagged for the lab that nothing holds (in no VPC): id (the allocation),
    #: ip. No lab keeps one: each is beyond the lab.
    elastic_ips: List[Dict[str, Any]] = field(default_factory=list)
    #: NAT instances (SourceDestCheck off): id, type; the instance-types check counts them
    #: apart from ``instances``, as the reference does.
    nat_instances: List[Dict[str, Any]] = field(default_factory=list)
    #: name, scheme, azs; ``described`` (DescribeLoadBalancers' item), for its price
    load_balancers: List[Dict[str, Any]] = field(default_factory=list)
    #: id, class, engine, multi_az, replica; ``described`` (DescribeDBInstances' item), for its
    #: price (class, storage) as `week5 cleanup` prices it
    databases: List[Dict[str, Any]] = field(default_factory=list)
    caches: List[Dict[str, Any]] = field(default_factory=list)  # id, type, engine, nodes
    #: (group id, group name, CloudFormation-shaped ingress rule)
    ingress: List[tuple] = field(default_factory=list)
    #: The VPC's security groups: id, name, default (the group EC2 makes with the VPC), stack
    #: (its ``aws:cloudformation:stack-name`` tag, "" without one). Free, but one the lab does
    #: not have holds the VPC: `cdk destroy` fails on it (DependencyViolation).
    security_groups: List[Dict[str, Any]] = field(default_factory=list)
    #: The network interfaces in the VPC made on their own, as `week5 cleanup` tells them (not
    #: a service's, a NAT gateway's or an instance's own): id, subnet, name, stack. No lab's
    #: template makes one; free, but one holds its subnet.
    interfaces: List[Dict[str, Any]] = field(default_factory=list)
    #: resource id → the subnets (or, for a security group, the VPC) it sits in, by id
    places: Dict[str, List[str]] = field(default_factory=dict)
    #: The subnets and VPC the lab's stack made (:attr:`stack`), by id → how a line names them
    #: ("subnet week5-day4-kim-public-subnet-a"): `cdk destroy` fails while an extra sits in one.
    lab_places: Dict[str, str] = field(default_factory=dict)
    #: resource id → when it was made (NAT gateways, load balancers by name, databases), as
    #: AWS gives it: of several, the newest are the extras (AWS lists them in no set order).
    created: Dict[str, str] = field(default_factory=dict)
    #: resource id → its tags
    tags: Dict[str, Dict[str, str]] = field(default_factory=dict)
    #: resource id → its kind (a key of :data:`KINDS`), for the tags check to name what it read
    kinds: Dict[str, str] = field(default_factory=dict)

    def tagged(self, kind: str, resource_id: str, tags: Dict[str, str]) -> None:
        """Keep a resource's tags for the tags check, with its kind."""
        self.tags[resource_id] = tags
        self.kinds[resource_id] = kind


#: What the tags check reads, in the order it names them: kind → (one, several).
KINDS: Dict[str, Tuple[str, str]] = {
    "vpc": ("VPC", "VPCs"),
    "subnet": ("subnet", "subnets"),
    "route-table": ("route table", "route tables"),
    "internet-gateway": ("internet gateway", "internet gateways"),
    "nat-gateway": ("NAT gateway", "NAT gateways"),
    "elastic-ip": ("Elastic IP", "Elastic IPs"),
    "security-group": ("security group", "security groups"),
    "instance": ("instance", "instances"),
    "volume": ("EBS volume", "EBS volumes"),
    "launch-template": ("launch template", "launch templates"),
    "auto-scaling-group": ("Auto Scaling group", "Auto Scaling groups"),
    "load-balancer": ("load balancer", "load balancers"),
    "target-group": ("target group", "target groups"),
    "db-instance": ("RDS instance", "RDS instances"),
    "cache": ("ElastiCache replication group", "ElastiCache replication groups"),
}


def _each(client: Any, operation: str, key: str, **params: Any) -> Iterator[Any]:
    """Every item of a list call, through boto3's paginator."""
    for page in client.get_paginator(operation).paginate(**params):
        yield from page.get(key) or []


def _code(error: Exception) -> str:
    return getattr(error, "response", {}).get("Error", {}).get("Code", type(error).__name__)


def to_json(checks: List[Check]) -> List[Dict[str, Any]]:
    return [asdict(c) for c in checks]
