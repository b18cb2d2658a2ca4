"""How long CloudFormation takes to create and to delete a template, before anyone deploys it.

Each resource type has a creation and a deletion time (the upper end of public measurements on
real AWS, 2022-2026, from ``../shared/reference/seoul-prices.md``; types without a measurement
carry an assumption that says so). CloudFormation works in parallel, so a stack takes as long as
its longest chain of dependent resources (Ref, Fn::GetAtt, DependsOn), not the sum; deletion
walks the same chains backwards. An Auto Scaling group with a creation policy counts from launch
until its instances signal that their app answers (the boot time its construct wrote in the
template), not until they are merely running.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Tuple

from week5.analysis.assembly import referenced_ids

#: type: (create seconds, delete seconds, basis)
TIMES: Dict[str, Tuple[int, int, str]] = {
    "AWS::EC2::NatGateway": (120, 90, "measured: create 1.5-2 min, delete 0.5-1.5 min"),
    "AWS::RDS::DBInstance": (360, 240, "measured: single-AZ create 4-6 min, delete about 4 min"),
    "AWS::ElastiCache::ReplicationGroup": (540, 300, "measured create 5.5-9 min; delete assumed"),
    "AWS::CloudFront::Distribution": (240, 420, "measured: create 3-4 min, delete about 7 min"),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": (180, 60, "measured create 2.5-3 min"),
    "AWS::AutoScaling::AutoScalingGroup": (120, 120, "measured create about 2 min (2 hosts)"),
    "AWS::EC2::Instance": (60, 60, "from 'VPC + 3 t3.micro in about 3.2 min'; assumed"),
    "AWS::EFS::FileSystem": (30, 30, "assumed"),
    "AWS::EFS::MountTarget": (90, 90, "assumed"),
    "AWS::Lambda::Function": (10, 10, "assumed"),
}
#: An Auto Scaling group with a creation policy is created when its first instances signal that
#: their app answers: constructs write that boot time (seconds, launch to answering) into the
#: group's template metadata under this key (``HaWebTier``'s ``boot_time``).
BOOT_SECONDS_METADATA = "week5:BootSeconds"
#: Multi-AZ RDS: measured 6.5 min (Seoul, 2026) to 15-20 min; the upper end.
RDS_MULTI_AZ_CREATE = 1200
#: A Lambda-backed custom resource: its function runs once.
CUSTOM_RESOURCE = (30, 30, "assumed: one Lambda invocation")
#: Everything else is an API call.
DEFAULT = (5, 5, "assumed: an API call")
LAB_SLOT_MINUTES = 50


@dataclass(frozen=True)
class Duration:
    create_s: int
    delete_s: int
    create_chain: List[str]
    delete_chain: List[str]

    @property
    def create_min(self) -> float:
        return self.create_s / 60

    @property
    def delete_min(self) -> float:
        return self.delete_s / 60


def resource_times(resource: Mapping[str, Any]) -> Tuple[int, int, str]:
    rtype = resource["Type"]
    if rtype == "AWS::RDS::DBInstance" and resource.get("Properties", {}).get("MultiAZ"):
        return (RDS_MULTI_AZ_CREATE, 240, "measured Multi-AZ create up to 20 min")
    if rtype == "AWS::AutoScaling::AutoScalingGroup":
        signals = (resource.get("CreationPolicy") or {}).get("ResourceSignal")
        if signals:
            return signalled_group_times(resource, signals)
    if rtype.startswith("Custom::"):
        return CUSTOM_RESOURCE
    return TIMES.get(rtype, DEFAULT)


def signalled_group_times(
    resource: Mapping[str, Any], signals: Mapping[str, Any]
) -> Tuple[int, int, str]:
    """An Auto Scaling group that waits for its instances' signals is created when their app
    answers: the boot time its construct wrote (launch to answering), else, for a template
    that names none, the creation policy's timeout, the longest it can take."""
    delete = TIMES["AWS::AutoScaling::AutoScalingGroup"][1]
    boot = (resource.get("Metadata") or {}).get(BOOT_SECONDS_METADATA)
    if isinstance(boot, int) and not isinstance(boot, bool) and boot > 0:
        return (boot, delete, f"instances signal when their app answers: boot {boot} s (construct)")
    timeout = iso8601_seconds(str(signals.get("Timeout", "PT5M")))
    return (timeout, delete, "instances signal when their app answers: up to the timeout")


_ISO_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$")


def iso8601_seconds(text: str) -> int:
    """Seconds of a CloudFormation duration such as ``PT15M`` or ``PT1H30M``."""
    match = _ISO_DURATION.fullmatch(text)
    if not match or not any(match.groups()):
        raise ValueError(f"not an ISO 8601 duration of hours, minutes and seconds: {text!r}")
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def dependencies(template: Mapping[str, Any]) -> Dict[str, List[str]]:
    """Logical id: the resources it needs first (Ref, Fn::GetAtt, DependsOn)."""
    resources = template["Resources"]
    needs = {}
    for name, resource in resources.items():
        found = set(referenced_ids(resource.get("Properties", {})))
        depends = resource.get("DependsOn", [])
        found |= {depends} if isinstance(depends, str) else set(depends)
        needs[name] = sorted(r for r in found if r in resources and r != name)
    return needs


def _longest(graph: Dict[str, List[str]], cost: Dict[str, int]) -> Tuple[int, List[str]]:
    memo: Dict[str, Tuple[int, List[str]]] = {}

    def finish(node: str) -> Tuple[int, List[str]]:
        if node not in memo:
            before = [finish(n) for n in graph[node]]
            best = max(before, default=(0, []))
            memo[node] = (best[0] + cost[node], best[1] + [node])
        return memo[node]

    return max((finish(n) for n in graph), default=(0, []))


def estimate_duration(template: Mapping[str, Any]) -> Duration:
    resources = template["Resources"]
    needs = dependencies(template)
    times = {name: resource_times(r) for name, r in resources.items()}
    create_s, create_chain = _longest(needs, {n: t[0] for n, t in times.items()})
    needed_by: Dict[str, List[str]] = {name: [] for name in resources}
    for name, before in needs.items():
        for other in before:
            needed_by[other].append(name)
    delete_s, delete_chain = _longest(needed_by, {n: t[1] for n, t in times.items()})
    return Duration(create_s, delete_s, create_chain, delete_chain)
