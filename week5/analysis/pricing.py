"""What a lab costs in ap-northeast-2, priced from its synthesized template.

Prices live in ``week5/analysis/data/prices.json``, each with its date and basis (AWS Price List offer
file, a real bill, or an unverified estimate). A resource type that costs nothing by itself
(a subnet, a security group) is free; one billed only by use (Lambda, log groups) is listed
with the use assumed; any other type without a price is reported as "not priced", never as
zero. Accounts opened after 2025-07-15 have credits, not free-tier hours: every figure is the
on-demand price.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from week5.analysis.assembly import referenced_ids
from week5.analysis.topology import label
from week5.core.catalog import LAB_ID_RE

PRICES_FILE = Path(__file__).resolve().parent / "data" / "prices.json"
#: The course's lab slot.
LAB_MINUTES = 50

#: Types that cost nothing by themselves (what they hold or carry is priced elsewhere).
FREE_TYPES = {
    "AWS::CDK::Metadata",
    "AWS::EC2::VPC",
    "AWS::EC2::KeyPair",
    "AWS::EC2::Subnet",
    "AWS::EC2::RouteTable",
    "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::LaunchTemplate",
    "AWS::EC2::VolumeAttachment",
    "AWS::EC2::FlowLog",
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::InstanceProfile",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancingV2::ListenerRule",
    "AWS::AutoScaling::ScalingPolicy",
    "AWS::RDS::DBSubnetGroup",
    "AWS::ElastiCache::SubnetGroup",
    "AWS::SecretsManager::SecretTargetAttachment",
    "AWS::SSM::Parameter",
    "AWS::S3::BucketPolicy",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::EFS::MountTarget",
    "AWS::SNS::TopicPolicy",
    "AWS::SNS::Subscription",
    "AWS::Lambda::Permission",
    "AWS::Lambda::LayerVersion",
    "AWS::WAFv2::WebACLAssociation",
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::Stage",
}
#: Types billed only per use; a lab's use is assumed to round to nothing.
USAGE_TYPES = {
    "AWS::Lambda::Function": "per request and GB-second",
    "AWS::Logs::LogGroup": "per GB ingested and stored",
    "AWS::SNS::Topic": "per notification",
    "AWS::Scheduler::Schedule": "per invocation",
    "AWS::ApiGatewayV2::Api": "per request",
}


@dataclass(frozen=True)
class LineItem:
    """One priced quantity: ``count`` of ``unit`` at ``unit_price`` (USD)."""

    resource: str
    resource_type: str
    price_key: Optional[str]
    count: float
    unit: str
    unit_price: Optional[float]
    hourly: Optional[float]
    date: str = ""
    basis: str = ""
    note: str = ""


@dataclass
class Estimate:
    """A template's line items, and what the priced ones add up to."""

    items: List[LineItem] = field(default_factory=list)
    free_types: Dict[str, int] = field(default_factory=dict)
    #: Each item's resource (logical id) → what the lab guides' cost tables call it
    #: (:func:`week5.analysis.topology.label`: the Name tag, else the construct path), so that
    #: `week5 cost` rows match the guide's. An id not here is shown as it is.
    names: Dict[str, str] = field(default_factory=dict)

    @property
    def hourly(self) -> float:
        return sum(i.hourly for i in self.items if i.hourly is not None)

    @property
    def not_priced(self) -> List[LineItem]:
        return [i for i in self.items if i.hourly is None]

    def name_of(self, item: LineItem) -> str:
        """What the guides call ``item``'s resource; its logical id when not known."""
        return self.names.get(item.resource, item.resource)

    def totals(self, students: int = 1) -> Dict[str, float]:
        hour = self.hourly * students
        return {
            "hour": hour,
            "lab": hour * LAB_MINUTES / 60,
            "day": hour * 24,
            "month": hour * load_prices()["hours_per_month"],
        }

    def to_json(self, students: int = 1) -> Dict[str, Any]:
        return {
            "hourly_usd": round(self.hourly, 6),
            "students": students,
            "totals_usd": {k: round(v, 6) for k, v in self.totals(students).items()},
            # The item's fields as they were (``resource`` is the logical id), plus the guide's
            # name for it and the logical id under its own name.
            "items": [
                {**asdict(i), "name": self.name_of(i), "logical_id": i.resource}
                for i in self.items
            ],
            "not_priced": [i.resource_type for i in self.not_priced],
            "free_tier": load_prices()["free_tier"],
        }


def load_prices(path: Path = PRICES_FILE) -> Dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def hourly_usd(entry: Mapping[str, Any], count: float, hours_per_month: float) -> float:
    """``count`` units of a price-table entry for an hour: a ``…-month`` price is spread over
    the month's hours; per-hour prices (and per-GB prices of an assumed hourly use) as they are.
    """
    usd = entry["usd"] * count
    return usd / hours_per_month if entry["unit"].endswith("-month") else usd


#: What a handler raises on properties it cannot read (a deployed template `week5 status`
#: prices may hold a parameter's Ref where a synthesized one holds a value).
_UNREADABLE = (KeyError, TypeError, ValueError, AttributeError, IndexError)


def costs_nothing(rtype: str, properties: Mapping[str, Any]) -> bool:
    """Whether a resource costs nothing by itself: FREE_TYPES, CDK's custom resources, and a
    gateway VPC endpoint (S3 and DynamoDB's: no hourly or per-GB charge)."""
    if rtype in FREE_TYPES or rtype.startswith("Custom::"):
        return True
    if rtype != "AWS::EC2::VPCEndpoint" or not isinstance(properties, Mapping):
        return False
    return properties.get("VpcEndpointType", "Gateway") == "Gateway"


def template_resources(template: Any) -> Mapping[str, Any]:
    """The template's Resources, or {} when it has none (a stack whose change set was never
    executed has an empty template) or they are not a mapping."""
    resources = template.get("Resources") if isinstance(template, Mapping) else None
    return resources if isinstance(resources, Mapping) else {}


#: The note on an instance's detailed monitoring (1-minute metrics).
DETAILED = "detailed monitoring: 1-minute metrics"


class _Pricer:
    def __init__(self, template: Mapping[str, Any], prices: Mapping[str, Any]) -> None:
        self.resources = template_resources(template)
        self.prices = prices
        self.usage = prices["usage_assumed"]
        self.per_month = prices["hours_per_month"]
        self.estimate = Estimate()

    def add(self, resource: str, rtype: str, key: str, count: float, note: str = "") -> None:
        price = self.prices["prices"].get(key)
        if price is None:
            self.estimate.items.append(
                LineItem(resource, rtype, None, count, key, None, None, note=f"not priced: {key}")
            )
            return
        unit = price["unit"]
        hourly = hourly_usd(price, count, self.per_month)
        self.estimate.items.append(
            LineItem(
                resource,
                rtype,
                key,
                count,
                unit,
                price["usd"],
                hourly,
                price["date"],
                price["basis"],
                note,
            )
        )

    def volumes(self, resource: str, mappings: List[Dict[str, Any]], copies: float = 1) -> None:
        for mapping in mappings or []:
            ebs = mapping.get("Ebs", {})
            size = ebs.get("VolumeSize")
            if size:
                kind = ebs.get("VolumeType", "gp2")
                self.add(resource, "EBS volume", f"ebs:{kind}", copies * size, "GB, root volume")

    def price(self) -> Estimate:
        free: Dict[str, int] = {}
        for logical_id, resource in self.resources.items():
            rtype = resource.get("Type") if isinstance(resource, Mapping) else None
            if not isinstance(rtype, str):
                self.estimate.items.append(
                    LineItem(logical_id, "?", None, 1, "", None, None, note="not priced: no Type")
                )
                continue
            p = resource.get("Properties") or {}
            handler = getattr(self, "_" + rtype.replace("::", "_").replace("AWS_", "", 1), None)
            if costs_nothing(rtype, p):
                free[rtype] = free.get(rtype, 0) + 1
            elif handler:
                before = len(self.estimate.items)
                try:
                    handler(logical_id, rtype, p)
                except _UNREADABLE:
                    # Not a half-priced resource: none of its items, one "not priced" instead.
                    del self.estimate.items[before:]
                    note = "not priced: properties not readable"
                    self.estimate.items.append(
                        LineItem(logical_id, rtype, None, 1, "", None, None, note=note)
                    )
            elif rtype in USAGE_TYPES:
                self.estimate.items.append(
                    LineItem(
                        logical_id,
                        rtype,
                        "usage",
                        1,
                        "use",
                        0.0,
                        0.0,
                        basis="usage-based",
                        note=f"billed {USAGE_TYPES[rtype]}; a lab's use rounds to $0",
                    )
                )
            else:
                self.estimate.items.append(
                    LineItem(logical_id, rtype, None, 1, "", None, None, note="not priced")
                )
        self.estimate.free_types = dict(sorted(free.items()))
        self.estimate.names = {i.resource: self.name(i.resource) for i in self.estimate.items}
        return self.estimate

    def name(self, logical_id: str) -> str:
        """The guides' name for a resource (:func:`label`, as ``week5.analysis.guide`` calls
        it); the logical id when the resource cannot be read (a deployed template's)."""
        resource = self.resources.get(logical_id)
        try:
            return label(logical_id, resource if isinstance(resource, Mapping) else {})
        except _UNREADABLE:
            return logical_id

    # One method per priced type: _<Service>_<Type>(logical_id, type, properties).
    def _EC2_Instance(self, name: str, rtype: str, p: Dict[str, Any]) -> None:
        self.add(name, rtype, f"ec2:{p['InstanceType']}", 1)
        self.volumes(name, p.get("BlockDeviceMappings"))
        interfaces = p.get("NetworkInterfaces") or [{}]
        if interfaces[0].get("AssociatePublicIpAddress"):
            self.add(name, rtype, "public-ipv4", 1, "the instance's public IP")
        if p.get("Monitoring") is True:
            self.add(name, rtype, "cloudwatch:detailed-monitoring", 1, DETAILED)

    def _AutoScaling_AutoScalingGroup(self, name: str, rtype: str, p: Dict[str, Any]) -> None:
        count = int(p.get("DesiredCapacity") or p["MinSize"])
        template_ref = p["LaunchTemplate"]["LaunchTemplateId"]["Ref"]
        data = self.resources[template_ref]["Properties"]["LaunchTemplateData"]
        note = f"{count} instances: desired (or minimum) capacity, max {p['MaxSize']}"
        self.add(name, rtype, f"ec2:{data['InstanceType']}", count, note)
        self.volumes(name, data.get("BlockDeviceMappings"), count)
        if (data.get("Monitoring") or {}).get("Enabled") is True:
            self.add(name, rtype, "cloudwatch:detailed-monitoring", count, DETAILED)

    def _EC2_NatGateway(self, name: str, rtype: str, p: Dict[str, Any]) -> None:
        self.add(name, rtype, "nat-gateway", 1, "plus 0.059 per GB processed (not counted)")

    def _EC2_VPCEndpoint(self, name: str, rtype: str, p: Dict[str, Any]) -> None:
        """An interface endpoint bills per AZ it has a network interface in (one per subnet);
        a gateway endpoint costs nothing (:func:`costs_nothing`)."""
        subnets = p["SubnetIds"]
        if not isinstance(subnets, list):  # a token: how many AZs is not known
            raise TypeError(f"SubnetIds of {name} is not a list")
        self.add(name, rtype, "vpc-endpoint:interface", len(subnets), "AZ(s), one a subnet")

    def _EC2_EIP(self, name: str, rtype: str, p: Dict[str, Any]) -> None:
        self.add(name, rtype, "public-ipv4", 1, "an Elastic IP in use")

    def _EC2_Volume(self, name: str, rtype: str, p: Dict[str, Any]) -> None:
        self.add(name, rtype, f"ebs:{p.get('VolumeType', 'gp2')}", p["Size"], "GB")

    def _ElasticLoadBalancingV2_LoadBalancer(self, name: str, rtype: str, p: Dict) -> None:
        self.add(name, rtype, "alb", 1)
        self.add(name, rtype, "alb-lcu", self.usage["alb_lcu"], "LCU assumed for a lab's traffic")
        if p.get("Scheme", "internet-facing") == "internet-facing":
            nodes = len(p.get("Subnets") or p.get("SubnetMappings") or [])
            self.add(name, rtype, "public-ipv4", nodes, "one per ALB node, one node per AZ")

    def _RDS_DBInstance(self, name: str, rtype: str, p: Dict[str, Any]) -> None:
        source = p
        if "SourceDBInstanceIdentifier" in p:  # a read replica: engine and storage of its source
            refs = [
                v for v in referenced_ids(p["SourceDBInstanceIdentifier"]) if v in self.resources
            ]
            source = self.resources[refs[0]]["Properties"] if refs else p
        az = "multi-az" if p.get("MultiAZ") else "single-az"
        engine = source.get("Engine", "postgres")
        self.add(name, rtype, f"rds:{engine}:{p['DBInstanceClass']}:{az}", 1)
        storage = int(source.get("AllocatedStorage", 20))
        self.add(name, rtype, f"rds-gp3:{az}", storage, "GB of storage")

    def _ElastiCache_ReplicationGroup(self, name: str, rtype: str, p: Dict[str, Any]) -> None:
        nodes = p.get("NumCacheClusters") or 1 + int(p.get("ReplicasPerNodeGroup", 0))
        self.add(name, rtype, f"elasticache:{p['Engine']}:{p['CacheNodeType']}", nodes, "nodes")

    def _EFS_FileSystem(self, name: str, rtype: str, p: Dict[str, Any]) -> None:
        self.add(name, rtype, "efs:standard", self.usage["efs_gb"], "GB stored, assumed")

    def _S3_Bucket(self, name: str, rtype: str, p: Dict[str, Any]) -> None:
        self.add(name, rtype, "s3:standard", self.usage["s3_gb"], "GB stored, assumed")

    def _CloudFront_Distribution(self, name: str, rtype: str, p: Dict[str, Any]) -> None:
        gb = self.usage["cloudfront_gb_per_hour"]
        self.add(name, rtype, "cloudfront:transfer", gb, "GB served per hour, assumed")

    def _SecretsManager_Secret(self, name: str, rtype: str, p: Dict[str, Any]) -> None:
        self.add(name, rtype, "secretsmanager:secret", 1)

    def _KMS_Key(self, name: str, rtype: str, p: Dict[str, Any]) -> None:
        self.add(name, rtype, "kms:key", 1)

    def _CloudWatch_Alarm(self, name: str, rtype: str, p: Dict[str, Any]) -> None:
        self.add(name, rtype, "cloudwatch:alarm", 1)

    def _WAFv2_WebACL(self, name: str, rtype: str, p: Dict[str, Any]) -> None:
        self.add(name, rtype, "waf:web-acl", 1)
        self.add(name, rtype, "waf:rule", len(p.get("Rules", [])), "rules")


def estimate(template: Mapping[str, Any], prices: Optional[Mapping[str, Any]] = None) -> Estimate:
    """Price a synthesized template with ``prices`` (default: the project's price file), or a
    deployed one (`week5 status`): a resource it cannot read is "not priced", never $0."""
    return _Pricer(template, prices or load_prices()).price()


#: The course plan's "일별 예상 비용 (12명 기준)" (its cost estimate for the week): what each day
#: costs a class of :data:`COURSE_CLASS_SIZE`, USD. A student trial summed `week5 cost LAB
#: --students 12` over a day and found Day 1 and Day 4 above it, which no tool compared.
COURSE_DAY_USD: Dict[int, float] = {1: 1.50, 2: 1.50, 3: 2.40, 4: 4.20, 5: 7.80}
#: The class the plan's daily figures are for.
COURSE_CLASS_SIZE = 12
#: The kinds of lab every student deploys: the afternoon's "Lab 1" and "Lab 2 또는 Challenge",
#: 50 minutes each (the plan's "일일 스케줄 표준"). A Session 4 customer case (``Case``) is one of
#: the morning's four theory sessions ("이론 세션: 4시간 (Session 1-4)"), which the plan does not
#: have students deploy: a day's class total leaves it out and says what it would add.
CLASS_KINDS = ("Lab1", "Lab2", "Challenge")


def class_day_costs(
    labs: Sequence[Tuple[str, float, int]], class_size: int = COURSE_CLASS_SIZE
) -> List[Dict[str, Any]]:
    """Each day's cost for a class, against the plan's figure (:data:`COURSE_DAY_USD`): every
    student deploys the day's labs of :data:`CLASS_KINDS` for their :data:`LAB_MINUTES`
    minutes (as `week5 cost LAB --students N` prices a lab); a case is listed, not summed.

    ``labs``: (lab id, $/hour of one stack, resources not priced) per stack. A lab id with a
    student after it (``Day1Lab1-kim``, class mode's copies) is that student's stack, counted
    once; the class is then those students and the plan's figure is scaled to their number.
    A lab id without one is counted ``class_size`` times.

    Each day, in course order: ``day`` (``Day1``), ``students``, ``labs`` (the lab ids summed),
    ``class_usd``, ``course_usd`` (the plan's, for ``students``), ``over_usd`` (how much the
    class total is above it, to the cent; 0 when it is not), ``not_priced`` (resources of the
    summed labs without a price: the total is that much low), ``complete`` (whether the
    day's Lab 1 and its Lab 2 or Challenge are both among ``labs``: a synthesis of some labs,
    ``-c labs=Day1Lab1``, sums only those) and ``not_summed`` (each case with ``class_usd``,
    what it would add if every student deployed it).

    @default ``class_size`` :data:`COURSE_CLASS_SIZE` (the plan's class)."""
    per_lab: Dict[str, Dict[str, Any]] = {}
    students = set()
    for lab_id, hourly, not_priced in labs:
        base, _, student = lab_id.partition("-")
        match = LAB_ID_RE.match(base)
        if not match:
            continue
        if student:
            students.add(student)
        entry = per_lab.setdefault(
            base, {"day": int(match.group("day")), "kind": match.group("kind"), "usd": 0.0,
                   "copies": 0, "not_priced": 0}
        )  # fmt: skip
        entry["usd"] += hourly * LAB_MINUTES / 60
        entry["copies"] += 1 if student else 0
        entry["not_priced"] = max(entry["not_priced"], not_priced)
    size = len(students) or class_size
    days = []
    for day in sorted({entry["day"] for entry in per_lab.values()}):
        summed = {"labs": [], "usd": 0.0, "not_priced": 0}
        cases = []
        for lab_id, entry in per_lab.items():
            if entry["day"] != day:
                continue
            usd = entry["usd"] if entry["copies"] else entry["usd"] * size
            if entry["kind"] in CLASS_KINDS:
                summed["labs"].append(lab_id)
                summed["usd"] += usd
                summed["not_priced"] += entry["not_priced"]
            else:
                cases.append({"lab": lab_id, "class_usd": _cents(usd)})
        course = COURSE_DAY_USD.get(day)
        course_usd = None if course is None else course * size / COURSE_CLASS_SIZE
        total = _cents(summed["usd"])
        over = 0.0 if course_usd is None else max(0.0, round(total - _cents(course_usd), 2))
        days.append(
            {
                "day": f"Day{day}",
                "students": size,
                "labs": summed["labs"],
                "class_usd": total,
                "course_usd": None if course_usd is None else _cents(course_usd),
                "over_usd": over,
                "not_priced": summed["not_priced"],
                "complete": f"Day{day}Lab1" in summed["labs"] and len(summed["labs"]) > 1,
                "not_summed": cases,
            }
        )
    return days


def half_up(amount: float, places: int) -> Decimal:
    """``amount`` dollars to ``places`` decimals as every command prints them: rounded half up
    from its value to the millionth, so a sum that floats leave at 0.13249999 is 0.1325's
    (`week5 status` read $0.132 where `week5 labs` read $0.133 for one lab)."""
    exact = Decimal(str(round(amount, 6)))
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _cents(amount: float) -> float:
    """``amount`` to the cent, as :func:`half_up` (a sum floats leave at 1.5499999 is $1.55)."""
    return float(half_up(amount, 2))
