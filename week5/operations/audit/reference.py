"""The reference: what the lab's synthesized template builds, in the account's terms
(:mod:`week5.analysis.topology`)."""

from __future__ import annotations

from dataclasses import dataclass, field
import re
from typing import Any, Dict, List, Mapping, Optional, Tuple

from week5.analysis.assembly import ref_target
from week5.analysis.topology import Topology, extract

@dataclass
class Reference:
    """What the lab's template builds, in the account's terms."""

    vpc_cidr: str
    vpc_name: str
    subnets: List[tuple]
    instance_types: List[str]
    groups: List[Dict[str, Any]]
    nat_gateways: int
    load_balancers: List[Dict[str, Any]]
    databases: List[Dict[str, Any]]
    caches: List[Dict[str, Any]]
    #: The instance types of its NAT instances (the Case labs' t4g.nano: an EC2 instance
    #: with SourceDestCheck off), apart from ``instance_types``: the account's are read
    #: apart too (a trial of Day2Case: "the lab runs" left its NAT instance out).
    nat_instances: List[str] = field(default_factory=list)
    #: The databases a guide step makes from the lab's outputs, by identifier: (the output that
    #: makes it, the one that deletes it or ""). Day3Lab1's RestoreDbCommand restores
    #: ``week5-<student>-day3-restored``: a trial's audit failed the guide's own step twice.
    restored: Dict[str, Tuple[str, str]] = field(default_factory=dict)


def reference(template: Mapping[str, Any]) -> Reference:
    topology = extract(dict(template))
    (vpc,) = topology.vpcs
    resources = template.get("Resources", {})
    az_of = {s.id: s.az for s in vpc.subnets}
    nodes = {n.id: n for s in vpc.subnets for n in s.nodes}.values()

    def props(logical_id: Optional[str]) -> Dict[str, Any]:
        return (resources.get(logical_id or "", {}) or {}).get("Properties") or {}

    def azs(subnet_refs: Any) -> List[str]:
        return sorted({az_of[r] for r in (ref_target(s) for s in subnet_refs or []) if r in az_of})

    groups = []
    for logical_id, resource in resources.items():
        if resource.get("Type") != "AWS::AutoScaling::AutoScalingGroup":
            continue
        p = resource.get("Properties") or {}
        template_id = ref_target((p.get("LaunchTemplate") or {}).get("LaunchTemplateId"))
        mixed = (p.get("MixedInstancesPolicy") or {}).get("LaunchTemplate") or {}
        template_id = template_id or ref_target(
            (mixed.get("LaunchTemplateSpecification") or {}).get("LaunchTemplateId")
        )
        instance_type = (props(template_id).get("LaunchTemplateData") or {}).get("InstanceType")
        instance_type = instance_type or props(ref_target(p.get("LaunchConfigurationName"))).get(
            "InstanceType"
        )
        overrides = mixed.get("Overrides") or []
        if overrides and overrides[0].get("InstanceType"):
            instance_type = overrides[0]["InstanceType"]
        groups.append(
            {
                "name": _topology_label(topology, logical_id),
                "type": str(instance_type or "?"),
                "min": int(p.get("MinSize", 0)),
                "max": int(p.get("MaxSize", 0)),
                "azs": azs(p.get("VPCZoneIdentifier")),
                "balanced": bool(p.get("TargetGroupARNs") or p.get("LoadBalancerNames")),
            }
        )
    balancers = [
        {
            "name": _topology_label(topology, logical_id),
            "scheme": (r.get("Properties") or {}).get("Scheme", "internet-facing"),
            "azs": azs((r.get("Properties") or {}).get("Subnets")),
        }
        for logical_id, r in resources.items()
        if r.get("Type") == "AWS::ElasticLoadBalancingV2::LoadBalancer"
    ]
    databases = []
    for logical_id, r in resources.items():
        if r.get("Type") != "AWS::RDS::DBInstance":
            continue
        p = r.get("Properties") or {}
        source = ref_target(p.get("SourceDBInstanceIdentifier"))
        databases.append(
            {
                "name": _topology_label(topology, logical_id),
                "class": p.get("DBInstanceClass"),
                "engine": props(source).get("Engine") if source else p.get("Engine"),
                "multi_az": bool(p.get("MultiAZ")),
                "replica": "SourceDBInstanceIdentifier" in p,
            }
        )
    caches = [
        {
            "name": _topology_label(topology, logical_id),
            "type": (r.get("Properties") or {}).get("CacheNodeType"),
            "engine": (r.get("Properties") or {}).get("Engine", "redis"),
            "nodes": int((r.get("Properties") or {}).get("NumCacheClusters", 1)),
        }
        for logical_id, r in resources.items()
        if r.get("Type") == "AWS::ElastiCache::ReplicationGroup"
    ]
    return Reference(
        vpc_cidr=vpc.cidr,
        vpc_name=vpc.name,
        subnets=sorted((s.tier, s.cidr, s.az) for s in vpc.subnets),
        instance_types=sorted(n.detail for n in nodes if n.kind == "EC2"),
        groups=groups,
        nat_gateways=sum(1 for n in nodes if n.kind == "NAT Gateway"),
        load_balancers=balancers,
        databases=databases,
        caches=caches,
        nat_instances=sorted(n.detail for n in nodes if n.kind == "NAT instance"),
        restored=restored_databases(template),
    )


#: An identifier the AWS CLI line of an output names literally (not a deploy-time value).
_DB_ID = re.compile(r"--db-instance-identifier ([a-z][a-z0-9-]*)(?=[\s;]|$)")


def restored_databases(template: Mapping[str, Any]) -> Dict[str, Tuple[str, str]]:
    """:attr:`Reference.restored`: each identifier an output's ``aws rds restore-db-instance-*``
    names, with that output and the one whose ``aws rds delete-db-instance`` names it."""

    def text(value: Any) -> str:  # an output's literal parts; a token's are left out
        if isinstance(value, str):
            return value
        if isinstance(value, dict) and "Fn::Join" in value:
            separator, parts = value["Fn::Join"]
            return separator.join(p if isinstance(p, str) else " " for p in parts)
        return ""

    lines = {key: text(o.get("Value")) for key, o in (template.get("Outputs") or {}).items()}
    made = {
        found: key
        for key, line in lines.items()
        if "aws rds restore-db-instance" in line
        for found in _DB_ID.findall(line)
    }
    deleted = {
        found: key
        for key, line in lines.items()
        if "aws rds delete-db-instance" in line
        for found in _DB_ID.findall(line)
    }
    return {db_id: (key, deleted.get(db_id, "")) for db_id, key in made.items()}


def _topology_label(topology: Topology, logical_id: str) -> str:
    node = topology.node(logical_id)
    return node.label if node else logical_id

