"""`week5 audit`: check a student's hand-built lab against the reference, with read-only calls.

Students build their labs in the console; the instructor's checklist asks whether each one
matches the course's diagram and rules. This reads the student's account (Describe* and List*
calls only, every one paged) and compares it with the lab's synthesized template
(:mod:`week5.analysis.topology`):

- the VPC's CIDR and the subnets (CIDR, AZ, public or private by their routes);
- SSH or RDP open to the internet, database and cache ports open to address ranges;
- instance types: stand-alone instances, what each Auto Scaling group launches, database and
  cache classes (the course's classes, and the lab's);
- Auto Scaling groups as the lab's: sizes, the AZs of their subnets, behind a load balancer;
  an instance a group launched counts for the group, not as a stand-alone instance;
- what spans AZs as in the lab: load balancers, Multi-AZ databases, cache nodes;
- the course's four tags on everything;
- what is there that the reference does not have, with what it costs an hour.

A lab without a VPC (Day 2's static site) is checked by its buckets and distributions
(:func:`audit_site`).
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Tuple

from week5.analysis.assembly import ref_target, tag_dict
from week5.analysis.rules.allowed_instance_classes import ALLOWED_CLASS
from week5.analysis.rules.base import covers_port, from_wide_range
from week5.analysis.rules.course_tags import TAG_VALIDATORS
from week5.analysis.rules.data_ports_from_groups_only import DATA_PORTS
from week5.analysis.rules.no_admin_ports_from_internet import ADMIN_PORTS
from week5.analysis.topology import Topology, extract
from week5.core.tags import COURSE_TAG_KEYS, STUDENT_KEY
from week5.operations.price_table import PriceTable

Clients = Callable[[str], Any]
#: The tag Auto Scaling puts on the instances it launches.
ASG_TAG = "aws:autoscaling:groupName"
_LIVE = ["pending", "running", "stopping", "stopped"]


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
    subnets: List[tuple] = field(default_factory=list)  # (tier, cidr, az)
    #: Stand-alone instances (not a NAT instance, not launched by an Auto Scaling group).
    instances: List[Dict[str, Any]] = field(default_factory=list)  # id, type, name
    #: Auto Scaling groups in the VPC: name, type, min, max, desired, azs, balanced
    groups: List[Dict[str, Any]] = field(default_factory=list)
    nat_gateways: List[str] = field(default_factory=list)
    load_balancers: List[Dict[str, Any]] = field(default_factory=list)  # name, scheme, azs
    databases: List[Dict[str, Any]] = field(default_factory=list)  # id, class, engine, multi_az
    caches: List[Dict[str, Any]] = field(default_factory=list)  # id, type, engine, nodes
    #: (group id, group name, CloudFormation-shaped ingress rule)
    ingress: List[tuple] = field(default_factory=list)
    #: resource id → its tags
    tags: Dict[str, Dict[str, str]] = field(default_factory=dict)


def _each(client: Any, operation: str, key: str, **params: Any) -> Iterator[Any]:
    """Every item of a list call, through boto3's paginator."""
    for page in client.get_paginator(operation).paginate(**params):
        yield from page.get(key) or []


def _rules(permission: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """EC2's IpPermissions as the template's ingress rules (one per source)."""
    base = {k: permission[k] for k in ("IpProtocol", "FromPort", "ToPort") if k in permission}
    rules = [{**base, "CidrIp": r["CidrIp"]} for r in permission.get("IpRanges", [])]
    rules += [{**base, "CidrIpv6": r["CidrIpv6"]} for r in permission.get("Ipv6Ranges", [])]
    rules += [
        {**base, "SourceSecurityGroupId": g["GroupId"]}
        for g in permission.get("UserIdGroupPairs", [])
    ]
    rules += [
        {**base, "SourcePrefixListId": p["PrefixListId"]}
        for p in permission.get("PrefixListIds", [])
    ]
    return rules


def find_vpc(ec2: Any, lab_tags: Dict[str, str], name: str) -> Optional[Dict[str, Any]]:
    """The student's VPC for the lab: by the course's tags, else by the course's Name."""

    def vpcs(filters: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        return list(_each(ec2, "describe_vpcs", "Vpcs", Filters=filters))

    found = vpcs([{"Name": f"tag:{k}", "Values": [v]} for k, v in lab_tags.items()])
    if not found:
        by_name = [{"Name": "tag:Name", "Values": [name]}]
        if STUDENT_KEY in lab_tags:
            by_name.append({"Name": f"tag:{STUDENT_KEY}", "Values": [lab_tags[STUDENT_KEY]]})
        found = vpcs(by_name)
        if not found and STUDENT_KEY in lab_tags:  # no Student tag at all: the Name alone
            found = [v for v in vpcs(by_name[:1]) if STUDENT_KEY not in tag_dict(v.get("Tags"))]
    return found[0] if len(found) == 1 else None


# --- reading the account -----------------------------------------------------------------


def read_account(
    clients: Clients, vpc: Mapping[str, Any], lab_tags: Optional[Dict[str, str]] = None
) -> Account:
    """What the account holds in ``vpc`` (and, for caches the emulator cannot place in a VPC,
    what carries ``lab_tags``)."""
    clients = functools.lru_cache(maxsize=None)(clients)  # one client per service
    ec2 = clients("ec2")
    vpc_id = vpc["VpcId"]
    in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    account = Account(vpc_id=vpc_id, vpc_cidr=vpc["CidrBlock"])
    account.tags[vpc_id] = tag_dict(vpc.get("Tags"))
    tables = list(_each(ec2, "describe_route_tables", "RouteTables", Filters=in_vpc))
    public_tables = {
        t["RouteTableId"]
        for t in tables
        if any(
            r.get("DestinationCidrBlock") == "0.0.0.0/0"
            and str(r.get("GatewayId", "")).startswith("igw-")
            for r in t.get("Routes", [])
        )
    }
    table_of = {
        a["SubnetId"]: t["RouteTableId"]
        for t in tables
        for a in t.get("Associations", [])
        if a.get("SubnetId")
    }
    main = next(
        (
            t["RouteTableId"]
            for t in tables
            if any(a.get("Main") for a in t.get("Associations", []))
        ),
        None,
    )
    subnet_az: Dict[str, str] = {}
    for subnet in _each(ec2, "describe_subnets", "Subnets", Filters=in_vpc):
        public = table_of.get(subnet["SubnetId"], main) in public_tables
        account.subnets.append(
            ("Public" if public else "Private", subnet["CidrBlock"], subnet["AvailabilityZone"])
        )
        subnet_az[subnet["SubnetId"]] = subnet["AvailabilityZone"]
        account.tags[subnet["SubnetId"]] = tag_dict(subnet.get("Tags"))
    _read_groups(clients, account, subnet_az)
    launched = {i for g in account.groups for i in g["instances"]}
    reservations = _each(
        ec2,
        "describe_instances",
        "Reservations",
        Filters=in_vpc + [{"Name": "instance-state-name", "Values": _LIVE}],
    )
    for instance in (i for r in reservations for i in r["Instances"]):
        tags = tag_dict(instance.get("Tags"))
        account.tags[instance["InstanceId"]] = tags
        if instance.get("SourceDestCheck") is False:
            continue  # a NAT instance is the network's, counted by the NAT check below
        if instance["InstanceId"] in launched or ASG_TAG in tags:
            continue  # its Auto Scaling group's: counted with the group
        account.instances.append(
            {
                "id": instance["InstanceId"],
                "type": instance["InstanceType"],
                "name": tags.get("Name", ""),
            }
        )
    for gateway in _each(
        ec2,
        "describe_nat_gateways",
        "NatGateways",
        Filter=in_vpc + [{"Name": "state", "Values": ["pending", "available"]}],
    ):
        account.nat_gateways.append(gateway["NatGatewayId"])
        account.tags[gateway["NatGatewayId"]] = tag_dict(gateway.get("Tags"))
    for group in _each(ec2, "describe_security_groups", "SecurityGroups", Filters=in_vpc):
        if group["GroupName"] != "default":
            account.tags[group["GroupId"]] = tag_dict(group.get("Tags"))
        for permission in group.get("IpPermissions", []):
            for rule in _rules(permission):
                account.ingress.append((group["GroupId"], group["GroupName"], rule))
    for balancer in _each(clients("elbv2"), "describe_load_balancers", "LoadBalancers"):
        if balancer.get("VpcId") == vpc_id:
            account.load_balancers.append(
                {
                    "name": balancer["LoadBalancerName"],
                    "scheme": balancer.get("Scheme", "internet-facing"),
                    "azs": sorted(z["ZoneName"] for z in balancer.get("AvailabilityZones", [])),
                }
            )
    for db in _each(clients("rds"), "describe_db_instances", "DBInstances"):
        if (db.get("DBSubnetGroup") or {}).get("VpcId") == vpc_id:
            account.databases.append(
                {
                    "id": db["DBInstanceIdentifier"],
                    "class": db["DBInstanceClass"],
                    "engine": db["Engine"],
                    "multi_az": bool(db.get("MultiAZ")),
                    "replica": bool(db.get("ReadReplicaSourceDBInstanceIdentifier")),
                }
            )
            account.tags[db["DBInstanceIdentifier"]] = tag_dict(db.get("TagList"))
    _read_caches(clients, account, lab_tags)
    return account


def _launch_type(ec2: Any, group: Mapping[str, Any]) -> str:
    """What an Auto Scaling group launches: its launch template's (or configuration's)
    instance type, else what its instances are."""
    mixed = group.get("MixedInstancesPolicy") or {}
    overrides = (mixed.get("LaunchTemplate") or {}).get("Overrides") or []
    if overrides and overrides[0].get("InstanceType"):
        return overrides[0]["InstanceType"]
    spec = group.get("LaunchTemplate") or (mixed.get("LaunchTemplate") or {}).get(
        "LaunchTemplateSpecification"
    )
    if spec and spec.get("LaunchTemplateId"):
        versions = _each(
            ec2,
            "describe_launch_template_versions",
            "LaunchTemplateVersions",
            LaunchTemplateId=spec["LaunchTemplateId"],
            Versions=[str(spec.get("Version") or "$Default")],
        )
        for version in versions:
            instance_type = (version.get("LaunchTemplateData") or {}).get("InstanceType")
            if instance_type:
                return instance_type
    types = sorted(
        {i.get("InstanceType") for i in group.get("Instances", []) if i.get("InstanceType")}
    )
    return ", ".join(types) or "?"


def _read_groups(clients: Clients, account: Account, subnet_az: Dict[str, str]) -> None:
    ec2 = clients("ec2")
    autoscaling = clients("autoscaling")
    configurations: Dict[str, str] = {}
    for group in _each(autoscaling, "describe_auto_scaling_groups", "AutoScalingGroups"):
        subnets = [s for s in str(group.get("VPCZoneIdentifier") or "").split(",") if s]
        if not subnets or not all(s in subnet_az for s in subnets):
            continue
        if group.get("LaunchConfigurationName"):
            name = group["LaunchConfigurationName"]
            if name not in configurations:
                for config in _each(
                    autoscaling,
                    "describe_launch_configurations",
                    "LaunchConfigurations",
                    LaunchConfigurationNames=[name],
                ):
                    configurations[name] = config.get("InstanceType", "?")
            launch_type = configurations.get(name, "?")
        else:
            launch_type = _launch_type(ec2, group)
        account.groups.append(
            {
                "name": group["AutoScalingGroupName"],
                "type": launch_type,
                "min": group.get("MinSize", 0),
                "max": group.get("MaxSize", 0),
                "desired": group.get("DesiredCapacity", 0),
                "azs": sorted({subnet_az[s] for s in subnets}),
                "balanced": bool(group.get("TargetGroupARNs") or group.get("LoadBalancerNames")),
                "instances": [i["InstanceId"] for i in group.get("Instances", [])],
            }
        )
        account.tags[group["AutoScalingGroupName"]] = tag_dict(group.get("Tags"))


def _read_caches(clients: Clients, account: Account, lab_tags: Optional[Dict[str, str]]) -> None:
    """Replication groups whose nodes are in the VPC; where the account cannot say (the
    emulator keeps no cache clusters), those tagged for the lab."""
    cache = clients("elasticache")
    subnet_group_vpc: Dict[str, str] = {}
    for group in _each(cache, "describe_replication_groups", "ReplicationGroups"):
        if group.get("Status") in ("deleting", "deleted"):
            continue
        vpc_id = None
        for member in group.get("MemberClusters") or []:
            try:
                clusters = list(
                    _each(cache, "describe_cache_clusters", "CacheClusters", CacheClusterId=member)
                )
            except Exception as error:
                if _code(error) != "CacheClusterNotFound":
                    raise
                continue
            for cluster in clusters:
                name = cluster.get("CacheSubnetGroupName")
                if name and name not in subnet_group_vpc:
                    for subnet_group in _each(
                        cache,
                        "describe_cache_subnet_groups",
                        "CacheSubnetGroups",
                        CacheSubnetGroupName=name,
                    ):
                        subnet_group_vpc[name] = subnet_group.get("VpcId", "")
                vpc_id = subnet_group_vpc.get(name or "")
            break
        tags = tag_dict(cache.list_tags_for_resource(ResourceName=group["ARN"]).get("TagList"))
        tagged_for_lab = bool(lab_tags) and all(tags.get(k) == v for k, v in lab_tags.items())
        if vpc_id == account.vpc_id or (vpc_id is None and tagged_for_lab):
            account.caches.append(
                {
                    "id": group["ReplicationGroupId"],
                    "type": group.get("CacheNodeType", "?"),
                    "engine": group.get("Engine", "redis"),
                    "nodes": len(group.get("MemberClusters") or []),
                }
            )
            account.tags[group["ReplicationGroupId"]] = tags


def _code(error: Exception) -> str:
    return getattr(error, "response", {}).get("Error", {}).get("Code", type(error).__name__)


# --- the reference -------------------------------------------------------------------------


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
    )


def _topology_label(topology: Topology, logical_id: str) -> str:
    node = topology.node(logical_id)
    return node.label if node else logical_id


# --- the checks ----------------------------------------------------------------------------


def _short_azs(azs: List[str]) -> str:
    return ", ".join(azs) if azs else "no AZ"


def audit(template: Mapping[str, Any], account: Account, lab_tags: Dict[str, str]) -> List[Check]:
    """One check per line of the instructor's checklist, each with its evidence."""
    ref = reference(template)
    checks = [
        Check(
            "vpc-cidr",
            account.vpc_cidr == ref.vpc_cidr,
            f"{account.vpc_id} is {account.vpc_cidr}; the lab's is {ref.vpc_cidr}",
        )
    ]
    checks.append(_subnets(account, ref))
    admin = [
        f"{gid} ({name}) admits {rule.get('FromPort', 'all')} from "
        f"{rule.get('CidrIp') or rule.get('CidrIpv6')}"
        for gid, name, rule in account.ingress
        if from_wide_range(rule) and any(covers_port(rule, p) for p in ADMIN_PORTS)
    ]
    checks.append(
        Check(
            "ssh-rdp-from-internet",
            not admin,
            "; ".join(admin) or "no 22 or 3389 from the internet",
        )
    )
    data = [
        f"{gid} ({name}) admits {port} from "
        f"{rule.get('CidrIp') or rule.get('CidrIpv6') or rule.get('SourcePrefixListId')}"
        for gid, name, rule in account.ingress
        for port in DATA_PORTS
        if covers_port(rule, port)
        and any(rule.get(k) for k in ("CidrIp", "CidrIpv6", "SourcePrefixListId"))
    ]
    checks.append(
        Check(
            "databases-from-groups-only",
            not data,
            "; ".join(data) or "data ports admit security groups only",
        )
    )
    checks.append(_instance_types(account, ref))
    checks.append(_auto_scaling(account, ref))
    checks.append(_multi_az(account, ref))
    checks.append(_tags(account, lab_tags))
    checks.append(_unexpected(account, ref))
    return checks


def _subnets(account: Account, ref: Reference) -> Check:
    have, want = sorted(account.subnets), ref.subnets
    missing = [s for s in want if s not in have]
    extra = [s for s in have if s not in want]
    if not missing and not extra:
        return Check(
            "subnets", True, "as the diagram: " + ", ".join(f"{t} {c} {a}" for t, c, a in want)
        )
    parts = []
    if missing:
        parts.append("missing " + ", ".join(f"{t} {c} {a}" for t, c, a in missing))
    if extra:
        parts.append("not in the lab " + ", ".join(f"{t} {c} {a}" for t, c, a in extra))
    return Check("subnets", False, "; ".join(parts))


def _instance_types(account: Account, ref: Reference) -> Check:
    def described(pairs: List[Tuple[str, str]]) -> str:
        return ", ".join(f"{kind} {t}" for kind, t in pairs) or "none"

    have = sorted(
        [("EC2", i["type"]) for i in account.instances]
        + [("Auto Scaling", g["type"]) for g in account.groups]
        + [("RDS", d["class"]) for d in account.databases]
        + [("ElastiCache", c["type"]) for c in account.caches]
    )
    want = sorted(
        [("EC2", t) for t in ref.instance_types]
        + [("Auto Scaling", g["type"]) for g in ref.groups]
        + [("RDS", d["class"]) for d in ref.databases]
        + [("ElastiCache", c["type"]) for c in ref.caches]
    )
    outside = sorted({t for _, t in have if not ALLOWED_CLASS.match(str(t))})
    differs = Counter(have) != Counter(want)
    return Check(
        "instance-types",
        not outside and not differs,
        f"{described(have)}; the lab runs {described(want)}"
        + (f"; outside the course's classes: {', '.join(outside)}" if outside else ""),
    )


def _pair(
    have: List[Dict[str, Any]], want: List[Dict[str, Any]], keys: Tuple[str, ...]
) -> List[Tuple[Dict[str, Any], Optional[Dict[str, Any]]]]:
    """Each wanted item with the account's closest (most keys equal), each used once."""
    left = list(have)
    pairs = []
    for wanted in want:
        best = max(left, key=lambda h: sum(h.get(k) == wanted.get(k) for k in keys), default=None)
        if best is not None:
            left.remove(best)
        pairs.append((wanted, best))
    return pairs


def _auto_scaling(account: Account, ref: Reference) -> Check:
    if not ref.groups:
        return Check("auto-scaling", True, "no Auto Scaling group in the lab")
    problems, fine = [], []
    for wanted, group in _pair(account.groups, ref.groups, ("type", "min", "max", "azs")):
        label = f"{wanted['name']} ({wanted['min']}-{wanted['max']} in {_short_azs(wanted['azs'])})"
        if group is None:
            problems.append(f"no group for the lab's {label}")
            continue
        issues = []
        if (group["min"], group["max"]) != (wanted["min"], wanted["max"]):
            issues.append(
                f"size {group['min']}-{group['max']}, the lab's {wanted['min']}-{wanted['max']}"
            )
        missing = [az for az in wanted["azs"] if az not in group["azs"]]
        if missing:
            issues.append(
                f"subnets in {_short_azs(group['azs'])} only, missing {_short_azs(missing)}"
            )
        if wanted["balanced"] and not group["balanced"]:
            issues.append("not behind a load balancer's target group")
        if issues:
            problems.append(f"{group['name']}: " + "; ".join(issues))
        else:
            fine.append(
                f"{group['name']} {group['min']}-{group['max']} in {_short_azs(group['azs'])}"
            )
    return Check(
        "auto-scaling", not problems, "; ".join(problems) or "as the lab: " + "; ".join(fine)
    )


def _multi_az(account: Account, ref: Reference) -> Check:
    problems, fine = [], []
    for wanted, balancer in _pair(account.load_balancers, ref.load_balancers, ("scheme", "azs")):
        if balancer is None:
            problems.append(f"no load balancer for the lab's {wanted['name']} ({wanted['scheme']})")
            continue
        missing = [az for az in wanted["azs"] if az not in balancer["azs"]]
        if missing:
            problems.append(
                f"load balancer {balancer['name']} in {_short_azs(balancer['azs'])}, missing "
                f"{_short_azs(missing)}"
            )
        else:
            fine.append(f"load balancer {balancer['name']} in {_short_azs(balancer['azs'])}")
    primaries = [d for d in account.databases if not d["replica"]]
    replicas = [d for d in account.databases if d["replica"]]
    for kind, have, want in (
        ("database", primaries, [d for d in ref.databases if not d["replica"]]),
        ("read replica", replicas, [d for d in ref.databases if d["replica"]]),
    ):
        for wanted, db in _pair(have, want, ("multi_az", "class", "engine")):
            if db is None:
                problems.append(f"no {kind} for the lab's {wanted['name']}")
            elif db["multi_az"] != wanted["multi_az"]:
                problems.append(
                    f"{kind} {db['id']} is {'Multi-AZ' if db['multi_az'] else 'single-AZ'}; the "
                    f"lab's is {'Multi-AZ' if wanted['multi_az'] else 'single-AZ'}"
                )
            else:
                fine.append(f"{kind} {db['id']} {'Multi-AZ' if db['multi_az'] else 'single-AZ'}")
    for wanted, cache in _pair(account.caches, ref.caches, ("nodes", "type")):
        if cache is None:
            problems.append(f"no cache for the lab's {wanted['name']}")
        elif cache["nodes"] < wanted["nodes"]:
            problems.append(
                f"cache {cache['id']} has {cache['nodes']} node(s); the lab's has {wanted['nodes']}"
            )
        else:
            fine.append(f"cache {cache['id']} with {cache['nodes']} node(s)")
    if not problems and not fine:
        return Check("multi-az", True, "no load balancer, database or cache in the lab")
    return Check("multi-az", not problems, "; ".join(problems) or "as the lab: " + "; ".join(fine))


def _tags(account: Account, lab_tags: Dict[str, str]) -> Check:
    untagged = []
    for resource_id, tags in sorted(account.tags.items()):
        bad = [k for k, valid in TAG_VALIDATORS.items() if not valid(tags.get(k))]
        bad += [k for k, v in lab_tags.items() if k not in bad and tags.get(k) not in (None, v)]
        if bad:
            untagged.append(f"{resource_id} lacks {'/'.join(bad)}")
    return Check(
        "tags", not untagged, "; ".join(untagged) or f"{', '.join(COURSE_TAG_KEYS)} on everything"
    )


def _unexpected(account: Account, ref: Reference) -> Check:
    prices = PriceTable()

    def usd(key: str, count: float = 1.0) -> float:
        return prices.hourly(key, count) or 0.0

    extra, hourly = [], 0.0
    wanted = Counter(ref.instance_types)
    for instance in account.instances:
        if wanted[instance["type"]] > 0:
            wanted[instance["type"]] -= 1
            continue
        cost = usd(f"ec2:{instance['type']}")
        extra.append(f"{instance['id']} {instance['type']} (${cost:.4f}/h)")
        hourly += cost
    matched = {
        id(g) for _, g in _pair(account.groups, ref.groups, ("type", "min", "max", "azs")) if g
    }
    for group in account.groups:
        if id(group) not in matched:
            cost = usd(f"ec2:{group['type']}", group["desired"])
            extra.append(
                f"Auto Scaling group {group['name']} {group['desired']} × {group['type']} "
                f"(${cost:.4f}/h)"
            )
            hourly += cost
    for kind, ids, key in (
        ("NAT gateway", account.nat_gateways[ref.nat_gateways :], "nat-gateway"),
        (
            "load balancer",
            [b["name"] for b in account.load_balancers][len(ref.load_balancers) :],
            "alb",
        ),
    ):
        for resource_id in ids:
            extra.append(f"{kind} {resource_id} (${usd(key):.4f}/h)")
            hourly += usd(key)
    for db in account.databases[len(ref.databases) :]:
        az = "multi-az" if db["multi_az"] else "single-az"
        cost = usd(f"rds:{db['engine']}:{db['class']}:{az}")
        extra.append(f"RDS {db['id']} {db['class']} (${cost:.4f}/h)")
        hourly += cost
    for cache in account.caches[len(ref.caches) :]:
        cost = usd(f"elasticache:{cache['engine']}:{cache['type']}", max(cache["nodes"], 1))
        extra.append(f"ElastiCache {cache['id']} {cache['type']} (${cost:.4f}/h)")
        hourly += cost
    evidence = "; ".join(extra) + f"; ${hourly:.4f}/h in all" if extra else "nothing beyond the lab"
    return Check("unexpected-resources", not extra, evidence)


# --- a lab without a VPC: Day 2's static site -------------------------------------------


def _anyone(principal: Any) -> bool:
    if principal == "*":
        return True
    aws = principal.get("AWS") if isinstance(principal, dict) else None
    return "*" in (aws if isinstance(aws, list) else [aws])


def _public_statements(policy_text: Optional[str]) -> List[str]:
    """The actions a bucket policy allows anyone, without a condition."""
    if not policy_text:
        return []
    statements = json.loads(policy_text).get("Statement", [])
    public = []
    for statement in statements if isinstance(statements, list) else [statements]:
        if (
            statement.get("Effect") == "Allow"
            and _anyone(statement.get("Principal"))
            and not statement.get("Condition")
        ):
            action = statement.get("Action")
            public.append(", ".join(action) if isinstance(action, list) else str(action))
    return public


def _read_or_none(call: Callable[[], Any], absent: str) -> Any:
    """``call()``, or None when S3 answers ``absent`` (no such configuration)."""
    try:
        return call()
    except Exception as error:
        if _code(error) == absent:
            return None
        raise


def _bucket_problems(s3: Any, name: str) -> List[str]:
    """How a bucket is open to the public: a website endpoint, Block Public Access turned
    off, a policy that allows anyone."""
    problems = []
    if _read_or_none(lambda: s3.get_bucket_website(Bucket=name), "NoSuchWebsiteConfiguration"):
        problems.append(
            f"{name} serves a public website endpoint (the lab serves it through CloudFront)"
        )
    block = _read_or_none(
        lambda: s3.get_public_access_block(Bucket=name), "NoSuchPublicAccessBlockConfiguration"
    )
    off = sorted(
        k
        for k, v in ((block or {}).get("PublicAccessBlockConfiguration") or {}).items()
        if v is False
    )
    if off:
        problems.append(f"{name} turns off Block Public Access ({', '.join(off)})")
    policy = _read_or_none(lambda: s3.get_bucket_policy(Bucket=name), "NoSuchBucketPolicy")
    problems += [
        f"{name}'s policy allows {action} to anyone"
        for action in _public_statements((policy or {}).get("Policy"))
    ]
    return problems


def _count(what: str, found: int, wanted: int) -> List[str]:
    return [] if found == wanted else [f"{found} {what} tagged for the lab; the lab has {wanted}"]


def audit_site(
    template: Mapping[str, Any], clients: Clients, lab_tags: Dict[str, str]
) -> List[Check]:
    """A lab without a VPC (S3 and CloudFront): the lab's buckets and distributions, found by
    the lab's tags, private behind CloudFront over HTTPS as in the reference."""
    resources = template.get("Resources", {})
    want_buckets = sum(1 for r in resources.values() if r.get("Type") == "AWS::S3::Bucket")
    want_distributions = sum(
        1 for r in resources.values() if r.get("Type") == "AWS::CloudFront::Distribution"
    )

    def ours(tags: Any) -> bool:
        tags = tag_dict(tags)
        return all(tags.get(k) == v for k, v in lab_tags.items())

    clients = functools.lru_cache(maxsize=None)(clients)  # one client per service
    s3 = clients("s3")
    buckets = []
    for bucket in _each(s3, "list_buckets", "Buckets"):
        try:
            tags = s3.get_bucket_tagging(Bucket=bucket["Name"]).get("TagSet")
        except Exception as error:
            if _code(error) in ("NoSuchTagSet", "NoSuchBucket", "AccessDenied"):
                continue  # untagged (or not readable): not the lab's
            raise
        if ours(tags):
            buckets.append(bucket["Name"])
    problems = _count("bucket(s)", len(buckets), want_buckets)
    for name in buckets:
        problems += _bucket_problems(s3, name)
    cloudfront = clients("cloudfront")
    distributions = []
    for page in cloudfront.get_paginator("list_distributions").paginate():
        for item in (page.get("DistributionList") or {}).get("Items") or []:
            tags = cloudfront.list_tags_for_resource(Resource=item["ARN"])["Tags"].get("Items")
            if ours(tags):
                distributions.append(item)
    issues = _count("distribution(s)", len(distributions), want_distributions)
    for item in distributions:
        origins = [o.get("DomainName", "") for o in (item.get("Origins") or {}).get("Items") or []]
        if not any(o.split(".s3")[0] in buckets for o in origins if ".s3" in o):
            shown = ", ".join(origins) or "none"
            issues.append(f"{item['Id']} does not serve the lab's bucket (origins: {shown})")
        if (item.get("DefaultCacheBehavior") or {}).get("ViewerProtocolPolicy") == "allow-all":
            issues.append(f"{item['Id']} serves plain HTTP (viewer protocol allow-all)")
    served = ", ".join(f"{d['Id']} serves {', '.join(buckets)} over HTTPS" for d in distributions)
    extra = max(0, len(buckets) - want_buckets) + max(0, len(distributions) - want_distributions)
    return [
        Check(
            "s3-buckets",
            not problems,
            "; ".join(problems) or f"{', '.join(buckets) or 'none'}: private, as the lab",
        ),
        Check("cloudfront", not issues, "; ".join(issues) or served or "none, as the lab"),
        Check(
            "unexpected-resources",
            extra == 0,
            f"{extra} bucket(s) or distribution(s) beyond the lab"
            if extra
            else "nothing beyond the lab",
        ),
    ]


def to_json(checks: List[Check]) -> List[Dict[str, Any]]:
    return [asdict(c) for c in checks]


__all__ = [
    "Account",
    "Check",
    "Reference",
    "audit",
    "audit_site",
    "find_vpc",
    "read_account",
    "reference",
    "to_json",
]
