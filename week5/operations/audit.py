"""`week5 audit`: check a student's hand-built lab against the reference, with read-only calls.

Students build their labs in the console; the instructor's checklist asks whether each one
matches the course's diagram and rules. This reads the student's account (Describe* calls only)
and compares it with the lab's synthesized template (:mod:`week5.analysis.topology`): the VPC's CIDR, the
subnets (CIDR, AZ, public or private), security-group rules (SSH or RDP from the internet,
database and cache ports open to address ranges), instance types, the course's tags, and what is
there that the reference does not have, with what it costs an hour.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional

from week5.analysis.assembly import tag_dict
from week5.analysis.rules.allowed_instance_classes import ALLOWED_CLASS
from week5.analysis.rules.base import covers_port, from_anywhere
from week5.analysis.rules.course_tags import TAG_VALIDATORS
from week5.analysis.rules.data_ports_from_groups_only import DATA_PORTS
from week5.analysis.rules.no_admin_ports_from_internet import ADMIN_PORTS
from week5.analysis.topology import Topology, extract
from week5.core.tags import COURSE_TAG_KEYS, STUDENT_KEY
from week5.operations.price_table import PriceTable


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
    instances: List[Dict[str, Any]] = field(default_factory=list)  # id, type, name
    nat_gateways: List[str] = field(default_factory=list)
    load_balancers: List[str] = field(default_factory=list)
    databases: List[Dict[str, Any]] = field(default_factory=list)  # id, class, engine, multi_az
    #: (group id, group name, CloudFormation-shaped ingress rule)
    ingress: List[tuple] = field(default_factory=list)
    #: resource id → its tags
    tags: Dict[str, Dict[str, str]] = field(default_factory=dict)


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


def find_vpc(ec2, lab_tags: Dict[str, str], name: str) -> Optional[Dict[str, Any]]:
    """The student's VPC for the lab: by the course's tags, else by the course's Name."""
    filters = [{"Name": f"tag:{k}", "Values": [v]} for k, v in lab_tags.items()]
    vpcs = ec2.describe_vpcs(Filters=filters)["Vpcs"]
    if not vpcs:
        by_name = [{"Name": "tag:Name", "Values": [name]}]
        if STUDENT_KEY in lab_tags:
            by_name.append({"Name": f"tag:{STUDENT_KEY}", "Values": [lab_tags[STUDENT_KEY]]})
        vpcs = ec2.describe_vpcs(Filters=by_name)["Vpcs"]
        if not vpcs and STUDENT_KEY in lab_tags:  # no Student tag at all: the Name alone
            named = ec2.describe_vpcs(Filters=by_name[:1])["Vpcs"]
            vpcs = [v for v in named if STUDENT_KEY not in tag_dict(v.get("Tags"))]
    return vpcs[0] if len(vpcs) == 1 else None


def read_account(clients: Callable[[str], Any], vpc: Mapping[str, Any]) -> Account:
    ec2 = clients("ec2")
    vpc_id = vpc["VpcId"]
    in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    account = Account(vpc_id=vpc_id, vpc_cidr=vpc["CidrBlock"])
    account.tags[vpc_id] = tag_dict(vpc.get("Tags"))
    tables = ec2.describe_route_tables(Filters=in_vpc)["RouteTables"]
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
    for subnet in ec2.describe_subnets(Filters=in_vpc)["Subnets"]:
        public = table_of.get(subnet["SubnetId"], main) in public_tables
        account.subnets.append(
            ("Public" if public else "Private", subnet["CidrBlock"], subnet["AvailabilityZone"])
        )
        account.tags[subnet["SubnetId"]] = tag_dict(subnet.get("Tags"))
    states = ["pending", "running", "stopping", "stopped"]
    reservations = ec2.describe_instances(
        Filters=in_vpc + [{"Name": "instance-state-name", "Values": states}]
    )["Reservations"]
    for instance in (i for r in reservations for i in r["Instances"]):
        tags = tag_dict(instance.get("Tags"))
        account.tags[instance["InstanceId"]] = tags
        if instance.get("SourceDestCheck") is False:
            continue  # a NAT instance is the network's, counted by the NAT check below
        account.instances.append(
            {
                "id": instance["InstanceId"],
                "type": instance["InstanceType"],
                "name": tags.get("Name", ""),
            }
        )
    for gateway in ec2.describe_nat_gateways(
        Filter=in_vpc + [{"Name": "state", "Values": ["pending", "available"]}]
    )["NatGateways"]:
        account.nat_gateways.append(gateway["NatGatewayId"])
        account.tags[gateway["NatGatewayId"]] = tag_dict(gateway.get("Tags"))
    for group in ec2.describe_security_groups(Filters=in_vpc)["SecurityGroups"]:
        if group["GroupName"] != "default":
            account.tags[group["GroupId"]] = tag_dict(group.get("Tags"))
        for permission in group.get("IpPermissions", []):
            for rule in _rules(permission):
                account.ingress.append((group["GroupId"], group["GroupName"], rule))
    elbv2 = clients("elbv2")
    account.load_balancers = [
        b["LoadBalancerName"]
        for b in elbv2.describe_load_balancers()["LoadBalancers"]
        if b.get("VpcId") == vpc_id
    ]
    rds = clients("rds")
    for db in rds.describe_db_instances()["DBInstances"]:
        if (db.get("DBSubnetGroup") or {}).get("VpcId") == vpc_id:
            account.databases.append(
                {
                    "id": db["DBInstanceIdentifier"],
                    "class": db["DBInstanceClass"],
                    "engine": db["Engine"],
                    "multi_az": bool(db.get("MultiAZ")),
                }
            )
    return account


def _reference(topology: Topology) -> Dict[str, Any]:
    (vpc,) = topology.vpcs
    nodes = {n.id: n for s in vpc.subnets for n in s.nodes}.values()
    return {
        "vpc_cidr": vpc.cidr,
        "vpc_name": vpc.name,
        "subnets": sorted((s.tier, s.cidr, s.az) for s in vpc.subnets),
        "instance_types": sorted(n.detail for n in nodes if n.kind == "EC2"),
        "nat_gateways": sum(1 for n in nodes if n.kind == "NAT Gateway"),
        "load_balancers": sum(1 for n in nodes if n.kind == "ALB"),
        "databases": sum(1 for n in nodes if n.kind in ("RDS", "RDS replica")),
    }


def audit(template: Mapping[str, Any], account: Account, lab_tags: Dict[str, str]) -> List[Check]:
    """One check per line of the instructor's checklist, each with its evidence."""
    ref = _reference(extract(template))
    checks = [
        Check(
            "vpc-cidr",
            account.vpc_cidr == ref["vpc_cidr"],
            f"{account.vpc_id} is {account.vpc_cidr}; the lab's is {ref['vpc_cidr']}",
        )
    ]
    have, want = sorted(account.subnets), ref["subnets"]
    missing = [s for s in want if s not in have]
    extra = [s for s in have if s not in want]
    checks.append(
        Check(
            "subnets",
            not missing and not extra,
            "as the diagram: " + ", ".join(f"{t} {c} {a}" for t, c, a in want)
            if not missing and not extra
            else "; ".join(
                part
                for part in (
                    "missing " + ", ".join(f"{t} {c} {a}" for t, c, a in missing)
                    if missing
                    else "",
                    "not in the lab " + ", ".join(f"{t} {c} {a}" for t, c, a in extra)
                    if extra
                    else "",
                )
                if part
            ),
        )
    )
    admin = [
        f"{gid} ({name}) admits {rule.get('FromPort', 'all')} from "
        f"{rule.get('CidrIp') or rule.get('CidrIpv6')}"
        for gid, name, rule in account.ingress
        if from_anywhere(rule) and any(covers_port(rule, p) for p in ADMIN_PORTS)
    ]
    checks.append(
        Check(
            "ssh-rdp-from-internet",
            not admin,
            "; ".join(admin) or "no 22 or 3389 from the internet",
        )
    )
    data = [
        f"{gid} ({name}) admits {port} from {rule.get('CidrIp') or rule.get('CidrIpv6') or rule.get('SourcePrefixListId')}"
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
    types = sorted(i["type"] for i in account.instances)
    outside = [t for t in types if not ALLOWED_CLASS.match(t)]
    differs = Counter(types) != Counter(ref["instance_types"])
    checks.append(
        Check(
            "instance-types",
            not outside and not differs,
            f"{', '.join(types) or 'none'}; the lab runs {', '.join(ref['instance_types']) or 'none'}"
            + (f"; outside the course's classes: {', '.join(outside)}" if outside else ""),
        )
    )
    untagged = []
    for resource_id, tags in sorted(account.tags.items()):
        bad = [k for k, valid in TAG_VALIDATORS.items() if not valid(tags.get(k))]
        bad += [k for k, v in lab_tags.items() if k not in bad and tags.get(k) not in (None, v)]
        if bad:
            untagged.append(f"{resource_id} lacks {'/'.join(bad)}")
    checks.append(
        Check(
            "tags",
            not untagged,
            "; ".join(untagged) or f"{', '.join(COURSE_TAG_KEYS)} on everything",
        )
    )
    checks.append(_unexpected(account, ref))
    return checks


def _unexpected(account: Account, ref: Dict[str, Any]) -> Check:
    prices = PriceTable()

    def usd(key: str) -> float:
        return prices.hourly(key) or 0.0

    extra, hourly = [], 0.0
    wanted = Counter(ref["instance_types"])
    for instance in account.instances:
        if wanted[instance["type"]] > 0:
            wanted[instance["type"]] -= 1
            continue
        cost = usd(f"ec2:{instance['type']}")
        extra.append(f"{instance['id']} {instance['type']} (${cost:.4f}/h)")
        hourly += cost
    for kind, ids, key in (
        ("NAT gateway", account.nat_gateways[ref["nat_gateways"] :], "nat-gateway"),
        ("load balancer", account.load_balancers[ref["load_balancers"] :], "alb"),
    ):
        for resource_id in ids:
            extra.append(f"{kind} {resource_id} (${usd(key):.4f}/h)")
            hourly += usd(key)
    for db in account.databases[ref["databases"] :]:
        az = "multi-az" if db["multi_az"] else "single-az"
        cost = usd(f"rds:{db['engine']}:{db['class']}:{az}")
        extra.append(f"RDS {db['id']} {db['class']} (${cost:.4f}/h)")
        hourly += cost
    evidence = "; ".join(extra) + f"; ${hourly:.4f}/h in all" if extra else "nothing beyond the lab"
    return Check("unexpected-resources", not extra, evidence)


def to_json(checks: List[Check]) -> List[Dict[str, Any]]:
    return [asdict(c) for c in checks]
